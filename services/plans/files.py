"""Files the plans service hands out (CSV today; the upward report's DOCX/PDF elsewhere): one
way to write a table as CSV and to wrap bytes as an `ExportFile` reply.

NOTE: cells are not yet neutralised against formula injection (`=`, `+`, `-`, `@` at the
start of a cell); the platform's one shared CSV/XLSX helper (`services/runtime/tabular.py`,
being added by another change) is to replace `csv_bytes` here, so every export gets it.
"""

from __future__ import annotations

import base64
import csv
import io
from typing import Any

from services.plans.domain import Table
from services.plans.domain.exports import VI_LABELS


def labels(table: Table, language: str) -> list[str]:
    """Column labels: Vietnamese for the Department's readers, or the English keys."""
    return [VI_LABELS.get(h, h) if language == "vi" else h for h in table.header]


def csv_bytes(table: Table, language: str) -> bytes:
    """UTF-8 with BOM, so spreadsheet programs read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(labels(table, language))
    writer.writerows(table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_file(filename: str, content_type: str, data: bytes, rows: int,
                **extra: Any) -> dict[str, Any]:
    """An `ExportFile` reply (contracts): the bytes travel base64-encoded over RPC."""
    return {"filename": filename, "content_type": content_type,
            "content_base64": base64.b64encode(data).decode(), "rows": rows, **extra}


CSV = "text/csv; charset=utf-8"
