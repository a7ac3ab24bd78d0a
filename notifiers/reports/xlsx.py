"""The report as an XLSX workbook (openpyxl): one sheet per view, numbers as numbers, Vietnamese
headers, laid out like a provincial statistics table (a title block, two header rows with
"Đã tiếp" spanning its kinds, a row of column numbers, then the data and a total row).

Sheets: Biểu tổng hợp (the annex: letterhead, breakdowns beside the previous period, signatures),
Đơn vị (every unit, supervising units first, each followed by the units under it),
Đơn vị chủ quản (roll-ups), Theo cấp, Theo tháng, Kỳ không đạt, Hoãn và tiếp bù, and for a report
on an open period Nguy cơ and Chờ tiếp bù.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import date
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from notifiers.reports import labels
from notifiers.reports.annex import Annex, annex_of
from notifiers.reports.followup import DIALOGUE_LABELS, dialogue_values, shows_dialogues
from notifiers.reports.followup import LABELS as followup_labels
from notifiers.reports.followup import values as followup_values
from notifiers.reports.sections import SECTIONS, figures, groups_text
from notifiers.safe import xlsx_set
from rules.compliance import SessionRecord, Totals
from rules.report import Report
from rules.risk import PeriodRisk
from rules.vocabulary import KIND_HEADER_VI, STATUS_CELL_VI

THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = NamedStyle(
    "td-head",
    font=Font(bold=True),
    fill=PatternFill("solid", fgColor="EDF2F7"),
    border=BOX,
    alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
)
FORMATS = {"int": "#,##0", "pct": "0.0%", "date": "DD/MM/YYYY", "blank": "General"}
MAX_INDENT = 4
FIRST_ROW = 7  # data start under the title block (1-3) and the headers (4-6)

Header = tuple[str, tuple[str, ...] | None, float]  # (label, sub-labels, column width)


def _stat_headers(lead: str) -> list[Header]:
    widths = {"STT": 6.0, "Đơn vị": 42.0}
    return [
        (lead if label == "Đơn vị" else label, subs, widths.get(label, 10.0))
        for label, subs in labels.STAT_HEADERS
    ]


def _plain(*spec: tuple[str, float]) -> list[Header]:
    return [(label, None, width) for label, width in spec]


class _Book:
    """A workbook being written: the named styles of its cells, one sheet after another."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.wb = Workbook()
        self.wb.remove(self.wb.active)  # type: ignore[arg-type]
        self.wb.add_named_style(HEAD)
        for bold in (False, True):
            font, suffix = Font(bold=bold), "-b" if bold else ""
            for kind, fmt in FORMATS.items():
                self.wb.add_named_style(
                    NamedStyle(f"td-{kind}{suffix}", font=font, border=BOX, number_format=fmt)
                )
            for indent in range(MAX_INDENT + 1):
                align = Alignment(vertical="top", wrap_text=True, indent=indent)
                self.wb.add_named_style(
                    NamedStyle(f"td-text{indent}{suffix}", font=font, border=BOX, alignment=align)
                )
        # A named style's resolved style array, by name. A national table is half a million
        # cells: ``cell.style = name`` looks the name up in a list for every cell; copying the
        # array it resolves to gives the same cell at half the cost.
        self._resolved: dict[str, Any] = {}

    def sheet(self, name: str, heading: str, headers: Sequence[Header]) -> Worksheet:
        """A sheet with the title block, the two header rows and the column numbers."""
        ws: Worksheet = self.wb.create_sheet(name)
        ncols = sum(len(subs) if subs else 1 for _, subs, _ in headers)
        last = get_column_letter(ncols)
        report = self.report
        for row, text, font in (
            (1, labels.TITLE, Font(bold=True, size=13)),
            (2, f"{heading} – {labels.scope_name(report)}", Font(bold=True, size=12)),
            (
                3,
                f"Kỳ báo cáo: {report.range.label}; số liệu tính đến {report.today:%d/%m/%Y}"
                + (f". {report.range.rule}" if report.range.by_end else ""),
                Font(italic=True),
            ),
        ):
            cell = ws.cell(row, 1)
            xlsx_set(cell, text)
            cell.font, cell.alignment = font, Alignment(horizontal="center")
            ws.merge_cells(f"A{row}:{last}{row}")
        col = 1
        for label, subs, width in headers:
            ws.cell(4, col, label)
            if subs:
                ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + len(subs) - 1)
                for i, sub in enumerate(subs):
                    ws.cell(5, col + i, sub)
                    ws.column_dimensions[get_column_letter(col + i)].width = width
                col += len(subs)
            else:
                ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
                ws.column_dimensions[get_column_letter(col)].width = width
                col += 1
        for c in range(1, ncols + 1):
            ws.cell(6, c, f"({c})")
            for r in (4, 5, 6):
                ws.cell(r, c).style = HEAD.name
        ws.row_dimensions[4].height = 30
        ws.freeze_panes = f"C{FIRST_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        if (fit := ws.sheet_properties.pageSetUpPr) is not None:
            fit.fitToPage = True
        ws.print_title_rows = "4:6"
        return ws

    def put(
        self, ws: Worksheet, row: int, values: Sequence[Any], *, bold: bool = False, indent: int = 0
    ) -> None:
        """One data row: integers with thousands, rates as percentages, dates as dates, text
        wrapped (the second column indented by ``indent``), every cell boxed."""
        suffix = "-b" if bold else ""
        resolved = self._resolved
        cell_at = ws.cell
        for c, v in enumerate(values, start=1):
            cell = cell_at(row, c)
            xlsx_set(cell, v)  # text stays text: a unit named "=..." is no live formula
            if isinstance(v, float):
                kind = "pct"
            elif isinstance(v, int):
                kind = "int"
            elif isinstance(v, date):
                kind = "date"
            elif isinstance(v, str):
                kind = f"text{min(indent, MAX_INDENT) if c == 2 else 0}"
            else:
                kind = "blank"
            name = f"td-{kind}{suffix}"
            style = resolved.get(name)
            if style is None:
                cell.style = name
                resolved[name] = cell._style  # type: ignore[union-attr]  # openpyxl's private style
            else:
                cell._style = copy(style)  # type: ignore[union-attr]

    def stat_rows(self, ws: Worksheet, rows: Sequence[tuple[str, Totals, int]], total: Totals | None) -> None:
        row = FIRST_ROW
        for i, (name, t, depth) in enumerate(rows, start=1):
            self.put(ws, row, [i, name, *labels.stat_values(t)], indent=depth)
            row += 1
        if total is not None:
            self.put(ws, row, [None, "Tổng cộng", *labels.stat_values(total)], bold=True)

    def rows(self, ws: Worksheet, rows: Sequence[Sequence[Any]]) -> None:
        """Numbered rows (STT first)."""
        for i, values in enumerate(rows, start=1):
            self.put(ws, FIRST_ROW - 1 + i, [i, *values])


