"""Tenant isolation that fails closed: scoped ORM queries, guarded flushes, PostgreSQL settings.

Every ward-owned model inherits `UnitOwned` (or `PlanContent`, which also lets units below see
their ancestors' plan templates). A query touching them with no scope set raises; a scope adds
`unit_id IN (...)` criteria to every query; a flush outside the scope, in a read-only scope, or
changing `unit_id` is refused. On PostgreSQL the same scope is written into per-transaction
settings that the row-level security policies read. The one escape hatch is `system_scope()`.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, ForeignKey, Integer, Table, and_, any_, bindparam, event, inspect, or_, text
from sqlalchemy.engine import Connection, Result
from sqlalchemy.orm import (
    Mapped,
    Mapper,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    object_session,
    scoped_session,
    with_loader_criteria,
)
from sqlalchemy.sql import visitors

SCOPE_KEY = "tenancy_scope"


class TenancyError(RuntimeError):
    """Ward data was touched with no scope, or outside the scope in force."""


class ReadOnlyScope(TenancyError):
    """A write was attempted in a read-only scope (the Front's)."""


@dataclass(frozen=True)
class Scope:
    """The units one request may see; `read_only` scopes may change nothing at all."""

    unit_ids: frozenset[int]
    home_unit_id: int | None = None
    template_unit_ids: frozenset[int] = field(default_factory=frozenset)
    read_only: bool = False
    user_id: int | None = None
    actor: str = ""
    everything: bool = False

    def covers(self, unit_id: int | None) -> bool:
        return self.everything or unit_id in self.unit_ids


class TenantOwned:
    """Common base of the ward-owned mixins: a `unit_id` that never changes."""

    # No single-column index: each table's own indexes lead with unit_id (ready for Citus).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"))


class UnitOwned(TenantOwned):
    """Rows visible only inside their own unit's scope."""


class PlanContent(TenantOwned):
    """Plan rows: own unit's, plus templates published by an ancestor unit (read only)."""

    is_template: Mapped[bool] = mapped_column(default=False)


def _actual(session: Session | scoped_session[Any]) -> Session:
    return session() if isinstance(session, scoped_session) else session


def current_scope(session: Session | scoped_session[Any]) -> Scope | None:
    return _actual(session).info.get(SCOPE_KEY)


def set_scope(session: Session | scoped_session[Any], scope: Scope | None) -> None:
    """Put `scope` in force for this session (and its open PostgreSQL transaction)."""
    session = _actual(session)
    session.info[SCOPE_KEY] = scope
    if session.in_transaction():
        _write_pg_settings(session.connection(), scope)


@contextmanager
def system_scope(session: Session | scoped_session[Any], actor: str = "system",
                 user_id: int | None = None, unit_ids: Iterable[int] | None = None) -> Iterator[Scope]:
    """The escape hatch: every unit (or only `unit_ids`), writable. For `flask` commands (loading
    units and templates, the demo, accounts), a parent's units screens, and writing an account's
    events into the audit log of its units (`unit_ids`: those units)."""
    previous = current_scope(session)
    if unit_ids is None:
        scope = Scope(unit_ids=frozenset(), actor=actor, everything=True, user_id=user_id)
    else:
        scope = Scope(unit_ids=frozenset(unit_ids), actor=actor, user_id=user_id)
    set_scope(session, scope)
    try:
        yield scope
    finally:
        set_scope(session, previous)


def _is_tenanted(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, TenantOwned)


@cache
def _ward_tables() -> frozenset[str]:
    """Names of the tables of every ward-owned model."""
    found: set[str] = set()
    pending = list(TenantOwned.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        table = getattr(cls, "__table__", None)
        if table is not None:
            found.add(table.name)
    return frozenset(found)


# What _ward_tables_in found, per statement object: statements built once and run on every request
# (a unit, a session, a plan) are looked at once.
_WALKED: weakref.WeakKeyDictionary[Any, tuple[bool, bool]] = weakref.WeakKeyDictionary()


def _ward_tables_in(state: ORMExecuteState) -> tuple[bool, bool]:
    """(does the statement touch ward tables, does it reach them through mapped classes)."""
    statement = state.statement
    found = _WALKED.get(statement)
    if found is None:
        # A mapped ward class answers both without walking the statement.
        found = (True, True) if any(_is_tenanted(m.class_) for m in state.all_mappers) else _walk(state)
        _WALKED[statement] = found
    return found


def _walk(state: ORMExecuteState) -> tuple[bool, bool]:
    tables = ward_tables_in(state.statement)
    return bool(tables), any("parententity" in table._annotations for table in tables)


def ward_tables_in(statement: Any) -> list[Table]:
    """The ward tables a statement reads or writes (each as the statement names it)."""
    ward_tables = _ward_tables()
    # Executable is typed apart from the traversable elements, though every ORM statement is both.
    return [element for element in visitors.iterate(statement)
            if isinstance(element, Table) and element.name in ward_tables]


# The scope's ids on PostgreSQL: parameters with no value, given at each execution.
_SCOPE_IDS = bindparam("tenancy_scope_unit_ids", type_=ARRAY(Integer))
_TEMPLATE_IDS = bindparam("tenancy_scope_template_ids", type_=ARRAY(Integer))


@event.listens_for(Session, "do_orm_execute")
def _scope_queries(state: ORMExecuteState) -> Result[Any] | None:
    """Every statement on ward tables runs inside the scope, through the mapped classes."""
    touched, mapped = _ward_tables_in(state)
    if not touched:
        return None
    scope = current_scope(state.session)
    if scope is None:
        raise TenancyError("ward data queried with no tenancy scope set")
    if scope.everything:
        return None
    if scope.read_only and (not state.is_select or getattr(state.statement, "_for_update_arg", None) is not None):
        raise ReadOnlyScope("read-only scope: nothing may be written or locked for writing")
    if not state.is_select:
        # Bulk INSERT/UPDATE/DELETE would skip the flush checks and the audit log.
        raise TenancyError("ward rows are written one by one through the session, not in bulk")
    if not mapped:
        raise TenancyError("ward tables are queried through their mapped classes")
    ids = sorted(scope.unit_ids)
    template_ids = sorted(scope.template_unit_ids)
    if state.session.get_bind().dialect.name == "postgresql":
        # One array parameter (`= ANY`), not a parameter per unit: a country's scope is 3,322 ids,
        # which as an IN list cost more to send and plan than the query itself. The criteria hold
        # no value (a cached statement can never carry another scope's ids); the ids are passed
        # as this execution's parameters.
        state.statement = state.statement.options(
            with_loader_criteria(UnitOwned, lambda cls: cls.unit_id == any_(_SCOPE_IDS), include_aliases=True),
            with_loader_criteria(
                PlanContent,
                lambda cls: or_(cls.unit_id == any_(_SCOPE_IDS),
                                and_(cls.is_template.is_(True), cls.unit_id == any_(_TEMPLATE_IDS))),
                include_aliases=True,
            ),
        )
        if state.parameters is None:
            state.parameters = {}  # invoke_statement merges into it (loads by primary key pass None)
        return state.invoke_statement(params={_SCOPE_IDS.key: ids, _TEMPLATE_IDS.key: template_ids})
    state.statement = state.statement.options(
        with_loader_criteria(UnitOwned, lambda cls: cls.unit_id.in_(ids), include_aliases=True),
        with_loader_criteria(
            PlanContent,
            lambda cls: or_(
                cls.unit_id.in_(ids),
                and_(cls.is_template.is_(True), cls.unit_id.in_(template_ids)),
            ),
            include_aliases=True,
        ),
    )
    return None


@event.listens_for(Session, "before_flush")
def _guard_writes(session: Session, flush_context: object, instances: object) -> None:
    scope = current_scope(session)
    new = list(session.new)
    deleted = list(session.deleted)
    dirty = [o for o in session.dirty if session.is_modified(o)]
    if scope is not None and scope.read_only and (new or deleted or dirty):
        raise ReadOnlyScope("read-only scope: nothing may be written")
    for obj in new:
        if not _is_tenanted(type(obj)):
            continue
        _require_scope(scope)
        if obj.unit_id is None and scope is not None and scope.home_unit_id is not None:
            obj.unit_id = scope.home_unit_id
        _require_covered(scope, obj.unit_id)
    for obj in dirty:
        if not _is_tenanted(type(obj)):
            continue
        _require_scope(scope)
        history = inspect(obj).attrs.unit_id.history
        if history.deleted:
            raise TenancyError("unit_id of a ward-owned row may not change")
        _require_covered(scope, obj.unit_id)
    for obj in deleted:
        if _is_tenanted(type(obj)):
            _require_scope(scope)
            _require_covered(scope, obj.unit_id)


def _require_scope(scope: Scope | None) -> None:
    if scope is None:
        raise TenancyError("ward data written with no tenancy scope set")


def _require_covered(scope: Scope | None, unit_id: int | None) -> None:
    assert scope is not None
    if unit_id is None or not scope.covers(unit_id):
        raise TenancyError(f"unit {unit_id} is outside the scope in force")


@event.listens_for(Session, "after_begin")
def _scope_transaction(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    _write_pg_settings(connection, current_scope(session))


@event.listens_for(Mapper, "after_insert")
def _unit_added(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    """A unit created under a scope of every unit joins the scope the policies read at once, before
    the rows of it that the same flush inserts next."""
    if getattr(mapper.local_table, "name", None) != "units" or connection.dialect.name != "postgresql":
        return
    session = object_session(target)
    scope = current_scope(session) if session is not None else None
    if scope is not None and scope.everything:
        connection.execute(text(
            "SELECT set_config('dan_van.unit_ids', concat_ws(',', nullif(current_setting('dan_van.unit_ids', true),"
            " ''), CAST(:id AS text)), true), set_config('dan_van.template_unit_ids', concat_ws(',',"
            " nullif(current_setting('dan_van.template_unit_ids', true), ''), CAST(:id AS text)), true)"
        ), {"id": str(target.id)})


# Every unit, as the policies read a scope: a list of ids. The policies honour "*" for the owner of
# the tables only (operators' own SQL), never for the app's role.
_ALL_UNITS = "(SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM units)"


def _write_pg_settings(connection: Connection, scope: Scope | None) -> None:
    """Copy the scope into the transaction-local settings the RLS policies read."""
    if connection.dialect.name != "postgresql":
        return
    if scope is not None and scope.everything:
        connection.execute(text(
            f"SELECT set_config('dan_van.unit_ids', {_ALL_UNITS}, true),"
            f" set_config('dan_van.template_unit_ids', {_ALL_UNITS}, true),"
            " set_config('dan_van.read_only', 'off', true)"
        ))
        return
    if scope is None:
        ids, template_ids, read_only = "", "", "on"
    else:
        ids = ",".join(str(i) for i in sorted(scope.unit_ids))
        template_ids = ",".join(str(i) for i in sorted(scope.template_unit_ids))
        read_only = "on" if scope.read_only else "off"
    connection.execute(
        text(
            "SELECT set_config('dan_van.unit_ids', :ids, true),"
            " set_config('dan_van.template_unit_ids', :template_ids, true),"
            " set_config('dan_van.read_only', :read_only, true)"
        ),
        {"ids": ids, "template_ids": template_ids, "read_only": read_only},
    )
