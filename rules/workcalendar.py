"""Which days an office works: python-holidays, then the configuration's own days off and workdays.

A date is a working day when it is listed in ``workdays``; otherwise not when it is listed in
``days_off``; otherwise as the Government decided it, when the project's table of the
Government's decisions (``government``: rules/government.toml) has the date; otherwise exactly
when python-holidays says so (weekends and public holidays, observed and substitute days off
included, are days off; its substitute working Saturdays are working days).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from rules.errors import RuleError
from rules.vietnamese import WEEKDAYS, dm, dmy

# python-holidays' Vietnamese names, as a Văn phòng writes them (WORDING.md).
_NAME_FIXES = (
    ("Nguyên Đán", "Nguyên đán"),
    ("Ngày Giỗ Tổ Hùng Vương", "Giỗ Tổ Hùng Vương"),
)
_SUBSTITUTE = re.compile(r"^Ngày nghỉ \(thay cho ngày (\d{2})/(\d{2})/(\d{4})\)$")


def _in_sentence(d: date) -> str:
    """The weekday inside a sentence: "thứ Bảy" (WORDING.md)."""
    name = WEEKDAYS[d.weekday()]
    return "t" + name[1:] if name.startswith("Thứ") else name


def holiday_name(name: str) -> str:
    """A python-holidays name as Vietnamese writes it: "Tết Nguyên đán", "Ngày Quốc khánh",
    "Ngày nghỉ hoán đổi (làm bù thứ Bảy 22/08/2026)"."""
    names = []
    for part in name.split("; "):
        m = _SUBSTITUTE.match(part)
        if m:
            worked = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            part = f"Ngày nghỉ hoán đổi (làm bù {_in_sentence(worked)} {dmy(worked)})"
        for old, new in _NAME_FIXES:
            part = part.replace(old, new)
        if part.startswith("Quốc khánh"):
            part = "Ngày " + part
        names.append(part)
    return "; ".join(names)


@dataclass(frozen=True, slots=True)
class DayNote:
    """A day off or a working day the configuration adds, with why (``source``: the decision)."""

    date: date
    name: str = ""
    source: str = ""

    def describe(self) -> str:
        text = self.name or "ngày nghỉ theo quyết định"
        return f"{text} ({self.source})" if self.source else text


class WorkCalendar:
    """The working-day calendar (lịch ngày làm việc) of one country plus local overrides.

    Working-day flags are computed a whole year at a time and kept: ten thousand units ask about
    the same few hundred days.
    """

    def __init__(
        self,
        country: str = "VN",
        *,
        days_off: Iterable[DayNote] = (),
        workdays: Iterable[DayNote] = (),
        government_off: Iterable[DayNote] = (),
        government_work: Iterable[DayNote] = (),
    ) -> None:
        self.country = country
        self.days_off: dict[date, DayNote] = {n.date: n for n in days_off}
        self.workdays: dict[date, DayNote] = {n.date: n for n in workdays}
        # The Government's decisions (the project's own table), beneath the configuration.
        self.government_off: dict[date, DayNote] = {n.date: n for n in government_off}
        self.government_work: dict[date, DayNote] = {n.date: n for n in government_work}
        both = sorted(set(self.days_off) & set(self.workdays))
        if both:
            raise RuleError(f"ngày {both[0].isoformat()} vừa là ngày nghỉ vừa là ngày làm việc")
        try:
            self._holidays = holidays.country_holidays(country, language="vi")
        except NotImplementedError:
            try:
                self._holidays = holidays.country_holidays(country)
            except NotImplementedError as exc:
                raise RuleError(f"python-holidays không biết mã quốc gia {country!r}") from exc
        self._flags: dict[int, bool] = {}
        self._years: set[int] = set()
        self._added: dict[tuple[int, int], date] = {}

    def _fill_year(self, year: int) -> None:
        hol = self._holidays
        d = date(year, 1, 1)
        one = timedelta(days=1)
        flags = self._flags
        gov_off, gov_work = self.government_off, self.government_work
        while d.year == year:
            if d in self.workdays:
                flags[d.toordinal()] = True
            elif d in self.days_off:
                flags[d.toordinal()] = False
            elif d in gov_work:
                flags[d.toordinal()] = True
            elif d in gov_off:
                flags[d.toordinal()] = False
            else:
                flags[d.toordinal()] = hol.is_working_day(d)
            d += one
        self._years.add(year)

    def is_working_ordinal(self, ordinal: int) -> bool:
        try:
            return self._flags[ordinal]
        except KeyError:
            self._fill_year(date.fromordinal(ordinal).year)
            return self._flags[ordinal]

    def is_working_day(self, d: date) -> bool:
        return self.is_working_ordinal(d.toordinal())

    def library_name(self, d: date) -> str | None:
        """python-holidays' own name of ``d`` (None on an ordinary day)."""
        return self._holidays.get(d)

    def holiday(self, d: date) -> str | None:
        """python-holidays' name of ``d``, as Vietnamese writes it; None on an ordinary day."""
        name = self._holidays.get(d)
        return holiday_name(name) if name else None

    def why_off(self, d: date) -> str:
        """Why ``d`` is not a working day, in Vietnamese ("trùng Tết Nguyên đán")."""
        note = self.days_off.get(d)
        if note is None and d not in self.workdays:
            note = self.government_off.get(d)
        if note is not None:
            return f"trùng {note.describe()}"
        name = self.holiday(d)
        if name:
            return f"trùng {name}"
        return f"trùng {WEEKDAYS[d.weekday()]}"

    def next_working_day(self, d: date, *, inclusive: bool = True) -> date:
        o = d.toordinal() if inclusive else d.toordinal() + 1
        while not self.is_working_ordinal(o):
            o += 1
        return date.fromordinal(o)

    def working_days(self, first: date, last: date) -> list[date]:
        return [
            date.fromordinal(o)
            for o in range(first.toordinal(), last.toordinal() + 1)
            if self.is_working_ordinal(o)
        ]

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (n >= 1), or before it for negative ``n``."""
        start = d.toordinal()
        found = self._added.get((start, n))
        if found is not None:  # a tick asks the same few days over for every unit
            return found
        step = 1 if n >= 0 else -1
        o, left = start, abs(n)
        while left:
            o += step
            if self.is_working_ordinal(o):
                left -= 1
        found = self._added[(start, n)] = date.fromordinal(o)
        return found


def moved_reason(
    calendar: WorkCalendar, nominal: date, actual: date, *, roll: str = "modified-following"
) -> str:
    """Why a session is not on its nominal day: "25/01 trùng Chủ nhật"."""
    if calendar.is_working_day(nominal):
        why = f"{dm(nominal)} đã có buổi tiếp khác"
    else:
        why = f"{dm(nominal)} {calendar.why_off(nominal)}"
    if roll == "nearest":
        why += ", chuyển sang ngày làm việc gần nhất"
    elif actual < nominal:
        why += ", không còn ngày làm việc sau đó trong kỳ nên lùi về trước"
    elif (actual.year, actual.month) != (nominal.year, nominal.month):
        why += f", chuyển sang tháng {actual.month:02d}/{actual.year}"
    return why
