"""Move a planned session to another day, and add an ad hoc session (tiếp công dân đột xuất)."""

from __future__ import annotations

from datetime import date, datetime
from datetime import time as Time

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from rules import ServiceError
from rules.parsing import hhmm
from rules.vietnamese import dmy, nfc
from rules.vocabulary import STATUS_VI
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db.models import SessionRow
from scheduler.usecases.sessions import (
    Actor,
    Change,
    bump,
    check_new_date,
    online_address,
    read_stored,
    refusal,
    required_text,
    session_row,
    today_of,
)
from scheduler.usecases.tell import tells

_T = SessionRow.__table__


@tells
def move(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    to: date,
    reason: str,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> Change:
    """Move a planned session to another day by decision; a re-plan will not move it back."""
    today = today_of(config, now)
    reason = required_text(reason, "lý do dời lịch")
    try:
        with engine.begin() as conn:
            row = session_row(conn, session_id, expected_version)
            if row.status != "planned":
                raise ServiceError(
                    f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, chỉ dời được buổi đã lên lịch"
                )
            if row.date < today:
                raise ServiceError(
                    f"buổi tiếp số {row.id} ngày {dmy(row.date)} đã qua: không dời được; "
                    "vui lòng ghi kết quả là không tổ chức, kèm lý do"
                )
            if to == row.date:
                raise ServiceError(f"buổi tiếp số {row.id} đã ở ngày {dmy(to)}")
            check_new_date(conn, config, row.unit_id, to, today=today, what="ngày mới", exclude=row.id)
            bump(conn, row, now, date=to, reason=reason, pinned=True, rescheduled_version=row.version + 1)
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="move",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=reason,
                **{"from": row.date.isoformat(), "to": to.isoformat()},
            )
            change = Change(read_stored(conn, session_id), (row.id,))
    except IntegrityError as exc:
        raise refusal(exc, row.unit_id, to) from None
    return change


@tells
def add_adhoc(
    engine: Engine,
    config: Config,
    unit_id: str,
    *,
    on: date,
    reason: str,
    actor: Actor,
    now: datetime,
    time_range: tuple[Time, Time] | None = None,
    venue: str | None = None,
    online: str | None = None,
) -> Change:
    """Record an ad hoc session (tiếp công dân đột xuất) for a pressing case."""
    today = today_of(config, now)
    unit = config.unit(unit_id)
    reason = required_text(reason, "lý do tiếp đột xuất")
    online = online_address(online)
    start, end = time_range or (unit.start, unit.end)
    try:
        with engine.begin() as conn:
            check_new_date(conn, config, unit_id, on, today=today, what="buổi tiếp đột xuất")
            new_id = conn.execute(
                insert(_T).returning(_T.c.id),
                {
                    "unit_id": unit_id,
                    "kind": "adhoc",
                    "status": "planned",
                    "date": on,
                    "nominal": None,
                    "slot": None,
                    "start": hhmm(start),
                    "end": hhmm(end),
                    "venue": nfc(venue or unit.venue),
                    "online_url": online or "",
                    "moved": None,
                    "reason": reason,
                    "pinned": True,
                    "needs_makeup": False,
                    "replaces_id": None,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                },
            ).scalar_one()
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="adhoc",
                session_id=new_id,
                unit_id=unit_id,
                reason=reason,
                date=on.isoformat(),
            )
            change = Change(read_stored(conn, new_id), (new_id,))
    except IntegrityError as exc:
        raise refusal(exc, unit_id, on) from None
    return change
