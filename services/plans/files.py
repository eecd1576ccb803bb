"""Files the plans service hands out (CSV today; the upward report's DOCX/PDF elsewhere): one
way to write a table as CSV and to wrap bytes as an `ExportFile` reply. Cells go through
`services/runtime/tabular.py`, so no formula-like text reaches a spreadsheet live.
"""

from __future__ import annotations

import base64
from typing import Any

from services.plans.domain import Table
from services.plans.domain.exports import VI_LABELS
from services.runtime.tabular import write_csv


def labels(table: Table, language: str) -> list[str]:
    """Column labels: Vietnamese for the Department's readers, or the English keys."""
    return [VI_LABELS.get(h, h) if language == "vi" else h for h in table.header]


def csv_bytes(table: Table, language: str) -> bytes:
    """UTF-8 with BOM, so spreadsheet programs read Vietnamese correctly."""
    return write_csv([labels(table, language), *table.rows], bom=True).encode("utf-8")


def export_file(filename: str, content_type: str, data: bytes, rows: int,
                **extra: Any) -> dict[str, Any]:
    """An `ExportFile` reply (contracts): the bytes travel base64-encoded over RPC."""
    return {"filename": filename, "content_type": content_type,
            "content_base64": base64.b64encode(data).decode(), "rows": rows, **extra}


CSV = "text/csv; charset=utf-8"
