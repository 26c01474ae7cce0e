"""caiac.exports: spreadsheets people can open, and cannot be attacked through."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from caiac.exports import Table, csv_bytes, csv_response, xlsx_bytes, xlsx_response

DANGEROUS = ["=1+1", "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")']


def _csv(table: Table) -> list[list[str]]:
    text = csv_bytes(table).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_quoted_in_csv(text):
    rows = _csv(Table(title="t", headers=["a"], rows=[[text]]))
    assert rows[1][0] == "'" + text


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_stored_as_text_in_xlsx(text):
    sheet = load_workbook(io.BytesIO(xlsx_bytes([Table("t", ["a"], [[text]])]))).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n")  # XML reads a lone CR as a line feed


def test_numbers_stay_numbers_and_negative_amounts_are_not_quoted():
    table = Table("t", ["n"], [[Decimal("-12.50")], [3], [1.5]])
    assert [r[0] for r in _csv(table)[1:]] == ["-12.50", "3", "1.5"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table]))).active
    assert [sheet.cell(row=i, column=1).value for i in (2, 3, 4)] == [-12.5, 3, 1.5]


def test_booleans_none_lists_and_dates_read_as_people_expect():
    moment = datetime.datetime(2026, 11, 25, 9, 0, tzinfo=datetime.UTC)
    table = Table("t", ["a", "b", "c", "d", "e"], [[True, None, ["x", "y"], moment, False]])
    with translation.override("fr"):
        row = _csv(table)[1]
        sheet = load_workbook(io.BytesIO(xlsx_bytes([table]))).active
    assert row == ["Oui", "", "x; y", "2026-11-25 09:00", "Non"]
    assert sheet["A2"].value == "Oui"
    assert sheet["D2"].value == datetime.datetime(2026, 11, 25, 9, 0)  # Casablanca wall clock


def test_each_table_is_a_sheet_with_a_valid_unique_title():
    data = xlsx_bytes(
        [Table("Usage: machines/heures", ["a"]), Table("usage: machines/heures", ["b"])]
    )
    names = load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len(set(n.lower() for n in names)) == 2
    assert all(":" not in n and "/" not in n and len(n) <= 31 for n in names)


def test_responses_are_attachments_with_a_safe_name():
    response = csv_response(Table("t", ["a"]), 'rapport "cohorte"\r\n.csv')
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rapport-cohorte-.csv"'
    xlsx = xlsx_response([Table("t", ["a"])], "r.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
