"""Words and number forms shared by the report's renderers (Vietnamese, as people read them)."""

from __future__ import annotations

from rules.compliance import Totals, UnitReport
from rules.report import Report
from rules.report_periods import ROMAN

FATE_VI = {
    "made_up": "Đã tiếp bù",
    "makeup_planned": "Đã lên lịch tiếp bù",
    "makeup_cancelled": "Buổi tiếp bù cũng không tổ chức",
    "not_made_up": "Chưa tiếp bù",
    "withdrawn": "Bỏ khi lập lại lịch (không phải tiếp bù)",
}
STATE_VI = {"closed": "Đã qua", "open": "Đang diễn ra", "future": "Chưa đến"}
TITLE = "BÁO CÁO KẾT QUẢ TIẾP CÔNG DÂN ĐỊNH KỲ CỦA NGƯỜI ĐỨNG ĐẦU"

# The statistics table, laid out like a provincial report: (header, sub-headers or None).
STAT_HEADERS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("STT", None),
    ("Đơn vị", None),
    ("Số kỳ", None),
    ("Số buổi phải tiếp", None),
    ("Đã tiếp", ("Tổng số", "Định kỳ", "Tiếp bù", "Đột xuất")),
    ("Hoãn/không tổ chức", None),
    ("Lượt", None),
    ("Người", None),
    ("Vụ việc", None),
    ("Đoàn đông người", None),
    ("Đơn", None),
    ("Số kỳ không đạt", None),
    ("Tỷ lệ kỳ đạt", None),
)


def stat_values(t: Totals) -> list[int | float | None]:
    """The numbers of a statistics row after STT and the name, in STAT_HEADERS order."""
    return [
        t.periods_judged,
        t.required,
        t.held,
        t.periodic,
        t.makeup,
        t.adhoc,
        t.cancelled,
        t.visits,
        t.people,
        t.cases,
        t.groups,
        t.petitions,
        t.shortfalls,
        t.compliance,
    ]


def number(n: int | None) -> str:
    """ "1.234" (Vietnamese thousands separator)."""
    return "" if n is None else f"{n:,}".replace(",", ".")


def percent(x: float | None, digits: int = 1) -> str:
    """ "85,3%"; "–" when there is nothing to rate."""
    return "–" if x is None else f"{x * 100:.{digits}f}".replace(".", ",") + "%"


def decimal(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}".replace(".", ",")


def period_title(report: Report) -> str:
    """The report's period as people write it: "tháng 02/2027", "quý I/2027", "6 tháng đầu năm
    2027", "năm 2027", or "từ 01/01/2027 đến 31/03/2027"."""
    rng = report.range
    name = rng.name or ""
    if not name:
        return rng.label[0].lower() + rng.label[1:]
    year, _, part = name.partition("-")
    if not part:
        return f"năm {year}"
    if part.startswith("Q"):
        return f"quý {ROMAN[int(part[1]) - 1]}/{year}"
    if part == "H1":
        return f"6 tháng đầu năm {year}"
    if part == "H2":
        return f"6 tháng cuối năm {year}"
    if part.upper() == "9M":
        return f"9 tháng năm {year}"
    return f"tháng {part}/{year}"


def scope_name(report: Report) -> str:
    return report.scope.name if report.scope is not None else "Tất cả các đơn vị"


def level_name(report: Report, level_id: str) -> str:
    level = report.levels.get(level_id)
    return level.name if level is not None else level_id


def tree_order(report: Report) -> list[tuple[UnitReport, int]]:
    """The units as a supervisor reads them: each root, then the units under it, depth first;
    siblings by id. With the depth, for indenting."""
    by_id = {u.unit.id: u for u in report.units}
    out: list[tuple[UnitReport, int]] = []
    stack = [(uid, 0) for uid in sorted(report.roots, reverse=True)]
    while stack:
        uid, depth = stack.pop()
        out.append((by_id[uid], depth))
        stack.extend((c, depth + 1) for c in reversed(report.children.get(uid, ())))
    return out


def unit_chart_items(report: Report, limit: int = 40) -> tuple[list[tuple[str, float | None, str]], int]:
    """What the by-unit chart shows: under the scope (or the roots), each unit with everything
    under it, lowest compliance first; at most ``limit`` of them, and how many were left out."""
    names = {u.unit.id: u.unit.name for u in report.units}
    if report.scope is not None:
        ids = [report.scope.id, *report.children.get(report.scope.id, ())]
    else:
        ids = report.roots
    items: list[tuple[str, float | None, str]] = []
    for uid in ids:
        t = report.rollups[uid]
        own = report.scope is not None and uid == report.scope.id and len(ids) > 1
        if own:
            t = report.unit_report(uid).totals
        name = names[uid] + (" (bản thân)" if own else "")
        note = f"({t.units} đơn vị)" if t.units > 1 else ""
        items.append((name, t.compliance, note))
    items.sort(key=lambda i: (i[1] if i[1] is not None else 2.0, i[0]))
    return items[:limit], max(0, len(items) - limit)
