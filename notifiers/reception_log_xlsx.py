"""The reception log as an XLSX workbook in the layout of Mẫu số 03 (Thông tư 04/2021/TT-TTCP).

Twelve numbered columns: STT; ngày tiếp; họ tên - địa chỉ; giấy tờ tùy thân; nội dung vụ việc;
phân loại đơn/số người; cơ quan đã giải quyết; hướng xử lý in three columns (thụ lý để giải
quyết / trả lại đơn và hướng dẫn / chuyển đơn đến cơ quan có thẩm quyền, an "x" in the one
chosen); theo dõi kết quả giải quyết; ghi chú.

Plain values in, bytes out: the caller reads the database, this only lays the page out. Cells
are written as text (``data_type = "s"``), so a citizen's "=HYPERLINK(...)" stays text in
Excel instead of becoming a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from notifiers.safe import xlsx_set
from rules.vietnamese import dmy

HANDLINGS = ("accepted", "guided", "forwarded")
HEADERS = (
    "STT",
    "Ngày tiếp",
    "Họ tên - Địa chỉ",
    "CMND/CCCD/Hộ chiếu của công dân",
    "Nội dung vụ việc",
    "Phân loại đơn/Số người",
    "Cơ quan đã giải quyết",
    "Hướng xử lý",
    None,
    None,
    "Theo dõi kết quả giải quyết",
    "Ghi chú",
)
HANDLING_HEADERS = (
    "Thụ lý để giải quyết",
    "Trả lại đơn và hướng dẫn",
    "Chuyển đơn đến cơ quan, tổ chức, đơn vị có thẩm quyền",
)
WIDTHS = (6, 12, 30, 18, 40, 18, 22, 12, 12, 16, 22, 18)
_thin = Side(style="thin")
_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, horizontal="center", vertical="center")
_FONT = "Times New Roman"


@dataclass(frozen=True, slots=True)
class LogLine:
    """One row of the book, as plain values."""

    day: date
    full_name: str
    address: str
    id_number: str
    content: str
    classification: str
    people: int
    is_group: bool
    handled_by: str
    handling: str  # "" or one of HANDLINGS
    follow_up: str
    notes: str


def _text(cell: Cell | MergedCell, value: str) -> None:
    if not value:
        return  # an empty cell, as on the paper form
    xlsx_set(cell, value)  # never a formula, and no character XML cannot hold (a pasted \x0b)
    cell.data_type = "s"


def render_log_xlsx(*, office: str, first: date, last: date, lines: Sequence[LogLine]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Sổ tiếp công dân"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_options.horizontalCentered = True

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=12)
    _text(ws.cell(1, 1), office.upper())
    ws.cell(1, 1).font = Font(name=_FONT, bold=True, size=12)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=12)
    _text(ws.cell(2, 1), "SỔ TIẾP CÔNG DÂN")
    ws.cell(2, 1).font = Font(name=_FONT, bold=True, size=14)
    ws.cell(2, 1).alignment = _CENTER
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=12)
    _text(ws.cell(3, 1), f"(Mẫu số 03, Thông tư 04/2021/TT-TTCP) — từ ngày {dmy(first)} đến ngày {dmy(last)}")
    ws.cell(3, 1).font = Font(name=_FONT, italic=True, size=11)
    ws.cell(3, 1).alignment = _CENTER

    # Two header rows: "Hướng xử lý" spans its three choices; the other headers span both rows.
    top, sub, numbers = 5, 6, 7
    for col, title in enumerate(HEADERS, start=1):
        if title is not None:
            _text(ws.cell(top, col), title)
        if col not in (8, 9, 10):
            ws.merge_cells(start_row=top, start_column=col, end_row=sub, end_column=col)
    ws.merge_cells(start_row=top, start_column=8, end_row=top, end_column=10)
    for i, title in enumerate(HANDLING_HEADERS):
        _text(ws.cell(sub, 8 + i), title)
    for col in range(1, 13):
        ws.cell(numbers, col).value = col
        for row in (top, sub, numbers):
            c = ws.cell(row, col)
            c.font = Font(name=_FONT, bold=row != numbers, size=11)
            c.alignment = _CENTER
            c.border = _BORDER
        ws.column_dimensions[get_column_letter(col)].width = WIDTHS[col - 1]
    ws.row_dimensions[sub].height = 60

    for n, line in enumerate(lines, start=1):
        r = numbers + n
        ws.cell(r, 1).value = n
        # A real date (sortable, filterable in Excel), shown as 25/11/2026.
        ws.cell(r, 2).value = line.day
        ws.cell(r, 2).number_format = "DD/MM/YYYY"
        _text(ws.cell(r, 3), f"{line.full_name} - {line.address}" if line.address else line.full_name)
        _text(ws.cell(r, 4), line.id_number)
        _text(ws.cell(r, 5), line.content)
        who = f"Đoàn {line.people} người" if line.is_group else f"{line.people} người"
        _text(ws.cell(r, 6), f"{line.classification}/{who}" if line.classification else who)
        _text(ws.cell(r, 7), line.handled_by)
        for i, h in enumerate(HANDLINGS):
            _text(ws.cell(r, 8 + i), "x" if line.handling == h else "")
        _text(ws.cell(r, 11), line.follow_up)
        _text(ws.cell(r, 12), line.notes)
        for col in range(1, 13):
            c = ws.cell(r, col)
            c.font = Font(name=_FONT, size=11)
            c.border = _BORDER
            c.alignment = _CENTER if col in (1, 2, 8, 9, 10) else _WRAP

    ws.print_title_rows = f"{top}:{numbers}"
    ws.freeze_panes = f"A{numbers + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
