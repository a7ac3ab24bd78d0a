"""Report periods (kỳ báo cáo) by name: a month, a quarter, six months, nine months, a year.

Two cutoffs:

- ``calendar``: calendar months, quarters and years (1/7 to 30/9 for ``2026-Q3``);
- ``tt02``: the data periods of Thông tư 02/2021/TT-TTCP, which end on the 14th: Q1 = 15/12 of
  the previous year to 14/3, Q2 = 15/3-14/6, Q3 = 15/6-14/9, Q4 = 15/9-14/12; six months =
  15/12-14/6; nine months = 15/12-14/9; the year = 15/12-14/12. A month is the 15th of the
  previous month to the 14th (the monthly report the party side asks for, Kết luận 215-KL/TW),
  and the second half-year 15/6-14/12.

Names: ``2026-07`` (month), ``2026-Q3`` (quarter), ``2026-H1`` / ``2026-H2`` (six months),
``2026-9M`` (nine months), ``2026`` (year).
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rules.errors import RuleError
from rules.mandates import Level, Mandate
from rules.periods import Period
from rules.vietnamese import dmy

Cutoff = Literal["calendar", "tt02"]
CUTOFFS: tuple[Cutoff, ...] = ("calendar", "tt02")
ROMAN = ("I", "II", "III", "IV")

_NAME = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])|H([12])|(9M)))?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ReportRange:
    """The dates a report covers, and how a person calls them."""

    first: date
    last: date
    name: str | None = None  # "2026-Q3"; None for a --from/--to range
    title: str = ""  # "Quý III năm 2026"
    cutoff: Cutoff = "calendar"

    @property
    def label(self) -> str:
        """ "Quý III năm 2026 (từ 15/06/2026 đến 14/09/2026)"."""
        span = f"từ {dmy(self.first)} đến {dmy(self.last)}"
        return f"{self.title} ({span})" if self.title else span[0].upper() + span[1:]

    def contains(self, d: date) -> bool:
        return self.first <= d <= self.last

    @property
    def by_end(self) -> bool:
        """TT 02 cut-offs: a month (a week) is judged in the report period in which it ends."""
        return self.cutoff == "tt02"

    @property
    def rule(self) -> str:
        """Which periods of the mandate the report judges, said in the report itself."""
        if self.by_end:
            return (
                "Theo kỳ số liệu của Thông tư 02/2021/TT-TTCP (từ ngày 15 tháng trước đến ngày 14): mỗi "
                "tháng (tuần) được xét trong đúng một kỳ báo cáo, là kỳ chứa ngày cuối cùng của tháng "
                "(tuần) đó; số buổi đã tiếp của tháng được đếm cả tháng."
            )
        return "Xét các tháng (tuần) nằm trọn trong kỳ báo cáo."

    def judged_periods(self, level: Level) -> list[tuple[Period, Mandate]]:
        """The periods of ``level``'s mandates this report judges: those wholly inside the range
        (calendar cut-offs, and a --from/--to range), or with TT 02 cut-offs those that end in
        it, so that the quarters of a year judge every month once and add up to the year."""
        if not self.by_end:
            return level.judged_periods(self.first, self.last)
        # A period ending on or after ``first`` began at most 31 days before it.
        early = level.judged_periods(self.first - timedelta(days=31), self.last)
        return [(p, m) for p, m in early if p.end >= self.first]


def custom_range(first: date, last: date) -> ReportRange:
    if first > last:
        raise RuleError(f"--from {first.isoformat()} sau --to {last.isoformat()}")
    return ReportRange(first, last)


def _month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def _tt02_start(year: int, month: int) -> date:
    """The 15th of the month before ``month`` (a TT 02 data period starts there)."""
    return date(year - 1, 12, 15) if month == 1 else date(year, month - 1, 15)


def named_range(name: str, cutoff: Cutoff = "calendar") -> ReportRange:
    """The range of a period name; raises RuleError naming what is wrong."""
    if cutoff not in CUTOFFS:
        raise RuleError(f"--cutoff phải là 'calendar' hoặc 'tt02', không phải {cutoff!r}")
    text = name.strip()
    m = _NAME.match(text)
    if not m:
        raise RuleError(
            f"kỳ báo cáo {name!r} không hợp lệ: dùng 2026-07 (tháng), 2026-Q3 (quý), "
            "2026-H1/2026-H2 (6 tháng), 2026-9M (9 tháng) hoặc 2026 (năm)"
        )
    year = int(m.group(1))
    if not 1900 < year < 2200:
        raise RuleError(f"kỳ báo cáo {name!r}: năm {year} không hợp lệ")
    tt02 = cutoff == "tt02"
    month, quarter, half, nine = m.group(2), m.group(3), m.group(4), m.group(5)
    if month is not None:
        mo = int(month)
        if not 1 <= mo <= 12:
            raise RuleError(f"kỳ báo cáo {name!r}: tháng {mo} không hợp lệ")
        key, title = f"{year:04d}-{mo:02d}", f"Tháng {mo:02d}/{year}"
        first = _tt02_start(year, mo) if tt02 else date(year, mo, 1)
        last = date(year, mo, 14) if tt02 else _month_end(year, mo)
    elif quarter is not None:
        q = int(quarter)
        key, title = f"{year:04d}-Q{q}", f"Quý {ROMAN[q - 1]} năm {year}"
        first = _tt02_start(year, 3 * q - 2) if tt02 else date(year, 3 * q - 2, 1)
        last = date(year, 3 * q, 14) if tt02 else _month_end(year, 3 * q)
    elif half is not None:
        h = int(half)
        key = f"{year:04d}-H{h}"
        title = f"6 tháng {'đầu' if h == 1 else 'cuối'} năm {year}"
        first = _tt02_start(year, 6 * h - 5) if tt02 else date(year, 6 * h - 5, 1)
        last = date(year, 6 * h, 14) if tt02 else _month_end(year, 6 * h)
    elif nine is not None:
        key, title = f"{year:04d}-9M", f"9 tháng năm {year}"
        first = _tt02_start(year, 1) if tt02 else date(year, 1, 1)
        last = date(year, 9, 14) if tt02 else date(year, 9, 30)
    else:
        key, title = f"{year:04d}", f"Năm {year}"
        first = _tt02_start(year, 1) if tt02 else date(year, 1, 1)
        last = date(year, 12, 14) if tt02 else date(year, 12, 31)
    return ReportRange(first, last, key, title, cutoff)


def months_between(first: date, last: date) -> list[tuple[date, date]]:
    """Each calendar month that overlaps [first, last], clipped to it."""
    out: list[tuple[date, date]] = []
    start = first
    while start <= last:
        end = min(_month_end(start.year, start.month), last)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def previous_range(rng: ReportRange) -> ReportRange:
    """The period a report compares itself with (kỳ trước): the month, quarter or year before;
    for six months the other half (H1 -> the previous year's H2); for nine months the same nine
    months of the previous year; for a --from/--to range the as many days just before it. Named
    periods go through ``named_range`` again, so the cutoff rule is the same for both."""
    if rng.name is None:
        days = rng.last - rng.first
        last = rng.first - timedelta(days=1)
        return custom_range(last - days, last)
    m = _NAME.match(rng.name)
    assert m is not None
    year = int(m.group(1))
    month, quarter, half, nine = m.group(2), m.group(3), m.group(4), m.group(5)
    if month is not None:
        mo = int(month)
        name = f"{year - 1:04d}-12" if mo == 1 else f"{year:04d}-{mo - 1:02d}"
    elif quarter is not None:
        q = int(quarter)
        name = f"{year - 1:04d}-Q4" if q == 1 else f"{year:04d}-Q{q - 1}"
    elif half is not None:
        name = f"{year - 1:04d}-H2" if half == "1" else f"{year:04d}-H1"
    elif nine is not None:
        name = f"{year - 1:04d}-9M"
    else:
        name = f"{year - 1:04d}"
    return named_range(name, rng.cutoff)
