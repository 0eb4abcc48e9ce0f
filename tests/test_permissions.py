"""The permission table of DESIGN §3, and the guard on every endpoint of app.url_map:
every role × endpoint × (own unit, another unit) answers what the table says."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from app import create_app
from app.models import (
    Dialogue,
    Evidence,
    IndicatorDefinition,
    Meeting,
    Membership,
    Petition,
    PetitionExtension,
    Plan,
    PlanProposal,
    PlanSection,
    Post,
    Reception,
    Report,
    Role,
    SkilfulModel,
    Task,
    TaskUpdate,
    Unit,
    UnitChange,
    UnitChangeKind,
)
from app.security import PERMISSIONS, PUBLIC, SIGNED_IN
from tests.conftest import ACCOUNTS, everything, first_task, plan_of

# DESIGN §3, written out independently of app.security: permission → roles.
C, O, K, T, F = Role.CHAIRMAN, Role.OFFICE, Role.CULTURE, Role.TOWN_ADMIN, Role.FRONT
DESIGN_TABLE = {
    "unit.view": {C, O, K, T, F},
    "plan.view": {C, O, K, T, F},
    "plan.create": {C, O},
    "plan.edit": {C, O},
    "plan.submit": {O},
    "plan.issue": {C},
    "plan.reopen": {C},
    "plan.create_for_wards": {T},
    "template.view": {T, F},
    "template.edit": {T},
    "rollup.view": {C, O, K, T, F},
    "audit.view": {C, T, F},
    "record.view": {C, O, K, T, F},
    "progress.record": {C, O, K},
    "register.edit": {C, O},
    "petition.identity": {C, O},
    "outreach.edit": {C, O, K},
    "model.recognise": {T},
    "report.draft": {O, C, K},
    "report.send": {C},
    "report.review": {T},
    "people.manage": {C, T},
    "unit.history": {T, F},
    "unit.manage": {T},
    "unit.export": {T},
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Public addresses whose path is their own key (a calendar feed): the matrix's made-up key opens nothing.
SECRET_ADDRESSES = {"notifications.calendar_feed"}

# One account per role; its "own" ward is Phú Sơn (town roles reach it from Bỉm Sơn) and the
# other unit is Trường Sơn, a ward of another town.
ROLE_ACCOUNTS = {
    Role.CHAIRMAN: "chairman@phu-son",
    Role.OFFICE: "office@phu-son",
    Role.CULTURE: "culture@phu-son",
    Role.FRONT: "front@phu-son",
    Role.TOWN_ADMIN: "admin@bim-son",
}
TOWN_FRONT = "front@bim-son"


def _rules() -> list[tuple[str, str, str]]:
    probe = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    found = []
    for rule in probe.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    return found


RULES = _rules()


def test_the_permission_table_is_design_section_3():
    assert {k: set(v) for k, v in PERMISSIONS.items()} == DESIGN_TABLE


def test_the_front_holds_no_write_permission():
    reads = {"unit.view", "plan.view", "rollup.view", "audit.view", "record.view", "template.view", "unit.history"}
    assert {p for p, roles in PERMISSIONS.items() if Role.FRONT in roles} == reads


def test_every_endpoint_declares_a_permission(app: Flask):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "required_permission", None) is None
    ]
    assert undeclared == []


def test_a_view_without_a_declaration_is_refused():
    fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    fresh.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    response = fresh.test_client().get("/forgotten")
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


# URL parameter → the model whose row of the unit it names (the baseline gives every ward one).
RECORD_PARAMS = {
    "proposal_id": PlanProposal,
    "reception_id": Reception,
    "dialogue_id": Dialogue,
    "model_id": SkilfulModel,
    "post_id": Post,
    "meeting_id": Meeting,
    "petition_id": Petition,
    "extension_id": PetitionExtension,
    "update_id": TaskUpdate,
    "evidence_id": Evidence,
    "indicator_id": IndicatorDefinition,
    "report_id": Report,
}


def _url_values(session, units, unit_slug: str) -> dict[str, object]:
    unit = units[unit_slug]
    plan = plan_of(session, unit)
    with everything(session):
        task = first_task(session, unit)
        section = session.get(PlanSection, task.section_id)
        values: dict[str, object] = {
            "unit_slug": unit_slug, "year": plan.year, "task_id": task.id, "section_id": section.id, "code": "en",
            "token": "not-a-link", "secret": "cal_not-a-key",
        }
        # A person of the unit: its office official where it has one (a chairman manages them).
        values["user_id"] = session.scalar(
            sa.select(Membership.user_id).where(Membership.unit_id == unit.id)
            .order_by((Membership.role == Role.OFFICE).desc(), Membership.id).limit(1)
        )
        for param, model in RECORD_PARAMS.items():
            values[param] = session.scalar(sa.select(model.id).where(model.unit_id == unit.id).order_by(model.id).limit(1))
    return values


def _is_template_rule(rule: str) -> bool:
    """Pages of the town itself (its templates, its units below): they exist only under its address."""
    return rule.startswith(("/u/<unit_slug>/templates", "/u/<unit_slug>/units"))


def _template_values(session, units, town_slug: str) -> dict[str, object]:
    """A town's published template and its first task and section (the editor's ids), a ward below it,
    and a reorganisation it has planned (not yet in effect)."""
    with everything(session):
        town = units[town_slug]
        template = session.scalar(
            sa.select(Plan).where(Plan.is_template.is_(True), Plan.unit_id == town.id).order_by(Plan.id).limit(1)
        )
        task = session.scalar(sa.select(Task).where(Task.plan_id == template.id).order_by(Task.id).limit(1))
        ward = session.scalar(sa.select(Unit).where(Unit.parent_id == town.id).order_by(Unit.id).limit(1))
        change = UnitChange(acting_unit_id=town.id, kind=UnitChangeKind.REPARENT, effective_on=date(2100, 1, 1),
                            summary="planned", steps=[], unit_ids=[ward.id])
        session.add(change)
        session.flush()
        return {"unit_slug": town_slug, "template_id": template.id, "task_id": task.id, "section_id": task.section_id,
                "unit_id": ward.id, "change_id": change.id}


def _values_for(rule: str, session, units, ward_slug: str) -> dict[str, object]:
    """URL values naming rows of `ward_slug`, or for template routes of the town above it."""
    if not _is_template_rule(rule):
        return _url_values(session, units, ward_slug)
    return _template_values(session, units, "sam-son" if ward_slug == "truong-son" else "bim-son")


def _path(rule: str, values: dict[str, object]) -> str:
    path = rule
    for key, value in values.items():
        for converter in ("", "int:"):
            path = path.replace(f"<{converter}{key}>", str(value))
    assert "<" not in path, path
    return path


def _call(client, method: str, path: str):
    return client.open(path, method=method, data={}, follow_redirects=False)


@pytest.mark.parametrize("endpoint,rule,method", RULES, ids=[f"{m} {e}" for e, _, m in RULES])
@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS), ids=[r.value for r in ROLE_ACCOUNTS])
def test_own_unit_answers_what_the_table_says(app, as_user, session, units, role, endpoint, rule, method):
    permission = app.view_functions[endpoint].required_permission
    account = TOWN_FRONT if role == Role.FRONT and _is_template_rule(rule) else ROLE_ACCOUNTS[role]
    client = as_user(account)
    response = _call(client, method, _path(rule, _values_for(rule, session, units, "phu-son")))
    if endpoint in SECRET_ADDRESSES:
        assert response.status_code == 404  # an unknown secret address opens nothing (test_notifications: a real one)
    elif _is_template_rule(rule) and role in (Role.CHAIRMAN, Role.OFFICE, Role.CULTURE):
        assert response.status_code == 404  # a ward's staff hold no role on the town that owns templates
    elif permission in (PUBLIC, SIGNED_IN) or role in PERMISSIONS[permission]:
        assert response.status_code not in (403, 404), response.get_data(as_text=True)[:500]
        assert response.status_code < 500
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("endpoint,rule,method", [r for r in RULES if "<unit_slug>" in r[1]],
                         ids=[f"{m} {e}" for e, r, m in RULES if "<unit_slug>" in r])
@pytest.mark.parametrize("account", [*ROLE_ACCOUNTS.values(), TOWN_FRONT])
def test_another_units_data_answers_404(app, as_user, session, units, account, endpoint, rule, method):
    client = as_user(account)
    response = _call(client, method, _path(rule, _values_for(rule, session, units, "truong-son")))
    assert response.status_code == 404


@pytest.mark.parametrize("endpoint,rule,method", [r for r in RULES if "_id>" in r[1]],
                         ids=[f"{m} {e}" for e, r, m in RULES if "_id>" in r])
def test_another_wards_ids_under_the_own_slug_answer_404(app, as_user, session, units, endpoint, rule, method):
    """Own ward in the URL, ids of a sibling ward's rows, by someone allowed there: still 404."""
    permission = app.view_functions[endpoint].required_permission
    account = "chairman@phu-son" if Role.CHAIRMAN in PERMISSIONS[permission] else "admin@bim-son"
    if _is_template_rule(rule):  # the other town's template under the own town's slug
        account = "admin@bim-son"
        values = {**_template_values(session, units, "sam-son"), "unit_slug": "bim-son"}
    else:
        values = {**_url_values(session, units, "quang-trung"), "unit_slug": "phu-son"}
    response = _call(as_user(account), method, _path(rule, values))
    assert response.status_code == 404


