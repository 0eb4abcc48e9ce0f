"""Events one feature announces and another acts on, without the two importing each other: a plan's
status changed, a report was reviewed by the parent (app/notifications tells the people concerned).
Blinker's signals, as Flask's own (a dependency of Flask)."""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

# sender: the Plan; keyword arguments: session, action ("plan.submit", "plan.return", "plan.issue"), today
plan_status_changed = _events.signal("plan-status-changed")
# sender: the Report; keyword arguments: session, action ("report.send", "report.acknowledge",
# "report.return"), today
report_reviewed = _events.signal("report-reviewed")
# sender: the Membership given or changed; keyword arguments: session, today
role_given = _events.signal("role-given")
# sender: the ward's Plan a new template revision was offered to; keyword arguments: session, today
proposal_made = _events.signal("proposal-made")
