"""Use case: plan a year (lập lịch năm) — store the periodic sessions the rules give.

Running it again after the configuration changed moves only planned, future sessions that the
rules now put elsewhere (each with its reason and an audit row), withdraws the ones the rules no
longer give, and leaves held, cancelled, made-up, ad hoc and decided (moved by decision)
sessions alone. With nothing changed it writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, and_, insert, select, update

from rules import RuleError, Unit, plan_calendar
from scheduler.audit import write_audit
from scheduler.config import Config
from scheduler.db.models import AuditRow, PlanYear, SessionRow

_T = SessionRow.__table__


@dataclass(frozen=True, slots=True)
class PlanResult:
    year: int
    created: int
    moved: int
    withdrawn: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.moved or self.withdrawn)


def _hhmm(t: object) -> str | None:
    return f"{t:%H:%M}" if t is not None else None


def plan_year(
    engine: Engine,
    config: Config,
    year: int,
    *,
    now: datetime,
    today: date,
    actor: str,
    units: list[Unit] | None = None,
) -> PlanResult:
    if not 1900 < year < 2200:
        raise RuleError(f"năm {year} không hợp lệ")
    first, last = date(year, 1, 1), date(year, 12, 31)
    chosen = units if units is not None else list(config.units)
    plan = plan_calendar(chosen, config.levels, config.calendar, first, last, default_roll=config.roll)

    # What the rules want: (unit, nominal, slot) -> (date, moved, start, end, venue).
    wanted: dict[tuple[str, date, int], tuple[date, str | None, str | None, str | None, str]] = {}
    for p in plan.plans:
        slots: dict[date, int] = {}
        keyed = []
        for planned in sorted(p.dates, key=lambda d: (d.nominal, d.date)):
            slot = slots.get(planned.nominal, 0)
            slots[planned.nominal] = slot + 1
            keyed.append((planned.nominal, slot, planned))
        for unit in p.units:
            start, end = _hhmm(unit.start), _hhmm(unit.end)
            for nominal, slot, planned in keyed:
                wanted[(unit.id, nominal, slot)] = (planned.date, planned.moved, start, end, unit.venue)

    unit_ids = {u.id for u in chosen}
    with engine.begin() as conn:
        existing = conn.execute(
            select(
                _T.c.id,
                _T.c.unit_id,
                _T.c.nominal,
                _T.c.slot,
                _T.c.date,
                _T.c.status,
                _T.c.pinned,
                _T.c.moved,
                _T.c.start,
                _T.c.end,
                _T.c.venue,
                _T.c.version,
            ).where(_T.c.kind == "periodic", _T.c.nominal.between(first, last))
        ).all()
        created_rows = []
        moves = []
        withdrawals = []
        unchanged = 0
        seen: set[tuple[str, date, int]] = set()
        for row in existing:
            key = (row.unit_id, row.nominal, row.slot)
            if row.unit_id not in unit_ids and units is not None:
                continue
            seen.add(key)
            want = wanted.get(key)
            editable = row.status == "planned" and not row.pinned and row.date >= today
            if want is None:
                if editable:
                    withdrawals.append(row)
                else:
                    unchanged += 1
                continue
            if (row.date, row.moved, row.start, row.end, row.venue) == want:
                unchanged += 1
            elif editable and want[0] >= today:
                moves.append((row, want))
            else:
                unchanged += 1
        for key, (d, moved, start, end, venue) in wanted.items():
            if key not in seen:
                created_rows.append(
                    {
                        "unit_id": key[0],
                        "kind": "periodic",
                        "status": "planned",
                        "date": d,
                        "nominal": key[1],
                        "slot": key[2],
                        "start": start,
                        "end": end,
                        "venue": venue,
                        "online_url": "",
                        "moved": moved,
                        "reason": None,
                        "pinned": False,
                        "needs_makeup": False,
                        "replaces_id": None,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        if created_rows:
            conn.execute(insert(_T), created_rows)
        for row, (d, moved, start, end, venue) in moves:
            conn.execute(
                update(_T)
                .where(and_(_T.c.id == row.id, _T.c.version == row.version))
                .values(
                    date=d,
                    moved=moved,
                    start=start,
                    end=end,
                    venue=venue,
                    reason="Lịch thay đổi theo cấu hình mới",
                    version=row.version + 1,
                    updated_at=now,
                    rescheduled_version=row.version + 1,
                )
            )
            write_audit(
                conn,
                at=now,
                actor=actor,
                action="replan",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=moved or "Lịch thay đổi theo cấu hình mới",
                **{"from": row.date.isoformat(), "to": d.isoformat()},
            )
        for row in withdrawals:
            conn.execute(
                update(_T)
                .where(and_(_T.c.id == row.id, _T.c.version == row.version))
                .values(
                    status="cancelled",
                    needs_makeup=False,
                    version=row.version + 1,
                    updated_at=now,
                    reason="Lịch mới theo cấu hình không còn buổi tiếp này",
                )
            )
            write_audit(
                conn,
                at=now,
                actor=actor,
                action="withdraw",
                session_id=row.id,
                unit_id=row.unit_id,
                reason="Lịch mới theo cấu hình không còn buổi tiếp này",
            )
        result = PlanResult(year, len(created_rows), len(moves), len(withdrawals), unchanged)
        if conn.execute(select(PlanYear.year).where(PlanYear.year == year)).first() is None:
            conn.execute(insert(PlanYear), {"year": year, "planned_at": now})
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
