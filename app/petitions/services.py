"""The petitions register: listing, recording, status steps, extensions, and the petitioner's
confidentiality (masked unless the caller may see it; every showing of it is logged)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, distinct, extract, func, select
from sqlalchemy.orm import Session

from app.audit import CONFIDENTIAL, name_action
from app.law.book import LegalBook
from app.models import (
    AuditEntry,
    Petition,
    PetitionExtension,
    PetitionKind,
    PetitionStatus,
    Unit,
)
from app.models.petition import CLOSED_STATUSES
from app.petitions.deadlines import Deadline, deadline_of, extensions_allowed, resolution_rule
from app.petitions.errors import ExtensionRefused, InvalidInput, PetitionError
from app.service_errors import EditConflict, InvalidTransition
from app.vocabulary import PETITION_STATUS_LABELS, vn_date
from app.web.paging import Page, page_bounds, page_of

PAGE_SIZE = 25
MASK = CONFIDENTIAL  # the same mark as in the audit log
IDENTITY_VIEWED = "petition.identity_viewed"
STATUS_CHANGED = "petition.status"

CONFLICT_MESSAGE = _l(
    "Đơn này vừa được người khác sửa trước bạn. Biểu mẫu vẫn giữ nội dung bạn nhập; hãy xem nội dung "
    "đang lưu bên dưới rồi bấm Lưu lần nữa nếu vẫn muốn ghi đè."
)

# Fields a form may set on a petition; the identity is set only by those who may see it.
IDENTITY_FIELDS = ("petitioner_name", "petitioner_address", "petitioner_contact")
EDITABLE_FIELDS = (
    "received_on", "kind", "source", "summary", "handler", "complex_case", "very_complex", "remote_area",
    "second_resolution",
    "mediated", "above_level", "mass_complaint", "resolution", *IDENTITY_FIELDS,
)


# --- confidentiality --------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """The petitioner as the current user may see them: the real values, or masks."""

    name: str
    address: str
    contact: str
    shown: bool

    @property
    def given(self) -> bool:
        return any((self.name, self.address, self.contact))


def identity_of(petition: Petition, shown: bool) -> Identity:
    """The petitioner's identity if `shown`, else masked so that nothing of it is revealed."""
    if shown:
        return Identity(petition.petitioner_name, petition.petitioner_address, petition.petitioner_contact, True)
    return Identity(MASK, MASK, MASK, False)


def record_identity_views(session: Session, petitions: Iterable[Petition], *, user_id: int | None,
                          username: str) -> None:
    """One audit entry per petition whose petitioner's identity was just shown to the user."""
    session.add_all(
        AuditEntry(
            unit_id=petition.unit_id,
            user_id=user_id,
            username=username,
            action=IDENTITY_VIEWED,
            object_type="Petition",
            object_id=petition.id,
            summary=(petition.summary or "")[:250],
            changes={},
        )
        for petition in petitions
    )
    session.flush()


# --- the register -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    kind: PetitionKind | None = None
    status: PetitionStatus | None = None
    year: int | None = None
    overdue: bool = False
    q: str = ""


@dataclass(frozen=True)
class Row:
    petition: Petition
    identity: Identity
    deadline: Deadline | None
    extensions: int


def find_petition(session: Session, unit: Unit, petition_id: int) -> Petition | None:
    """The petition `petition_id` of `unit` (a parent unit's scope must not reach a sibling's)."""
    return session.scalar(select(Petition).where(Petition.unit_id == unit.id, Petition.id == petition_id))


def _filtered(unit: Unit, filters: Filters) -> Select[tuple[Petition]]:
    query = select(Petition).where(Petition.unit_id == unit.id)
    if filters.kind is not None:
        query = query.where(Petition.kind == filters.kind)
    if filters.status is not None:
        query = query.where(Petition.status == filters.status)
    if filters.year is not None:
        query = query.where(Petition.received_on >= date(filters.year, 1, 1),
                            Petition.received_on < date(filters.year + 1, 1, 1))
    if filters.overdue:
        query = query.where(Petition.status.not_in(CLOSED_STATUSES))
    if filters.q.strip():
        query = query.where(Petition.matching(filters.q))
    return query


