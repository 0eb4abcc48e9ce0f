"""Every HTML form route, fuzzed: generated field values (any text with NUL and control characters,
very long text, numbers and dates that make no sense, random files) and random extra fields are
posted by a person who may use the route. No answer is a 5xx, and a refused submission (a 4xx, a
redirect carrying an error message, or the form shown again) stores nothing.

The routes and their fields are described in tests/form_fuzz_forms.py; a POST route the description
does not cover fails the first test, so new forms are fuzzed too. Deterministic (derandomised) and
bounded: a few examples per route."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from app.accounts import links
from app.extensions import db
from app.models import (
    AuditEntry,
    Dialogue,
    IndicatorDefinition,
    LinkPurpose,
    Meeting,
    Membership,
    Petition,
    Plan,
    PlanProposal,
    PlanSection,
    PlanStatus,
    Post,
    Reception,
    Report,
    SkilfulModel,
    Task,
    Unit,
    UnitChange,
    User,
)
from app.petitions.services import IDENTITY_VIEWED
from tests.conftest import YEAR, everything, login, plan_of
from tests.form_fuzz_forms import ROUTES, TEXT, Target, fields_of, form_values

EXAMPLES = 15  # per route: the whole file stays near a minute on SQLite
VOLATILE = {"user_sessions"}  # who is signed in where, and when last seen: every request touches it
# Rows a page that is read writes: the audit of each petitioner identity it shows (a form sent back shows it).
READS = {"audit_entries": AuditEntry.__table__.c.action != IDENTITY_VIEWED}
VARIABLE = re.compile(r"<(?:\w+:)?(\w+)>")


def form_rules(app: Flask) -> set[str]:
    """The HTML form routes: every rule that accepts POST, but the API's."""
    return {rule.rule for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and not rule.rule.startswith("/api/")}


def test_every_form_route_is_fuzzed(app: Flask) -> None:
    rules = form_rules(app)
    assert rules - ROUTES.keys() == set(), "describe the new form routes in tests/form_fuzz_forms.py"
    assert ROUTES.keys() - rules == set(), "routes described in tests/form_fuzz_forms.py that no longer exist"


# --- the baseline's rows, and the state a route acts on --------------------------------------------


def _first(session, model, *where) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(sa.select(model.id).where(*where).order_by(model.id).limit(1))


def baseline_ids(session, units: dict[str, Unit], users: dict[str, User]) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The rows the routes' URLs and database-backed choices name, as strings."""
    ward, town = units["phu-son"], units["bim-son"]
    with everything(session):
        plan = plan_of(session, ward)
        template = _first(session, Plan, Plan.unit_id == town.id, Plan.is_template.is_(True),
                          Plan.status == PlanStatus.ISSUED)
        draft = _first(session, Plan, Plan.unit_id == town.id, Plan.is_template.is_(True),
                       Plan.status == PlanStatus.DRAFT) or template
        culture = users["culture@phu-son"]
        rows = {
            "unit_slug": ward.slug, "town": town.slug, "year": YEAR,
            "dialogue": _first(session, Dialogue, Dialogue.unit_id == ward.id),
            "meeting": _first(session, Meeting, Meeting.unit_id == ward.id),
            "model": _first(session, SkilfulModel, SkilfulModel.unit_id == ward.id),
            "post": _first(session, Post, Post.unit_id == ward.id),
            "reception": _first(session, Reception, Reception.unit_id == ward.id),
            "petition": _first(session, Petition, Petition.unit_id == ward.id),
            "report": _first(session, Report, Report.unit_id == ward.id),
            "person": culture.id,
            "indicator": _first(session, IndicatorDefinition, IndicatorDefinition.plan_id == plan.id),
            "proposal": _first(session, PlanProposal, PlanProposal.plan_id == plan.id),
            "section": _first(session, PlanSection, PlanSection.plan_id == plan.id),
            "task": _first(session, Task, Task.plan_id == plan.id),
            "template": template,
            "draft_template": draft,
            "template_section": _first(session, PlanSection, PlanSection.plan_id == draft),
            "template_task": _first(session, Task, Task.plan_id == draft),
            "change": _first(session, UnitChange) or 1,
            "invitation": links.issue(session, culture, LinkPurpose.INVITATION, unit=ward),
            "reset": links.issue(session, culture, LinkPurpose.PASSWORD_RESET),
        }
        memberships = session.scalars(sa.select(Membership.id).where(Membership.unit_id == ward.id)).all()
    ids: dict[str, list[str]] = {key: [str(value)] for key, value in rows.items()}
    ids["ward_id"] = [str(units[slug].id) for slug in ("phu-son", "quang-trung")]
    ids["town_id"] = [str(town.id)]
    ids["membership_id"] = [str(m) for m in memberships]
    return ids