@pytest.mark.parametrize("account", ["chairman@phu-son", "office@phu-son", "culture@phu-son", "front@phu-son"])
@pytest.mark.parametrize("slug", ["quang-trung", "bim-son"])
def test_ward_staff_do_not_reach_sibling_wards_or_the_town(as_user, account, slug):
    assert as_user(account).get(f"/u/{slug}/").status_code == 404


@pytest.mark.parametrize("endpoint,rule,method", [r for r in RULES if r[2] in WRITE_METHODS and "<unit_slug>" in r[1]],
                         ids=[f"{m} {e}" for e, r, m in RULES if m in WRITE_METHODS and "<unit_slug>" in r])
@pytest.mark.parametrize("account", ["front@phu-son", TOWN_FRONT])
def test_the_front_is_refused_every_write(as_user, session, units, account, endpoint, rule, method):
    response = _call(as_user(account), method, _path(rule, _values_for(rule, session, units, "phu-son")))
    # A ward's Front has no role on the town that owns the templates: those do not exist for it.
    assert response.status_code == (404 if _is_template_rule(rule) and account != TOWN_FRONT else 403)


def test_town_roles_reach_every_ward_below(as_user, units):
    for account in ("admin@bim-son", TOWN_FRONT):
        client = as_user(account)
        for slug in ("phu-son", "quang-trung", "ha-lan"):
            assert client.get(f"/u/{slug}/plans/2025").status_code == 200


def test_accounts_of_the_matrix_hold_the_roles_they_stand_for():
    for role, account in ROLE_ACCOUNTS.items():
        assert ACCOUNTS[account][1] == role


def test_the_fronts_pages_say_they_are_a_supervision_view(as_user):
    for account, path in (("front@phu-son", "/u/phu-son/plans/2025"), ("front@bim-son", "/u/quang-trung/receptions")):
        assert "Chế độ giám sát của Mặt trận Tổ quốc" in as_user(account).get(path).get_data(as_text=True)
    assert "Chế độ giám sát" not in as_user("chairman@phu-son").get("/u/phu-son/plans/2025").get_data(as_text=True)