def extension_counts(session: Session, unit: Unit, petition_ids: list[int] | None = None) -> dict[int, int]:
    """petition id → number of recorded extensions (of the given petitions, or all of the unit's)."""
    query = (
        select(PetitionExtension.petition_id, func.count())
        .where(PetitionExtension.unit_id == unit.id)
        .group_by(PetitionExtension.petition_id)
    )
    if petition_ids is not None:
        if not petition_ids:
            return {}
        query = query.where(PetitionExtension.petition_id.in_(petition_ids))
    return {petition_id: count for petition_id, count in session.execute(query)}


def register_page(session: Session, unit: Unit, filters: Filters, page: int, *, book: LegalBook, today: date,
                  show_identity: bool) -> Page[Row]:
    """One page of the unit's petitions, newest first, each with its deadline as it stands `today`."""
    query = _filtered(unit, filters).order_by(Petition.received_on.desc(), Petition.id.desc())
    if filters.overdue:
        # Being overdue depends on the calendar rules, so it is decided here, over the open petitions.
        counts = extension_counts(session, unit)
        rows = [_row(p, counts.get(p.id, 0), book, today, show_identity) for p in session.scalars(query)]
        rows = [row for row in rows if row.deadline is not None and row.deadline.overdue]
        return page_of(rows, page, PAGE_SIZE)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page, pages = page_bounds(total, page, PAGE_SIZE)
    petitions = list(session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    counts = extension_counts(session, unit, [p.id for p in petitions])
    rows = [_row(p, counts.get(p.id, 0), book, today, show_identity) for p in petitions]
    return Page(rows, total, page, pages)


def _row(petition: Petition, extensions: int, book: LegalBook, today: date, show_identity: bool) -> Row:
    return Row(petition, identity_of(petition, show_identity), deadline_of(petition, book, today, extensions),
               extensions)


def years_received(session: Session, unit: Unit) -> list[int]:
    """The years in which the unit received petitions, newest first."""
    year = extract("year", Petition.received_on)
    found = session.scalars(select(distinct(year)).where(Petition.unit_id == unit.id).order_by(year.desc()))
    return [int(y) for y in found if y is not None]


def extensions_of(session: Session, petition: Petition) -> list[PetitionExtension]:
    return list(
        session.scalars(
            select(PetitionExtension)
            .where(PetitionExtension.unit_id == petition.unit_id, PetitionExtension.petition_id == petition.id)
            .order_by(PetitionExtension.decided_on, PetitionExtension.id)
        )
    )


@dataclass(frozen=True)
class Event:
    """A status change of the petition as the audit log recorded it."""

    at: datetime
    username: str
    before: PetitionStatus | None
    after: PetitionStatus


def status_history(session: Session, petition: Petition) -> list[Event]:
    """When the petition was recorded and each change of its status, oldest first, from the audit log."""
    entries = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.unit_id == petition.unit_id,
            AuditEntry.object_type == "Petition",
            AuditEntry.object_id == petition.id,
            AuditEntry.action.in_(("create", "update", STATUS_CHANGED)),
        )
        .order_by(AuditEntry.id)
    )
    known = {status.value for status in PetitionStatus}
    events = []
    for entry in entries:
        change = (entry.changes or {}).get("status")
        if not change or change[1] not in known:
            continue
        before = PetitionStatus(change[0]) if change[0] in known else None
        events.append(Event(entry.at, entry.username, before, PetitionStatus(change[1])))
    return events


# --- recording and editing --------------------------------------------------------------------


def _require_version(petition: Petition, version: int | None) -> None:
    if version is None or petition.version != version:
        raise EditConflict(CONFLICT_MESSAGE)


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def create_petition(session: Session, unit: Unit, **fields: Any) -> Petition:
    """Record a petition received by the ward or commune; it starts as received."""
    if not unit.is_tenant:
        raise PetitionError(_l("Chỉ phường, xã tiếp nhận và ghi sổ đơn thư."))
    petition = Petition(unit_id=unit.id, status=PetitionStatus.RECEIVED, **_clean(fields))
    session.add(petition)
    session.flush()
    return petition