def _lost_row(unit_id: str, name: str, r: SessionRecord) -> list[Any]:
    return [
        unit_id,
        name,
        r.date,
        KIND_HEADER_VI[r.kind],
        STATUS_CELL_VI[r.status],
        r.reason or "",
        labels.FATE_VI[r.fate or "withdrawn"],
        r.made_up_date,
        r.makeup_delay,
    ]


def _risk_row(k: PeriodRisk, name: str) -> list[Any]:
    p = k.result
    verdict = (
        f"Thiếu {k.short_by} buổi theo lịch; còn kịp bổ sung trong kỳ"
        if k.can_still_meet
        else "Không còn đủ ngày làm việc trong kỳ"
    )
    return [
        k.unit,
        name,
        p.period.key,
        p.required,
        p.held,
        p.planned,
        len(p.unrecorded),
        k.free_days,
        verdict,
    ]


def _upfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


ROMAN_ROWS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _annex_sheet(book: _Book, annex: Annex) -> None:
    """The first sheet, the annex a clerk prints and attaches: the letterhead, "Kèm theo Báo cáo
    số ...", the breakdowns beside the previous period, "Người lập biểu" and the signature."""
    report = book.report
    ws = book.wb.create_sheet("Biểu tổng hợp")
    widths = (7, 58, 16, 16, 14)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def line(row: int, first: str, last: str, text: str, font: Font) -> None:
        cell = ws[f"{first}{row}"]
        xlsx_set(cell, text)
        cell.font, cell.alignment = font, center
        ws.merge_cells(f"{first}{row}:{last}{row}")

    left = [*([annex.superior] if annex.superior else []), *annex.body_lines]
    for i, text in enumerate(left, start=1):
        line(i, "A", "B", text, Font(bold=text in annex.body_lines, size=12))
    line(1, "C", "E", annex.mark, Font(bold=True, size=12, underline="single" if annex.party else None))
    if annex.motto:
        line(2, "C", "E", annex.motto, Font(bold=True, size=12, underline="single"))
    top = max(len(left), 2) + 1
    line(top, "C", "E", annex.place_date, Font(italic=True, size=12))
    line(top + 2, "A", "E", annex.title, Font(bold=True, size=14))
    line(
        top + 3,
        "A",
        "E",
        f"{labels.scope_name(report)} – {labels.period_title(report)}",
        Font(bold=True, size=12),
    )
    line(top + 4, "A", "E", annex.goes_with, Font(italic=True, size=12))
    line(top + 5, "A", "E", f"Kỳ báo cáo: {report.range.label}", Font(size=11))
    head = top + 7
    previous = f"Kỳ trước ({labels.period_title(report.previous)})" if report.previous else "Kỳ trước"
    for c, text in enumerate(
        ("STT", "Nội dung", _upfirst(labels.period_title(report)), previous, "Tăng (+), giảm (−)"), start=1
    ):
        head_cell = ws.cell(head, c)
        xlsx_set(head_cell, text)
        head_cell.style = HEAD.name
    ws.row_dimensions[head].height = 32
    row = head + 1
    for n, sec in enumerate(SECTIONS):
        title = sec.title + (f": {groups_text(report.total)}" if sec.key == "groups" else "")
        book.put(
            ws, row, [ROMAN_ROWS[n] if n < len(ROMAN_ROWS) else n + 1, title, None, None, None], bold=True
        )
        row += 1
        for i, f in enumerate(figures(report, sec), start=1):
            book.put(ws, row, [i, f.line.label, f.value, f.previous, f.change])
            row += 1
    notes = [sec.note for sec in SECTIONS if sec.note]
    for text in notes:
        line(row, "A", "E", text, Font(italic=True, size=10))
        row += 1
    row += 1
    line(row, "C", "E", annex.place_date, Font(italic=True, size=12))
    row += 1
    line(row, "A", "B", "NGƯỜI LẬP BIỂU", Font(bold=True, size=12))
    signer = [t for t in (annex.sign_for, annex.signer_title) if t]
    line(row, "C", "E", signer[0], Font(bold=True, size=12))
    if len(signer) > 1:
        line(row + 1, "C", "E", signer[1], Font(bold=True, size=12))
    line(row + 2, "A", "B", "(Ký, ghi rõ họ tên)", Font(italic=True, size=10))
    line(row + 2, "C", "E", "(Ký, ghi rõ họ tên, đóng dấu)", Font(italic=True, size=10))
    line(row + 7, "A", "B", annex.prepared_by, Font(bold=True, size=12))
    line(row + 7, "C", "E", annex.signer_name, Font(bold=True, size=12))
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left, ws.page_margins.right = 1.2, 0.6  # inches: 30 mm / 15 mm (NĐ 30)


