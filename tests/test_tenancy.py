"""Tenant isolation fails closed: in the ORM on both databases, and in PostgreSQL's RLS."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.models import AuditEntry, Plan, PlanSection, Role, Schedule, Task
from app.plans import services
from app.tenancy import ReadOnlyScope, TenancyError, set_scope
from tests.conftest import everything, plan_of, postgres_only, scoped_to


def _a_task(session, unit) -> Task:
    with everything(session):
        return session.scalar(sa.select(Task).where(Task.unit_id == unit.id).limit(1))


def test_querying_ward_data_with_no_scope_raises(session):
    for model in (Plan, PlanSection, Task, AuditEntry):
        with pytest.raises(TenancyError):
            session.scalars(sa.select(model)).all()


def test_a_scope_sees_only_its_unit(session, units):
    phu_son, quang_trung = units["phu-son"], units["quang-trung"]
    other_task = _a_task(session, quang_trung)
    with everything(session):
        own_count = session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.unit_id == phu_son.id))
    session.expunge_all()
    with scoped_to(session, phu_son):
        assert set(session.scalars(sa.select(Task.unit_id))) == {phu_son.id}
        assert session.get(Task, other_task.id) is None
        # aggregates and joins are scoped too, not only entity loads
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == own_count
        joined = session.scalars(sa.select(Plan.unit_id).join(Task, Task.plan_id == Plan.id).distinct()).all()
        assert joined == [phu_son.id]


def test_ancestor_templates_are_visible_below_the_publisher_only(session, units):
    with scoped_to(session, units["phu-son"], templates_from=(units["bim-son"], units["thanh-hoa"])):
        templates = session.scalars(sa.select(Plan).where(Plan.is_template.is_(True))).all()
        assert [t.code for t in templates] == ["dan-van-chinh-quyen-2025"]
        assert session.scalars(sa.select(Task).where(Task.is_template.is_(True))).all()
    with scoped_to(session, units["truong-son"], templates_from=(units["sam-son"], units["thanh-hoa"])):
        # Its own town's template only, never the other town's.
        assert [t.code for t in session.scalars(sa.select(Plan).where(Plan.is_template.is_(True)))] == ["sam-son-2025"]


def test_writes_outside_the_scope_are_refused(session, units):
    phu_son, quang_trung = units["phu-son"], units["quang-trung"]
    other_plan = plan_of(session, quang_trung)
    with everything(session):
        section_id = session.scalar(sa.select(PlanSection.id).where(PlanSection.plan_id == other_plan.id).limit(1))
    session.expunge_all()
    with scoped_to(session, phu_son):
        session.add(
            Task(unit_id=quang_trung.id, plan_id=other_plan.id, section_id=section_id, text="x",
                 owner_role=Role.OFFICE, schedule=Schedule.ONCE)
        )
        with pytest.raises(TenancyError):
            session.flush()
        session.rollback()


def test_unit_id_is_filled_from_the_scope_and_cannot_change(session, units):
    phu_son = units["phu-son"]
    plan = plan_of(session, phu_son)
    with everything(session):
        section = session.scalar(sa.select(PlanSection).where(PlanSection.plan_id == plan.id).limit(1))
    with scoped_to(session, phu_son):
        task = Task(plan_id=plan.id, section_id=section.id, text="Nhiệm vụ mới", owner_role=Role.OFFICE,
                    schedule=Schedule.MONTHLY)
        session.add(task)
        session.flush()
        assert task.unit_id == phu_son.id
    with everything(session):
        task.unit_id = units["quang-trung"].id
        with pytest.raises(TenancyError):
            session.flush()
        session.rollback()


def test_ward_data_written_with_no_scope_is_refused(session, units):
    plan = plan_of(session, units["phu-son"])
    plan.title = "Đổi tên"
    with pytest.raises(TenancyError):
        session.flush()
    session.rollback()


def test_a_read_only_scope_writes_nothing_even_below_the_views(session, units):
    phu_son = units["phu-son"]
    plan = plan_of(session, phu_son)
    task = _a_task(session, phu_son)
    with scoped_to(session, phu_son, read_only=True):
        assert session.get(Task, task.id) is not None  # it may read
        with pytest.raises(ReadOnlyScope):
            services.update_task(session, plan, task, version=task.version, text="Sửa trái phép",
                                 owner_role=Role.OFFICE, schedule=Schedule.ONCE)
        session.rollback()
        with pytest.raises(ReadOnlyScope):
            session.execute(sa.update(Task).where(Task.id == task.id).values(text="x"))
        with pytest.raises(ReadOnlyScope):
            services.submit(session, plan_of(session, phu_son))
        session.rollback()
    with everything(session):
        assert session.get(Task, task.id).text != "Sửa trái phép"


# --- PostgreSQL row-level security: raw SQL cannot leak either ---------------------------------


@postgres_only
def test_app_role_owns_no_table(session):
    role = session.execute(sa.text("SELECT current_user")).scalar()
    owners = set(session.execute(sa.text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")).scalars())
    assert role == "dan_van_app"
    assert role not in owners


@postgres_only
def test_raw_sql_in_ward_a_scope_returns_no_row_of_ward_b(session, units):
    phu_son, quang_trung = units["phu-son"], units["quang-trung"]
    with scoped_to(session, phu_son):
        for table in ("plans", "plan_sections", "tasks", "audit_entries"):
            rows = session.execute(sa.text(f"SELECT DISTINCT unit_id FROM {table}")).scalars().all()
            assert quang_trung.id not in rows, table
        assert set(session.execute(sa.text("SELECT DISTINCT unit_id FROM tasks")).scalars()) == {phu_son.id}


@postgres_only
def test_raw_sql_with_no_scope_sees_nothing(session):
    set_scope(session, None)
    assert session.execute(sa.text("SELECT count(*) FROM tasks")).scalar() == 0


@postgres_only
def test_raw_sql_writes_are_refused_in_a_read_only_scope(session, units):
    phu_son = units["phu-son"]
    task = _a_task(session, phu_son)
    with scoped_to(session, phu_son, read_only=True):
        nested = session.begin_nested()
        updated = session.execute(sa.text("UPDATE tasks SET text = 'x' WHERE id = :id"), {"id": task.id}).rowcount
        assert updated == 0  # the row is invisible to the write policy
        nested.rollback()


@postgres_only
def test_raw_sql_cannot_write_into_another_ward(session, units):
    phu_son, quang_trung = units["phu-son"], units["quang-trung"]
    other = _a_task(session, quang_trung)
    with scoped_to(session, phu_son):
        nested = session.begin_nested()
        with pytest.raises(sa.exc.ProgrammingError):
            session.execute(
                sa.text(
                    "INSERT INTO tasks (unit_id, plan_id, section_id, position, style, text, owner_role, schedule,"
                    " version, is_template) VALUES (:u, :p, :s, 1, 'bullet', 'x', 'office', 'once', 1, false)"
                ),
                {"u": quang_trung.id, "p": other.plan_id, "s": other.section_id},
            )
        nested.rollback()


def test_bulk_writes_are_refused_so_nothing_skips_the_checks_and_the_audit_log(session, units):
    phu_son, quang_trung = units["phu-son"], units["quang-trung"]
    task = _a_task(session, quang_trung)
    with scoped_to(session, phu_son):
        with pytest.raises(TenancyError):
            session.execute(sa.insert(Task).values(unit_id=quang_trung.id, plan_id=task.plan_id,
                                                   section_id=task.section_id, text="x", owner_role="office",
                                                   schedule="once", version=1, is_template=False))
        with pytest.raises(TenancyError):
            session.execute(sa.update(Task).values(text="x"))
        with pytest.raises(TenancyError):
            session.execute(sa.delete(Task))


def test_core_queries_on_ward_tables_are_refused_in_a_ward_scope_and_without_one(session, units):
    with pytest.raises(TenancyError):
        session.execute(sa.select(Task.__table__)).all()
    with scoped_to(session, units["phu-son"]):
        with pytest.raises(TenancyError):
            session.execute(sa.select(Task.__table__.c.text)).all()


def test_a_row_cannot_belong_to_another_units_plan_even_with_every_check_bypassed(session, units):
    other = _a_task(session, units["quang-trung"])
    with everything(session):
        nested = session.begin_nested()
        session.add(Task(unit_id=units["phu-son"].id, plan_id=other.plan_id, section_id=other.section_id,
                         text="x", owner_role=Role.OFFICE, schedule=Schedule.ONCE))
        with pytest.raises(sa.exc.IntegrityError):
            session.flush()
        nested.rollback()


@postgres_only
def test_every_ward_table_is_under_forced_row_level_security_with_its_policies(session):
    from app.tenancy import _ward_tables

    flags = dict(session.execute(sa.text(
        "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class WHERE relkind = 'r'")).tuples().all())
    policies = set(session.execute(sa.text("SELECT policyname FROM pg_policies")).scalars())
    for table in sorted(_ward_tables()):  # rollup_figures among them
        assert flags.get(table) is True, table
        assert {f"{table}_read", f"{table}_insert"} <= policies, table


@postgres_only
def test_raw_sql_on_kept_rollup_figures_shows_only_the_scopes_wards(session, units):
    from pathlib import Path

    from flask import current_app

    from app.law.book import legal_book
    from app.models.unit import tenant_units_below
    from app.rollups import figures

    with everything(session):
        figures.kept(session, tenant_units_below(session, units["bim-son"]), 2025, "2025", today=date(2025, 8, 1),
                     book=legal_book(Path(current_app.config["TENANTS_DIR"]) / "legal"))
        figures.keep_pending(session)
        assert len(session.execute(sa.text("SELECT unit_id FROM rollup_figures")).all()) > 1
    with scoped_to(session, units["phu-son"]):
        seen = set(session.execute(sa.text("SELECT unit_id FROM rollup_figures")).scalars())
        assert seen == {units["phu-son"].id}
    with scoped_to(session, units["phu-son"], read_only=True):
        nested = session.begin_nested()
        assert session.execute(sa.text("DELETE FROM rollup_figures")).rowcount == 0
        nested.rollback()


def test_a_raw_statement_may_read_no_ward_table(app):
    """app/raw_statement runs outside the ORM's scope criteria: a statement over a ward table is refused
    (the kept pages' statements read units, users, sessions and memberships only)."""
    import sqlalchemy as sa

    from app.extensions import db, statement_bind
    from app.models import Reception, Unit
    from app.raw_statement import RawSelect
    from app.tenancy import TenancyError

    with app.app_context():
        with pytest.raises(TenancyError):
            RawSelect(sa.select(Reception.id).where(Reception.unit_id == sa.bindparam("u"))).rows(
                statement_bind(), {"u": 1})
        assert RawSelect(sa.select(Unit.id).where(Unit.slug == sa.bindparam("s"))).rows(
            db.engine, {"s": "phu-son"})


def test_a_raw_statement_on_an_unreachable_database_raises_as_sqlalchemy_would(tmp_path):
    """So that app/errors answers 503 (a read is tried once more), never a 500 (seen when PostgreSQL restarted)."""
    import sqlalchemy as sa

    from app.errors import database_unavailable
    from app.models import Unit
    from app.raw_statement import RawSelect

    gone = sa.create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}")
    with pytest.raises(sa.exc.OperationalError) as raised:
        RawSelect(sa.select(Unit.id).where(Unit.slug == sa.bindparam("s"))).rows(gone, {"s": "phu-son"})
    assert database_unavailable(raised.value)
