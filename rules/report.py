"""The compliance and statistics report (báo cáo kết quả tiếp công dân) of many units.

Pure: units, levels and plain session records in, a ``Report`` out. Each unit is judged by
``rules.compliance``; on top of that the report rolls the figures up per supervising unit (the
unit and every unit under it, through ``parent``, among the units of the report) and per level,
counts them by month for the charts, orders the units that fell short (worst first), and, when
the range contains today, says what is at risk (``rules.risk``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import add, attrgetter

from rules.compliance import SessionRecord, Totals, UnitReport, judge_sorted, sum_totals
from rules.dialogue_report import DialogueFigures
from rules.followup_report import FollowupFigures
from rules.mandates import Level
from rules.report_periods import ReportRange, months_between
from rules.risk import PendingMakeup, PeriodRisk, open_periods, pending_makeups
from rules.units import Unit
from rules.workcalendar import WorkCalendar

_BY_DATE = attrgetter("date", "id")


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One calendar month of the range (clipped to it), for the charts and the month sheet."""

    start: date
    end: date
    judged: int = 0  # unit-periods judged whose period starts in this month
    met: int = 0
    periodic: int = 0  # held sessions dated in this month, by kind
    makeup: int = 0
    adhoc: int = 0
    cancelled: int = 0  # cancelled or not held, dated in this month

    @property
    def key(self) -> str:
        return f"{self.start.year:04d}-{self.start.month:02d}"

    @property
    def compliance(self) -> float | None:
        return self.met / self.judged if self.judged else None

    @property
    def held(self) -> int:
        return self.periodic + self.makeup + self.adhoc


@dataclass(frozen=True, slots=True)
class ShortUnit:
    """A unit that fell short in periods already over."""

    report: UnitReport
    periods: tuple[str, ...]  # keys of the closed periods short of the mandate, sorted
    missing: int  # sessions short over those periods


@dataclass(frozen=True, slots=True)
class Report:
    range: ReportRange
    today: date
    scope: Unit | None  # the unit asked for (with everything under it), or None: all units
    units: tuple[UnitReport, ...]  # sorted by unit id
    levels: Mapping[str, Level]
    rollups: Mapping[str, Totals]  # unit id -> that unit plus every unit under it in the report
    children: Mapping[str, tuple[str, ...]]  # unit id -> its direct children in the report
    by_level: Mapping[str, Totals]
    total: Totals
    months: tuple[MonthRow, ...]
    risks: tuple[PeriodRisk, ...]  # open periods (when the range contains today)
    pending: tuple[PendingMakeup, ...]  # lost sessions still owing a make-up, with proposals
    followup: FollowupFigures | None = None  # directions issued, resolved, on time (counts only)
    dialogues: DialogueFigures | None = None  # hội nghị đối thoại: held against required (counts only)
    previous: Report | None = None  # the same units over the period before (kỳ trước)
    names: Mapping[str, str] = field(default_factory=dict)  # unit id -> name, units outside it too
    since: date | None = None  # the day the office began to use tiepdan (ngày bắt đầu sử dụng)

    @property
    def is_open(self) -> bool:
        return self.range.contains(self.today)

    @property
    def roots(self) -> list[str]:
        """Units of the report whose supervising unit is not in it."""
        ids = {u.unit.id for u in self.units}
        return [u.unit.id for u in self.units if u.unit.parent not in ids]

    @property
    def supervisors(self) -> list[str]:
        """Units of the report that have units under them in it, sorted by id."""
        return sorted(k for k, v in self.children.items() if v)

    @property
    def at_risk(self) -> list[PeriodRisk]:
        """Open periods not on track, the worst first."""
        return sorted(
            (r for r in self.risks if not r.on_track),
            key=lambda r: (r.can_still_meet, -r.short_by, r.unit, r.result.period.start),
        )

    @property
    def short_units(self) -> list[ShortUnit]:
        """Units short of the mandate in periods already over, worst first: most sessions
        missing, then most periods short, then lowest compliance, then id."""
        out: list[ShortUnit] = []
        for u in self.units:
            closed = [p for p in u.periods if not p.met and p.state == "closed"]
            if closed:
                out.append(
                    ShortUnit(u, tuple(sorted(p.period.key for p in closed)), sum(p.missing for p in closed))
                )
        return sorted(
            out,
            key=lambda s: (-s.missing, -len(s.periods), s.report.totals.compliance or 0.0, s.report.unit.id),
        )

    def totals_of(self, unit_id: str | None) -> Totals:
        """A unit's own totals, or (None) the report's total."""
        return self.total if unit_id is None else self.unit_report(unit_id).totals

    def unit_report(self, unit_id: str) -> UnitReport:
        for u in self.units:
            if u.unit.id == unit_id:
                return u
        raise KeyError(unit_id)


