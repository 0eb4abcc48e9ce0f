"""What a person may type, held to what makes sense (issue 15, defect 5): dates from 1945 to 2100
(a plan issued in its own year or the one before), text that is UTF-8, indicator figures within
the limit the message names; each refusal says why and stores nothing."""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
import sqlalchemy as sa

from app.models import IndicatorDefinition, IndicatorSource, IndicatorValue, Petition, PlanStatus, Reception
from tests.conftest import everything, plan_of
from tests.test_records import RECEPTION


def _count(session, model, unit) -> int:  # type: ignore[no-untyped-def]
    with everything(session):
        return session.scalar(sa.select(sa.func.count(model.id)).where(model.unit_id == unit.id))


@pytest.mark.parametrize("typed", ["01/01/0001", "31/12/9999", "31/12/1944", "01/01/2101", "0001-01-01"])
def test_a_date_outside_1945_to_2100_is_refused_with_the_range(as_user, session, units, typed: str) -> None:
    before = _count(session, Reception, units["phu-son"])
    response = as_user("office@phu-son").post("/u/phu-son/receptions/new", data={**RECEPTION, "held_on": typed})
    assert response.status_code == 400
    assert "Ngày phải từ 01/01/1945 đến 31/12/2100" in response.get_data(as_text=True)
    assert _count(session, Reception, units["phu-son"]) == before


@pytest.mark.parametrize("typed", ["01/01/1945", "31/12/2100"])
def test_the_ends_of_the_range_are_dates(as_user, session, units, typed: str) -> None:
    before = _count(session, Reception, units["phu-son"])
    response = as_user("office@phu-son").post("/u/phu-son/receptions/new", data={**RECEPTION, "held_on": typed})
    assert response.status_code == 302
    assert _count(session, Reception, units["phu-son"]) == before + 1


def test_a_petition_received_in_year_one_is_refused(as_user, session, units) -> None:
    before = _count(session, Petition, units["phu-son"])
    response = as_user("office@phu-son").post("/u/phu-son/petitions/new", data={
        "received_on": "01/01/0001", "kind": "recommendation", "summary": "Đường hỏng", "source": "Trực tiếp",
        "petitioner_name": "Trần Thị Bình"})
    assert response.status_code == 400
    assert "Ngày phải từ 01/01/1945 đến 31/12/2100" in response.get_data(as_text=True)
    assert _count(session, Petition, units["phu-son"]) == before


def test_a_plan_is_issued_in_its_year_or_the_one_before(as_user, session, units) -> None:
    assert as_user("office@phu-son").post("/u/phu-son/plans/2025/submit").status_code == 302
    chairman = as_user("chairman@phu-son")
    form = {"number": "15/KH-UBND", "signer_name": "Nguyễn Xuân Lâm"}
    for typed in ("05/01/2030", "31/12/2023"):
        response = chairman.post("/u/phu-son/plans/2025/issue", data={**form, "issued_on": typed})
        assert response.status_code == 400  # the form again, with the date to correct
        assert "Kế hoạch năm 2025 được ban hành trong năm 2024 hoặc 2025" in response.get_data(as_text=True)
        with everything(session):
            assert plan_of(session, units["phu-son"]).status == PlanStatus.SUBMITTED
    assert chairman.post("/u/phu-son/plans/2025/issue", data={**form, "issued_on": "28/12/2024"}).status_code == 302


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_text_that_is_not_utf8_is_refused_not_stored_as_mojibake(as_user, session, units, encoding: str) -> None:
    before = _count(session, Reception, units["phu-son"])
    client = as_user("office@phu-son")
    broken = "Tiếp dân ".encode() + b"\xe1\xba"  # a Vietnamese letter cut in the middle
    if encoding == "urlencoded":
        body = "&".join(f"{key}={quote_from_bytes(value.encode())}" for key, value in RECEPTION.items())
        body += "&note=" + quote_from_bytes(broken)
        response = client.post("/u/phu-son/receptions/new", data=body,
                               content_type="application/x-www-form-urlencoded")
    else:
        boundary = "xYzZY"
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in RECEPTION.items() if key != "note"]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n'.encode() + broken
                     + f"\r\n--{boundary}--\r\n".encode())
        response = client.post("/u/phu-son/receptions/new", data=b"".join(parts),
                               content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400
    assert "không phải bảng mã Unicode UTF-8" in response.get_data(as_text=True)
    assert _count(session, Reception, units["phu-son"]) == before
    # The same form in good UTF-8 is recorded.
    assert client.post("/u/phu-son/receptions/new", data={**RECEPTION, "note": "Tiếp dân"}).status_code == 302


@pytest.mark.parametrize("typed", ["1e12", "1000000001", "-1", "nan", "inf"])
def test_an_indicator_figure_beyond_the_limit_gets_the_real_limit(as_user, session, units, typed: str) -> None:
    with everything(session):
        entered = session.scalar(sa.select(IndicatorDefinition).where(
            IndicatorDefinition.unit_id == units["phu-son"].id, IndicatorDefinition.source == IndicatorSource.ENTERED))
        before = session.scalar(sa.select(sa.func.count(IndicatorValue.id)))
    url = f"/u/phu-son/plans/2025/indicators/{entered.id}/value"
    page = as_user("office@phu-son").post(url, data={"period": "2025-Q3", "value": typed}, follow_redirects=True)
    assert "Số liệu phải từ 0 đến 1.000.000.000." in page.get_data(as_text=True)
    with everything(session):
        assert session.scalar(sa.select(sa.func.count(IndicatorValue.id))) == before


@pytest.mark.parametrize("field", ["host", "held_on", "note"])
def test_a_file_sent_as_a_text_or_date_field_is_ignored_not_a_500(as_user, session, units, field: str) -> None:
    """Found by the form fuzzer: Flask-WTF handed uploaded files to every field of that name."""
    import io

    before = _count(session, Reception, units["phu-son"])
    data = {**RECEPTION, field: (io.BytesIO(b"%PDF-1.4 not text"), "a.pdf")}
    response = as_user("office@phu-son").post("/u/phu-son/receptions/new", data=data,
                                              content_type="multipart/form-data")
    assert response.status_code == (302 if field == "note" else 400)  # the note may be empty; the rest are required
    assert _count(session, Reception, units["phu-son"]) == before + (field == "note")