def write_xlsx(
    report: Report, out: str | Path | IO[bytes], *, number: str = "", prepared_by: str = ""
) -> None:
    book = _Book(report)
    names = {u.unit.id: u.unit.name for u in report.units}
    _annex_sheet(book, annex_of(report, number=number, prepared_by=prepared_by))

    ws = book.sheet("Đơn vị", "Kết quả theo đơn vị", _stat_headers("Đơn vị"))
    book.stat_rows(ws, [(u.unit.name, u.totals, d) for u, d in labels.tree_order(report)], report.total)

    if report.supervisors:
        ws = book.sheet("Đơn vị chủ quản", "Tổng hợp theo đơn vị chủ quản", _stat_headers("Đơn vị chủ quản"))
        rollups = [
            (f"{names[k]} ({report.rollups[k].units} đơn vị)", report.rollups[k], 0)
            for k in report.supervisors
        ]
        book.stat_rows(ws, rollups, None)

    ws = book.sheet("Theo cấp", "Tổng hợp theo cấp", _stat_headers("Cấp"))
    book.stat_rows(
        ws, [(labels.level_name(report, k), t, 0) for k, t in report.by_level.items()], report.total
    )

    ws = book.sheet(
        "Theo tháng",
        "Theo tháng",
        [
            *_plain(("STT", 6), ("Tháng", 12), ("Từ ngày", 12), ("Đến ngày", 12), ("Số kỳ đánh giá", 11)),
            *_plain(("Số kỳ đạt", 10), ("Tỷ lệ đạt", 10)),
            ("Đã tiếp", ("Tổng số", "Định kỳ", "Tiếp bù", "Đột xuất"), 10),
            *_plain(("Hoãn/không tổ chức", 12)),
        ],
    )
    book.rows(
        ws,
        [
            [f"{m.start.month:02d}/{m.start.year}", m.start, m.end, m.judged, m.met, m.compliance, m.held,
             m.periodic, m.makeup, m.adhoc, m.cancelled]
            for m in report.months
        ],
    )  # fmt: skip

    ws = book.sheet(
        "Kỳ không đạt",
        "Các kỳ không đạt mức tiếp quy định",
        _plain(("STT", 6), ("Mã đơn vị", 22), ("Đơn vị", 36), ("Kỳ", 10), ("Tình trạng kỳ", 13),
               ("Phải tiếp", 9), ("Đã tiếp", 9), ("Thiếu", 8), ("Lý do", 80)),
    )  # fmt: skip
    book.rows(
        ws,
        [
            [
                u.unit.id,
                u.unit.name,
                p.period.key,
                labels.STATE_VI[p.state],
                p.required,
                p.held,
                p.missing,
                p.reason,
            ]
            for u in report.units
            for p in u.shortfalls
        ],
    )

    ws = book.sheet(
        "Hoãn và tiếp bù",
        "Các buổi hoãn, không tổ chức và việc tiếp bù",
        _plain(("STT", 6), ("Mã đơn vị", 22), ("Đơn vị", 36), ("Ngày", 12), ("Loại buổi", 10),
               ("Tình trạng", 14), ("Lý do", 40), ("Tiếp bù", 24), ("Ngày tiếp bù", 12), ("Sau số ngày", 9)),
    )  # fmt: skip
    book.rows(ws, [_lost_row(u.unit.id, u.unit.name, r) for u in report.units for r in u.lost])

    if report.is_open:
        ws = book.sheet(
            "Nguy cơ",
            "Kỳ đang diễn ra có nguy cơ không đạt",
            _plain(("STT", 6), ("Mã đơn vị", 22), ("Đơn vị", 36), ("Kỳ", 10), ("Phải tiếp", 9),
                   ("Đã tiếp", 9), ("Còn lịch", 9), ("Chưa ghi kết quả", 10), ("Ngày làm việc còn trống", 11),
                   ("Đánh giá", 40)),
        )  # fmt: skip
        book.rows(ws, [_risk_row(k, names[k.unit]) for k in report.at_risk])
        ws = book.sheet(
            "Chờ tiếp bù",
            "Buổi hoãn, không tổ chức chưa tiếp bù và ngày đề xuất",
            _plain(("STT", 6), ("Mã đơn vị", 22), ("Đơn vị", 36), ("Ngày", 12), ("Tình trạng", 14),
                   ("Lý do", 40), ("Đề xuất ngày tiếp bù", 70)),
        )  # fmt: skip
        book.rows(
            ws,
            [
                [m.record.unit, names[m.record.unit], m.record.date, STATUS_CELL_VI[m.record.status],
                 m.record.reason or "", "; ".join(p.label for p in m.proposals)]
                for m in report.pending
            ],
        )  # fmt: skip

    if report.followup is not None:
        f = report.followup
        ws = book.sheet(
            "Theo dõi giải quyết",
            f"Kết quả giải quyết chỉ đạo sau tiếp công dân (tính đến {f.as_of:%d/%m/%Y}; "
            f"mục tiêu {f.target:.0%})",
            _plain(("STT", 6), ("Mã đơn vị", 22), ("Đơn vị", 36), *((lbl, 12) for lbl in followup_labels)),
        )
        rows = [[uid, names.get(uid, uid), *followup_values(f.units[uid])] for uid in sorted(f.units)]
        rows += [
            [k, f"{names[k]} (gồm đơn vị trực thuộc)", *followup_values(f.rollups[k])]
            for k in report.supervisors
        ]
        book.rows(ws, rows)
        book.put(ws, FIRST_ROW + len(rows), [None, "", "Tổng cộng", *followup_values(f.total)], bold=True)

    if report.dialogues is not None and shows_dialogues(report):
        d = report.dialogues
        years = f" (năm {', '.join(str(y) for y in d.years)})" if d.years else ""
        ws = book.sheet(
            "Tiếp xúc, đối thoại",
            f"Kết quả tổ chức hội nghị tiếp xúc, đối thoại{years}",
            _plain(("STT", 6), ("Mã", 22), ("Cấp, đơn vị", 36), *((lbl, 12) for _, lbl in DIALOGUE_LABELS)),
        )
        drows = [[lv, report.levels[lv].name, *dialogue_values(d.by_level[lv])] for lv in sorted(d.by_level)]
        drows += [[uid, names.get(uid, uid), *dialogue_values(t)] for uid, t in sorted(d.units.items())]
        drows += [
            [k, f"{names[k]} (gồm đơn vị trực thuộc)", *dialogue_values(d.rollups[k])]
            for k in report.supervisors
        ]
        book.rows(ws, drows)
        book.put(ws, FIRST_ROW + len(drows), [None, "", "Tổng cộng", *dialogue_values(d.total)], bold=True)

    book.wb.properties.title = f"{labels.TITLE} – {labels.scope_name(report)} – {report.range.label}"
    book.wb.properties.creator = "tiepdan"
    book.wb.save(out)