def prepare(step: str | None, client_for, ids: dict[str, list[str]]) -> None:  # type: ignore[no-untyped-def]
    """Bring the baseline to where the route acts: a plan submitted, a report sent, a template revised."""
    if step == "submit_plan":
        assert client_for("office@phu-son").post(f"/u/phu-son/plans/{YEAR}/submit").status_code == 302
    elif step == "send_report":
        assert client_for("chairman@phu-son").post(f"/u/phu-son/reports/{ids['report'][0]}/send").status_code == 302
    elif step == "revise_template":
        assert client_for("admin@bim-son").post(f"/u/bim-son/templates/{ids['template'][0]}/revise").status_code == 302
    else:
        assert step is None, step


def fingerprint(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A digest of every table's rows (but the sessions'), to tell whether a request stored anything.
    Read through the driver's own cursor: plain tuples are a hundred times quicker to print than rows."""
    digests = {}
    with everything(session):
        connection = session.connection()
        cursor = connection.connection.dbapi_connection.cursor()
        for table in db.metadata.sorted_tables:
            if table.name in VOLATILE:
                continue
            query = sa.select(table).order_by(*table.primary_key.columns)
            if table.name in READS:
                query = query.where(READS[table.name])
            cursor.execute(str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})))
            digests[table.name] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
        cursor.close()
    return digests


def test_the_fingerprint_sees_a_stored_row_and_an_edited_one(session, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("office@phu-son")
    before = fingerprint(session)
    assert client.post("/u/phu-son/receptions/new", data={"held_on": "12/05/2025", "host": "Chủ tịch UBND"}).status_code == 302
    created = fingerprint(session)
    assert {name for name in before if before[name] != created[name]} >= {"receptions", "audit_entries"}
    with everything(session):
        reception = session.scalars(sa.select(Reception).order_by(Reception.id)).first()  # the baseline's
        url, version = f"/u/phu-son/receptions/{reception.id}/edit", reception.version
    edited = client.post(url, data={"held_on": "12/05/2025", "host": "Phó Chủ tịch", "version": version})
    assert edited.status_code == 302
    assert fingerprint(session)["receptions"] != created["receptions"]


# --- the fuzzer --------------------------------------------------------------------------------------


def form_data(target: Target, ids: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]]:
    """The fields of the route's forms and the names it reads itself, plus a few random extra fields."""
    fields: dict[str, Any] = {name: None for name in target.raw}
    fields.update({name: unbound for form in target.forms for name, unbound in fields_of(form).items()})
    choices = {name: ids[key] for name, key in target.plausible.items()}
    extra = st.dictionaries(st.text(min_size=1, max_size=12).filter(lambda n: n not in fields), TEXT, max_size=3)
    return st.tuples(form_values(fields, choices), extra).map(lambda pair: {**pair[1], **pair[0]})


def as_sent(data: dict[str, Any]) -> dict[str, Any]:
    """Files as the test client uploads them."""
    def one(value: Any) -> Any:
        if isinstance(value, tuple):
            return io.BytesIO(value[0]), value[1]
        if isinstance(value, list):
            return [one(v) for v in value]
        return value
    return {name: one(value) for name, value in data.items()}


def url_of(rule: str, target: Target, ids: dict[str, list[str]]) -> str:
    wanted = {"unit_slug": "unit_slug", "year": "year", **target.ids}
    return VARIABLE.sub(lambda m: ids[wanted[m.group(1)]][0], rule)


def error_flashed(client: FlaskClient) -> bool:
    with client.session_transaction() as flask_session:
        return any(category == "error" for category, _ in flask_session.get("_flashes", []))


@pytest.mark.parametrize("rule", sorted(ROUTES))
def test_a_form_route_survives_generated_input(rule: str, app: Flask, session, units, users) -> None:  # type: ignore[no-untyped-def]
    target = ROUTES[rule]

    def client_for(account: str | None) -> FlaskClient:
        client = app.test_client()
        return login(client, users[account]) if account else client

    ids = baseline_ids(session, units, users)
    prepare(target.prepare, client_for, ids)
    ids = baseline_ids(session, units, users)
    url = url_of(rule, target, ids)
    state = {"fingerprint": fingerprint(session)}  # each example's "after" is the next one's "before"

    # No shrinking: the failing example is reported as generated (shrinking a slow route takes minutes).
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=form_data(target, ids), htmx=st.booleans())
    def post(data: dict[str, Any], htmx: bool) -> None:
        client, address = client_for(target.account), url
        if target.fresh_ids:
            address = url_of(rule, target, baseline_ids(session, units, users))
            state["fingerprint"] = fingerprint(session)
        before = state["fingerprint"]
        response = client.post(address, data=as_sent(data), headers={"HX-Request": "true"} if htmx else {})
        assert response.status_code < 500, (address, data, response.get_data(as_text=True)[-2000:])
        # Sent back: a 4xx, an error message, or (without htmx, whose fragments answer a success with
        # 200) the form shown again.
        refused = (400 <= response.status_code < 500 or error_flashed(client)
                   or (response.status_code == 200 and not htmx and not target.stores_on_200))
        state["fingerprint"] = after = fingerprint(session)
        if refused:
            changed = {name for name, digest in after.items() if before[name] != digest}
            assert changed == set(), (address, data, response.status_code, changed)

    post()