def _step_dates(petition: Petition) -> list[tuple[object, date]]:
    """(what, when) of the steps recorded after receipt, in order."""
    steps = [
        (_l("ngày phân loại"), petition.classified_on),
        (_l("ngày thụ lý"), petition.accepted_on),
        (_l("ngày kết thúc"), petition.closed_on),
    ]
    return [(label, day) for label, day in steps if day is not None]


def received_on_problem(petition: Petition | None, received_on: date) -> str | None:
    """Why `received_on` cannot be the petition's date of receipt (a later step is earlier), or None."""
    if petition is None:
        return None
    for label, day in _step_dates(petition):
        if received_on > day:
            return _l("Ngày tiếp nhận không được sau %(step)s (%(day)s).", step=label, day=vn_date(day))
    return None


def update_petition(session: Session, petition: Petition, *, version: int | None, **fields: Any) -> Petition:
    """Change what was recorded about the petition (its status changes through `change_status`)."""
    _require_version(petition, version)
    fields = _clean(fields)
    if "received_on" in fields and (problem := received_on_problem(petition, fields["received_on"])):
        raise InvalidInput(problem)
    for key, value in fields.items():
        setattr(petition, key, value)
    session.flush()
    return petition


# --- status steps -----------------------------------------------------------------------------

# received → classified → accepted (thụ lý) → in resolution → resolved; withdrawn at any open step;
# transferred (to the competent body) as the outcome of classification, before acceptance.
MAIN_FLOW = (
    PetitionStatus.RECEIVED,
    PetitionStatus.CLASSIFIED,
    PetitionStatus.ACCEPTED,
    PetitionStatus.IN_RESOLUTION,
    PetitionStatus.RESOLVED,
)
NEXT_STEPS: dict[PetitionStatus, tuple[PetitionStatus, ...]] = {
    PetitionStatus.RECEIVED: (PetitionStatus.CLASSIFIED, PetitionStatus.TRANSFERRED, PetitionStatus.WITHDRAWN),
    PetitionStatus.CLASSIFIED: (PetitionStatus.ACCEPTED, PetitionStatus.TRANSFERRED, PetitionStatus.WITHDRAWN),
    PetitionStatus.ACCEPTED: (PetitionStatus.IN_RESOLUTION, PetitionStatus.WITHDRAWN),
    PetitionStatus.IN_RESOLUTION: (PetitionStatus.RESOLVED, PetitionStatus.WITHDRAWN),
}
# The step that records its date in a column; moving into resolution records no date of its own.
DATE_OF_STEP = {
    PetitionStatus.CLASSIFIED: "classified_on",
    PetitionStatus.ACCEPTED: "accepted_on",
    PetitionStatus.RESOLVED: "closed_on",
    PetitionStatus.WITHDRAWN: "closed_on",
    PetitionStatus.TRANSFERRED: "closed_on",
}


def next_steps(petition: Petition) -> tuple[PetitionStatus, ...]:
    return NEXT_STEPS.get(petition.status, ())


def _transition_problem(current: PetitionStatus, target: PetitionStatus) -> str | None:
    labels = PETITION_STATUS_LABELS
    if target in NEXT_STEPS.get(current, ()):
        return None
    if current in CLOSED_STATUSES:
        return _l("Đơn đã ở trạng thái “%(current)s” nên không thể chuyển sang trạng thái khác.",
                  current=labels[current])
    if target == current:
        return _l("Đơn đã ở trạng thái “%(current)s”.", current=labels[current])
    if target in MAIN_FLOW and MAIN_FLOW.index(target) < MAIN_FLOW.index(current):
        return _l("Không thể quay lại trạng thái “%(target)s” khi đơn đã ở trạng thái “%(current)s”.",
                  target=labels[target], current=labels[current])
    if target in MAIN_FLOW:
        following = MAIN_FLOW[MAIN_FLOW.index(current) + 1]
        return _l("Không thể chuyển thẳng từ “%(current)s” sang “%(target)s”: bước tiếp theo là “%(next)s”.",
                  current=labels[current], target=labels[target], next=labels[following])
    return _l("Chỉ chuyển đơn đi khi chưa thụ lý; đơn này đang ở trạng thái “%(current)s”.",
              current=labels[current])


