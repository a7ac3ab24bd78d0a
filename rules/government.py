"""The Government's decisions (quyết định của Chính phủ về ngày nghỉ, ngày làm bù) and the years
whose Tết was decided: plain values parsed from the project's data files (rules/government.toml,
rules/tet.toml); reading the files is the caller's job (scheduler/infra/decisions.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rules.errors import ConfigError
from rules.workcalendar import DayNote, WorkCalendar


@dataclass(frozen=True, slots=True)
class Decision:
    """One day the Government decided: off on a weekday (``working`` False) or a Saturday worked."""

    date: date
    working: bool
    name: str
    source: str

    @property
    def note(self) -> DayNote:
        return DayNote(self.date, self.name, self.source)


@dataclass(frozen=True, slots=True)
class TetDecision:
    """A year whose Tết Nguyên đán days off were decided, and the text that decided them."""

    year: int
    source: str


def parse_decisions(data: Mapping[str, Any], country: str, file: str) -> tuple[Decision, ...]:
    out = []
    for i, raw in enumerate(data.get(country, [])):
        where = f"{file}: {country}[{i}]"
        d, working = raw.get("date"), raw.get("working")
        name, source = raw.get("name"), raw.get("source")
        if not isinstance(d, date) or not isinstance(working, bool):
            raise ConfigError(f"{where}: cần date (ngày) và working (true/false)")
        if not isinstance(name, str) or not name or not isinstance(source, str) or not source:
            raise ConfigError(f"{where}: cần name và source (văn bản quyết định)")
        out.append(Decision(d, working, name, source))
    return tuple(sorted(out, key=lambda x: x.date))


def parse_tet(data: Mapping[str, Any], country: str, file: str) -> Mapping[int, TetDecision]:
    out = {}
    for i, raw in enumerate(data.get(country, [])):
        year, source = raw.get("year"), raw.get("source")
        if not isinstance(year, int) or not isinstance(source, str) or not source:
            raise ConfigError(f"{file}: {country}[{i}]: cần year và source")
        out[year] = TetDecision(year, source)
    return out


def tet_estimate_warning(year: int) -> str:
    """The one line said of a year whose Tết comes only from python-holidays' estimate."""
    return (
        f"năm {year}: ngày nghỉ Tết Nguyên đán lấy theo ước tính của thư viện python-holidays, "
        "chưa có văn bản quyết định; đề nghị kiểm tra lại khi có thông báo chính thức"
    )


def tet_is_estimate(calendar: WorkCalendar, year: int, decided: Mapping[int, TetDecision]) -> bool:
    """True when python-holidays gives ``year`` Tết Nguyên đán days and no decision on record
    fixed them: the days are the library's estimate."""
    if year in decided:
        return False
    first = date(year, 1, 15)  # Tết falls between 21 January and 20 February
    return any("Tết Nguyên" in (calendar.holiday(first + timedelta(days=i)) or "") for i in range(40))
