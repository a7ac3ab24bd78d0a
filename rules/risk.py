"""What is at risk in a report on an open period (one that contains today).

For each judged period of a unit that is under way: the sessions held so far, the planned ones
left, the past ones with no outcome recorded, the free working days left, and whether the
mandate is still met as planned (``on_track``) or can still be met by adding sessions
(``can_still_meet``). For each cancelled or not-held session that still needs a make-up: the
proposed make-up days (``propose_makeup``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from rules.compliance import PeriodResult, SessionRecord, UnitReport
from rules.makeup import MakeupProposal, propose_makeup
from rules.workcalendar import WorkCalendar


@dataclass(frozen=True, slots=True)
class PeriodRisk:
    unit: str
    result: PeriodResult
    free_days: int  # working days after today, in the period, with no session of the unit

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
    report: UnitReport, *, calendar: WorkCalendar, taken: Collection[date] = ()
) -> list[PeriodRisk]:
    """The unit's judged periods under way today, with what is left of them."""
    out: list[PeriodRisk] = []
    for result in report.periods:
        if result.state != "open":
            continue
        start = result.today + timedelta(days=1)
        free = (
            sum(1 for d in calendar.working_days(start, result.period.end) if d not in taken)
            if start <= result.period.end
            else 0
        )
        out.append(PeriodRisk(report.unit.id, result, free))
    return out


def pending_makeups(
    report: UnitReport, *, calendar: WorkCalendar, taken: Collection[date], today: date, count: int = 3
) -> list[PendingMakeup]:
    """Every lost session of the unit that still needs a make-up, with proposed days."""
    return [
        PendingMakeup(
            r,
            tuple(
                propose_makeup(
                    r.date, level=report.level, calendar=calendar, taken=taken, today=today, count=count
                )
            ),
        )
        for r in report.lost
        if r.fate == "not_made_up"
    ]


def taken_dates(
    records: Collection[SessionRecord], extra: Mapping[str, Collection[date]]
) -> dict[str, set[date]]:
    """Per unit, the dates already holding an active (planned or held) session."""
    out: dict[str, set[date]] = {u: set(ds) for u, ds in extra.items()}
    for r in records:
        if r.status in ("planned", "held"):
            out.setdefault(r.unit, set()).add(r.date)
    return out