def change_status(session: Session, petition: Petition, target: PetitionStatus, *, on: date | None, note: str,
                  version: int | None, today: date) -> Petition:
    """Move the petition one step along its flow, recording the step's date (and the outcome, if given)."""
    session.refresh(petition, with_for_update=True)
    problem = _transition_problem(petition.status, target)
    if problem is not None:
        raise InvalidTransition(problem)
    _require_version(petition, version)
    column = DATE_OF_STEP.get(target)
    if column is not None:
        if on is None:
            raise InvalidInput(_l("Vui lòng nhập ngày của bước này."))
        if on > today:
            raise InvalidInput(_l("Ngày của bước này không được sau ngày hôm nay."))
        earlier = [(_l("ngày tiếp nhận"), petition.received_on), *_step_dates(petition)]
        for label, day in earlier:
            if on < day:
                raise InvalidInput(_l("Ngày của bước này không được trước %(step)s (%(day)s).",
                                      step=label, day=vn_date(day)))
        setattr(petition, column, on)
    if target == PetitionStatus.RESOLVED and not (note.strip() or petition.resolution.strip()):
        raise InvalidInput(_l("Vui lòng nhập kết quả giải quyết."))
    if note.strip():
        petition.resolution = note.strip()
    petition.status = target
    name_action(session, petition, STATUS_CHANGED)
    session.flush()
    return petition


# --- extensions -------------------------------------------------------------------------------


def extension_problem(petition: Petition, extensions: int, book: LegalBook) -> str | None:
    """Why the petition cannot be extended now, or None."""
    if petition.kind != PetitionKind.DENUNCIATION:
        return _l("Chỉ đơn tố cáo được gia hạn thời hạn giải quyết.")
    if petition.closed:
        return _l("Đơn đã kết thúc nên không thể gia hạn.")
    if petition.status == PetitionStatus.RECEIVED:
        return _l("Cần phân loại đơn trước khi gia hạn thời hạn giải quyết.")
    rule = resolution_rule(petition, book)
    if rule is None or rule.max_extensions == 0:
        return _l("Quy định hiện hành không cho phép gia hạn thời hạn giải quyết.")
    allowed = extensions_allowed(petition, rule)
    if allowed == 0:
        return _l("Chỉ vụ việc phức tạp (gia hạn 1 lần) hoặc đặc biệt phức tạp (gia hạn 2 lần) mới được gia hạn "
                  "thời hạn giải quyết tố cáo; hãy đánh dấu tính chất của vụ việc trước khi gia hạn.")
    if extensions >= allowed:
        return _l("Vụ việc này chỉ được gia hạn tối đa %(max)d lần và đã gia hạn đủ %(max)d lần.", max=allowed)
    return None


def add_extension(session: Session, petition: Petition, *, decided_on: date, reason: str, book: LegalBook,
                  today: date) -> PetitionExtension:
    """Record one extension of a denunciation's resolution deadline, within the rule's limit."""
    session.refresh(petition, with_for_update=True)  # two extensions at once must not pass the limit
    problem = extension_problem(petition, len(extensions_of(session, petition)), book)
    if problem is not None:
        raise ExtensionRefused(problem)
    if decided_on > today:
        raise InvalidInput(_l("Ngày quyết định gia hạn không được sau ngày hôm nay."))
    if decided_on < petition.received_on:
        raise InvalidInput(_l("Ngày quyết định gia hạn không được trước ngày tiếp nhận đơn (%(day)s).",
                              day=vn_date(petition.received_on)))
    extension = PetitionExtension(unit_id=petition.unit_id, petition_id=petition.id, decided_on=decided_on,
                                  reason=reason.strip())
    session.add(extension)
    session.flush()
    return extension
