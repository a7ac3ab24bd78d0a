"""Use case: plan a year (lập lịch năm) — store the periodic sessions the rules give.

Running it again after the configuration changed moves only planned, future sessions that the
rules now put elsewhere (each with its reason in a citizen's words and an audit row), withdraws
the ones the rules no longer give, and leaves held, cancelled, made-up, ad hoc and decided (moved
by decision) sessions alone. With nothing changed it writes nothing.

A year already planned is in use: its sessions are announced (the board, the feed, the annual
notice). A change that touches a day inside the posting window (the next 5 working days, Luật
Tiếp công dân, Điều 24) is listed but not made unless ``yes``; every change is returned
(``PlanResult.changes``) so the door can say what moved, from when to when, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, select, text, update

from rules import ConflictError, RuleError, Unit, plan_calendar
from rules.replan import WITHDRAWN, move_reason, posting_window
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db.models import AuditRow, PlanYear, SessionRow
from scheduler.infra.since import record_first_plan

_T = SessionRow.__table__
_PLAN_LOCK = 0x706C616E_0000  # pg_advisory_xact_lock key of a year's plan: "plan" + year


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """One change a plan makes (or would make) to a year in use."""

    action: str  # "move", "withdraw", "create"
    unit_id: str
    old: date | None  # the announced date (None: a new session)
    new: date | None  # None: withdrawn
    reason: str
    session_id: int | None = None
    applied: bool = True  # False: inside the posting window, waiting for ``yes``
    dry_run: bool = False

    @property
    def earlier(self) -> bool:
        """Earlier than announced: always said so."""
        return self.old is not None and self.new is not None and self.new < self.old


@dataclass(frozen=True, slots=True)
class PlanResult:
    year: int
    created: int
    moved: int
    withdrawn: int
    unchanged: int
    changes: tuple[PlannedChange, ...] = ()
    in_use: bool = False  # the year was planned before: its sessions are announced

    @property
    def held_back(self) -> tuple[PlannedChange, ...]:
        return tuple(c for c in self.changes if not c.applied)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.moved or self.withdrawn)


def _hhmm(t: time | None) -> str | None:
    return f"{t.hour:02d}:{t.minute:02d}" if t is not None else None


def plan_year(
    engine: Engine,
    config: Config,
    year: int,
    *,
    now: datetime,
    today: date,
    actor: str,
    units: list[Unit] | None = None,
    yes: bool = False,
    dry_run: bool = False,
) -> PlanResult:
    """``yes``: also make the changes inside the posting window of a year in use; ``dry_run``:
    write nothing, return what would change."""
    if not 1900 < year < 2200:
        raise RuleError(f"năm {year} không hợp lệ")
    first, last = date(year, 1, 1), date(year, 12, 31)
    chosen = units if units is not None else list(config.units)
    plan = plan_calendar(chosen, config.levels, config.calendar, first, last, default_roll=config.roll)
    unit_ids = {u.id for u in chosen}

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Two plans of one year at once (the tick job and a clerk) would both insert the
            # year: the second waits here and then finds it. (SQLite: BEGIN IMMEDIATE.)
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PLAN_LOCK + year})
        # A national registry plans some 263,000 sessions a year: rows are read and written
        # through the driver's own cursor, in the driver's own types (dates as ISO text on SQLite,
        # date objects with psycopg), and compared in those types.
        sqlite = conn.dialect.name == "sqlite"
        raw = _Raw(conn)

        # What the rules want: (unit, nominal, slot) -> (date, moved, start, end, venue), all raw.
        wanted: dict[tuple[str, Any, int], tuple[Any, str | None, str | None, str | None, str]] = {}
        for p in plan.plans:
            slots: dict[date, int] = {}
            keyed = []
            for planned in sorted(p.dates, key=lambda d: (d.nominal, d.date)):
                slot = slots.get(planned.nominal, 0)
                slots[planned.nominal] = slot + 1
                keyed.append((raw.date(planned.nominal), slot, raw.date(planned.date), planned.moved))
            for unit in p.units:
                start, end, venue = _hhmm(unit.start), _hhmm(unit.end), unit.venue
                for nominal, slot, d, moved in keyed:
                    wanted[(unit.id, nominal, slot)] = (d, moved, start, end, venue)

        cur = conn.connection.cursor()
        try:
            cur.execute(
                "SELECT id, unit_id, nominal, slot, date, status, pinned, moved, "
                'start, "end", venue, version FROM sessions '
                f"WHERE kind = 'periodic' AND nominal BETWEEN '{first}' AND '{last}'"
            )
            existing = cur.fetchall()
        finally:
            cur.close()
        already_planned = conn.execute(select(PlanYear.year).where(PlanYear.year == year)).first() is not None

        today_raw = raw.date(today)
        moves = []
        withdrawals = []
        unchanged = 0
        seen: set[tuple[str, Any, int]] = set()
        for sid, unit_id, nominal, slot, d, status, pinned, moved, start, end, venue, version in existing:
            if units is not None and unit_id not in unit_ids:
                continue
            key = (unit_id, nominal, slot)
            seen.add(key)
            want = wanted.get(key)
            editable = status == "planned" and not pinned and d >= today_raw
            if want is None:
                if editable:
                    withdrawals.append((sid, unit_id, version))
                else:
                    unchanged += 1
                continue
            if (d, moved, start, end, venue) == want:
                unchanged += 1
            elif editable and want[0] >= today_raw:
                moves.append((sid, unit_id, d, version, want))
            else:
                unchanged += 1

        # A year in use: what touches the next 5 working days waits for the office's word.
        window = posting_window(today, config.calendar)
        dates_of = {r[0]: r[4] for r in existing}
        held: list[PlannedChange] = []
        if already_planned and not yes:
            keep_moves = []
            for m in moves:
                sid, unit_id, d, _v, want = m
                old, new = raw.to_date(d), raw.to_date(want[0])
                if window.inside(old, new):
                    held.append(PlannedChange(
                        "move", unit_id, old, new, move_reason(config.calendar, old, new, want[1]),
                        sid, applied=False,
                    ))  # fmt: skip
                    unchanged += 1
                else:
                    keep_moves.append(m)
            moves = keep_moves
            keep_withdrawals = []
            for wd in withdrawals:
                sid, unit_id, _v = wd
                old = raw.to_date(dates_of[sid])
                if window.inside(old):
                    held.append(PlannedChange("withdraw", unit_id, old, None, WITHDRAWN, sid, applied=False))
                    unchanged += 1
                else:
                    keep_withdrawals.append(wd)
            withdrawals = keep_withdrawals

        # One active session per unit and day (``ux_sessions_active_day``): a day already held by
        # a session the rules do not move (an ad hoc one, a make-up, a decided move, one gone by)
        # keeps it, and the periodic session that would land on it stays where it is (or, new,
        # is not made) rather than break the plan.
        leaving = {sid for sid, *_ in moves} | {sid for sid, *_ in withdrawals}
        occupied = _occupied(conn, first, last, unit_ids if units is not None else None)
        occupied.update(
            (unit_id, d)
            for sid, unit_id, _n, _s, d, status, *_ in existing
            if status in ("planned", "held") and sid not in leaving
        )
        kept = [m for m in moves if (m[1], m[4][0]) in occupied]
        moves = [m for m in moves if (m[1], m[4][0]) not in occupied]
        unchanged += len(kept)

        # New sessions; a year already planned gets none in the past (a unit that changed its days
        # in July must not grow a second, never-held session in each month gone by).
        now_raw = raw.timestamp(now)
        no = 0 if sqlite else False
        created_rows = [
            (key[0], "periodic", "planned", d, key[1], key[2], start, end, venue, "", moved,
             no, no, 1, now_raw, now_raw)
            for key in wanted.keys() - seen
            for d, moved, start, end, venue in (wanted[key],)
            if not (already_planned and d < today_raw) and (key[0], d) not in occupied
        ]  # fmt: skip
        if already_planned and not yes:
            late = [r for r in created_rows if window.inside(raw.to_date(r[3]))]
            held += [PlannedChange("create", r[0], None, raw.to_date(r[3]), "", applied=False) for r in late]
            created_rows = [r for r in created_rows if not window.inside(raw.to_date(r[3]))]
        cal = config.calendar
        changes = list(held)
        for sid, unit_id, d, _v, want in moves:
            old, new = raw.to_date(d), raw.to_date(want[0])
            why = move_reason(cal, old, new, want[1])
            changes.append(PlannedChange("move", unit_id, old, new, why, sid, dry_run=dry_run))
        for sid, unit_id, _v in withdrawals:
            old = raw.to_date(dates_of[sid])
            changes.append(PlannedChange("withdraw", unit_id, old, None, WITHDRAWN, sid, dry_run=dry_run))
        if already_planned:  # a first plan creates the year: nothing to list
            for r in created_rows:
                changes.append(PlannedChange("create", r[0], None, raw.to_date(r[3]), "", dry_run=dry_run))
        changes.sort(key=lambda c: (c.old or c.new or date.min, c.unit_id))
        if dry_run:
            counts = (len(created_rows), len(moves), len(withdrawals), unchanged)
            return PlanResult(year, *counts, tuple(changes), already_planned)
        reasons = {c.session_id: c.reason for c in changes if c.action == "move"}
        for sid, unit_id, version in withdrawals:
            _guarded_update(
                conn, sid, version,
                status="cancelled", needs_makeup=False, version=version + 1, updated_at=now,
                reason=WITHDRAWN,
            )  # fmt: skip
            write_audit(
                conn,
                at=now,
                actor=actor,
                action="withdraw",
                session_id=sid,
                unit_id=unit_id,
                reason=WITHDRAWN,
            )
        # Moves in two steps: first every moving session lets go of its day (a status outside
        # the unique index, inside this transaction only), then each takes its new one. A session
        # may move onto the day another one leaves, or a new one onto a day a moving one leaves.
        for sid, _unit_id, _d, version, _want in moves:
            _guarded_update(conn, sid, version, status="moving")
        if created_rows:
            # In key order, the unique index (unit, nominal, slot) grows at its end: on SQLite
            # three times faster than in the rules' order.
            created_rows.sort(key=lambda r: (r[0], r[4], r[5]))
            _insert_sessions(conn, created_rows)

        for sid, unit_id, d, version, (new, moved, start, end, venue) in moves:
            _guarded_update(
                conn, sid, version,
                status="planned", date=raw.to_date(new), moved=moved, start=start, end=end, venue=venue,
                reason=reasons[sid], version=version + 1, updated_at=now,
                rescheduled_version=version + 1,
            )  # fmt: skip
            write_audit(
                conn,
                at=now,
                actor=actor,
                action="replan",
                session_id=sid,
                unit_id=unit_id,
                reason=reasons[sid],
                **{"from": raw.to_date(d).isoformat(), "to": raw.to_date(new).isoformat()},
            )
        result = PlanResult(
            year, len(created_rows), len(moves), len(withdrawals), unchanged, tuple(changes), already_planned
        )
        if not already_planned:
            conn.execute(insert(PlanYear), {"year": year, "planned_at": now})
        # The first plan (by a clerk or by tick) is the day the office began to use tiepdan.
        record_first_plan(conn, today, now)
        if result.changed:
            conn.execute(
                insert(AuditRow),
                {
                    "at": now,
                    "actor": actor,
                    "action": "plan",
                    "session_id": None,
                    "unit_id": None,
                    "reason": f"Lập lịch năm {year}",
                    "details": (
                        f'{{"year": {year}, "created": {result.created}, "moved": {result.moved}, '
                        f'"withdrawn": {result.withdrawn}}}'
                    ),
                },
            )
    return result


_INSERT_COLUMNS = (
    "unit_id", "kind", "status", "date", "nominal", "slot", "start", "end", "venue", "online_url", "moved",
    "pinned", "needs_makeup", "version", "created_at", "updated_at",
)  # fmt: skip
# Their PostgreSQL types, for a binary COPY (six times less work for the client than text).
_COPY_TYPES = (
    "varchar", "varchar", "varchar", "date", "date", "int4", "varchar", "varchar", "text", "text", "text",
    "bool", "bool", "int4", "timestamptz", "timestamptz",
)  # fmt: skip


_Day = date  # the class below has a method named "date", which shadows the type in its body


class _Raw:
    """Values as the DB-API driver takes and gives them, bypassing SQLAlchemy's conversions."""

    def __init__(self, conn: Connection) -> None:
        self.sqlite = conn.dialect.name == "sqlite"
        self._dates: dict[date, Any] = {}
        date_type = _T.c.date.type.dialect_impl(conn.dialect)
        self._date_proc = date_type.bind_processor(conn.dialect) if self.sqlite else None
        stamp_type = _T.c.created_at.type.dialect_impl(conn.dialect)
        self._stamp_proc = stamp_type.bind_processor(conn.dialect) if self.sqlite else None

    def date(self, d: date) -> Any:
        if self._date_proc is None:
            return d
        out = self._dates.get(d)
        if out is None:
            out = self._dates[d] = self._date_proc(d)  # SQLite: "2027-01-25", as SQLAlchemy stores it
        return out

    def to_date(self, value: Any) -> _Day:
        return date.fromisoformat(value) if isinstance(value, str) else value

    def timestamp(self, dt: datetime) -> Any:
        if self._stamp_proc is not None:
            return self._stamp_proc(dt)
        return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)  # times are UTC here