def build_report(
    units: Sequence[Unit],
    levels: Mapping[str, Level],
    records: Iterable[SessionRecord],
    rng: ReportRange,
    *,
    today: date,
    scope: Unit | None = None,
    calendar: WorkCalendar | None = None,
    taken: Mapping[str, Collection[date]] | None = None,
    since: date | None = None,
) -> Report:
    """The report of ``units`` over ``rng`` from their records.

    ``calendar`` and ``taken`` (each unit's active session dates outside the records, e.g. after
    the range) are needed only for the open-period part: free days left and make-up proposals.
    ``records`` may begin before the range: those count only for the judged periods they fall in
    (``ReportRange.judged_periods``). ``since``: periods that ended before it with nothing
    recorded are "chưa có dữ liệu" (``UnitReport.no_data``), not judged.
    """
    first, last = rng.first, rng.last
    by_unit: dict[str, list[SessionRecord]] = {u.id: [] for u in units}
    later: dict[str, set[date]] = defaultdict(set)  # active session dates after today, per unit
    month_rows = months_between(first, last)
    month_acc = [[0] * 6 for _ in month_rows]  # judged, met, periodic, makeup, adhoc, cancelled
    month_of = _month_lookup(month_rows, month_acc)
    kind_col = {"periodic": 2, "makeup": 3, "adhoc": 4}
    judged_by_level = {lv: rng.judged_periods(levels[lv]) for lv in {u.level for u in units}}
    earliest = min((p.start for judged in judged_by_level.values() for p, _ in judged), default=first)
    early: dict[str, list[SessionRecord]] = defaultdict(list)  # in a judged period, before the range
    for r in records:
        mine = by_unit.get(r.unit)
        d = r.date
        if mine is None or not first <= d <= last:
            if mine is not None and earliest <= d < first:
                early[r.unit].append(r)
            continue
        mine.append(r)
        row = month_of(d)
        status = r.status
        if status == "held":
            row[kind_col[r.kind]] += 1
            if d > today:
                later[r.unit].add(d)
        elif status == "planned":
            if d > today:
                later[r.unit].add(d)
        else:
            row[5] += 1

    # A period that began before the range (TT 02) is charted in the range's first month.
    period_rows = {
        p.start: month_of(max(p.start, first)) for judged in judged_by_level.values() for p, _ in judged
    }
    reports: list[UnitReport] = []
    for u in sorted(units, key=lambda u: u.id):
        mine = by_unit[u.id]
        mine.sort(key=_BY_DATE)
        before = early.get(u.id, [])
        before.sort(key=_BY_DATE)
        rep = judge_sorted(
            u,
            levels[u.level],
            mine,
            first,
            last,
            today=today,
            judged=judged_by_level[u.level],
            since=since,
            before=before,
        )
        reports.append(rep)
        for p in rep.periods:
            row = period_rows[p.period.start]
            row[0] += 1
            if p.held >= p.mandate.min_days:
                row[1] += 1

    children: dict[str, list[str]] = {u.id: [] for u in units}
    for u in units:
        if u.parent in children:
            children[u.parent].append(u.id)
    by_level_lists: dict[str, list[Totals]] = defaultdict(list)
    for rep in reports:
        by_level_lists[rep.unit.level].append(rep.totals)

    risks: list[PeriodRisk] = []
    pending: list[PendingMakeup] = []
    if calendar is not None and rng.contains(today):
        extra = taken or {}
        working = lru_cache(maxsize=None)(calendar.working_days)
        for rep in reports:
            uid = rep.unit.id
            busy = later.get(uid, set()) | set(extra.get(uid, ()))
            risks.extend(open_periods(rep, calendar=calendar, taken=busy, working_days=working))
            if any(r.fate == "not_made_up" for r in rep.lost):
                pending.extend(pending_makeups(rep, calendar=calendar, taken=busy, today=today))

    return Report(
        range=rng,
        today=today,
        scope=scope,
        units=tuple(reports),
        levels=levels,
        rollups=_rollups(reports),
        children={k: tuple(sorted(v)) for k, v in children.items()},
        by_level={k: sum_totals(v) for k, v in sorted(by_level_lists.items())},
        total=sum_totals(r.totals for r in reports),
        months=tuple(MonthRow(s, e, *acc) for (s, e), acc in zip(month_rows, month_acc, strict=True)),
        risks=tuple(risks),
        pending=tuple(pending),
        since=since,
    )


def _month_lookup(
    month_rows: Sequence[tuple[date, date]], acc: list[list[int]]
) -> Callable[[date], list[int]]:
    """date -> the accumulator row of its month (memoised: a year has 365 days, a report 300,000
    sessions)."""
    index = {(s.year, s.month): acc[i] for i, (s, _) in enumerate(month_rows)}
    cache: dict[date, list[int]] = {}

    def row(d: date) -> list[int]:
        found = cache.get(d)
        if found is None:
            found = cache[d] = index[(d.year, d.month)]
        return found

    return row


def _rollups(reports: Sequence[UnitReport]) -> dict[str, Totals]:
    """Each unit's totals plus those of every unit under it in the report: deepest units first,
    each adds what it has gathered to its parent once."""
    ids = {r.unit.id for r in reports}
    parent = {r.unit.id: r.unit.parent if r.unit.parent in ids else None for r in reports}
    depth: dict[str, int] = {}

    def depth_of(uid: str) -> int:
        chain = []
        node: str | None = uid
        while node is not None and node not in depth:
            chain.append(node)
            node = parent[node]
        d = depth[node] if node is not None else -1
        for n in reversed(chain):
            d += 1
            depth[n] = d
        return depth[uid]

    acc: dict[str, Totals] = {r.unit.id: r.totals for r in reports}
    for uid in sorted(ids, key=depth_of, reverse=True):
        up = parent[uid]
        if up is not None:
            acc[up] = Totals._make(map(add, acc[up], acc[uid]))
    return dict(sorted(acc.items()))
