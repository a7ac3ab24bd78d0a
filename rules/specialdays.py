"""The special days of a year (ngày nghỉ lễ, Tết, ngày nghỉ hoán đổi, ngày làm bù): every public
holiday or day off on a weekday, and every weekend day that is a working day, each with where it
comes from (``tiepdan holidays``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from rules.vietnamese import dmy
from rules.workcalendar import _SUBSTITUTE, DayNote, WorkCalendar, _in_sentence

Origin = Literal["config", "government", "holidays"]


@dataclass(frozen=True, slots=True)
class SpecialDay:
    date: date
    working: bool
    name: str
    source: str | None
    origin: Origin


def _swapped_saturdays(calendar: WorkCalendar, year: int) -> dict[date, date]:
    """python-holidays' working Saturdays of ``year`` -> the weekday off they make up for."""
    out = {}
    d, one = date(year, 1, 1), timedelta(days=1)
    while d.year == year:
        raw = calendar.library_name(d) or ""
        for part in raw.split("; "):
            m = _SUBSTITUTE.match(part)
            if m:
                out[date(int(m.group(3)), int(m.group(2)), int(m.group(1)))] = d
        d += one
    return out


def special_days(calendar: WorkCalendar, year: int) -> list[SpecialDay]:
    swaps: dict[date, date] | None = None
    out = []
    d, one = date(year, 1, 1), timedelta(days=1)
    while d.year == year:
        working = calendar.is_working_day(d)
        weekend = d.weekday() >= 5
        holiday = calendar.holiday(d)
        if holiday is None and weekend != working:
            d += one
            continue
        note: DayNote | None
        origin: Origin
        if d in calendar.workdays or d in calendar.days_off:
            note, origin = calendar.workdays.get(d) or calendar.days_off[d], "config"
        elif d in calendar.government_work or d in calendar.government_off:
            note, origin = calendar.government_work.get(d) or calendar.government_off[d], "government"
        else:
            note, origin = None, "holidays"
        name = note.name if note is not None and note.name else holiday
        if name is None and working and weekend and origin == "holidays":
            if swaps is None:
                swaps = _swapped_saturdays(calendar, year)
            off = swaps.get(d)
            if off is not None:
                name = f"Làm bù cho {_in_sentence(off)} {dmy(off)}"
        if name is None:
            name = "Ngày làm việc bù" if working else "Ngày nghỉ"
        source = note.source if note is not None and note.source else None
        out.append(SpecialDay(d, working, name, source, origin))
        d += one
    return out
