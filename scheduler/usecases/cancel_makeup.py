"""Postpone a session (hoãn) and book its make-up (tiếp công dân bù)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from rules import ServiceError
from rules.vietnamese import dmy
from rules.vocabulary import STATUS_VI
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db.models import SessionRow
from scheduler.reads.makeup_days import proposals_for
from scheduler.usecases.sessions import (
    Actor,
    Change,
    bump,
    check_new_date,
    read_stored,
    refusal,
    required_text,
    session_row,
    today_of,
)
from scheduler.usecases.tell import tells

_T = SessionRow.__table__


@tells
def cancel(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    today: date | None = None,
    expected_version: int | None = None,
) -> Change:
    """Postpone a planned session (hoãn buổi tiếp); it now needs a make-up. A day gone by cannot
    be postponed: it is recorded as not held, with the reason."""
    today = today or today_of(config, now)
    reason = required_text(reason, "lý do hoãn")
    with engine.begin() as conn:
        row = session_row(conn, session_id, expected_version)
        if row.status != "planned":
            raise ServiceError(
                f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, chỉ hoãn được buổi đã lên lịch"
            )
        if row.date < today:
            raise ServiceError(
                f"buổi tiếp số {row.id} ngày {dmy(row.date)} đã qua: không hoãn được; "
                "vui lòng ghi kết quả là không tổ chức, kèm lý do"
            )
        bump(conn, row, now, status="cancelled", reason=reason, needs_makeup=True)
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="cancel",
            session_id=row.id,
            unit_id=row.unit_id,
            reason=reason,
            date=row.date.isoformat(),
        )
        proposals = proposals_for(conn, config, row, today)
        change = Change(read_stored(conn, session_id), (row.id,), tuple(proposals))
    return change


@tells
def book_makeup(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    on: date | None,
    actor: Actor,
    now: datetime,
    today: date | None = None,
    expected_version: int | None = None,
) -> Change:
    """Book the make-up (tiếp công dân bù) of a postponed or not-held session; ``change.session``
    is the new session."""
    today = today or today_of(config, now)
    try:
        with engine.begin() as conn:
            row = session_row(conn, session_id, expected_version)
            if row.status not in ("cancelled", "not_held"):
                raise ServiceError(f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, không cần tiếp bù")
            if not row.needs_makeup:
                made = conn.execute(select(_T.c.id).where(_T.c.replaces_id == row.id)).scalar()
                raise ServiceError(
                    f"buổi tiếp số {row.id} đã có buổi tiếp bù số {made}"
                    if made
                    else f"buổi tiếp số {row.id} không cần tiếp bù"
                )
            if on is None:
                proposals = proposals_for(conn, config, row, today)
                if not proposals:
                    raise ServiceError(f"không tìm được ngày tiếp bù cho buổi tiếp số {row.id}")
                on = proposals[0].date
            check_new_date(conn, config, row.unit_id, on, today=today, what="buổi tiếp bù")
            bump(conn, row, now, needs_makeup=False)
            new_id = conn.execute(
                insert(_T).returning(_T.c.id),
                {
                    "unit_id": row.unit_id,
                    "kind": "makeup",
                    "status": "planned",
                    "date": on,
                    "nominal": None,
                    "slot": None,
                    "start": row.start_text,
                    "end": row.end_text,
                    "venue": row.venue,
                    "online_url": row.online_url,
                    "moved": None,
                    "reason": f"Tiếp bù cho buổi ngày {dmy(row.date)}"
                    + (f" ({row.reason})" if row.reason else ""),
                    "pinned": True,
                    "needs_makeup": False,
                    "replaces_id": row.id,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                },
            ).scalar_one()
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="makeup",
                session_id=new_id,
                unit_id=row.unit_id,
                reason=f"tiếp bù cho buổi số {row.id}",
                replaces=row.id,
                date=on.isoformat(),
            )
            change = Change(read_stored(conn, new_id), (row.id, new_id))
    except IntegrityError as exc:
        raise refusal(exc, row.unit_id, on if on is not None else today) from None
    return change
