"""The page of an administrative document in Word: the party format and the state format.

- Party (Hướng dẫn 36-HD/VPTW, 2018): "ĐẢNG CỘNG SẢN VIỆT NAM" top right, bold, underlined,
  size 15; the superior body and the issuing body top left (the issuing body bold), a star under
  them, the number with a hyphen ("Số 12-TB/TU"); place and date in italics; "THÔNG BÁO" bold;
  no national motto; "Nơi nhận" underlined.
- State (Nghị định 30/2020/NĐ-CP, Phụ lục I): "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" bold 12 upper
  case, "Độc lập - Tự do - Hạnh phúc" bold 13 with a rule as long as it; the issuing body bold
  with a short rule; "Số: 12/TB-UBND"; "Nơi nhận:" bold italic 12; page numbers from page 2,
  centred in the top margin.

Both: A4 portrait, Times New Roman, margins top and bottom 20 mm, left 30 mm, right 15 mm (the
low ends of NĐ 30's ranges, which HD 36 shares), body 14.

The header blocks and the signature are borderless two-column tables with fixed widths: Word and
LibreOffice then put them at the same place, which the tests check on the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import cast

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from notifiers.notice_bodies import letterhead_lines
from notifiers.safe import docx_text
from notifiers.views import Issue
from rules.units import Body

FONT = "Times New Roman"
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15
HEAD_LEFT_MM, HEAD_RIGHT_MM = 70, TEXT_WIDTH_MM - 70
SIGN_LEFT_MM, SIGN_RIGHT_MM = 80, TEXT_WIDTH_MM - 80
BODY_SIZE = 14

Container = DocumentObject | _Cell


def new_document(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    _set_fonts(doc)
    _page_numbers(section)
    props = doc.core_properties
    props.title = title
    props.language = "vi-VN"
    props.author = ""
    props.comments = ""
    return doc


def _rfonts(rpr: object) -> None:
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def _set_fonts(doc: DocumentObject) -> None:
    # The default template's theme fonts (Calibri, Cambria) would win over a style's font in
    # some places (table cells, headers); set Times New Roman on the document defaults and on
    # every style we use, for all four script slots, and Vietnamese as the language.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _rfonts(rpr)
    for name in ("Normal", "Header", "Footer", "Table Grid"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        style.font.name = FONT
        _rfonts(style.element.get_or_add_rPr())
        lang = style.element.get_or_add_rPr().find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            style.element.get_or_add_rPr().append(lang)
        lang.set(qn("w:val"), "vi-VN")
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A field (PAGE) as Word writes it: begin, instruction, separate, result, end."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run("2")
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _page_numbers(section: object) -> None:
    # Page numbers from page 2, centred in the top margin: the first page gets its own, empty
    # header.
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    header = section.header  # type: ignore[attr-defined]
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(p, "PAGE")
    for run in p.runs:
        run.font.size = Pt(BODY_SIZE)


def paragraph(
    where: Container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float = BODY_SIZE,
    align: str = "center",
    before: float = 0,
    after: float = 0,
    first_line: float | None = None,
    reuse: bool = False,
) -> Paragraph:
    """One paragraph in a document or a cell (``reuse``: the cell's first, empty paragraph)."""
    p = where.paragraphs[0] if reuse else where.add_paragraph()
    p.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if first_line is not None:
        fmt.first_line_indent = Mm(first_line)
    if text:
        add_run(p, text, bold=bold, italic=italic, underline=underline, size=size)
    return p


def add_run(
    p: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float = BODY_SIZE,
) -> None:
    run = p.add_run(docx_text(text))  # a pasted \x0b or NUL would make lxml refuse the document
    run.bold, run.italic, run.underline = bold, italic, underline
    run.font.size = Pt(size)
    run.font.name = FONT
    _rfonts(run._r.get_or_add_rPr())


def rule(where: Container, *, length_mm: float, box_mm: float, after: float = 0) -> Paragraph:
    """A short horizontal rule under the paragraph above, centred in a box ``box_mm`` wide: the
    bottom border of an empty 1-point paragraph indented from both sides (Word and LibreOffice
    size an empty paragraph by its mark's font)."""
    p = where.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt = p.paragraph_format
    side = max(0.0, (box_mm - length_mm) / 2)
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after = Pt(0), Pt(after)
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    p_pr.insert_element_before(
        borders, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc", "w:rPr"
    )
    mark = OxmlElement("w:rPr")
    for tag in ("w:sz", "w:szCs"):
        size = OxmlElement(tag)
        size.set(qn("w:val"), "2")
        mark.append(size)
    p_pr.append(mark)
    return p


def two_columns(doc: DocumentObject, left_mm: float, right_mm: float) -> tuple[_Cell, _Cell]:
    """A borderless two-column table with fixed widths."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(table, (left_mm, right_mm))
    return table.cell(0, 0), table.cell(0, 1)


def _fixed_widths(table: Table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths_mm) * 56.7)))
    width.set(qn("w:type"), "dxa")
    old = tbl_pr.find(qn("w:tblW"))
    if old is not None:
        tbl_pr.remove(old)
    tbl_pr.append(width)
    for i, w in enumerate(widths_mm):
        table.columns[i].width = Mm(w)
        for cell in table.columns[i].cells:
            cell.width = Mm(w)


def grid_table(
    doc: DocumentObject,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    *,
    size: float = 12,
    merge_first_column: bool = False,
) -> Table:
    """A bordered table whose header row repeats on every page and whose rows do not break; with
    ``merge_first_column`` a row whose first cell is empty joins the cell above (one "Tháng" cell
    for a month's rows)."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        paragraph(cell, text, bold=True, size=size, reuse=True)
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    tr_pr.append(repeat)
    for values in rows:
        row = table.add_row()
        # A row broken across pages leaves a note's last word alone under the repeated header.
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cells = row.cells
        for j, (cell, text) in enumerate(zip(cells, values, strict=True)):
            paragraph(cell, text, size=size, align="center" if j < len(values) - 1 else "left", reuse=True)
    _fixed_widths(table, widths_mm)
    if merge_first_column:
        top = 1
        for i in range(2, len(rows) + 2):
            if i == len(rows) + 1 or rows[i - 1][0]:
                if i - 1 > top:
                    merged = table.cell(top, 0).merge(table.cell(i - 1, 0))
                    merged.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                top = i
    return cast(Table, table)  # python-docx leaves add_table untyped


def place_and_date(place: str, issued_on: date | None) -> str:
    """ "Cao Bằng, ngày 05 tháng 01 năm 2027": a day below 10 and the months 1 and 2 take a
    leading zero (NĐ 30/2020, Phụ lục I); without a date, blanks for the day of signing."""
    where = place or "........"
    if issued_on is None:
        return f"{where}, ngày      tháng      năm        "
    month = f"{issued_on.month:02d}" if issued_on.month < 3 else str(issued_on.month)
    return f"{where}, ngày {issued_on.day:02d} tháng {month} năm {issued_on.year}"


def _capitals(width_mm: float, size_pt: float, *, bold: bool = True) -> int:
    """How many Times New Roman capitals a column holds: about 0.65 em each in bold, 0.6 in
    regular, less the cells' padding."""
    return int((width_mm - 4) / (size_pt * 0.3528 * (0.65 if bold else 0.6)))


def letterhead(
    doc: DocumentObject, body: Body, *, superior: str, issuer: str, place: str, issue: Issue
) -> None:
    left, right = two_columns(doc, HEAD_LEFT_MM, HEAD_RIGHT_MM)
    date_line = place_and_date(place, issue.issued_on)
    if body == "party":
        first = True
        for line in letterhead_lines(superior, _capitals(HEAD_LEFT_MM, 14, bold=False)) if superior else ():
            paragraph(left, line, size=14, reuse=first)
            first = False
        for line in letterhead_lines(issuer, _capitals(HEAD_LEFT_MM, 14)):
            paragraph(left, line, bold=True, size=14, reuse=first)
            first = False
        paragraph(left, "*", size=14)
        paragraph(left, issue.number, size=14, before=2)
        paragraph(right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15, reuse=True)
        paragraph(right, date_line, italic=True, size=14, before=22)
        return
    first = True
    for line in letterhead_lines(superior, _capitals(HEAD_LEFT_MM, 13, bold=False)) if superior else ():
        paragraph(left, line, size=13, reuse=first)
        first = False
    for line in letterhead_lines(issuer, _capitals(HEAD_LEFT_MM, 13)):
        paragraph(left, line, bold=True, size=13, reuse=first)
        first = False
    rule(left, length_mm=HEAD_LEFT_MM / 3, box_mm=HEAD_LEFT_MM)
    paragraph(left, issue.number, size=13, before=4)
    paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, reuse=True)
    paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13)
    # As long as the motto, as NĐ 30 asks: about 63 mm in Times New Roman bold 13.
    rule(right, length_mm=63, box_mm=HEAD_RIGHT_MM)
    paragraph(right, date_line, italic=True, size=13, before=4)


