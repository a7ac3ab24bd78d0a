"""Use case: the report (báo cáo) — read the sessions of the units, hand them to the rules.

The only part of the report that touches the database. It reads the sessions of the range, the
direct make-up of each cancelled or not-held one (wherever it falls), and, for an open report,
the units' later sessions (so that proposed make-up days do not clash with them).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, Select, case, func, select

from rules import RuleError
from rules.breakdown import LogFigures, LogRow, log_figures
from rules.compliance import LOST, SessionRecord
from rules.dialogue_report import build_dialogues, report_years
from rules.followup_report import build_followup
from rules.received import delegated
from rules.report import Report, build_report
from rules.report_periods import Cutoff, ReportRange, custom_range, named_range, previous_range
from rules.units import Person, Unit
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import LogEntryRow, SessionRow
from scheduler.infra.since import service_since
from scheduler.reads.dialogue_mandates import unit_mandates
from scheduler.usecases.dialogues import dialogue_records
from scheduler.usecases.direction_reads import direction_records

_T = SessionRow.__table__
_L = LogEntryRow.__table__
_COLUMNS = (
    _T.c.id, _T.c.unit_id, _T.c.kind, _T.c.status, _T.c.date, _T.c.visits, _T.c.people, _T.c.cases,
    _T.c.petitions, _T.c.groups, _T.c.received_by, _T.c.received_in_person,
    # The reason matters only for a lost session: the others' are not read (fewer strings built).
    case((_T.c.status.in_(LOST), _T.c.reason), else_=None), _T.c.replaces_id, _T.c.needs_makeup,
)  # fmt: skip


def resolve_range(
    config: Config, *, period: str | None, first: date | None, last: date | None, cutoff: str | None
) -> ReportRange:
    """The range of ``--period`` (with the cutoff of ``--cutoff`` or the configuration) or of
    ``--from``/``--to``; raises a one-line error for anything else."""
    if period is not None:
        if first is not None or last is not None:
            raise RuleError("dùng --period hoặc --from/--to, không dùng cả hai")
        chosen: Cutoff = cutoff or config.report_cutoff  # type: ignore[assignment]
        return named_range(period, chosen)
    if first is None or last is None:
        raise RuleError("cần --period, hoặc cả --from và --to")
    return custom_range(first, last)


def load_records(
    conn: Connection,
    unit_ids: Sequence[str] | None,
    first: date,
    last: date,
    heads: Mapping[str, Person] | None = None,
) -> list[SessionRecord]:
    """The sessions of the units (None: every unit) dated in [first, last], each lost one with
    its direct make-up. Read as plain tuples: a national year is some 300,000 rows.

    A record's ``received_by`` is set only when someone other than the head received (the
    choice recorded; for a session recorded before it, free text that is not the head's own
    name or title, as ``heads`` has them)."""
    q = select(*_COLUMNS).where(_T.c.date >= first, _T.c.date <= last)
    rows = rows_in(
        conn, q, _T.c.unit_id, unit_ids, fetch=lambda part: _fetch(conn, part, scan=unit_ids is None)
    )
    lost_ids = [r[0] for r in rows if r[3] in LOST]
    makeups = _makeups_of(conn, lost_ids) if lost_ids else {}
    logs = _logs_of(conn, unit_ids, first, last)
    none3 = (None, None, None)
    record = SessionRecord
    # ISO strings (SQLite) or dates (PostgreSQL) -> dates, once per distinct day.
    day = {v: v if isinstance(v, date) else date.fromisoformat(v) for v in {r[4] for r in rows}}
    heads = heads or {}
    nobody = Person()

    def other(rb: str | None, rip: bool | None, unit: str) -> str | None:
        if rip is None and not rb:
            return None
        return (rb or "—") if delegated(rip, rb, heads.get(unit, nobody)) else None

    return [
        record(
            i,
            u,
            k,
            st,
            day[d],
            v,
            p,
            c,
            pe,
            g,
            other(rb, rip, u),
            rs,
            rp,
            bool(nm),
            *makeups.get(i, none3),
            logs.get(i),
        )  # type: ignore[call-arg]  # the star covers made_up_by, made_up_date, made_up_status
        for i, u, k, st, d, v, p, c, pe, g, rb, rip, rs, rp, nm in rows
    ]


def _logs_of(
    conn: Connection, unit_ids: Sequence[str] | None, first: date, last: date
) -> dict[int, LogFigures]:
    """{held session id: the figures of its reception log}, for the sessions in [first, last]
    that have one. Read grouped by what the figures tell apart, not row by row."""
    grouped: dict[int, list[LogRow]] = {}
    q = (
        select(
            _L.c.session_id,
            func.count(),
            func.sum(_L.c.people),
            _L.c.is_group,
            _L.c.new_case,
            _L.c.classification,
            _L.c.handling,
        )
        .join(_T, _T.c.id == _L.c.session_id)
        .where(_T.c.date >= first, _T.c.date <= last, _T.c.status == "held")
        .group_by(_L.c.session_id, _L.c.is_group, _L.c.new_case, _L.c.classification, _L.c.handling)
    )
    for sid, n, people, group, new, classification, handling in rows_in(conn, q, _L.c.unit_id, unit_ids):
        row = LogRow(int(people or 0), bool(group), bool(new), classification or "", handling or "", n)
        grouped.setdefault(sid, []).append(row)
    return {sid: log_figures(rows) for sid, rows in grouped.items()}


def _fetch(conn: Connection, q: Select[Any], *, scan: bool) -> Sequence[Any]:
    """All rows of ``q`` as tuples. On SQLite straight from the driver's cursor (dates stay ISO
    strings), and with ``scan`` through the table rather than the date index: a national range
    is most of the table, and going through the index doubles the work."""
    if conn.dialect.name != "sqlite":
        return conn.execute(q).all()
    sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if scan:
        sql = sql.replace("FROM sessions", "FROM sessions NOT INDEXED", 1)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _makeups_of(conn: Connection, lost_ids: list[int]) -> dict[int, tuple[int, date, str]]:
    """{lost session id: (its make-up's id, date, status)}."""
    q = select(_T.c.id, _T.c.replaces_id, _T.c.date, _T.c.status)
    return {
        replaced: (made_id, d, status)
        for made_id, replaced, d, status in rows_in(conn, q, _T.c.replaces_id, lost_ids)
    }


def active_dates_after(conn: Connection, unit_ids: Sequence[str], after: date) -> dict[str, set[date]]:
    """Each unit's planned or held session dates after ``after``."""
    out: dict[str, set[date]] = {}
    q = select(_T.c.unit_id, _T.c.date).where(_T.c.date > after, _T.c.status.in_(("planned", "held")))
    for unit_id, d in rows_in(conn, q, _T.c.unit_id, list(unit_ids)):
        out.setdefault(unit_id, set()).add(d)
    return out


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while a report is built and written. A national
    report allocates a million small objects that form no cycles; the collector walking them
    over and over again costs a third of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _judged_from(config: Config, units: Sequence[Unit], rng: ReportRange) -> date:
    """The first day of the periods ``rng`` judges: with TT 02 cut-offs a month that began
    before the report did is judged in it, and its sessions are read too."""
    return min(
        (p.start for lv in {u.level for u in units} for p, _ in rng.judged_periods(config.levels[lv])),
        default=rng.first,
    )


def make_report(
    engine: Engine,
    config: Config,
    rng: ReportRange,
    *,
    today: date,
    unit_id: str | None = None,
    with_previous: bool = True,
) -> Report:
    """The report of a unit and every unit under it (or of all units) over ``rng``, with the
    same figures for the period before (``Report.previous``)."""
    units: list[Unit] = config.subtree(unit_id) if unit_id is not None else list(config.units)
    scope = config.unit(unit_id) if unit_id is not None else None
    ids = [u.id for u in units] if unit_id is not None else None
    before = previous_range(rng) if with_previous else None
    with reading(engine) as conn:
        since = service_since(conn, config)
        heads = {u.id: u.head for u in units}
        records = load_records(conn, ids, min(_judged_from(config, units, rng), rng.first), rng.last, heads)
        taken: dict[str, set[date]] = {}
        if rng.contains(today):
            owing = sorted({r.unit for r in records if r.fate == "not_made_up" and r.date >= rng.first})
            taken = active_dates_after(conn, owing, rng.last)
        directions = direction_records(conn, ids, rng.first, rng.last)
        years = report_years(rng.first, rng.last, rng.name)
        lo = min([rng.first, *(date(y, 1, 1) for y in years)])
        hi = max([rng.last, *(date(y, 12, 31) for y in years)])
        dialogues = dialogue_records(conn, ids, lo, hi)
        earlier = (
            load_records(
                conn, ids, min(_judged_from(config, units, before), before.first), before.last, heads
            )
            if before is not None
            else None
        )
    previous = (
        build_report(units, config.levels, earlier, before, today=today, scope=scope, since=since)
        if before is not None and earlier is not None
        else None
    )
    report = build_report(
        units,
        config.levels,
        records,
        rng,
        today=today,
        scope=scope,
        calendar=config.calendar,
        taken=taken,
        since=since,
    )
    # Beside the sessions' figures: the directions' follow-up, counts only.
    followup = build_followup(units, directions, rng.first, rng.last, today=today)
    # And the dialogue conferences: held against required, by level and kind (counts only).
    dialogue_figures = build_dialogues(
        units, unit_mandates(config, [u.id for u in units]), dialogues, rng.first, rng.last, years=years
    )
    # The supervising units outside the report, by name (the CSV names a unit's parent).
    outside = {u.parent for u in units if u.parent} - {u.id for u in units}
    names = {uid: config.units_by_id[uid].name for uid in outside if uid in config.units_by_id}
    return replace(report, followup=followup, dialogues=dialogue_figures, previous=previous, names=names)
