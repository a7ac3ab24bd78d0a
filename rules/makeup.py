"""Make-up proposals (đề xuất ngày tiếp bù) for a session that was cancelled or not held.

Two laws pull on a make-up day: the mandate counts it only inside the lost session's period
(``in_period``), and the schedule is posted at least 5 working days ahead (Luật Tiếp công dân,
Điều 24: ``postable``). The law also says "as soon as possible", so a day that breaks either is
still proposed after the ones that keep both, and booking it is allowed with a warning
(``makeup_warning``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from rules.mandates import Level
from rules.vietnamese import dmy, line_date
from rules.workcalendar import WorkCalendar

POSTING_WORKING_DAYS = 5  # "ít nhất 05 ngày làm việc" (Luật Tiếp công dân, Điều 24)
POSTING_BASIS = "Luật Tiếp công dân, Điều 24"


def earliest_postable(today: date, calendar: WorkCalendar) -> date:
    """The first day a session announced today is still announced 5 working days ahead."""
    return calendar.add_working_days(today, POSTING_WORKING_DAYS)


@dataclass(frozen=True, slots=True)
class MakeupProposal:
    """A proposed make-up day: a free working day, inside the cancelled session's period when
    there still is one (so the mandate still holds), else as soon as possible after it;
    ``postable`` when it is at least 5 working days away (it can still be posted in time)."""

    date: date
    in_period: bool
    postable: bool = True

    @property
    def label(self) -> str:
        where = "trong kỳ" if self.in_period else "ngoài kỳ, kỳ sẽ thiếu ngày tiếp"
        posted = "" if self.postable else f", chưa đủ {POSTING_WORKING_DAYS:02d} ngày làm việc để niêm yết"
        return f"{line_date(self.date)} ({where}{posted})"


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
    itself (the head is away that day). Inside the period first: those that can still be posted
    5 working days ahead, then those that cannot, each the nearest to the cancelled date first
    (the later of two ties). Then the first free working days after the period.
    """
    period = level.period_of(cancelled)
    earliest = today + timedelta(days=1)
    posting = earliest_postable(today, calendar)
    inside = (
        [
            d
            for d in calendar.working_days(max(period.start, earliest), period.end)
            if d not in taken and d != cancelled
        ]
        if earliest <= period.end
        else []
    )
    inside.sort(key=lambda d: (d < posting, abs((d - cancelled).days), -d.toordinal()))
    proposals = [MakeupProposal(d, True, d >= posting) for d in inside[:count]]
    d = max(period.end + timedelta(days=1), earliest)
    while len(proposals) < count:
        d = calendar.next_working_day(d)
        if d not in taken and d != cancelled:
            proposals.append(MakeupProposal(d, False, d >= posting))
        d += timedelta(days=1)
    return proposals


def makeup_warning(
    day: date,
    cancelled: date,
    *,
    level: Level,
    calendar: WorkCalendar,
    taken: Collection[date],
    today: date,
) -> str | None:
    """What a make-up on ``day`` breaks, as one line for the clerk (None: nothing).

    Outside the period while free days are left inside it: the period will end short. Less than
    5 working days ahead: it cannot be posted in time. Both are allowed ("as soon as possible")."""
    out: list[str] = []
    period = level.period_of(cancelled)
    if day not in period:
        start = max(period.start, today + timedelta(days=1))
        free = (
            [d for d in calendar.working_days(start, period.end) if d not in taken and d != cancelled]
            if start <= period.end
            else []
        )
        if free:
            out.append(
                f"ngày {dmy(day)} ngoài {period.label}, {period.label} sẽ thiếu ngày tiếp "
                f"dù còn {len(free)} ngày làm việc trống trong kỳ (sớm nhất {dmy(free[0])})"
            )
    if day < earliest_postable(today, calendar):
        out.append(
            f"ngày {dmy(day)} chưa đủ {POSTING_WORKING_DAYS:02d} ngày làm việc để niêm yết lịch "
            f"trước (sớm nhất {dmy(earliest_postable(today, calendar))}; {POSTING_BASIS})"
        )
    return "Lưu ý: " + "; ".join(out) if out else None
