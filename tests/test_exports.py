"""Excel and CSV exports: Vietnamese headers, column widths, dates dd/mm/yyyy, a UTF-8 BOM on CSV,
and the petitioner's identity masked for whoever may not see it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.exports import BOM, ExportColumn, csv_bytes, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == XLSX
    return load_workbook(io.BytesIO(response.data)).active


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.data.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_writer_sets_headers_widths_and_date_formats(app):
    columns = (ExportColumn("Ngày tiếp", "date", 12), ExportColumn("Nội dung"))
    with app.test_request_context():
        sheet = load_workbook(io.BytesIO(xlsx_bytes("Sổ", columns, [[date(2025, 3, 10), "=1+1"]]))).active
        text = csv_bytes(columns, [[date(2025, 3, 10), "Đất đai"]]).decode("utf-8")
    assert [c.value for c in sheet[1]] == ["Ngày tiếp", "Nội dung"]
    assert sheet["A2"].value.date() == date(2025, 3, 10) and sheet["A2"].number_format == "DD/MM/YYYY"
    assert sheet["B2"].value == "'=1+1"  # never a formula
    assert sheet.column_dimensions["A"].width == 12 and sheet.column_dimensions["B"].width >= 8
    assert text.startswith(BOM) and "10/03/2025,Đất đai" in text


def test_the_rollup_downloads_as_excel_and_csv(as_user):
    client = as_user("admin@bim-son")
    sheet = _sheet(client.get("/u/bim-son/rollup/2025.xlsx?period=2025-H1"))
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["Mã đơn vị", "Phường, xã", "Kế hoạch"] and "Tỷ lệ đúng hạn (%)" in headers
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Phú Sơn" in names and names[-1] == "Tổng cộng" and "Trường Sơn" not in names
    assert sheet.column_dimensions["B"].width == 24
    rows = _csv(client.get("/u/bim-son/rollup/2025.csv"))
    assert rows[0][1] == "Phường, xã" and rows[-1][1] == "Tổng cộng"
    phu_son = next(r for r in rows if r[1] == "Phú Sơn")
    assert phu_son[headers.index("Buổi tiếp công dân")] == "1"
    assert client.get("/u/bim-son/rollup/2025.xlsx?period=bogus").status_code == 404


def test_the_overdue_list_downloads_with_its_dates(as_user, session, units):
    from app.models import Petition, PetitionKind
    from tests.conftest import everything

    with everything(session):
        session.add(Petition(unit_id=units["quang-trung"].id, received_on=date(2025, 1, 6),
                             kind=PetitionKind.COMPLAINT, summary="Khiếu nại về đền bù"))
        session.flush()
    client = as_user("admin@bim-son")
    sheet = _sheet(client.get("/u/bim-son/overdue.xlsx?year=2025&kind=complaint"))
    assert [c.value for c in sheet[1]][:3] == ["Phường, xã", "Loại", "Nội dung"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "Khiếu nại về đền bù")
    assert row[4].is_date and row[4].number_format == "DD/MM/YYYY"
    rows = _csv(client.get("/u/bim-son/overdue.csv?year=2025&kind=complaint"))
    line = next(r for r in rows if r[2] == "Khiếu nại về đền bù")
    assert line[0] == "Quang Trung" and line[4].count("/") == 2 and len(line[4]) == 10


@pytest.mark.parametrize("register,header,value", [
    ("receptions", "Ngày tiếp", "Chủ tịch UBND"),
    ("dialogues", "Ngày", "Đối thoại về chỉnh trang đô thị"),
    ("models", "Năm", "Mô hình “Tuyến phố văn minh”"),
    ("posts", "Ngày đăng", "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở"),
    ("meetings", "Ngày", "Quán triệt Chỉ thị 33/CT-TTg"),
    ("petitions", "Ngày tiếp nhận", "Tố cáo vi phạm trật tự xây dựng"),
])
def test_every_register_downloads(as_user, register, header, value):
    client = as_user("office@phu-son")
    sheet = _sheet(client.get(f"/u/phu-son/exports/{register}.xlsx?year=2025"))
    assert sheet["A1"].value == header
    assert any(value in [c for c in row] for row in sheet.iter_rows(min_row=2, values_only=True))
    if register != "models":
        assert sheet["A2"].is_date and sheet["A2"].number_format == "DD/MM/YYYY"
    rows = _csv(client.get(f"/u/phu-son/exports/{register}.csv?year=2025"))
    assert rows[0][0] == header and any(value in row for row in rows[1:])
    assert client.get(f"/u/phu-son/exports/{register}.csv?year=1999").data.decode("utf-8-sig").count("\n") == 1


def test_register_exports_follow_the_lists_filters(as_user):
    client = as_user("office@phu-son")
    rows = _csv(client.get("/u/phu-son/exports/receptions.csv?period=2025-Q2"))
    assert len(rows) == 1  # the baseline reception is in March
    rows = _csv(client.get("/u/phu-son/exports/receptions.csv?period=2025-Q1"))
    assert len(rows) == 2


@pytest.mark.parametrize("account", ["culture@phu-son", "front@phu-son", "admin@bim-son", "front@bim-son"])
def test_the_petitioner_is_masked_for_those_who_may_not_see_them(as_user, account):
    client = as_user(account)
    body = client.get("/u/phu-son/exports/petitions.csv").data.decode("utf-8")
    sheet = _sheet(client.get("/u/phu-son/exports/petitions.xlsx"))
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    for secret in ("Nguyễn Văn A", "Khu phố 1", "0912 000 000"):
        assert secret not in body and secret not in cells
    assert "•••" in body


def test_the_petitioner_is_shown_to_the_chairman_and_the_showing_is_logged(as_user, session):
    import sqlalchemy as sa

    from app.models import AuditEntry
    from tests.conftest import everything

    body = as_user("chairman@phu-son").get("/u/phu-son/exports/petitions.csv").data.decode("utf-8")
    assert "Nguyễn Văn A" in body
    with everything(session):
        logged = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "petition.identity_viewed"))
    assert logged >= 1


def test_another_towns_exports_do_not_exist(as_user):
    client = as_user("admin@bim-son")
    assert client.get("/u/truong-son/exports/petitions.xlsx").status_code == 404
    assert client.get("/u/sam-son/rollup/2025.csv").status_code == 404


def test_the_rollup_export_carries_each_wards_report_standing(as_user):
    import csv
    import io

    text = as_user("admin@bim-son").get("/u/bim-son/rollup/2025.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    phu_son = next(r for r in rows if "Phú Sơn" in r)
    assert ":" in phu_son[-1]  # e.g. "Sơ kết 6 tháng: Chưa gửi; Tổng kết năm: Chưa gửi"


def test_text_pasted_from_word_exports_to_excel(as_user, session, units):
    import io
    from datetime import date

    import openpyxl

    from app.models import Reception
    from tests.conftest import everything

    with everything(session):  # as if stored before forms cleaned control characters
        session.add(Reception(unit_id=units["phu-son"].id, held_on=date(2025, 8, 1),
                              host="Chủ tịch", cases_raised="dòng 1\x0bdòng 2\x1b"))
        session.flush()
    response = as_user("office@phu-son").get("/u/phu-son/exports/receptions.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert any("dòng 1dòng 2" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_a_year_out_of_range_is_not_found(as_user):
    client = as_user("admin@bim-son")
    for path in ("/u/bim-son/rollup/99999", "/u/bim-son/rollup/0", "/u/bim-son/rollup/99999.xlsx"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("typed", [" =1+1", "  +SUM(A1)", " @cmd", "=HYPERLINK(\"x\")"])
def test_a_cell_that_would_run_as_a_formula_even_after_spaces_is_neutralised(app, typed):  # type: ignore[no-untyped-def]
    columns = (ExportColumn("Nội dung"),)
    with app.test_request_context():
        sheet = load_workbook(io.BytesIO(xlsx_bytes("Sổ", columns, [[typed]]))).active
        text = csv_bytes(columns, [[typed]]).decode("utf-8-sig")
    assert sheet["A2"].value == "'" + typed and sheet["A2"].data_type == "s"
    assert list(csv.reader(io.StringIO(text)))[1] == ["'" + typed]
