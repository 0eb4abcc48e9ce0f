"""The ward's registers: receptions, dialogues, "Dân vận khéo" models, posts, meetings."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import ModelStatus, Post, Reception, SkilfulModel
from tests.conftest import everything

RECEPTION = {"held_on": "12/05/2025", "host": "Chủ tịch UBND", "citizens": "4", "cases": "2",
             "cases_raised": "Kiến nghị về đất đai và tiếp công dân định kỳ", "note": ""}


def _rows(session, model, unit):  # type: ignore[no-untyped-def]
    with everything(session):
        return session.scalars(sa.select(model).where(model.unit_id == unit.id).order_by(model.id)).all()


def test_office_records_a_reception_and_finds_it_without_accents(as_user, session, units):
    client = as_user("office@phu-son")
    response = client.post("/u/phu-son/receptions/new", data=RECEPTION)
    assert response.status_code == 302
    saved = _rows(session, Reception, units["phu-son"])[-1]
    assert (saved.host, saved.citizens, saved.held_on.isoformat()) == ("Chủ tịch UBND", 4, "2025-05-12")
    page = client.get("/u/phu-son/receptions?q=dat+dai+tiep+cong+dan").get_data(as_text=True)
    assert "Kiến nghị về đất đai" in page
    assert "Tiếp công dân về đất đai" not in client.get("/u/phu-son/receptions?q=dinh+ky").get_data(as_text=True)
    assert "12/05/2025" in client.get(f"/u/phu-son/receptions/{saved.id}").get_data(as_text=True)


def test_d_finds_đ_and_upper_case_finds_lower(as_user):
    client = as_user("chairman@phu-son")
    client.post("/u/phu-son/dialogues/new", data={"held_on": "01/06/2025", "topic": "Đối thoại với hộ kinh doanh",
                                                  "participants": "30", "with_front": "y"})
    assert "Đối thoại với hộ kinh doanh" in client.get("/u/phu-son/dialogues?q=DOI+THOAI+ho").get_data(as_text=True)


def test_year_and_category_filters_and_pages(as_user, session, units):
    client = as_user("culture@phu-son")
    for day in range(1, 29):
        assert client.post("/u/phu-son/posts/new", data={"title": f"Tin số {day}", "channel": "zalo",
                                                         "published_on": f"{day:02d}/02/2026"}).status_code == 302
    first = client.get("/u/phu-son/posts?year=2026").get_data(as_text=True)
    assert "28 mục" in first and "Tin số 28</td>" in first and "Tin số 1</td>" not in first
    second = client.get("/u/phu-son/posts?year=2026&page=2").get_data(as_text=True)
    assert "Tin số 1</td>" in second and "Tin số 28</td>" not in second
    assert "0 mục" in client.get("/u/phu-son/posts?year=2026&category=portal").get_data(as_text=True)
    fragment = client.get("/u/phu-son/posts?year=2026", headers={"HX-Request": "true", "HX-Target": "register-table"})
    assert "<html" not in fragment.get_data(as_text=True) and 'id="register-table"' in fragment.get_data(as_text=True)


def test_bad_input_gets_vietnamese_messages_and_saves_nothing(as_user, session, units):
    client = as_user("office@phu-son")
    before = len(_rows(session, Reception, units["phu-son"]))
    response = client.post("/u/phu-son/receptions/new", data={**RECEPTION, "host": "", "held_on": "31/02/2025",
                                                               "citizens": "-3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng nhập người chủ trì buổi tiếp." in page and "Vui lòng nhập ngày" in page
    assert "Số phải từ 0 đến 100000." in page
    bad_link = client.post("/u/phu-son/posts/new", data={"title": "Tin", "channel": "portal",
                                                         "published_on": "01/03/2025", "link": "javascript:alert(1)"})
    assert bad_link.status_code == 400 and "http://" in bad_link.get_data(as_text=True)
    assert len(_rows(session, Reception, units["phu-son"])) == before


def test_a_stale_edit_keeps_what_the_user_typed(as_user, session, units):
    row = _rows(session, Reception, units["phu-son"])[0]
    url = f"/u/phu-son/receptions/{row.id}/edit"
    as_user("chairman@phu-son").post(url, data={**RECEPTION, "host": "Phó Chủ tịch", "version": row.version})
    late = as_user("office@phu-son").post(url, data={**RECEPTION, "host": "Văn phòng ghi", "version": row.version})
    assert late.status_code == 409
    assert "Văn phòng ghi" in late.get_data(as_text=True) and "Phó Chủ tịch" in late.get_data(as_text=True)


def test_who_may_write_which_register(as_user):
    culture = as_user("culture@phu-son")
    assert culture.get("/u/phu-son/receptions/new").status_code == 403
    assert culture.get("/u/phu-son/meetings/new").status_code == 200
    assert as_user("front@phu-son").get("/u/phu-son/posts/new").status_code == 403
    assert as_user("front@phu-son").get("/u/phu-son/posts").status_code == 200


def test_the_town_recognises_a_model_and_the_ward_cannot(as_user, session, units):
    model = _rows(session, SkilfulModel, units["phu-son"])[0]
    assert as_user("chairman@phu-son").post(f"/u/phu-son/models/{model.id}/recognise").status_code == 403
    assert as_user("admin@bim-son").post(f"/u/phu-son/models/{model.id}/recognise").status_code == 302
    session.expire_all()
    recognised = _rows(session, SkilfulModel, units["phu-son"])[0]
    assert recognised.status == ModelStatus.RECOGNISED and recognised.recognised_on is not None


def test_another_wards_rows_do_not_show_up(as_user, session, units):
    other = _rows(session, Post, units["quang-trung"])[0]
    client = as_user("office@phu-son")
    assert client.get(f"/u/phu-son/posts/{other.id}").status_code == 404
    assert client.get(f"/u/phu-son/posts/{other.id}/edit").status_code == 404


def test_nul_bytes_and_unknown_categories_in_filters_are_ignored(as_user):
    client = as_user("office@phu-son")
    assert client.get("/u/phu-son/receptions?q=a%00b").status_code == 200
    assert client.get("/u/phu-son/posts?category=%00").status_code == 200
    assert client.get("/u/phu-son/posts?category=no-such-channel").status_code == 200


def test_an_emptied_count_is_zero_not_an_error(as_user, session, units):
    row = _rows(session, Reception, units["phu-son"])[0]
    response = as_user("office@phu-son").post(f"/u/phu-son/receptions/{row.id}/edit",
                                              data={**RECEPTION, "citizens": "", "version": row.version})
    assert response.status_code == 302
    session.expire_all()
    assert _rows(session, Reception, units["phu-son"])[0].citizens == 0


def test_a_wards_row_is_not_reached_through_the_towns_address(as_user, session, units):
    row = _rows(session, Reception, units["phu-son"])[0]
    assert as_user("admin@bim-son").get(f"/u/bim-son/receptions/{row.id}").status_code == 404
    assert as_user("admin@bim-son").get(f"/u/phu-son/receptions/{row.id}").status_code == 200


def test_a_model_is_recognised_once(as_user, session, units):
    model = _rows(session, SkilfulModel, units["phu-son"])[0]
    client = as_user("admin@bim-son")
    client.post(f"/u/phu-son/models/{model.id}/recognise")
    again = client.post(f"/u/phu-son/models/{model.id}/recognise", follow_redirects=True)
    assert "đã được công nhận" in again.get_data(as_text=True)


def test_a_quarter_narrows_the_list_to_its_dates(as_user):
    client = as_user("culture@phu-son")
    for day in ("15/01/2025", "15/04/2025", "15/05/2025"):
        client.post("/u/phu-son/posts/new", data={"title": f"Tin ngày {day}", "channel": "portal", "published_on": day})
    quarter = client.get("/u/phu-son/posts?year=2025&period=2025-Q2").get_data(as_text=True)
    assert "Tin ngày 15/04/2025" in quarter and "Tin ngày 15/05/2025" in quarter
    assert "Tin ngày 15/01/2025" not in quarter
    assert client.get("/u/phu-son/posts?period=2025-Q9").status_code == 200  # not a period: ignored


def test_a_quarterly_figure_links_to_that_quarters_records(as_user):
    page = as_user("chairman@phu-son").get("/u/phu-son/plans/2025/indicators?period=2025-Q2").get_data(as_text=True)
    assert "/u/phu-son/receptions?year=2025&amp;period=2025-Q2" in page


def test_words_manual_line_break_becomes_a_newline(as_user, session, units):
    client = as_user("office@phu-son")
    client.post("/u/phu-son/receptions/new", data={**RECEPTION, "cases_raised": "dòng 1\x0bdòng 2\x1b"})
    assert _rows(session, Reception, units["phu-son"])[-1].cases_raised == "dòng 1\ndòng 2"


def test_an_edit_without_its_optional_texts_saves_them_empty(as_user, session, units):
    row = _rows(session, Reception, units["phu-son"])[0]
    response = as_user("office@phu-son").post(f"/u/phu-son/receptions/{row.id}/edit",
                                              data={"held_on": "12/05/2025", "host": "Phó Chủ tịch", "version": row.version})
    assert response.status_code == 302  # was 409 "vừa được người khác tạo hoặc sửa cùng lúc": a NOT NULL failure
    session.expire_all()
    saved = _rows(session, Reception, units["phu-son"])[0]
    assert (saved.host, saved.cases_raised, saved.note) == ("Phó Chủ tịch", "", "")
