"""The read-only JSON API: personal tokens carrying exactly their user's roles and scope, JSON
errors, the OpenAPI document, and schemathesis' generated requests answering no 5xx."""

from __future__ import annotations

import contextvars
import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from app.api.services import issue_token
from tests.conftest import YEAR

SECRET = re.compile(r"dvcq_[A-Za-z0-9_\-]{20,}")
API_PATHS = [
    "/api/v1/units",
    "/api/v1/u/{slug}",
    f"/api/v1/u/{{slug}}/plans/{YEAR}",
    f"/api/v1/u/{{slug}}/plans/{YEAR}/indicators",
    f"/api/v1/u/{{slug}}/rollup/{YEAR}",
]


@pytest.fixture
def token_of(session, users):  # type: ignore[no-untyped-def]
    """`token_of("front@phu-son")` → the secret of a fresh token of that baseline account."""

    def make(username: str) -> str:
        _token, secret = issue_token(session, users[username], "tests")
        session.commit()
        return secret

    return make


@pytest.fixture
def api(app, db_tx):  # type: ignore[no-untyped-def]
    """A cookie-less client: `api(secret).get(path)` sends the token as a Bearer header."""

    class Caller:
        def __init__(self, secret: str | None) -> None:
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

        def open(self, path: str, method: str = "GET"):  # type: ignore[no-untyped-def]
            return self.client.open(path, method=method, headers=self.headers)

        def get(self, path: str):  # type: ignore[no-untyped-def]
            return self.open(path)

    return Caller


def test_a_token_created_on_the_page_is_shown_once_and_works(as_user, api):
    browser = as_user("chairman@phu-son")
    created = browser.post("/account/tokens", data={"name": "Phần mềm báo cáo"})
    assert created.status_code == 200
    secrets_shown = SECRET.findall(created.get_data(as_text=True))
    assert len(set(secrets_shown)) == 1
    secret = secrets_shown[0]
    listing = browser.get("/account/tokens").get_data(as_text=True)
    assert "Phần mềm báo cáo" in listing and secret not in listing  # never shown again

    response = api(secret).get("/api/v1/u/phu-son")
    assert response.status_code == 200
    assert response.json["slug"] == "phu-son"
    assert response.json["roles"] == ["chairman"]
    assert api(secret).get("/api/v1/units").json["units"][0]["slug"] == "phu-son"
    assert "Chưa dùng" not in browser.get("/account/tokens").get_data(as_text=True)  # last use recorded


def test_the_token_page_needs_a_name(as_user):
    response = as_user("office@phu-son").post("/account/tokens", data={"name": "  "})
    assert response.status_code == 400
    assert not SECRET.search(response.get_data(as_text=True))


