"""Compliance and statistics (kết quả tiếp công dân) of one unit over a range, from plain records.

The report, the alerts and the board share this: it reads no database and no clock. A unit is
judged period by period: every whole period of its mandate inside the range
(``Level.judged_periods``) is met when the sessions *held* in it (of any kind: periodic, make-up
or ad hoc) reach the mandate's ``min_days``.

A cancelled or not-held session has one fate, from its *direct* make-up (so that nothing is
counted twice when a make-up is itself cancelled):

    made_up            its make-up was held
    makeup_planned     its make-up is booked, not held yet
    makeup_cancelled   its make-up was itself cancelled or not held (that one has its own fate)
    not_made_up        it still needs a make-up and none is booked
    withdrawn          a re-plan withdrew it; no make-up is owed
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Literal, NamedTuple

from rules.breakdown import LOG_FIELDS, LogFigures
from rules.mandates import Level, Mandate
from rules.periods import Period
from rules.units import Pattern, Unit
from rules.vietnamese import dm
from rules.vocabulary import LOST_VI, lost_word

Kind = Literal["periodic", "makeup", "adhoc"]
Status = Literal["planned", "held", "cancelled", "not_held"]
Fate = Literal["made_up", "makeup_planned", "makeup_cancelled", "not_made_up", "withdrawn"]
COUNTS = ("visits", "people", "cases", "petitions", "groups")
LOST = ("cancelled", "not_held")


class SessionRecord(NamedTuple):
    """One stored session as the rules see it (no names of citizens, only counts).

    Immutable like a frozen dataclass, and a NamedTuple because a national year is some 300,000
    of them: it is built several times faster.
    """

    id: int
    unit: str
    kind: Kind
    status: Status
    date: date
    visits: int | None = None
    people: int | None = None
    cases: int | None = None
    petitions: int | None = None
    groups: int | None = None
    received_by: str | None = None  # set: someone other than the head received (delegated)
    reason: str | None = None  # the last decision's reason (why cancelled, not held, ...)
    replaces: int | None = None  # a make-up: the session it stands for
    needs_makeup: bool = False
    made_up_by: int | None = None  # a cancelled/not-held session: its direct make-up's id
    made_up_date: dt.date | None = None  # ... that make-up's date (dt: the field "date" shadows the type)
    made_up_status: Status | None = None  # ... and status
    log: LogFigures | None = None  # a held session's reception log, when it has one

    @property
    def delegated(self) -> bool:
        """Held by someone other than the head (người khác tiếp thay). Until the store says so in
        its own column, a "received by" name is what marks it."""
        return bool(self.received_by)

    @property
    def lost(self) -> bool:
        return self.status in LOST

    @property
    def fate(self) -> Fate | None:
        """What became of a cancelled or not-held session (None for the others)."""
        if self.status not in LOST:
            return None
        if self.made_up_by is not None:
            if self.made_up_status == "held":
                return "made_up"
            if self.made_up_status == "planned":
                return "makeup_planned"
            return "makeup_cancelled"
        return "not_made_up" if self.needs_makeup else "withdrawn"

    @property
    def made_up_early(self) -> bool:
        """Made up before the postponed day itself (the make-up was booked and held ahead)."""
        return self.fate == "made_up" and self.made_up_date is not None and self.made_up_date < self.date

    @property
    def makeup_delay(self) -> int | None:
        """Days from the lost session to its held make-up; None when it is not made up, or made up
        ahead of the day (no delay, and not a negative one that would pull an average down)."""
        if self.fate != "made_up" or self.made_up_date is None or self.made_up_date < self.date:
            return None
        return (self.made_up_date - self.date).days


class Totals(NamedTuple):
    """Additive figures: of one unit, or summed over a roll-up (a supervising unit, a level).

    Immutable; a NamedTuple so that rolling ten thousand units up is cheap. Add them with
    ``sum_totals`` (``+`` would concatenate the tuples)."""

    units: int = 0
    periods_judged: int = 0
    periods_met: int = 0
    periods_pending: int = 0  # judged periods not over yet (their end is today or later)
    required: int = 0
    missing: int = 0  # sessions short, summed over the shortfall periods
    held: int = 0
    periodic: int = 0
    makeup: int = 0
    adhoc: int = 0
    delegated: int = 0  # held, received by someone other than the head (người khác tiếp thay)
    in_person: int = 0  # held, received by the head in person (người đứng đầu trực tiếp tiếp)
    planned: int = 0  # still planned (no outcome recorded) in the range
    unrecorded: int = 0  # ... of which dated before today
    cancelled: int = 0  # cancelled or not held (the contract's figure)
    not_held: int = 0  # ... of which not held
    withdrawn: int = 0
    made_up: int = 0
    makeup_planned: int = 0
    makeup_cancelled: int = 0
    not_made_up: int = 0
    made_up_early: int = 0  # ... of which made up ahead of the postponed day
    makeup_days: int = 0  # summed delay of the made-up ones after their day (for the average)
    visits: int = 0
    people: int = 0
    cases: int = 0
    petitions: int = 0
    groups: int = 0
    # From the reception logs of held sessions (rules.breakdown): a session recorded without a
    # log adds nothing here.
    new_cases: int = 0
    old_cases: int = 0
    group_people: int = 0
    complaints: int = 0
    denunciations: int = 0
    proposals: int = 0
    other_content: int = 0
    guided: int = 0
    accepted: int = 0
    forwarded: int = 0
    undecided: int = 0

    @property
    def compliance(self) -> float | None:
        """Periods met / periods judged (None when no period was judged)."""
        return self.periods_met / self.periods_judged if self.periods_judged else None

    @property
    def average_makeup_days(self) -> float | None:
        """Average days from a postponed day to its make-up, over the make-ups held after it."""
        late = self.made_up - self.made_up_early
        return self.makeup_days / late if late else None

    @property
    def shortfalls(self) -> int:
        return self.periods_judged - self.periods_met

    def as_dict(self) -> dict[str, int]:
        return self._asdict()


TOTAL_FIELDS: tuple[str, ...] = Totals._fields
ZERO = Totals()


def sum_totals(items: Iterable[Totals]) -> Totals:
    """Field by field."""
    rows = list(items)
    if not rows:
        return ZERO
    return Totals._make(map(sum, zip(*rows, strict=True)))


class PeriodResult(NamedTuple):
    """One judged period of one unit (a NamedTuple: a national year has some 150,000)."""

    period: Period
    mandate: Mandate
    held: int
    planned: int  # planned sessions dated today or later
    unrecorded: tuple[date, ...]  # planned sessions dated before today: no outcome recorded
    lost: tuple[SessionRecord, ...]  # cancelled or not held in the period
    today: date

    @property
    def required(self) -> int:
        return self.mandate.min_days

    @property
    def met(self) -> bool:
        return self.held >= self.mandate.min_days

    @property
    def missing(self) -> int:
        return max(0, self.mandate.min_days - self.held)

    @property
    def state(self) -> Literal["closed", "open", "future"]:
        if self.period.end < self.today:
            return "closed"
        return "future" if self.today < self.period.start else "open"

    @property
    def reason(self) -> str:
        """Why the period is short, in Vietnamese (empty when it is met)."""
        if self.met:
            return ""
        parts: list[str] = []
        if self.state == "future":
            parts.append(f"kỳ chưa bắt đầu (đã lên lịch {self.planned} buổi)")
        elif self.state == "open":
            parts.append(f"kỳ đang diễn ra, còn {self.planned} buổi đã lên lịch")
        for r in self.lost:
            parts.append(lost_text(r, self.period))
        if self.unrecorded:
            days = ", ".join(dm(d) for d in self.unrecorded)
            parts.append(f"{len(self.unrecorded)} buổi chưa ghi kết quả (ngày {days})")
        scheduled = self.held + self.planned + len(self.unrecorded) + len(self.lost)
        if scheduled < self.required:
            parts.append(f"lịch chỉ có {scheduled} buổi trong kỳ, quy định {self.mandate.describe()}")
        return "; ".join(parts) or "không đủ buổi tiếp"


def lost_text(r: SessionRecord, period: Period | None = None) -> str:
    """ "buổi 10/03 đã hoãn (Bí thư đi công tác), đã tiếp bù ngày 17/03"."""
    why = f" ({r.reason})" if r.reason else ""
    fate = r.fate
    if fate == "withdrawn":
        return f"buổi {dm(r.date)} được bỏ khi lập lại lịch theo cấu hình mới"
    head = f"buổi {dm(r.date)} {lost_word(r.status)}{why}"
    later = r.made_up_date
    if fate == "made_up" and later is not None and later < r.date:
        return f"{head}, đã tiếp bù trước ngày hoãn, ngày {dm(later)}"
    if fate == "made_up" and later is not None:
        outside = period is not None and later not in period
        return f"{head}, đã tiếp bù ngày {dm(later)}" + (" (ngoài kỳ)" if outside else "")
    if fate == "makeup_planned" and later is not None:
        return f"{head}, tiếp bù dự kiến ngày {dm(later)}"
    if fate == "makeup_cancelled" and later is not None:
        return f"{head}, buổi tiếp bù ngày {dm(later)} cũng {LOST_VI['not_held']}"
    return f"{head}, chưa tiếp bù"


@dataclass(frozen=True, slots=True)
class UnitReport:
    """A unit's compliance and statistics over the report's range."""

    unit: Unit
    level: Level
    totals: Totals
    periods: tuple[PeriodResult, ...]  # the judged periods, in date order
    lost: tuple[SessionRecord, ...]  # cancelled or not held in the range, by date
    # Periods that ended before ``since`` with nothing recorded (chưa có dữ liệu): not judged.
    no_data: tuple[Period, ...] = ()

    @property
    def shortfalls(self) -> list[PeriodResult]:
        return [p for p in self.periods if not p.met]

    @property
    def shortfall_periods(self) -> list[str]:
        return sorted(p.period.key for p in self.periods if not p.met)


_BY_DATE = attrgetter("date", "id")
_EMPTY: tuple[SessionRecord, ...] = ()


def judge_unit(
    unit: Unit,
    level: Level,
    records: Sequence[SessionRecord],
    first: date,
    last: date,
    *,
    today: date,
    judged: Sequence[tuple[Period, Mandate]] | None = None,
    since: date | None = None,
) -> UnitReport:
    """Judge one unit over [first, last] from its records (any order; others' are ignored).

    Written for speed (a national report judges ten thousand units): plain counters, one pass
    over the records, then bisection per period.
    """
    uid = unit.id
    mine = sorted((r for r in records if r.unit == uid and first <= r.date <= last), key=_BY_DATE)
    return judge_sorted(unit, level, mine, first, last, today=today, judged=judged, since=since)


def judge_sorted(
    unit: Unit,
    level: Level,
    mine: Sequence[SessionRecord],
    first: date,
    last: date,
    *,
    today: date,
    judged: Sequence[tuple[Period, Mandate]] | None = None,
    since: date | None = None,
    before: Sequence[SessionRecord] = (),
) -> UnitReport:
    """``judge_unit`` for records already the unit's own, inside the range, sorted by
    (date, id) (``build_report`` groups and sorts them once for every unit).

    ``before``: the unit's records dated before ``first`` that lie in a judged period (a TT 02
    report judges a month that began before the report did); they count for that period only,
    not in the range's totals. ``since`` (the day the office began to use tiepdan): a period that
    ended before it is judged only when something was recorded for it (held, not held or
    cancelled); with nothing recorded it is "chưa có dữ liệu", in ``no_data``, and counts nowhere.
    """
    held_days: list[date] = []
    planned_days: list[date] = []
    lost: list[SessionRecord] = []
    periodic = makeup = adhoc = delegated = unrecorded = not_held = makeup_days = early = 0
    logs: list[LogFigures] = []
    visits = people = cases = petitions = groups = 0
    fates = dict.fromkeys(("made_up", "makeup_planned", "makeup_cancelled", "not_made_up", "withdrawn"), 0)
    for r in mine:
        status = r.status
        if status == "held":
            held_days.append(r.date)
            kind = r.kind
            if kind == "periodic":
                periodic += 1
            elif kind == "makeup":
                makeup += 1
            else:
                adhoc += 1
            if r.delegated:
                delegated += 1
            if r.log is not None:
                logs.append(r.log)
            visits += r.visits or 0
            people += r.people or 0
            cases += r.cases or 0
            petitions += r.petitions or 0
            groups += r.groups or 0
        elif status == "planned":
            planned_days.append(r.date)
            if r.date < today:
                unrecorded += 1
        else:
            lost.append(r)
            if status == "not_held":
                not_held += 1
            fate = r.fate
            fates[fate] += 1  # type: ignore[index]
            if fate == "made_up":
                if r.made_up_early:
                    early += 1
                else:
                    makeup_days += r.makeup_delay or 0
    periods: list[PeriodResult] = []
    no_data: list[Period] = []
    n_held, n_planned, n_lost = len(held_days), len(planned_days), len(lost)
    early_lost: list[SessionRecord] = []
    if before:
        # Counted for their periods only: the totals above are the range's.
        early_lost = [r for r in before if r.status in LOST]
        held_days = [r.date for r in before if r.status == "held"] + held_days
        planned_days = [r.date for r in before if r.status == "planned"] + planned_days
        lost = early_lost + lost
    lost_dates = [r.date for r in lost]
    recorded_days = (
        sorted([*held_days, *(r.date for r in lost if r.fate != "withdrawn")]) if since is not None else []
    )
    required = met = missing = pending = 0
    for period, mandate in judged if judged is not None else level.judged_periods(first, last):
        lo, hi = period.start, period.end
        nothing_recorded = bisect_right(recorded_days, hi) == bisect_left(recorded_days, lo)
        if since is not None and hi < since and nothing_recorded:
            no_data.append(period)
            continue
        held = bisect_right(held_days, hi) - bisect_left(held_days, lo)
        p_lo, p_hi = bisect_left(planned_days, lo), bisect_right(planned_days, hi)
        split = bisect_left(planned_days, today, p_lo, p_hi)
        in_lost = (
            tuple(lost[bisect_left(lost_dates, lo) : bisect_right(lost_dates, hi)]) if lost_dates else _EMPTY
        )
        periods.append(
            PeriodResult(period, mandate, held, p_hi - split, tuple(planned_days[p_lo:split]), in_lost, today)
        )
        need = mandate.min_days
        required += need
        if held >= need:
            met += 1
        else:
            missing += need - held
        if hi >= today:
            pending += 1
    totals = Totals(
        units=1,
        periods_judged=len(periods),
        periods_met=met,
        periods_pending=pending,
        required=required,
        missing=missing,
        held=n_held,
        periodic=periodic,
        makeup=makeup,
        adhoc=adhoc,
        delegated=delegated,
        in_person=n_held - delegated,
        planned=n_planned,
        unrecorded=unrecorded,
        cancelled=n_lost,
        not_held=not_held,
        made_up_early=early,
        makeup_days=makeup_days,
        visits=visits,
        people=people,
        cases=cases,
        petitions=petitions,
        groups=groups,
        **fates,
        **(dict(zip(LOG_FIELDS, map(sum, zip(*logs, strict=True)), strict=True)) if logs else {}),
    )
    in_range_lost = lost[len(early_lost) :]
    return UnitReport(unit, level, totals, tuple(periods), tuple(in_range_lost), tuple(no_data))


def period_results(
    level: Level, records: Iterable[SessionRecord], first: date, last: date, *, today: date
) -> tuple[PeriodResult, ...]:
    """Every judged period of [first, last] from one unit's records (any order), without the
    unit's totals: what the desk's year view reads (the same count as the report's)."""
    mine = sorted((r for r in records if first <= r.date <= last), key=_BY_DATE)
    anyone = Unit("", "", level.id, Pattern())
    return judge_sorted(anyone, level, mine, first, last, today=today).periods
