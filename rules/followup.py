"""Following a direction to its deadline (theo dõi giải quyết): its state as a pure function.

A direction (chỉ đạo) is what the head concluded or directed on one case of the reception log,
the agency that must handle it and by when. Its state on ``today`` follows from its facts alone:

- ``answered`` (đã trả lời công dân): the citizen was given the result;
- ``resolved`` (đã giải quyết): the agency reported the result, the citizen not yet answered;
- ``overdue`` (quá hạn): not resolved and the deadline has passed;
- ``due_soon`` (sắp đến hạn): not resolved, at most ``soon`` working days left;
- ``not_due`` (chưa đến hạn): otherwise.

"On time" (đúng hạn) means resolved on or before the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from rules.time_limits import NOTICE_LIMIT, TimeLimit, deadline, limit_by_id
from rules.workcalendar import WorkCalendar

State = Literal["not_due", "due_soon", "overdue", "resolved", "answered"]
STATES: tuple[State, ...] = ("not_due", "due_soon", "overdue", "resolved", "answered")
STATE_VI: dict[State, str] = {
    "not_due": "chưa đến hạn",
    "due_soon": "sắp đến hạn",
    "overdue": "quá hạn",
    "resolved": "đã giải quyết",
    "answered": "đã trả lời công dân",
}
OPEN_STATES: tuple[State, ...] = ("not_due", "due_soon", "overdue")
DEFAULT_SOON = 3  # working days before the deadline from which a direction is "sắp đến hạn"


@dataclass(frozen=True, slots=True)
class DirectionFacts:
    """What is known of one direction: its deadline and what has been done."""

    id: int
    received_on: date  # the day the case was received (the session's date)
    due: date  # the deadline (hạn giải quyết)
    resolved_on: date | None = None  # the agency's result (ngày giải quyết)
    answered_on: date | None = None  # the citizen told the result (ngày trả lời công dân)
    notified_on: date | None = None  # the written notice of acceptance or transfer (QĐ 11)


def state_of(
    facts: DirectionFacts, today: date, calendar: WorkCalendar, *, soon: int = DEFAULT_SOON
) -> State:
    """The state of a direction on ``today`` (a fact dated after today is not yet true)."""
    if facts.answered_on is not None and facts.answered_on <= today:
        return "answered"
    if facts.resolved_on is not None and facts.resolved_on <= today:
        return "resolved"
    if today > facts.due:
        return "overdue"
    if working_days_left(facts.due, today, calendar) <= soon:
        return "due_soon"
    return "not_due"


def working_days_left(due: date, today: date, calendar: WorkCalendar) -> int:
    """Working days after ``today`` up to and including ``due`` (0 on the day itself or after)."""
    if due <= today:
        return 0
    return len(calendar.working_days(date.fromordinal(today.toordinal() + 1), due))


def on_time(facts: DirectionFacts) -> bool | None:
    """Resolved by the deadline? None while not resolved."""
    if facts.resolved_on is None:
        return None
    return facts.resolved_on <= facts.due


def due_date(
    calendar: WorkCalendar,
    received_on: date,
    limit: TimeLimit,
    *,
    accepted_on: date | None = None,
) -> date:
    """The deadline of ``limit`` for a case received on ``received_on``; a limit that runs from
    acceptance (thụ lý) counts from ``accepted_on``, or from receipt while it is not known."""
    start = accepted_on if limit.runs_from == "accepted" and accepted_on is not None else received_on
    return deadline(calendar, start, limit)


def notice_due(calendar: WorkCalendar, received_on: date) -> date:
    """The last day to tell the petitioner in writing (10 working days, Quy định 11-QĐi/TW)."""
    return deadline(calendar, received_on, limit_by_id(NOTICE_LIMIT))


def notice_pending(facts: DirectionFacts, today: date) -> bool:
    """The written notice to the citizen is still owed: not sent, nothing answered yet."""
    return facts.notified_on is None and (facts.answered_on is None or facts.answered_on > today)


def conclusion_due(calendar: WorkCalendar, held_on: date, within: int) -> date:
    """The last day for a held session's conclusion notice: ``within`` working days after it."""
    return calendar.add_working_days(held_on, within)
