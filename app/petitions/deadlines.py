"""Which legal deadline a petition is running against, by kind and status, and how it stands."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Subquery, func, select

from app.law.book import LegalBook
from app.law.deadline_rules import (
    DeadlineRule,
    DeadlineRuleError,
    deadline,
    rule_for,
)
from app.models import Petition, PetitionExtension, PetitionKind, PetitionStatus

CLASSIFICATION = "petition.classification"
COMPLAINT_ACCEPTANCE = "complaint.acceptance"
COMPLAINT_FIRST = "complaint.first_resolution"
COMPLAINT_SECOND = "complaint.second_resolution"
DENUNCIATION = "denunciation.resolution"

# Statuses that mean a step was taken even where its date was not recorded.
_CLASSIFIED = frozenset(
    {PetitionStatus.CLASSIFIED, PetitionStatus.ACCEPTED, PetitionStatus.IN_RESOLUTION, PetitionStatus.RESOLVED}
)
_ACCEPTED = frozenset({PetitionStatus.ACCEPTED, PetitionStatus.IN_RESOLUTION, PetitionStatus.RESOLVED})


@dataclass(frozen=True)
class Deadline:
    """The deadline in force for a petition's current step, seen on `today`."""

    rule: DeadlineRule
    starts_on: date  # counting starts the day after this one
    due_on: date
    done_on: date | None  # the day the step (or the whole petition) was finished
    closed: bool
    today: date
    days: int  # days allowed, working or calendar as the rule counts them, extensions included
    extensions: int = 0

    @property
    def days_left(self) -> int | None:
        """Calendar days until the deadline (negative once past); None once the step is done."""
        if self.done_on is not None or self.closed:
            return None
        return (self.due_on - self.today).days

    @property
    def overdue(self) -> bool:
        return not self.closed and self.done_on is None and self.today > self.due_on

    @property
    def on_time(self) -> bool | None:
        """Was the step finished by the deadline? None while it is not finished."""
        return None if self.done_on is None else self.done_on <= self.due_on


def _step(petition: Petition | PetitionFacts) -> tuple[str, date, date | None]:
    """(rule code, the day counting starts from, the day the step was done) for the petition's step."""
    finished = petition.closed_on if petition.closed else None
    classified = petition.classified_on is not None or petition.status in _CLASSIFIED
    if petition.kind in (PetitionKind.RECOMMENDATION, PetitionKind.FEEDBACK):
        # Only classification has a legal time limit here; it is met once the petition is classified.
        return CLASSIFICATION, petition.received_on, petition.classified_on or finished
    if not classified:
        return CLASSIFICATION, petition.received_on, finished
    if petition.kind == PetitionKind.DENUNCIATION:
        return DENUNCIATION, petition.accepted_on or petition.received_on, finished
    if petition.accepted_on is None and petition.status not in _ACCEPTED:
        return COMPLAINT_ACCEPTANCE, petition.received_on, finished
    code = COMPLAINT_SECOND if petition.second_resolution else COMPLAINT_FIRST
    return code, petition.accepted_on or petition.classified_on or petition.received_on, finished


@dataclass(frozen=True)
class PetitionFacts:
    """What the legal deadline of a petition depends on, read as columns instead of whole rows
    when there are thousands (a rollup, the overdue list)."""

    kind: Any
    status: Any
    received_on: date
    classified_on: date | None
    accepted_on: date | None
    closed_on: date | None
    complex_case: bool
    remote_area: bool
    second_resolution: bool
    very_complex: bool
    closed: bool = True


FACTS = tuple(f for f in PetitionFacts.__dataclass_fields__ if f != "closed")  # the columns to select


def deadline_of(petition: Petition | PetitionFacts, book: LegalBook, today: date,
                extensions: int = 0) -> Deadline | None:
    """The deadline of the petition's current step (None if no rule is in force for its dates).

    `extensions` is the number of extensions recorded; only a denunciation's resolution uses them.
    The rule is the one in force on the day counting starts (receipt, or acceptance for resolution).
    """
    return Deadlines(book, today).of(petition, extensions)


class Deadlines:
    """`deadline_of` for many petitions on one book and day (a country's open petitions): each step,
    start, case and extension count worked out through the calendar once."""

    def __init__(self, book: LegalBook, today: date) -> None:
        self.book, self.today = book, today
        self._found: dict[tuple[Any, ...], Deadline | None] = {}
        self._by_facts: dict[tuple[Any, ...], Deadline | None] = {}

    def of_facts(self, facts: tuple[Any, ...], extensions: int = 0) -> Deadline | None:
        """The deadline of an open petition whose FACTS columns are `facts`: worked out once per facts."""
        key = (*facts, extensions)
        if key not in self._by_facts:
            self._by_facts[key] = self.of(PetitionFacts(*facts, closed=False), extensions)  # type: ignore[misc]  # *facts: the FACTS columns
        return self._by_facts[key]

    def of(self, petition: Petition | PetitionFacts, extensions: int = 0) -> Deadline | None:
        code, start, done = _step(petition)
        key = (code, start, done, petition.closed, petition.complex_case, petition.remote_area,
               petition.very_complex, extensions if code == DENUNCIATION else 0)
        if key not in self._found:
            self._found[key] = self._work_out(petition, code, start, done, extensions)
        return self._found[key]

    def _work_out(self, petition: Petition | PetitionFacts, code: str, start: date, done: date | None,
                  extensions: int) -> Deadline | None:
        try:
            rule = rule_for(self.book.rules, code, start)
        except DeadlineRuleError:
            return None
        used = min(extensions, extensions_allowed(petition, rule)) if code == DENUNCIATION else 0
        due = deadline(rule, self.book.calendar, start, complex_case=petition.complex_case,
                       remote=petition.remote_area, extensions=used)
        days = rule.length(complex_case=petition.complex_case, remote=petition.remote_area) + used * rule.extension_days
        return Deadline(rule=rule, starts_on=start, due_on=due, done_on=done, closed=petition.closed,
                        today=self.today, days=days, extensions=used)


def extensions_recorded(unit_ids: Collection[int] | None = None) -> Subquery:
    """(unit_id, petition_id, n): the number of extensions recorded for each petition that has any (of
    `unit_ids`, or of the scope), to outer-join to the petitions whose deadlines are worked out in bulk."""
    return (
        select(PetitionExtension.unit_id, PetitionExtension.petition_id, func.count().label("n"))
        .where(*([PetitionExtension.unit_id.in_(unit_ids)] if unit_ids is not None else []))
        .group_by(PetitionExtension.unit_id, PetitionExtension.petition_id)
        .subquery()
    )


def extensions_allowed(petition: Petition | PetitionFacts, rule: DeadlineRule) -> int:
    """How many times a denunciation's resolution may be extended (Luật Tố cáo 2018, Điều 30): never for
    an ordinary case, once for a complex one, twice for a particularly complex one; at most the rule's."""
    allowed = 2 if petition.very_complex else 1 if petition.complex_case else 0
    return min(allowed, rule.max_extensions)


def resolution_rule(petition: Petition, book: LegalBook) -> DeadlineRule | None:
    """The denunciation resolution rule that governs the petition's extensions."""
    try:
        return rule_for(book.rules, DENUNCIATION, petition.accepted_on or petition.received_on)
    except DeadlineRuleError:
        return None
