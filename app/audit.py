"""Records every write to ward-owned rows in the audit log, from the flush itself."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import LargeBinary, event, inspect
from sqlalchemy.orm import Session

from app.models.audit import AuditEntry
from app.models.notification import Notification
from app.models.unit import Unit
from app.models.user import Membership, User
from app.tenancy import TenancyError, TenantOwned, current_scope, system_scope

ACTIONS_KEY = "audit_actions"
NOT_AUDITED = {"version", "content_hash", "search_text", "data_version"}


def name_action(session: Session, obj: object, action: str) -> None:
    """Label the next audit entry of `obj` with a domain action such as "plan.reopen"."""
    session.info.setdefault(ACTIONS_KEY, {})[id(obj)] = action


def plain_value(value: Any) -> Any:
    """A value as JSON keeps it: enums by value, dates and times in ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _summary(obj: Any) -> str:
    if isinstance(obj, Membership):
        from app.vocabulary import ROLE_LABELS

        return f"{obj.user.label if obj.user else obj.user_id}: {ROLE_LABELS[obj.role]}"
    for attr in ("title", "text", "name"):
        value = getattr(obj, attr, None)
        if value:
            number = getattr(obj, "number", "") or ""
            return f"{number} {value}".strip()[:250]
    return ""


def _columns(obj: Any) -> list[str]:
    """The columns worth recording: not bookkeeping, not file contents (their size is recorded)."""
    return [
        attr.key
        for attr in inspect(obj).mapper.column_attrs
        if attr.key not in NOT_AUDITED and not isinstance(attr.columns[0].type, LargeBinary)
    ]


CONFIDENTIAL = "•••"


def _changes(obj: Any, kind: str) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    hidden = set(getattr(obj, "__confidential__", ()))
    for key in _columns(obj):
        if kind == "create":
            changes[key] = [None, plain_value(getattr(obj, key))]
        elif kind == "delete":
            changes[key] = [plain_value(state.attrs[key].loaded_value), None]
        else:
            history = state.attrs[key].history
            if history.has_changes():
                before = history.deleted[0] if history.deleted else None
                after = history.added[0] if history.added else None
                changes[key] = [plain_value(before), plain_value(after)]
    for key in hidden & changes.keys():
        changes[key] = [CONFIDENTIAL if value else value for value in changes[key]]
    return changes


def _audited(obj: object) -> bool:
    """Ward-owned rows, memberships (who holds which role where) and units themselves (names, codes,
    parents, reorganisations), under their unit."""
    return (isinstance(obj, TenantOwned) and not isinstance(obj, (AuditEntry, Notification))) \
        or isinstance(obj, (Membership, Unit))


def _unit_of(obj: Any) -> int:
    return int(obj.id if isinstance(obj, Unit) else obj.unit_id)


@event.listens_for(Session, "before_flush")
def _check_writes(session: Session, flush_context: object, instances: object) -> None:
    """Audit entries never change; an audited write needs a scope to say who made it."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise TenancyError("audit entries are never edited or deleted")
    changed = (*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o)))
    if current_scope(session) is None and any(_audited(obj) for obj in changed):
        raise TenancyError("an audited write needs a scope (the request's, or system_scope)")


@event.listens_for(Session, "after_flush")
def _record_writes(session: Session, flush_context: object) -> None:
    scope = current_scope(session)
    actions = session.info.get(ACTIONS_KEY, {})
    entries = []
    batches = (
        ("create", session.new),
        ("update", [o for o in session.dirty if session.is_modified(o)]),
        ("delete", session.deleted),
    )
    for kind, objects in batches:
        audited = [obj for obj in objects if _audited(obj)]
        if kind == "create":
            audited, grouped = _many_created(audited, actions)
            entries += [_created_together(group, scope) for group in grouped]
        for obj in audited:
            changes = _changes(obj, kind)
            if kind == "update" and not changes:
                continue
            entries.append(
                AuditEntry(
                    unit_id=_unit_of(obj),
                    user_id=scope.user_id if scope else None,
                    username=scope.actor if scope else "",
                    action=actions.pop(id(obj), kind),
                    object_type=type(obj).__name__,
                    object_id=obj.id,
                    summary=_summary(obj),
                    changes=changes,
                )
            )
    session.add_all(entries)


# Rows of one kind created in one flush (a plan made from a template or imported: its sections, tasks and
# indicators) are written as one entry when there are more than this many, not one line each.
CREATED_TOGETHER = 5


def _many_created(created: list[Any], actions: dict[int, str]) -> tuple[list[Any], list[list[Any]]]:
    """(the rows to record one by one, the groups of many rows of one kind and unit made together)."""
    groups: dict[tuple[int, str], list[Any]] = {}
    for obj in created:
        if id(obj) not in actions:  # a row whose action is named is recorded as itself
            groups.setdefault((_unit_of(obj), type(obj).__name__), []).append(obj)
    together = [group for group in groups.values() if len(group) > CREATED_TOGETHER]
    grouped = {id(obj) for group in together for obj in group}
    return [obj for obj in created if id(obj) not in grouped], together


def _created_together(group: list[Any], scope: Any) -> AuditEntry:
    names = "; ".join(filter(None, (_summary(obj) for obj in group)))
    return AuditEntry(
        unit_id=_unit_of(group[0]),
        user_id=scope.user_id if scope else None,
        username=scope.actor if scope else "",
        action="create",
        object_type=type(group[0]).__name__,
        object_id=None,
        summary=(f"{len(group)}: {names}" if names else str(len(group)))[:255],
        changes={"count": [None, len(group)]},
    )


def record_account_event(
    session: Session,
    person: User,
    action: str,
    unit_ids: Iterable[int],
    *,
    actor: User | None,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """Write an account change of `person` (signed in, password changed, …) into the audit log of
    each unit in `unit_ids`; `changes` holds only what may be shown (never a password, link or code)."""
    session.flush()  # what is pending is checked against the request's own scope first
    units = sorted(set(unit_ids))
    with system_scope(session, actor=actor.label if actor else "system", unit_ids=units):
        for unit_id in units:
            session.add(
                AuditEntry(
                    unit_id=unit_id,
                    user_id=actor.id if actor else None,
                    username=actor.label if actor else "",
                    action=action,
                    object_type="User",
                    object_id=person.id,
                    summary=person.label,
                    changes=changes or {},
                )
            )
        session.flush()
