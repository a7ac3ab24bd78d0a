"""What is at risk in a report on an open period (one that contains today).

For each judged period of a unit that is under way: the sessions held so far, the planned ones
left, the past ones with no outcome recorded, the free working days left, and whether the
mandate is still met as planned (``on_track``) or can still be met by adding sessions
(``can_still_meet``). For each cancelled or not-held session that still needs a make-up: the
proposed make-up days (``propose_makeup``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, timedelta

from rules.compliance import PeriodResult, SessionRecord, UnitReport
from rules.makeup import MakeupProposal, propose_makeup
from rules.workcalendar import WorkCalendar


@dataclass(frozen=True, slots=True)
class PeriodRisk:
    unit: str
    result: PeriodResult
    free_days: int  # working days after today in the period, with no session of the unit (a
    # cancelled or not-held day does not count: the head is away that day)

    @property
    def expected(self) -> int:
        """Held, plus planned left, plus past ones not recorded yet (they may have been held)."""
        r = self.result
        return r.held + r.planned + len(r.unrecorded)

    @property
    def on_track(self) -> bool:
        return self.expected >= self.result.required

    @property
    def can_still_meet(self) -> bool:
        return self.expected + self.free_days >= self.result.required

    @property
    def short_by(self) -> int:
        return max(0, self.result.required - self.expected)


@dataclass(frozen=True, slots=True)
class PendingMakeup:
    record: SessionRecord
    proposals: tuple[MakeupProposal, ...]


def open_periods(
    report: UnitReport,
    *,
    calendar: WorkCalendar,
    taken: Collection[date] = (),
    working_days: Callable[[date, date], list[date]] | None = None,
) -> list[PeriodRisk]:
    """The unit's judged periods under way today, with what is left of them (``working_days``:
    the calendar's, memoised by the caller when it asks for many units)."""
    days = working_days or calendar.working_days
    out: list[PeriodRisk] = []
    for result in report.periods:
        if result.state != "open":
            continue
        start = result.today + timedelta(days=1)
        away = {r.date for r in result.lost}
        free = (
            sum(1 for d in days(start, result.period.end) if d not in taken and d not in away)
            if start <= result.period.end
            else 0
        )
        out.append(PeriodRisk(report.unit.id, result, free))
    return out


def pending_makeups(
    report: UnitReport, *, calendar: WorkCalendar, taken: Collection[date], today: date, count: int = 3
) -> list[PendingMakeup]:
    """Every lost session of the unit that still needs a make-up, with proposed days.

    Never a lost day (the head is away that day, and ``propose_makeup`` skips the cancelled day
    only after its period), so the unit's lost days are passed as taken.
    """
    out: list[PendingMakeup] = []
    busy = {*taken, *(r.date for r in report.lost)}
    for r in report.lost:
        if r.fate != "not_made_up":
            continue
        proposals = propose_makeup(
            r.date, level=report.level, calendar=calendar, taken=busy, today=today, count=count
        )
        out.append(PendingMakeup(r, tuple(proposals)))
    return out
