"""Rendering of the upward report (domain.upward_report) to DOCX (python-docx) and PDF
(reportlab, DejaVu fonts from matplotlib's data embedded so Vietnamese diacritics render), with
its chart drawn by matplotlib to a PNG in memory."""

from __future__ import annotations

from typing import Literal

from services.plans.domain.upward_report import UpwardReport
from services.plans.report_rendering.chart import chart_png
from services.plans.report_rendering.docx_writer import render_docx
from services.plans.report_rendering.pdf_writer import render_pdf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"
CONTENT_TYPES = {"docx": DOCX, "pdf": PDF}


def render(report: UpwardReport, format: Literal["docx", "pdf"]) -> bytes:
    chart = chart_png(report.chart)
    return render_docx(report, chart) if format == "docx" else render_pdf(report, chart)


__all__ = ["CONTENT_TYPES", "render"]
