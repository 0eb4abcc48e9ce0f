"""Units as they really are: the official list, merges, moves and dissolutions with their history,
ended units read only, and the screens of the parent's admin (the Front sees, changes nothing)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.local_time import local_today
from app.models import AuditEntry, Membership, Petition, PetitionExtension, Role, Unit, UnitChange, UnitPastParent, User
from app.models.petition import CLOSED_STATUSES
from app.models.unit import ancestor_ids, tenant_units_below, year_span
from app.units.demo_reform import converter_mapping
from app.units.official import apply_load, official_units, plan_load
from app.units.reorganise import (
    Merge,
    NewUnit,
    ReorganisationError,
    apply,
    plan_dissolve,
    plan_merge,
    plan_reparent,
    undo,
)
from tests.conftest import everything

TODAY = local_today()
LATER = TODAY + timedelta(days=30)  # a change that has not taken effect yet can be undone


def _load(session, province: str | None = "38"):  # type: ignore[no-untyped-def]
    with everything(session):
        plan = plan_load(session, province)
        apply_load(session, plan, TODAY)
        session.flush()
        return plan


# --- the official list ------------------------------------------------------------------------


def test_the_package_has_the_2025_list() -> None:
    units = official_units()
    provinces = [u for u in units if u.province_code is None]
    assert len(provinces) == 34 and len(units) - 34 == 3321
    thanh_hoa = official_units("38")
    assert thanh_hoa[0].name == "Thanh Hóa" and len(thanh_hoa) == 1 + 166
    by_code = {u.code: u for u in thanh_hoa}
    assert (by_code["14818"].name, by_code["14818"].slug) == ("Quang Trung", "phuong-quang-trung")
    slugs = [u.slug for u in units]
    assert len(set(slugs)) == len(slugs)  # a name that recurs carries its province


def test_loading_a_province_adds_its_communes_once_and_leaves_old_units_in_conflict(session, units) -> None:  # type: ignore[no-untyped-def]
    plan = _load(session)
    # The registry's Thanh Hóa is the same unit (code 38): adopted, not duplicated.
    assert [u.slug for u, _ in plan.adopted] == ["thanh-hoa"]
    # Wards of before the reform hold three of the new codes: they stay, reported, until reorganised.
    assert {unit.slug for unit, _ in plan.conflicts} == {"bac-son", "phu-son", "ha-lan"}
    assert len(plan.added) == 166 - 3
    with everything(session):
        province = units["thanh-hoa"]
        live = [u for u in tenant_units_below(session, province) if u.official]
        assert len(live) == 163 and all(u.parent_id == province.id for u in live)
        again = plan_load(session, "38")
    assert again.changes == 0 and again.unchanged == 164


def test_renamed_moved_and_ended_units_are_previewed_then_applied(session, units) -> None:  # type: ignore[no-untyped-def]
    _load(session)
    with everything(session):
        province = units["thanh-hoa"]
        renamed = session.scalar(sa.select(Unit).where(Unit.code == "14923"))
        renamed.name = "Bá Thước Cũ"
        moved = session.scalar(sa.select(Unit).where(Unit.code == "15766"))
        moved.parent_id = units["sam-son"].id
        gone = Unit(slug="xa-khong-con", code="99998", name="Không Còn", kind="commune", parent_id=province.id,
                    official=True)
        session.add(gone)
        session.flush()
        plan = plan_load(session, "38")
        assert [u.code for u, _ in plan.renamed] == ["14923"]
        assert [u.code for u, _ in plan.moved] == ["15766"]
        assert [u.code for u in plan.ended] == ["99998"]
        apply_load(session, plan, TODAY)
        session.flush()
        assert renamed.name == "Bá Thước" and moved.parent_id == province.id and gone.ended_on == TODAY
        past = session.scalar(sa.select(UnitPastParent).where(UnitPastParent.unit_id == moved.id))
        assert (past.parent_id, past.until) == (units["sam-son"].id, TODAY)
        assert plan_load(session, "38").changes == 0


def test_the_whole_country_loads_from_the_command(app, session) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["units", "load-official", "--province", "38", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "163 added" in result.output and "conflict: code 14812" in result.output
    unknown = app.test_cli_runner().invoke(args=["units", "load-official", "--province", "99"])
    assert unknown.exit_code != 0 and "99" in unknown.output


# --- merges, moves, dissolutions --------------------------------------------------------------


def _open_petition(session, unit: Unit) -> Petition:  # type: ignore[no-untyped-def]
    with everything(session):
        petition = Petition(unit_id=unit.id, received_on=TODAY - timedelta(days=20), kind="denunciation",
                            summary="Tố cáo chưa giải quyết", petitioner_name="Người tố cáo")
        session.add(petition)
        session.flush()
        session.add(PetitionExtension(unit_id=unit.id, petition_id=petition.id, decided_on=TODAY - timedelta(days=2),
                                      reason="Vụ việc phức tạp"))
        session.flush()
        return petition


def _merge_into_new(session, units, day: date, grants: bool = False, slug: str = "phuong-son-moi") -> UnitChange:  # type: ignore[no-untyped-def]
    with everything(session):
        new = NewUnit("Sơn Mới", f"7700{len(slug)}", "ward", units["thanh-hoa"], slug)
        plan = plan_merge(session, units["thanh-hoa"], [Merge([units["phu-son"], units["quang-trung"]], new)], day)
        if grants:
            plan.grants = [m.id for m in plan.staff if m.unit_id == units["phu-son"].id]
        change = apply(session, plan, actor="tests", user_id=None, summary="merge")
        session.flush()
        return change


def test_a_merge_ends_the_units_keeps_their_records_and_moves_open_petitions(session, units) -> None:  # type: ignore[no-untyped-def]
    petition = _open_petition(session, units["phu-son"])
    with everything(session):
        deadline_facts = (petition.received_on, petition.kind, petition.status)
        closed_before = session.scalar(sa.select(sa.func.count()).select_from(Petition).where(
            Petition.unit_id == units["phu-son"].id, Petition.status.in_(CLOSED_STATUSES)))
    change = _merge_into_new(session, units, LATER, grants=True)
    with everything(session):
        successor = session.scalar(sa.select(Unit).where(Unit.slug == "phuong-son-moi"))
        assert successor.started_on == LATER and successor.parent_id == units["thanh-hoa"].id
        for slug in ("phu-son", "quang-trung"):
            assert (units[slug].ended_on, units[slug].successor_id) == (LATER, successor.id)
        session.expire_all()
        moved = session.get(Petition, petition.id)
        assert moved.unit_id == successor.id
        assert (moved.received_on, moved.kind, moved.status) == deadline_facts
        extension = session.scalar(sa.select(PetitionExtension).where(PetitionExtension.petition_id == petition.id))
        assert extension.unit_id == successor.id and extension.reason == "Vụ việc phức tạp"
        # Closed petitions and the rest of the records stay with the old ward, its history.
        assert session.scalar(sa.select(sa.func.count()).select_from(Petition).where(
            Petition.unit_id == units["phu-son"].id)) == closed_before
        granted = {(m.user.username, m.role) for m in session.scalars(
            sa.select(Membership).where(Membership.unit_id == successor.id))}
        assert ("chairman@phu-son", Role.CHAIRMAN) in granted and ("chairman@quang-trung", Role.CHAIRMAN) not in granted
        # The successor reaches its predecessors' history; the audit log has the merge with its date.
        assert successor.id in ancestor_ids(session, units["phu-son"])
        entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.unit_id == units["phu-son"].id,
                                                            AuditEntry.action == "unit.merge"))
        assert entry.changes["ended_on"] == [None, LATER.isoformat()]
    assert change.can_undo(TODAY)


def test_a_merge_is_undone_before_it_takes_effect_and_not_after(session, units) -> None:  # type: ignore[no-untyped-def]
    petition = _open_petition(session, units["phu-son"])
    change = _merge_into_new(session, units, LATER)
    with everything(session):
        undo(session, change, TODAY)
        session.expire_all()
        assert units["phu-son"].ended_on is None and units["phu-son"].successor_id is None
        assert session.get(Petition, petition.id).unit_id == units["phu-son"].id
        never = session.scalar(sa.select(Unit).where(Unit.slug == "phuong-son-moi"))
        assert not never.live_on(LATER) and never.code == "770014"
        assert never not in tenant_units_below(session, units["thanh-hoa"], year_span(LATER.year))
        with pytest.raises(ReorganisationError):
            undo(session, change, TODAY)  # once
        past = _merge_into_new(session, units, TODAY - timedelta(days=1), slug="phuong-son-cu")
        with pytest.raises(ReorganisationError):
            undo(session, past, TODAY)  # it has taken effect


@pytest.mark.parametrize("attempt", ["ward into itself", "unit outside", "town as target", "code taken", "bad date"])
def test_a_merge_that_cannot_be_is_refused_with_nothing_written(session, units, attempt: str) -> None:  # type: ignore[no-untyped-def]
    bim_son, phu_son, quang_trung = units["bim-son"], units["phu-son"], units["quang-trung"]
    cases = {
        "ward into itself": (bim_son, [Merge([phu_son, quang_trung], phu_son)], LATER),
        "unit outside": (bim_son, [Merge([phu_son, units["truong-son"]], quang_trung)], LATER),
        "town as target": (units["thanh-hoa"], [Merge([phu_son], bim_son)], LATER),
        "code taken": (bim_son, [Merge([phu_son], NewUnit("X", units["bac-son"].code, "ward", bim_son, "x"))], LATER),
        "bad date": (bim_son, [Merge([phu_son], quang_trung)], date(1, 1, 1)),
    }
    acting, merges, day = cases[attempt]
    with everything(session):
        before = session.scalar(sa.select(sa.func.count()).select_from(UnitChange))
        with pytest.raises(ReorganisationError):
            plan_merge(session, acting, merges, day)
        assert session.scalar(sa.select(sa.func.count()).select_from(UnitChange)) == before
        assert phu_son.ended_on is None


def test_dissolving_a_town_moves_its_units_and_keeps_the_period_rollup(session, units) -> None:  # type: ignore[no-untyped-def]
    province, town = units["thanh-hoa"], units["bim-son"]
    day = date(2025, 7, 1)
    with everything(session):
        apply(session, plan_dissolve(session, province, town, province, day), actor="tests", user_id=None,
              summary="dissolve")
        session.flush()
        assert town.ended_on == day
        assert all(u.parent_id == province.id for u in (units["phu-son"], units["ha-lan"]))
        # The town's rollup for the first half still lists its wards; for the second half, none.
        first_half = {u.slug for u in tenant_units_below(session, town, (date(2025, 1, 1), date(2025, 6, 30)))}
        assert {"phu-son", "ha-lan"} <= first_half
        assert tenant_units_below(session, town, (date(2025, 7, 1), date(2025, 12, 31))) == []
        assert units["phu-son"] in tenant_units_below(session, province, year_span(2025))
        with pytest.raises(ReorganisationError):
            plan_reparent(session, province, [province], town, LATER)  # a unit into one below it


# --- the screens and the permissions ------------------------------------------------------------


def test_the_parent_admin_merges_from_the_screen_after_a_preview(session, units, users, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("admin@bim-son")
    form = {"units": [str(units["ngoc-trao"].id), str(units["bac-son"].id)], "target": "new", "new_name": "Bắc Trạo",
            "new_code": "77002", "new_kind": "ward", "new_parent": str(units["bim-son"].id),
            "effective_on": LATER.strftime("%d/%m/%Y")}
    preview = client.post("/u/bim-son/units/merge", data=form)
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "reorganisation-preview" in text and "phường Bắc Trạo" in text
    with everything(session):
        assert units["ngoc-trao"].ended_on is None  # a preview writes nothing
    done = client.post("/u/bim-son/units/merge", data={**form, "confirm": "1"})
    assert done.status_code == 302
    with everything(session):
        session.expire_all()
        assert units["ngoc-trao"].ended_on == LATER
        change = session.scalar(sa.select(UnitChange).order_by(UnitChange.id.desc()))
    page = client.get("/u/bim-son/units").get_data(as_text=True)
    assert "Bắc Trạo" in page and "Hoàn tác" in page
    assert client.post(f"/u/bim-son/units/changes/{change.id}/undo").status_code == 302
    with everything(session):
        session.expire_all()
        assert units["ngoc-trao"].ended_on is None


def test_bad_input_on_the_screens_gets_a_message(units, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("admin@bim-son")
    missing = client.post("/u/bim-son/units/merge", data={"target": "new", "effective_on": "31/02/2025"})
    assert missing.status_code == 400 and "Chọn ít nhất một đơn vị" in missing.get_data(as_text=True)
    taken = client.post("/u/bim-son/units/new", data={"name": "Mới", "code": units["phu-son"].code, "kind": "ward",
                                                      "parent_id": str(units["bim-son"].id)})
    assert taken.status_code == 409 and "đã thuộc một đơn vị khác" in taken.get_data(as_text=True)


def test_the_admin_creates_and_renames_a_unit_in_the_audit_log(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("admin@bim-son")
    made = client.post("/u/bim-son/units/new", data={"name": "Làng Mới", "code": "77003", "kind": "commune",
                                                     "parent_id": str(units["bim-son"].id)})
    assert made.status_code == 302
    with everything(session):
        unit = session.scalar(sa.select(Unit).where(Unit.code == "77003"))
        assert unit.slug == "xa-lang-moi" and unit.parent_id == units["bim-son"].id
    edited = client.post(f"/u/bim-son/units/{unit.id}/edit", data={
        "name": "Làng Mới Hơn", "code": "77004", "kind": "commune", "parent_id": str(units["bim-son"].id),
        "issuer_name": "UBND XÃ LÀNG MỚI HƠN"})
    assert edited.status_code == 302
    with everything(session):
        session.expire_all()
        assert (unit.name, unit.code, unit.issuer_name) == ("Làng Mới Hơn", "77004", "UBND XÃ LÀNG MỚI HƠN")
        actions = set(session.scalars(sa.select(AuditEntry.action).where(AuditEntry.unit_id == unit.id)))
    assert {"create", "update"} <= actions
    assert client.get(f"/u/bim-son/units/{units['truong-son'].id}/edit").status_code == 404  # another town's


@pytest.mark.parametrize("path", ["/u/{town}/units", "/u/{town}/units/new", "/u/{town}/units/merge",
                                  "/u/{town}/units/move", "/u/{province}/units/official"])
def test_only_the_parent_admin_manages_units_and_the_front_only_reads(units, users, client, path: str) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import login

    url = path.format(town="bim-son", province="thanh-hoa")
    front, admin, chairman = users["front@bim-son"], users["admin@bim-son"], users["chairman@phu-son"]
    login(client, admin)
    expected_admin = 404 if "official" in url else 200  # Bỉm Sơn's admin has no role on the province
    assert client.get(url).status_code == expected_admin
    login(client, front)
    assert client.get(url).status_code == (200 if url.endswith("/units") else 404 if "official" in url else 403)
    assert client.post("/u/bim-son/units/merge", data={}).status_code == 403  # the Front writes nothing
    login(client, chairman)
    assert client.get(url).status_code == 404  # a ward's chairman has no role on the town
    other = url.replace("bim-son", "sam-son")
    login(client, admin)
    assert client.get(other).status_code == 404  # another town's units do not exist for this admin


def test_an_ended_ward_is_read_only_for_its_own_staff_and_says_so(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    _merge_into_new(session, units, TODAY - timedelta(days=1))
    client = as_user("chairman@phu-son")
    home = client.get("/u/phu-son/")
    assert home.status_code == 200 and "đã sáp nhập vào" in home.get_data(as_text=True)
    assert client.get("/u/phu-son/plans/2025").status_code == 200
    refused = client.post("/u/phu-son/receptions/new", data={"held_on": "01/12/2026"})
    assert refused.status_code == 403 and "chỉ để xem" in refused.get_data(as_text=True)
    assert client.get("/u/phuong-son-moi/").status_code == 404  # no role there until granted


def test_the_demo_mapping_comes_from_the_converter() -> None:
    mapping = converter_mapping()
    assert mapping["phu son"] == "Phường Quang Trung" and mapping["ba dinh"] == "Phường Bỉm Sơn"
    assert "ha lan" not in mapping  # the demo says so and merges it with its neighbour



def test_a_rollup_across_the_date_says_which_units_changed(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    _merge_into_new(session, units, date(2025, 7, 1))
    with everything(session):
        member_of = Membership(user_id=session.scalar(sa.select(Membership.user_id).where(
            Membership.role == Role.TOWN_ADMIN, Membership.unit_id == units["bim-son"].id)),
            unit_id=units["thanh-hoa"].id, role=Role.TOWN_ADMIN)
        session.add(member_of)
        session.flush()
    client = as_user("admin@bim-son")
    year = client.get("/u/thanh-hoa/rollup/2025").get_data(as_text=True)
    assert "Đã sáp nhập vào phường Sơn Mới từ 01/07/2025" in year and "Thành lập từ 01/07/2025" in year
    first_half = client.get("/u/thanh-hoa/rollup/2025?period=2025-H1").get_data(as_text=True)
    assert "Phường Phú Sơn</a>" in first_half and "Phường Sơn Mới</a>" not in first_half
    second_half = client.get("/u/thanh-hoa/rollup/2025?period=2025-H2").get_data(as_text=True)
    assert "Phường Sơn Mới</a>" in second_half and "Phường Phú Sơn</a>" not in second_half


def test_the_successor_starts_its_plan_from_the_merged_plans_picking_tasks(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    import re

    from app.models import Plan, Task

    _merge_into_new(session, units, date(2025, 7, 1), grants=True)
    client = as_user("chairman@phu-son")  # granted the chairman's role in the new ward by the merge
    url = "/u/phuong-son-moi/plans/2025/from-merged"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    rows = re.findall(r'name="(row-[0-9a-f]+)" value="(\d+):(\d+)"', text)
    # The two wards' plans come from one template: every task of one is matched with the other's.
    by_row: dict[str, list[tuple[int, int]]] = {}
    for name, unit_id, task_id in rows:
        by_row.setdefault(name, []).append((int(unit_id), int(task_id)))
    assert by_row and all(len(versions) == 2 for versions in by_row.values())
    names = sorted(by_row)
    dropped, other = names[0], names[1]
    form = {"base": str(units["phu-son"].id)}
    for name in names:
        versions = dict(by_row[name])
        form[name] = f"{units['phu-son'].id}:{versions[units['phu-son'].id]}"
    form[dropped] = ""
    form[other] = f"{units['quang-trung'].id}:{dict(by_row[other])[units['quang-trung'].id]}"
    done = client.post(url, data=form)
    assert done.status_code == 302 and done.headers["Location"].endswith("/u/phuong-son-moi/plans/2025")
    with everything(session):
        successor = session.scalar(sa.select(Unit).where(Unit.slug == "phuong-son-moi"))
        plan = session.scalar(sa.select(Plan).where(Plan.unit_id == successor.id, Plan.year == 2025))
        tasks = list(session.scalars(sa.select(Task).where(Task.plan_id == plan.id)))
        assert len(tasks) == len(names) - 1
        words = " ".join([plan.preamble, plan.closing, *plan.recipients, *(t.text for t in tasks)])
        assert "Sơn Mới" in words and "Phú Sơn" not in words  # the old ward's names become the new one's
        picked = session.get(Task, dict(by_row[other])[units["quang-trung"].id])
        assert picked.template_task_id in {t.template_task_id for t in tasks}
    again = client.post(url, data=form)
    assert again.status_code == 409 and "đã có kế hoạch" in again.get_data(as_text=True)
    assert as_user("chairman@quang-trung").get(url).status_code == 404  # no role in the new ward
    assert as_user("chairman@phu-son").get("/u/phu-son/plans/2025/from-merged").status_code == 403  # ended: read only


def test_the_admin_moves_a_ward_from_the_screen_after_a_preview(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("admin@bim-son")
    with everything(session):
        session.add(Unit(slug="khu-pho-moi", code="77020", name="Khu Mới", kind="town", parent_id=units["bim-son"].id))
        session.flush()
        group = session.scalar(sa.select(Unit).where(Unit.slug == "khu-pho-moi"))
    form = {"operation": "reparent", "units": [str(units["ha-lan"].id)], "parent": str(group.id), "dissolved": "0",
            "effective_on": LATER.strftime("%d/%m/%Y")}
    preview = client.post("/u/bim-son/units/move", data=form)
    assert preview.status_code == 200 and "chuyển về trực thuộc thị xã Khu Mới" in preview.get_data(as_text=True)
    assert client.post("/u/bim-son/units/move", data={**form, "confirm": "1"}).status_code == 302
    with everything(session):
        session.expire_all()
        assert (units["ha-lan"].parent_id, units["ha-lan"].parent_since) == (group.id, LATER)
    wrong = client.post("/u/bim-son/units/move", data={**form, "operation": "dissolve", "dissolved": "0"})
    assert wrong.status_code == 409 and "Chọn đơn vị giải thể" in wrong.get_data(as_text=True)


def test_an_admin_decides_who_keeps_access_to_an_ended_wards_history(session, units, users, as_user) -> None:  # type: ignore[no-untyped-def]
    _merge_into_new(session, units, TODAY - timedelta(days=1))
    admin = as_user("admin@bim-son")
    assert admin.get("/u/phu-son/people").status_code == 200
    office = users["office@phu-son"]
    assert admin.post(f"/u/phu-son/people/{office.id}/deactivate").status_code == 302
    with everything(session):
        session.expire_all()
        assert not session.get(User, office.id).active
    assert as_user("chairman@phu-son").post("/u/phu-son/receptions/new", data={}).status_code == 403  # still history


def test_a_split_ends_the_ward_into_new_ones_or_lets_it_go_on(session, units) -> None:  # type: ignore[no-untyped-def]
    from app.units.reorganise import plan_split

    petition = _open_petition(session, units["phu-son"])
    town = units["bim-son"]
    with everything(session):
        halves = [NewUnit("Phú Sơn Bắc", "77031", "ward", town, "phuong-phu-son-bac"),
                  NewUnit("Phú Sơn Nam", units["phu-son"].code, "ward", town, "phuong-phu-son-nam")]  # takes the code
        change = apply(session, plan_split(session, town, units["phu-son"], halves, LATER, continues=False),
                       actor="tests", user_id=None, summary="split")
        session.flush()
        session.expire_all()
        north = session.scalar(sa.select(Unit).where(Unit.slug == "phuong-phu-son-bac"))
        assert units["phu-son"].ended_on == LATER and units["phu-son"].successor_id == north.id
        assert session.get(Petition, petition.id).unit_id == north.id
        # A span across the date lists the ward before and the two after.
        assert {u.slug for u in tenant_units_below(session, town, (TODAY, LATER))} >= {
            "phuong-phu-son-bac", "phuong-phu-son-nam", "phu-son"}
        undo(session, change, TODAY)
        session.expire_all()
        assert units["phu-son"].ended_on is None and session.get(Petition, petition.id).unit_id == units["phu-son"].id
        part = [NewUnit("Phú Sơn Mới", "77033", "ward", town, "phuong-phu-son-moi")]
        apply(session, plan_split(session, town, units["phu-son"], part, LATER, continues=True),
              actor="tests", user_id=None, summary="split off")
        session.flush()
        assert units["phu-son"].ended_on is None  # it goes on beside the new ward
        with pytest.raises(ReorganisationError):
            plan_split(session, town, units["quang-trung"], part[:1], LATER, continues=False)  # one is not a split


def test_the_admin_splits_from_the_screen(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("admin@bim-son")
    form = {"unit": str(units["ha-lan"].id), "new_name_1": "Hà Lan Đông", "new_code_1": "77041", "new_kind_1": "commune",
            "new_name_2": "Hà Lan Tây", "new_code_2": "77042", "new_kind_2": "commune",
            "new_kind_3": "ward", "effective_on": LATER.strftime("%d/%m/%Y")}
    preview = client.post("/u/bim-son/units/split", data=form)
    assert preview.status_code == 200 and "chia tách từ" in preview.get_data(as_text=True)
    assert client.post("/u/bim-son/units/split", data={**form, "confirm": "1"}).status_code == 302
    with everything(session):
        session.expire_all()
        assert units["ha-lan"].ended_on == LATER
        assert session.scalar(sa.select(Unit.slug).where(Unit.code == "77042")) == "xa-ha-lan-tay"


def test_a_ward_made_by_a_merge_starts_its_plan_from_the_template_its_predecessors_followed(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    from app.models import Plan

    _merge_into_new(session, units, date(2025, 7, 1), grants=True)  # under the province, which has no template
    client = as_user("chairman@phu-son")
    assert client.post("/u/phuong-son-moi/plans/2025/create").status_code in (302, 303)
    with everything(session):
        successor = session.scalar(sa.select(Unit).where(Unit.slug == "phuong-son-moi"))
        plan = session.scalar(sa.select(Plan).where(Plan.unit_id == successor.id, Plan.year == 2025))
        template = session.get(Plan, plan.template_id)
        assert template.is_template and template.unit_id == units["bim-son"].id
    page = client.get("/u/phuong-son-moi/plans/2025")
    assert page.status_code == 200 and "Sơn Mới" in page.get_data(as_text=True)


def test_signing_in_leads_to_the_ward_that_still_exists(session, units, as_user) -> None:  # type: ignore[no-untyped-def]
    _merge_into_new(session, units, TODAY - timedelta(days=1), grants=True)
    response = as_user("chairman@phu-son").get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/u/phuong-son-moi/")
    with everything(session):
        session.add(Membership(user_id=session.scalar(sa.select(User.id).where(User.username == "chairman@phu-son")),
                               unit_id=units["thanh-hoa"].id, role=Role.FRONT))
        units["thanh-hoa"].kind = "city"  # a province-level city: listed first
        session.flush()
    page = as_user("chairman@phu-son").get("/").get_data(as_text=True)
    assert page.index("Thành phố Thanh Hóa") < page.index("Phường Sơn Mới") < page.index("Phường Phú Sơn")
    assert "đã kết thúc từ" in page