def test_a_revoked_token_answers_401(as_user, api, session, users):
    browser = as_user("office@phu-son")
    token, secret = issue_token(session, users["office@phu-son"], "tạm")
    session.commit()
    assert api(secret).get("/api/v1/u/phu-son").status_code == 200
    assert browser.post("/account/tokens/revoke", data={"token_id": token.id}).status_code == 302
    response = api(secret).get("/api/v1/u/phu-son")
    assert response.status_code == 401
    assert response.is_json and response.json["error"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_another_users_token(as_user, api, token_of, session):
    from app.models import ApiToken

    secret = token_of("chairman@phu-son")
    other = session.scalar(__import__("sqlalchemy").select(ApiToken).order_by(ApiToken.id.desc()).limit(1))
    as_user("front@phu-son").post("/account/tokens/revoke", data={"token_id": other.id})
    assert api(secret).get("/api/v1/u/phu-son").status_code == 200


@pytest.mark.parametrize("secret", [None, "dvcq_not-a-real-token-at-all-000000", "abc", "dvcq_"])
def test_missing_or_unknown_tokens_answer_401_json(api, secret):
    for path in ("/api/v1/units", "/api/v1/u/phu-son", f"/api/v1/u/phu-son/plans/{YEAR}"):
        response = api(secret).get(path)
        assert response.status_code == 401, path
        assert response.is_json and response.json["error"]


def test_a_token_does_not_sign_in_the_web_pages(api, token_of):
    response = api(token_of("chairman@phu-son")).get("/u/phu-son/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_ward_officials_token_gets_404_on_another_ward(api, token_of):
    caller = api(token_of("chairman@phu-son"))
    for slug in ("quang-trung", "truong-son", "bim-son"):
        for path in API_PATHS[1:]:
            response = caller.get(path.format(slug=slug))
            assert response.status_code == 404, path.format(slug=slug)
            assert response.is_json
    assert caller.get("/api/v1/u/no-such-unit").status_code == 404


def test_another_towns_admin_sees_nothing_of_bim_sons_wards(api, token_of):
    caller = api(token_of("admin@sam-son"))
    for slug in ("bim-son", "phu-son", "quang-trung", "ha-lan"):
        for path in API_PATHS[1:]:
            assert caller.get(path.format(slug=slug)).status_code == 404
    listed = caller.get("/api/v1/units").json["units"]
    assert [u["slug"] for u in listed] == ["sam-son"]
    assert [c["slug"] for c in listed[0]["children"]] == ["truong-son"]
    rollup = caller.get(f"/api/v1/u/sam-son/rollup/{YEAR}").json
    assert [w["unit"]["slug"] for w in rollup["wards"]] == ["truong-son"]


def test_the_town_admin_reads_every_ward_below(api, token_of):
    caller = api(token_of("admin@bim-son"))
    detail = caller.get("/api/v1/u/bim-son").json
    assert {"phu-son", "quang-trung", "ha-lan"} <= {w["slug"] for w in detail["wards"]}
    rollup = caller.get(f"/api/v1/u/bim-son/rollup/{YEAR}?period={YEAR}-H1")
    assert rollup.status_code == 200
    assert rollup.json["period"] == {"code": f"{YEAR}-H1", "kind": "half", "start": f"{YEAR}-01-01",
                                     "end": f"{YEAR}-06-30"}
    wards = {w["unit"]["slug"]: w for w in rollup.json["wards"]}
    assert "truong-son" not in wards
    assert wards["phu-son"]["plan"]["year"] == YEAR and wards["phu-son"]["task_count"] > 0
    assert caller.get(f"/api/v1/u/phu-son/plans/{YEAR}").status_code == 200


def test_the_plan_has_its_legal_bases_sections_and_tasks(api, token_of):
    body = api(token_of("culture@phu-son")).get(f"/api/v1/u/phu-son/plans/{YEAR}").json
    plan = body["plan"]
    assert plan["year"] == YEAR and plan["legal_bases"]
    assert plan["sections"] and any(s["sections"] or s["tasks"] for s in plan["sections"])

    def tasks(sections):  # type: ignore[no-untyped-def]
        for section in sections:
            yield from section["tasks"]
            yield from tasks(section["sections"])

    first = next(tasks(plan["sections"]))
    assert first["owner_role"] in {"chairman", "office", "culture", "town_admin", "front"}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:.]+(\+00:00)?", plan["created_at"])


def test_indicators_per_period(api, token_of):
    caller = api(token_of("front@phu-son"))
    response = caller.get(f"/api/v1/u/phu-son/plans/{YEAR}/indicators?period={YEAR}-Q2")
    assert response.status_code == 200
    assert response.json["period"]["code"] == f"{YEAR}-Q2"
    assert response.json["indicators"] and {"code", "value", "target"} <= set(response.json["indicators"][0])
    assert caller.get(f"/api/v1/u/phu-son/plans/{YEAR}/indicators?period=2019").status_code == 400
    assert caller.get(f"/api/v1/u/phu-son/plans/{YEAR}/indicators?period=junk").status_code == 400
    assert caller.get("/api/v1/u/phu-son/plans/2031/indicators").status_code == 404
    assert caller.get("/api/v1/u/phu-son/rollup/99999").status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_fronts_token_reads_but_writes_nothing(api, token_of, method):
    caller = api(token_of("front@bim-son"))
    for path in API_PATHS:
        assert caller.get(path.format(slug="phu-son")).status_code == 200
        response = caller.open(path.format(slug="phu-son"), method=method)
        assert response.status_code in (403, 405)
        assert response.is_json


def test_the_openapi_document_describes_every_endpoint(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.0")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    served = {
        re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
        for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
    }
    assert served == set(document["paths"])
    for path, item in document["paths"].items():
        assert set(item) == {"get"}, path
        assert "200" in item["get"]["responses"]
    schemathesis.openapi.from_dict(document)  # parses as an OpenAPI schema


def test_schemathesis_finds_no_server_error(app, session, users):
    """Generated requests against every GET operation, as the chairman of Phú Sơn: no 5xx, and
    every 200 matches its response schema."""
    _token, secret = issue_token(session, users["chairman@phu-son"], "schemathesis")
    session.commit()

    def isolated(environ, start_response):  # type: ignore[no-untyped-def]
        # Each request in its own context, as in production (see conftest.RequestClient).
        return contextvars.Context().run(app, environ, start_response)

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated)
    headers = {"Authorization": f"Bearer {secret}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert {f"GET {p}" for p in ("/units", "/u/{unit_slug}", "/u/{unit_slug}/plans/{year}",
                                 "/u/{unit_slug}/plans/{year}/indicators", "/u/{unit_slug}/rollup/{year}")} <= labels
    statuses: list[int] = []
    for operation in operations:

        @settings(max_examples=20, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):  # type: ignore[no-untyped-def]
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            assert response.status_code < 500, (case.formatted_path, response.text[:300])
            if response.status_code == 200:
                case.validate_response(response, headers=headers)

        check()
    assert statuses.count(200) >= len(operations)  # the documented examples reach real data


def test_the_rollup_comes_in_pages_that_cover_every_ward_once(api, token_of):
    caller = api(token_of("admin@bim-son"))
    pages = [caller.get(f"/api/v1/u/bim-son/rollup/{YEAR}?per_page=3&page={n}").json for n in (1, 2, 3)]
    assert [p["page"] for p in pages] == [{"number": n, "size": 3, "pages": 3, "total": 8} for n in (1, 2, 3)]
    slugs = [w["unit"]["slug"] for p in pages for w in p["wards"]]
    assert len(slugs) == 8 and len(set(slugs)) == 8 and "phu-son" in slugs
    everything = caller.get(f"/api/v1/u/bim-son/rollup/{YEAR}").json
    assert [w["unit"]["slug"] for w in everything["wards"]] == slugs  # one page by default, same order
    past_the_end = caller.get(f"/api/v1/u/bim-son/rollup/{YEAR}?per_page=3&page=99").json
    assert past_the_end["page"]["number"] == 3 and past_the_end["wards"] == pages[2]["wards"]  # the last page
    assert len(caller.get(f"/api/v1/u/bim-son/rollup/{YEAR}?per_page=99999").json["wards"]) == 8
