"""The upward report as PDF (reportlab), in the same Decree 30/2020 layout as the DOCX. The
fonts are DejaVu Serif from matplotlib's bundled data, embedded (subset) in the file: the PDF
base fonts have no Vietnamese letters, and no system font is assumed."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from services.plans.domain.upward_report import (
    Body,
    ChartBlock,
    Heading,
    TableBlock,
    UpwardReport,
)

FAMILY = "DejaVuSerif"
TEXT_WIDTH = 16.5 * cm  # A4 less the 30 mm and 15 mm margins
HEADER_COLUMNS = (6.3 * cm, 10.2 * cm)
CHART_WIDTH = 16.0 * cm
BODY_SIZE = 12.5  # DejaVu Serif runs wider than Times: 12.5 pt sets like Times at 14


@cache
def _fonts() -> str:
    """Register DejaVu Serif (four faces) once; returns the family name."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {FAMILY: "DejaVuSerif.ttf", f"{FAMILY}-Bold": "DejaVuSerif-Bold.ttf",
             f"{FAMILY}-Italic": "DejaVuSerif-Italic.ttf",
             f"{FAMILY}-BoldItalic": "DejaVuSerif-BoldItalic.ttf"}
    for name, file in faces.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=f"{FAMILY}-Bold",
                                  italic=f"{FAMILY}-Italic", boldItalic=f"{FAMILY}-BoldItalic")
    return FAMILY


def _style(size: float, *, bold: bool = False, italic: bool = False,
           align: int = TA_CENTER, indent: float = 0, after: float = 0,
           keep_with_next: bool = False) -> ParagraphStyle:
    face = FAMILY + ("-BoldItalic" if bold and italic else "-Bold" if bold
                     else "-Italic" if italic else "")
    return ParagraphStyle(f"s{size}{bold}{italic}{align}{indent}{after}", fontName=face,
                          fontSize=size, leading=size * 1.3, alignment=align,
                          firstLineIndent=indent, spaceAfter=after,
                          keepWithNext=int(keep_with_next))


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _rule(width: float, before: float = 1) -> HRFlowable:
    return HRFlowable(width=width, thickness=0.6, color=colors.black, hAlign="CENTER",
                      spaceBefore=before, spaceAfter=3)


def _fitted(text: str, largest: float, width: float, *, bold: bool = False) -> ParagraphStyle:
    """A centred style at the largest size (down to 9 pt) that sets ``text`` on one line."""
    face = f"{FAMILY}-Bold" if bold else FAMILY
    size = largest
    while size > 9 and pdfmetrics.stringWidth(text, face, size) > width:
        size -= 0.5
    return _style(size, bold=bold)


def _header(report: UpwardReport) -> Table:
    left_width, right_width = (w - 4 for w in HEADER_COLUMNS)
    left = [_p(report.superior_body, _fitted(report.superior_body, 12, left_width)),
            _p(report.issuing_body, _style(11.5, bold=True)), _rule(2.6 * cm, before=4),
            _p(report.number_line, _style(12))]
    motto = _fitted(report.motto, 12.5, right_width, bold=True)
    right = [_p(report.national_name, _fitted(report.national_name, 12, right_width, bold=True)),
             _p(report.motto, motto),
             _rule(pdfmetrics.stringWidth(report.motto, motto.fontName, motto.fontSize),
                   before=4),
             _p(report.place_date, _style(12.5, italic=True))]
    table = Table([[left, right]], colWidths=HEADER_COLUMNS)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _table(block: TableBlock) -> list[Flowable]:
    cell = _style(9.5)
    cell_left = _style(9.5, align=TA_LEFT)
    head = _style(9.5, bold=True)
    total = _style(9.5, bold=True, align=TA_LEFT)
    rows = [[_p(text, head) for text in block.header]]
    for n, row in enumerate(block.rows, 1):
        last = block.total_row and n == len(block.rows)
        rows.append([_p(text, (total if last else cell_left) if column == 1
                        else (head if last else cell))
                     for column, text in enumerate(row)])
    scale = TEXT_WIDTH / sum(block.widths)
    table = Table(rows, colWidths=[w * scale for w in block.widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
    return [_p(block.caption, _style(11, italic=True, after=3, keep_with_next=True)), table,
            Spacer(1, 6)]


def _chart(caption: str, chart: bytes) -> Flowable:
    image = Image(io.BytesIO(chart))
    ratio = image.imageHeight / image.imageWidth
    image.drawWidth, image.drawHeight = CHART_WIDTH, CHART_WIDTH * ratio
    return KeepTogether([image, _p(caption, _style(11, italic=True, after=6))])


def _closing(report: UpwardReport) -> Table:
    left: list[Flowable] = [_p("Nơi nhận:", _style(11, bold=True, italic=True, align=TA_LEFT))]
    left += [_p(line, _style(10, align=TA_LEFT)) for line in report.recipients]
    right: list[Flowable] = []
    signature = report.signature
    if signature is not None:
        bold = _style(12.5, bold=True)
        if signature.capacity:
            right.append(_p(signature.capacity, bold))
        right += [_p(signature.title, bold), Spacer(1, 2.6 * cm), _p(signature.name, bold)]
    table = Table([[left, right]], colWidths=(8.0 * cm, 8.5 * cm))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return KeepTogether([Spacer(1, 8), table])


def render_pdf(report: UpwardReport, chart: bytes) -> bytes:
    _fonts()
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, topMargin=2.0 * cm, bottomMargin=2.0 * cm, leftMargin=3.0 * cm,
        rightMargin=1.5 * cm, title=f"{report.doc_type} {report.subject}"[:250],
        author=report.issuing_body, lang="vi-VN")
    body = _style(BODY_SIZE, align=TA_JUSTIFY, indent=1.0 * cm, after=5)
    heading = _style(BODY_SIZE, bold=True, align=TA_JUSTIFY, indent=1.0 * cm, after=5,
                     keep_with_next=True)
    story: list[Flowable] = [
        _header(report), Spacer(1, 14),
        _p(report.doc_type, _style(13, bold=True)),
        _p(report.subject, _style(13, bold=True)), _rule(5.0 * cm, before=5), Spacer(1, 6)]
    for block in report.blocks:
        if isinstance(block, Heading):
            story.append(_p(block.text, heading))
        elif isinstance(block, Body):
            story.append(_p(block.text, body))
        elif isinstance(block, TableBlock):
            story += _table(block)
        elif isinstance(block, ChartBlock):
            story.append(_chart(block.caption, chart))
    story.append(_closing(report))
    document.build(story)
    return out.getvalue()
