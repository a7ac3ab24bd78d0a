"""Who is told what about a direction, and when (nhắc hạn giải quyết): the policy as data.

Pure functions, the clock passed in as ``today``. The same shape as every other alert:

- on working days only: every step is a number of working days from the deadline;
- a decreasing cadence: before the deadline at ``before`` working days (3, then 1), after it at
  ``after`` working days (1, 3, 8, 15: each gap longer than the last), and the last step says it
  is the last word;
- no duplicates: a step has a key (the state alerted on, the step, the deadline it counted from);
  the outbox writes a key once, and after an outage only the latest step due is sent;
- it stops when the fact it chases is true (resolved; the citizen notified) — a fact dated
  later than today is not yet true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from rules.followup import DirectionFacts
from rules.workcalendar import WorkCalendar

Purpose = Literal["direction_due", "direction_overdue", "notice_due", "notice_overdue", "conclusion_missing"]


@dataclass(frozen=True, slots=True)
class FollowupPolicy:
    """Working days before (positive) and after the deadline at which to tell."""

    before: tuple[int, ...] = (3, 1)
    after: tuple[int, ...] = (1, 3, 8, 15)
    # Whom the agency's e-mail is for: the agency hears of its own deadline and overdue steps.
    tell_agency: bool = True


DEFAULT_POLICY = FollowupPolicy()


@dataclass(frozen=True, slots=True)
class FollowupAlert:
    """One step to tell: the key is (purpose, step, deadline)."""

    purpose: Purpose
    step: int  # working days before (negative) or after (positive) the deadline
    deadline: date
    on: date  # the working day the step falls on
    last: bool = False  # the last word: no further reminder will come

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.purpose, self.step, self.deadline.isoformat())


def _steps(deadline: date, calendar: WorkCalendar, policy: FollowupPolicy) -> list[tuple[int, date]]:
    before = [(-n, calendar.add_working_days(deadline, -n)) for n in sorted(set(policy.before), reverse=True)]
    after = [(n, calendar.add_working_days(deadline, n)) for n in sorted(set(policy.after))]
    return before + after


def latest_step(
    purposes: tuple[Purpose, Purpose],
    deadline: date,
    today: date,
    calendar: WorkCalendar,
    policy: FollowupPolicy,
) -> FollowupAlert | None:
    """The latest step on or before ``today`` (only on a working day), or None."""
    if not calendar.is_working_day(today):
        return None
    steps = _steps(deadline, calendar, policy)
    due = [(step, on) for step, on in steps if on <= today]
    if not due:
        return None
    step, on = due[-1]
    last_step = steps[-1][0]
    return FollowupAlert(purposes[0] if step < 0 else purposes[1], step, deadline, on, last=step == last_step)


def direction_alert(
    facts: DirectionFacts, today: date, calendar: WorkCalendar, policy: FollowupPolicy = DEFAULT_POLICY
) -> FollowupAlert | None:
    """The reminder of a direction's deadline due on ``today``, or None once it is resolved."""
    if facts.resolved_on is not None and facts.resolved_on <= today:
        return None
    if facts.answered_on is not None and facts.answered_on <= today:
        return None
    return latest_step(("direction_due", "direction_overdue"), facts.due, today, calendar, policy)


def notice_alert(
    facts: DirectionFacts,
    notice_deadline: date,
    today: date,
    calendar: WorkCalendar,
    policy: FollowupPolicy = DEFAULT_POLICY,
) -> FollowupAlert | None:
    """The reminder of the written notice to the citizen (10 working days, Quy định 11-QĐi/TW),
    or None once it was sent or the citizen already has the answer."""
    for fact in (facts.notified_on, facts.answered_on):
        if fact is not None and fact <= today:
            return None
    return latest_step(("notice_due", "notice_overdue"), notice_deadline, today, calendar, policy)


def conclusion_alert(
    held_on: date,
    notice_deadline: date,
    issued: bool,
    today: date,
    calendar: WorkCalendar,
    policy: FollowupPolicy = DEFAULT_POLICY,
) -> FollowupAlert | None:
    """A held session still without its conclusion notice after the configured working days:
    told from the first working day after the deadline, on the ``after`` steps."""
    if issued or today <= notice_deadline or held_on > today:
        return None
    alert = latest_step(
        ("conclusion_missing", "conclusion_missing"),
        notice_deadline,
        today,
        calendar,
        FollowupPolicy(before=(), after=policy.after),
    )
    return alert


@dataclass(frozen=True, slots=True)
class ConclusionDigest:
    """One message to a unit about all its held sessions still without a conclusion notice.

    The state told is the unit's oldest such session and the step of the cadence counted from
    its deadline: a session issued moves the state on (new news); a new session joining the
    list does not restart the cadence, so an office that never issues hears it ``len(after)``
    times, the last saying so (and copied to the superior), not once a session a step."""

    oldest: int  # the session id the cadence counts from
    step: int  # working days after the oldest's deadline
    on: date
    last: bool
    sessions: tuple[tuple[int, date, date], ...]  # (id, held on, deadline), oldest first

    @property
    def state(self) -> str:
        return f"oldest={self.oldest}:step={self.step}"


def conclusion_digest(
    missing: list[tuple[int, date, date]],
    today: date,
    calendar: WorkCalendar,
    policy: FollowupPolicy = DEFAULT_POLICY,
) -> ConclusionDigest | None:
    """``missing``: (session id, held on, deadline) of a unit's held sessions past their
    conclusion deadline without a notice (issued ones left out). None when nothing is due today."""
    late = sorted((m for m in missing if today > m[2] and m[1] <= today), key=lambda m: (m[2], m[0]))
    if not late:
        return None
    oldest = late[0]
    alert = latest_step(
        ("conclusion_missing", "conclusion_missing"),
        oldest[2],
        today,
        calendar,
        FollowupPolicy(before=(), after=policy.after),
    )
    if alert is None:
        return None
    return ConclusionDigest(oldest[0], alert.step, alert.on, alert.last, tuple(late))