def title(doc: DocumentObject, body: Body, kind: str, summary: str) -> None:
    """ "THÔNG BÁO" and the summary line (trích yếu) under it."""
    paragraph(doc, kind.upper(), bold=True, size=16 if body == "party" else 14, before=18)
    paragraph(doc, summary, bold=True, size=14, before=2)
    if body == "party":
        paragraph(doc, "-----", size=14, after=8)
    else:
        rule(doc, length_mm=40, box_mm=TEXT_WIDTH_MM, after=8)


def text(doc: DocumentObject, content: str, *, bold_lead: str = "", after: float = 6) -> Paragraph:
    """A body paragraph: justified, first line indented, optional bold lead-in."""
    p = paragraph(doc, align="justify", after=after, first_line=10)
    if bold_lead:
        add_run(p, bold_lead, bold=True)
    add_run(p, content)
    return p


def _last_paragraph(doc: DocumentObject) -> Paragraph | None:
    """The body's last block if it is a paragraph (not a table)."""
    blocks = [el for el in doc.element.body if el.tag != qn("w:sectPr")]
    if blocks and blocks[-1].tag == qn("w:p"):
        return Paragraph(blocks[-1], doc._body)
    return None


def signature_block(doc: DocumentObject, body: Body, issue: Issue) -> None:
    """ "Nơi nhận" and the signature, on the page of the closing lines: a signer's name alone on
    a page of its own cannot be signed (nothing above it says what is signed). The closing
    paragraph is kept whole and with the table (Word and LibreOffice both keep a paragraph with
    the table after it), and the table's one row cannot break across pages."""
    closing = _last_paragraph(doc)
    if closing is not None:
        closing.paragraph_format.keep_together = True
        closing.paragraph_format.keep_with_next = True
    left, right = two_columns(doc, SIGN_LEFT_MM, SIGN_RIGHT_MM)
    tr_pr = left._tc.getparent().get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    items = list(issue.recipients)
    if body == "party":
        paragraph(left, "Nơi nhận:", underline=True, size=14, align="left", reuse=True, before=12)
        for i, item in enumerate(items):
            end = "." if i == len(items) - 1 else ","
            paragraph(left, f"- {item.rstrip(',;.')}{end}", size=12, align="left")
        size = 14.0
    else:
        paragraph(left, "Nơi nhận:", bold=True, italic=True, size=12, align="left", reuse=True, before=12)
        for i, item in enumerate(items):
            end = "." if i == len(items) - 1 else ";"
            paragraph(left, f"- {item.rstrip(',;.')}{end}", size=11, align="left")
        size = 13.0
    first = True
    for line in issue.signature.lines:
        paragraph(right, line.upper(), bold=True, size=size, reuse=first, before=12 if first else 0)
        first = False
    # Room for the signature and the seal.
    paragraph(right, issue.signature.name, bold=True, size=size, before=70, reuse=first)
