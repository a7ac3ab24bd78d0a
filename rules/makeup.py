"""Make-up proposals (đề xuất ngày tiếp bù) for a session that was cancelled or not held."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from rules.mandates import Level
from rules.vietnamese import long_date
from rules.workcalendar import WorkCalendar


@dataclass(frozen=True, slots=True)
class MakeupProposal:
    """A proposed make-up day: a free working day, inside the cancelled session's period when
    there still is one (so the mandate still holds), else as soon as possible after it."""

    date: date
    in_period: bool

    @property
    def label(self) -> str:
        where = "trong kỳ" if self.in_period else "ngoài kỳ, kỳ sẽ thiếu ngày tiếp"
        return f"{long_date(self.date)} ({where})"


def propose_makeup(
    cancelled: date,
    *,
    level: Level,
    calendar: WorkCalendar,
    taken: Collection[date],
    today: date,
    count: int = 3,
) -> list[MakeupProposal]:
    """Up to ``count`` proposals, best first.

    Days strictly after ``today`` only (a make-up has to be announced), never the cancelled day
    itself (the head is away that day). Inside the period: the
    nearest to the cancelled date first, the later of two ties. Then the first free working
    days after the period.
    """
    period = level.period_of(cancelled)
    earliest = today + timedelta(days=1)
    inside = (
        [
            d
            for d in calendar.working_days(max(period.start, earliest), period.end)
            if d not in taken and d != cancelled
        ]
        if earliest <= period.end
        else []
    )
    inside.sort(key=lambda d: (abs((d - cancelled).days), -d.toordinal()))
    proposals = [MakeupProposal(d, True) for d in inside[:count]]
    d = max(period.end + timedelta(days=1), earliest)
    while len(proposals) < count:
        d = calendar.next_working_day(d)
        if d not in taken and d != cancelled:
            proposals.append(MakeupProposal(d, False))
        d += timedelta(days=1)
    return proposals