def _occupied(conn: Connection, first: date, last: date, unit_ids: set[str] | None) -> set[tuple[str, Any]]:
    """(unit, day) of the active sessions around the year that this plan did not read (ad hoc,
    make-ups, periodic ones of a nominal date in another year), in the driver's own types."""
    sql = (
        "SELECT unit_id, date FROM sessions WHERE status IN ('planned', 'held') "
        f"AND date BETWEEN '{first - timedelta(days=45)}' AND '{last + timedelta(days=45)}' "
        f"AND (kind <> 'periodic' OR nominal IS NULL OR nominal NOT BETWEEN '{first}' AND '{last}')"
    )
    cur = conn.connection.cursor()
    try:
        cur.execute(sql)
        rows = cur.fetchall()
    finally:
        cur.close()
    return {(unit_id, d) for unit_id, d in rows if unit_ids is None or unit_id in unit_ids}


def _insert_sessions(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{c}"' for c in _INSERT_COLUMNS)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        sql = f"COPY sessions ({names}) FROM STDIN (FORMAT BINARY)"
        with conn.connection.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[attr-defined]  # psycopg's cursor
            copy.set_types(list(_COPY_TYPES))
            for row in rows:
                copy.write_row(row)
    elif conn.dialect.name == "sqlite":
        marks = ", ".join("?" * len(_INSERT_COLUMNS))
        conn.exec_driver_sql(f"INSERT INTO sessions ({names}) VALUES ({marks})", rows)
    else:
        conn.execute(insert(_T), [dict(zip(_INSERT_COLUMNS, row, strict=True)) for row in rows])


def _guarded_update(conn: Connection, sid: int, seen_version: int, /, **values: Any) -> None:
    """Change a session only if nobody changed it since it was read (optimistic check)."""
    guarded = and_(_T.c.id == sid, _T.c.version == seen_version)
    result = conn.execute(update(_T).where(guarded).values(**values))
    if result.rowcount != 1:
        raise ConflictError(
            f"buổi tiếp số {sid} vừa được người khác thay đổi trong lúc lập lịch; hãy chạy lại tiepdan plan"
        )
