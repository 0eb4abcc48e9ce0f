"""`flask demo`: demo accounts that really sign in, and a 2025 plan for every ward of Bỉm Sơn."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from app.models import Membership, Plan, Role, Unit, User
from app.models.unit import tenant_units_below
from tests.conftest import ROOT, everything, plan_of

DEMO_PASSWORD = "Demo-Thu-Nghiem-2025"
ACCOUNT_LINE = re.compile(r"^\s+(\S+@\S+)\s+(\w+)\s*$", re.M)
EXPECTED = {
    "chairman@phu-son",
    "office@phu-son",
    "culture@phu-son",
    "front@phu-son",
    "admin@bim-son",
    "front@bim-son",
}


@pytest.fixture
def demo_app(app: Flask, tmp_path: Path, monkeypatch) -> Flask:  # type: ignore[no-untyped-def]
    """The app with its own demo password, loading a registry that has one new commune."""
    tenants = tmp_path / "tenants"
    shutil.copytree(ROOT / "tenants", tenants)
    units_file = tenants / "units" / "thanh-hoa.yaml"
    units_file.write_text(
        units_file.read_text(encoding="utf-8")
        + "  - slug: lang-moi\n    code: \"99999\"\n    name: Làng Mới\n    kind: commune\n    parent: bim-son\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(app.config, "TENANTS_DIR", str(tenants))
    monkeypatch.setitem(app.config, "DEMO_PASSWORD", DEMO_PASSWORD)
    return app


def run_demo(app: Flask):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


def listed_accounts(output: str) -> dict[str, str]:
    return dict(ACCOUNT_LINE.findall(output))


def counts(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with everything(session):
        return {
            "users": session.scalar(sa.select(sa.func.count()).select_from(User)),
            "memberships": session.scalar(sa.select(sa.func.count()).select_from(Membership)),
            "plans": session.scalar(
                sa.select(sa.func.count()).select_from(Plan).where(Plan.is_template.is_(False))
            ),
            "template revisions": session.scalar(
                sa.select(sa.func.count()).select_from(Plan).where(Plan.is_template.is_(True))
            ),
        }


def test_demo_lists_the_accounts_and_the_password(demo_app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    output = run_demo(demo_app).output
    accounts = listed_accounts(output)
    assert EXPECTED <= set(accounts), output
    assert DEMO_PASSWORD in output

    with everything(session):
        bim_son = session.scalar(sa.select(Unit).where(Unit.slug == "bim-son"))
        wards = {u.slug for u in tenant_units_below(session, bim_son)}
    other_wards = {name.split("@")[1] for name in accounts} & (wards - {"phu-son"})
    assert other_wards, f"no accounts for a ward other than Phú Sơn: {sorted(accounts)}"

    # Each listed role is really held on the unit the account is named after.
    for username, role in accounts.items():
        user = session.scalar(sa.select(User).where(User.username == username))
        assert user is not None, username
        assert (username.split("@")[1], Role(role)) in {(m.unit.slug, m.role) for m in user.memberships}


def test_every_demo_account_signs_in_with_the_demo_password(demo_app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    accounts = listed_accounts(run_demo(demo_app).output)
    assert accounts
    for username in accounts:
        user_id = session.scalar(sa.select(User.id).where(User.username == username))
        browser = demo_app.test_client()
        response = browser.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"{username} cannot sign in"
        with browser.session_transaction() as flask_session:
            assert flask_session.get("_user_id") == str(user_id), username


def test_every_ward_of_bim_son_has_a_2025_plan(demo_app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    output = run_demo(demo_app).output
    assert re.search(r"plans 2025: 1 created", output), output  # the new commune's plan
    with everything(session):
        bim_son = session.scalar(sa.select(Unit).where(Unit.slug == "bim-son"))
        wards = tenant_units_below(session, bim_son)
    assert "lang-moi" in {u.slug for u in wards}
    assert len(wards) >= 7
    for ward in wards:
        plan = plan_of(session, ward)
        assert plan is not None, ward.slug
        assert plan.template_id is not None, ward.slug


def test_demo_twice_creates_no_duplicates(demo_app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    run_demo(demo_app)
    before = counts(session)
    second = run_demo(demo_app)
    assert counts(session) == before
    assert re.search(r"plans 2025: 0 created", second.output), second.output
    with everything(session):
        duplicates = session.execute(
            sa.select(Plan.unit_id, Plan.year, sa.func.count())
            .where(Plan.is_template.is_(False))
            .group_by(Plan.unit_id, Plan.year)
            .having(sa.func.count() > 1)
        ).all()
    assert not duplicates


def test_the_demo_signs_its_history_in_words_not_a_code(demo_app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: a petition's history said "demo:"; the demo's entries name "Dữ liệu mẫu"."""
    from app.models import AuditEntry

    run_demo(demo_app)
    with everything(session):
        names = set(session.scalars(sa.select(AuditEntry.username).distinct()))
    assert "demo" not in names and "Dữ liệu mẫu" in names
