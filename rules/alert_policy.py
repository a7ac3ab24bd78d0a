"""The alert policy (chính sách nhắc việc và cảnh báo): who is told what, when, how often, and when
it stops, written once as data and pure functions. The outbox carries it out; it decides nothing.

Everything here is given ``today`` (or a local ``now``) and the working-day calendar; nothing reads
the clock. The rules, in short:

- **Working days only.** An alert is delivered on a working day, from ``hour`` (07:00) until
  ``DAY_END`` (21:00); one that falls due at night or on a day off waits for the next working
  morning (``delivery_time``).
- **Reminders** (nhắc lịch) go ``lead`` days before a session, moved back to the last working day
  before that when it is a day off: a Monday session's 1-day reminder goes on the Friday
  (``reminder_day``). Their words say how far off the session is (``ahead_words``).
- **A session waiting for its make-up** (chưa có lịch tiếp bù) is told at a decreasing cadence,
  counted in working days from the day it was lost: the next working day, then after 3 and 7
  working days, then every week, at most ``MAKEUP_CADENCE.stages`` times; the unit first, its
  superior from ``escalate_from`` on; the last one says that it is the last (``makeup_stage``).
  The key is the state being told: the session's version (cancelled or not held, still without a
  make-up) and the stage of the cadence, never the day it was queued, so a change at night gives
  one alert, a missed tick gives only the latest stage, and no stage is told twice.
- **Outcomes** (kết quả buổi tiếp) not recorded are asked for by the unit's staff the next working
  day and by the superior ``OUTCOME_GRACE`` working days after (``outcome_reminders``); only after
  that grace does an unrecorded session count against the mandate, and it is named "chưa ghi kết
  quả", not "không tổ chức".
- **A period** (a month or a week of the mandate) is judged once (``judge_period``, on
  ``rules.compliance.PeriodResult``): met, on track, at risk (with the free days that would save
  it), cannot be met, waiting for outcomes, ended short, or not known (before ``since``). At risk is
  told when the shortfall grows (never twice for the same shortfall, never after the period
  ended); ended short once the facts are in; a correction when a later record changes a verdict
  already told (``period_alert``). A period that ended before ``since`` is never alerted on.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from rules.compliance import PeriodResult
from rules.workcalendar import WorkCalendar

Audience = Literal["unit", "superior"]
UNIT: tuple[Audience, ...] = ("unit",)
BOTH: tuple[Audience, ...] = ("unit", "superior")

DAY_END = time(21, 0)  # nobody is texted at night
DAY_START = time(6, 0)


# Delivery ------------------------------------------------------------------------------------


def delivery_time(at: datetime, calendar: WorkCalendar, *, hour: int = 7) -> datetime:
    """When an alert that falls due at ``at`` (a local, zone-aware time) may be delivered: at once
    on a working day between ``hour`` and 21:00, else ``hour`` o'clock of the next working day
    (the same day, before ``hour``)."""
    d = at.date()
    if calendar.is_working_day(d):
        if at.time() < time(hour):
            return datetime.combine(d, time(hour), tzinfo=at.tzinfo)
        if at.time() < DAY_END:
            return at
    nxt = calendar.next_working_day(d + timedelta(days=1))
    return datetime.combine(nxt, time(hour), tzinfo=at.tzinfo)


def daytime(at: datetime, *, hour: int = 7) -> datetime:
    """For news that cannot wait for a working day (a change, a reminder): not at night. Before
    06:00 it waits for ``hour`` the same day; from 21:00, ``hour`` the next day."""
    if at.time() < DAY_START:
        return datetime.combine(at.date(), time(hour), tzinfo=at.tzinfo)
    if at.time() >= DAY_END:
        return datetime.combine(at.date() + timedelta(days=1), time(hour), tzinfo=at.tzinfo)
    return at


# Reminders -----------------------------------------------------------------------------------


def reminder_day(session: date, lead: int, calendar: WorkCalendar) -> date:
    """The day the ``lead``-day reminder of a session goes: ``lead`` days before it, or the last
    working day before that when it is a day off (a Monday session's 1-day reminder: the Friday).
    Never the session's own day for a lead of 1 or more."""
    d = session - timedelta(days=lead)
    if lead > 0 and not calendar.is_working_day(d):
        d = calendar.add_working_days(d, -1)
    return d


def ahead_words(session: date, today: date) -> str:
    """How far off the session is, in the words of the reminder: "hôm nay", "ngày mai",
    "7 ngày nữa"."""
    n = (session - today).days
    if n <= 0:
        return "hôm nay"
    if n == 1:
        return "ngày mai"
    return f"{n} ngày nữa"


# Make-up alerts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cadence:
    """When a session still waiting for a make-up is told again, in working days.

    ``first`` working days after the day it was lost, then after each of ``gaps``, then every
    ``weekly`` working days, ``stages`` times in all; from stage ``escalate_from`` the superior is
    told too. The last stage says that no more alerts will come."""

    first: int = 1
    gaps: tuple[int, ...] = (3, 7)
    weekly: int = 5
    stages: int = 8
    escalate_from: int = 3

    def offsets(self) -> tuple[int, ...]:
        """Working days after the loss of each stage: (1, 4, 11, 16, 21, 26, 31, 36)."""
        out = [self.first]
        for i in range(1, self.stages):
            gap = self.gaps[i - 1] if i - 1 < len(self.gaps) else self.weekly
            out.append(out[-1] + gap)
        return tuple(out)


MAKEUP_CADENCE = Cadence()


@dataclass(frozen=True, slots=True)
class MakeupStage:
    """One make-up alert: its stage (1 to ``stages``), the working day it is due, who is told."""

    number: int
    day: date
    audience: tuple[Audience, ...]
    last: bool
    escalated: bool


def makeup_stages(
    lost_on: date, calendar: WorkCalendar, cadence: Cadence = MAKEUP_CADENCE
) -> list[MakeupStage]:
    """Every stage of the make-up alerts of a session lost (cancelled, or recorded not held) on
    ``lost_on``, in order."""
    out: list[MakeupStage] = []
    for i, offset in enumerate(cadence.offsets(), start=1):
        escalated = i >= cadence.escalate_from
        out.append(
            MakeupStage(
                i,
                calendar.add_working_days(lost_on, offset),
                BOTH if escalated else UNIT,
                i == cadence.stages,
                escalated,
            )
        )
    return out


def makeup_stage(
    lost_on: date, today: date, calendar: WorkCalendar, cadence: Cadence = MAKEUP_CADENCE
) -> MakeupStage | None:
    """The stage due as of ``today`` (the latest whose day has come), or None before the first.

    After a missed tick only the latest stage is due: an earlier one would only repeat it. After
    the last stage it stays the last, whose key has been used: nothing more is sent."""
    due = None
    for stage in makeup_stages(lost_on, calendar, cadence):
        if stage.day > today:
            break
        due = stage
    return due


# Outcomes ------------------------------------------------------------------------------------


OUTCOME_GRACE = 3  # working days after a session for its outcome to be recorded


@dataclass(frozen=True, slots=True)
class OutcomeReminder:
    purpose: str
    day: date  # due at 17:00 that working day
    audience: tuple[Audience, ...]


def outcome_reminders(
    session: date, calendar: WorkCalendar, grace: int = OUTCOME_GRACE
) -> list[OutcomeReminder]:
    """Who is asked for a session's missing outcome, and when: the unit's staff the next working
    day, the superior on the last day of the grace."""
    return [
        OutcomeReminder("outcome_missing", calendar.add_working_days(session, 1), UNIT),
        OutcomeReminder(
            "outcome_missing_sup", calendar.add_working_days(session, max(grace, 2)), ("superior",)
        ),
    ]


def outcome_overdue(session: date, today: date, calendar: WorkCalendar, grace: int = OUTCOME_GRACE) -> bool:
    """Whether an unrecorded session's grace is over: from then on it counts against the mandate."""
    return today > calendar.add_working_days(session, grace)


# Periods -------------------------------------------------------------------------------------


Verdict = Literal[
    "future",  # not begun, and planned to meet the mandate
    "met",  # held sessions reach the mandate
    "on_track",  # under way; held + planned reach it
    "at_risk",  # under way; short as planned, the free days left can still save it
    "cannot_meet",  # under way; short even with every free day left
    "awaiting_outcomes",  # over, short as recorded, but outcomes are still within their grace
    "unknown",  # over, short only by sessions from before the service was in use: not judged
    "ended_short",  # over, short, the facts are in
]
ALERTABLE: frozenset[Verdict] = frozenset({"at_risk", "cannot_meet", "ended_short"})


@dataclass(frozen=True, slots=True)
class PeriodVerdict:
    """A period of one unit as the alerts, the desk and the reports see it (kết luận về kỳ).

    ``result`` is the one count of the period (``rules.compliance``); the rest is the judgement:
    which unrecorded sessions are still within their grace (``awaiting``), which count against the
    mandate (``overdue``: "chưa ghi kết quả"), which predate the service (``unknown``), and the free
    working days left that would save it (``free_days``)."""

    result: PeriodResult
    verdict: Verdict
    awaiting: tuple[date, ...] = ()
    overdue: tuple[date, ...] = ()
    unknown: tuple[date, ...] = ()
    free_days: tuple[date, ...] = ()
    before_since: bool = False

    @property
    def held(self) -> int:
        return self.result.held

    @property
    def required(self) -> int:
        return self.result.required

    @property
    def expected(self) -> int:
        """Held, planned, and unrecorded ones not yet counted against (they may have been held)."""
        r = self.result
        return r.held + r.planned + len(self.awaiting) + len(self.unknown)

    @property
    def short_by(self) -> int:
        return max(0, self.required - self.expected)

    @property
    def saving_days(self) -> tuple[date, ...]:
        """The free days that would save the period (as many as it is short by), first first."""
        return self.free_days[: self.short_by]

    @property
    def short(self) -> bool:
        """Short of the mandate as things stand (what the desk marks "thiếu buổi")."""
        return self.verdict in ("at_risk", "cannot_meet", "ended_short")

    @property
    def alertable(self) -> bool:
        """Alerted on: ended short, or at risk while under way (a future period is the make-up
        alert's business), and never a period that ended before the service was in use."""
        if self.before_since or self.verdict not in ALERTABLE:
            return False
        return self.verdict == "ended_short" or self.result.state == "open"


def judge_period(
    result: PeriodResult,
    calendar: WorkCalendar,
    *,
    since: date | None = None,
    taken: Collection[date] = (),
    grace: int = OUTCOME_GRACE,
) -> PeriodVerdict:
    """The verdict on one period (as of ``result.today``).

    ``taken``: the unit's days that are not free (any session of it, active or not: a cancelled
    day is a day the head is away). ``since``: the day the office began to use the service; an
    unrecorded session before it was never reminded, so it is not counted against the mandate,
    and a period that ended before it is never alerted on."""
    today = result.today
    period = result.period
    before_since = since is not None and period.end < since
    awaiting: list[date] = []
    overdue: list[date] = []
    unknown: list[date] = []
    for d in result.unrecorded:
        if since is not None and d < since:
            unknown.append(d)
        elif outcome_overdue(d, today, calendar, grace):
            overdue.append(d)
        else:
            awaiting.append(d)

    def verdict_of(v: Verdict, free: tuple[date, ...] = ()) -> PeriodVerdict:
        return PeriodVerdict(result, v, tuple(awaiting), tuple(overdue), tuple(unknown), free, before_since)

    if result.held >= result.required:
        return verdict_of("met")
    expected = result.held + result.planned + len(awaiting) + len(unknown)
    if result.state != "closed":
        if expected >= result.required:
            return verdict_of("future" if result.state == "future" else "on_track")
        lost = {r.date for r in result.lost}
        start = max(today + timedelta(days=1), period.start)
        free = (
            tuple(d for d in calendar.working_days(start, period.end) if d not in taken and d not in lost)
            if start <= period.end
            else ()
        )
        short = result.required - expected
        return verdict_of("at_risk" if len(free) >= short else "cannot_meet", free)
    # closed
    if awaiting:
        return verdict_of("awaiting_outcomes")
    if unknown and result.held + len(unknown) >= result.required:
        return verdict_of("unknown")
    return verdict_of("ended_short")


@dataclass(frozen=True, slots=True)
class PeriodAlert:
    """A period alert to queue: its purpose, the state it tells (the key's version), who is told,
    and the last day it may be delivered (None: no limit)."""

    purpose: Literal["at_risk", "ended_short", "period_update"]
    state: int
    audience: tuple[Audience, ...]
    until: date | None = None


def period_alert(v: PeriodVerdict, told: Iterable[tuple[str, int]]) -> PeriodAlert | None:
    """What to tell about a period now, given the (purpose, state) pairs already told about it.

    - at risk / cannot meet: when the shortfall is larger than any told before (recording a held
      session changes nothing; a new cancellation does), to the unit, and to the superior when
      it can no longer be met; only until the period's last day.
    - ended short: once, to the unit and its superior, with the state = sessions held.
    - a correction ("đã cập nhật"): when a verdict already told no longer holds (a late record
      changed the count held), to the same people; once per count.
    """
    told = list(told)
    if v.before_since:
        return None
    sent_ended = [s for p, s in told if p in ("ended_short", "period_update")]
    if sent_ended:
        if v.result.state == "closed" and v.verdict != "awaiting_outcomes" and v.held not in sent_ended:
            return PeriodAlert("period_update", v.held, BOTH)
        return None
    if v.verdict == "ended_short":
        return PeriodAlert("ended_short", v.held, BOTH)
    if v.verdict in ("at_risk", "cannot_meet") and v.result.state == "open":
        worst = max((s for p, s in told if p == "at_risk"), default=0)
        if v.short_by > worst:
            audience = BOTH if v.verdict == "cannot_meet" else UNIT
            return PeriodAlert("at_risk", v.short_by, audience, v.result.period.end)
    return None
