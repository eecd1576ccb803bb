"""The upward report as a Word document laid out as Decree 30/2020/NĐ-CP asks: A4, margins
20/20/30/15 mm, Times New Roman 13-14 pt; the issuing body top left and the national name and
motto top right, each with its rule beneath; the title centred; recipients bottom left and the
signature bottom right."""

from __future__ import annotations

import io

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from services.plans.domain.upward_report import (
    Body,
    ChartBlock,
    Heading,
    TableBlock,
    UpwardReport,
)

FONT = "Times New Roman"
TEXT_WIDTH_CM = 16.5  # A4 width less the 30 mm and 15 mm margins
HEADER_COLUMNS_CM = (6.5, 10.0)
CHART_WIDTH_CM = 16.0


def _font(run_or_style: object, size: float, bold: bool = False, italic: bool = False) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name, font.size, font.bold, font.italic = FONT, Pt(size), bold, italic


def _set_east_asian_font(document: object) -> None:
    """Word picks the font of Vietnamese letters from the complex-script and East Asian slots
    too: name it in every slot of the Normal style."""
    style = document.styles["Normal"]  # type: ignore[attr-defined]
    _font(style, 14)
    fonts = style.element.rPr.rFonts
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _line(container: Document | _Cell, text: str, size: float, *, bold: bool = False,
          italic: bool = False, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
          after: float = 0) -> Paragraph:
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(0)
    _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def _rule(container: Document | _Cell, width_cm: float, column_cm: float) -> None:
    """A short centred horizontal rule: the bottom border of an empty paragraph indented
    from both sides (Decree 30 draws one under the issuing body, the motto and the title)."""
    paragraph = container.add_paragraph()
    side = max(0.0, (column_cm - width_cm) / 2)
    paragraph.paragraph_format.left_indent = Cm(side)
    paragraph.paragraph_format.right_indent = Cm(side)
    paragraph.paragraph_format.space_after = Pt(4)
    paragraph.paragraph_format.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _no_borders(table: Table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _fixed_widths(table: Table, widths_cm: tuple[float, ...]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _header(document: Document, report: UpwardReport) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_widths(table, HEADER_COLUMNS_CM)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    _font(left.paragraphs[0].add_run(report.superior_body), 13)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _line(left, report.issuing_body, 13, bold=True)
    _rule(left, 2.5, HEADER_COLUMNS_CM[0])
    _line(left, report.number_line, 13)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(right.paragraphs[0].add_run(report.national_name), 13, bold=True)
    _line(right, report.motto, 14, bold=True)
    _rule(right, 5.6, HEADER_COLUMNS_CM[1])
    _line(right, report.place_date, 14, italic=True)


def _title(document: Document, report: UpwardReport) -> None:
    _line(document, "", 14, after=6)
    _line(document, report.doc_type, 14, bold=True)
    _line(document, report.subject, 14, bold=True)
    _rule(document, 5.0, TEXT_WIDTH_CM)


def _body(document: Document, text: str, *, bold: bool = False) -> None:
    paragraph = _line(document, text, 14, bold=bold, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)
    paragraph.paragraph_format.first_line_indent = Cm(1.0)


def _table(document: Document, block: TableBlock) -> None:
    _line(document, block.caption, 12, italic=True, after=3)
    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    scale = TEXT_WIDTH_CM / sum(block.widths)
    _fixed_widths(table, tuple(w * scale for w in block.widths))
    for cell, text in zip(table.rows[0].cells, block.header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), 11, bold=True)
    for n, row in enumerate(block.rows, 1):
        bold = block.total_row and n == len(block.rows)
        for column, (cell, text) in enumerate(zip(table.rows[n].cells, row, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = (WD_ALIGN_PARAGRAPH.LEFT if column == 1
                                   else WD_ALIGN_PARAGRAPH.CENTER)
            _font(paragraph.add_run(text), 11, bold=bold)
    _line(document, "", 6)


def _chart(document: Document, caption: str, chart: bytes) -> None:
    document.add_picture(io.BytesIO(chart), width=Cm(CHART_WIDTH_CM))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _line(document, caption, 12, italic=True, after=6)


def _closing(document: Document, report: UpwardReport) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _fixed_widths(table, (8.0, 8.5))
    left, right = table.rows[0].cells
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT
    _font(left.paragraphs[0].add_run("Nơi nhận:"), 12, bold=True, italic=True)
    for line in report.recipients:
        _line(left, line, 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    signature = report.signature
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if signature is None:
        return
    if signature.capacity:
        _font(right.paragraphs[0].add_run(signature.capacity), 14, bold=True)
        _line(right, signature.title, 14, bold=True)
    else:
        _font(right.paragraphs[0].add_run(signature.title), 14, bold=True)
    for _ in range(4):  # room for the signature and the seal
        _line(right, "", 14)
    _line(right, signature.name, 14, bold=True)


def render_docx(report: UpwardReport, chart: bytes) -> bytes:
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(1.5)
    _set_east_asian_font(document)
    document.core_properties.title = f"{report.doc_type} {report.subject}"[:250]
    document.core_properties.language = "vi-VN"
    _header(document, report)
    _title(document, report)
    for block in report.blocks:
        if isinstance(block, Heading):
            _body(document, block.text, bold=True)
        elif isinstance(block, Body):
            _body(document, block.text)
        elif isinstance(block, TableBlock):
            _table(document, block)
        elif isinstance(block, ChartBlock):
            _chart(document, block.caption, chart)
    _closing(document, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
