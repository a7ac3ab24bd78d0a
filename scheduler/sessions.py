"""Use cases on stored sessions: cancel, make up (tiếp bù), move, ad hoc (đột xuất), record.

Each is one transaction with an optimistic version check, and leaves an audit row. The CLI, the
HTTP API and the desk all call these, never the tables directly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, or_, select, update
from sqlalchemy.engine import Row

from rules import ConflictError, MakeupProposal, ServiceError, propose_makeup
from rules.vietnamese import dmy, nfc
from scheduler.audit import write_audit
from scheduler.clock import as_utc
from scheduler.config import Config
from scheduler.db import reading
from scheduler.db.models import AuditRow, PlanYear, SessionRow
from scheduler.tell import tells

_T = SessionRow.__table__
ACTIVE = ("planned", "held")
STATUS_VI = {"planned": "đã lên lịch", "held": "đã tiếp", "cancelled": "đã hủy", "not_held": "không tổ chức"}
KIND_VI = {"periodic": "định kỳ", "makeup": "tiếp bù", "adhoc": "đột xuất"}
COUNTS = ("visits", "people", "cases", "petitions", "groups")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and from where (the CLI's OS user or --by, a desk account, an API token)."""

    name: str


def _get(conn: Connection, session_id: int, expected_version: int | None = None) -> Row[Any]:
    """The session, as the caller last saw it (``expected_version``) or refused."""
    row = conn.execute(select(_T).where(_T.c.id == session_id)).first()
    if row is None:
        raise ServiceError(f"không có buổi tiếp số {session_id}")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(f"buổi tiếp số {row.id} vừa được người khác thay đổi; hãy tải lại")
    return row


def get_session(engine: Engine, session_id: int) -> Row[Any]:
    with reading(engine) as conn:
        return _get(conn, session_id)


def _bump(conn: Connection, row: Row[Any], now: datetime, **values: Any) -> None:
    """Change a session only if nobody changed it since it was read."""
    result = conn.execute(
        update(_T)
        .where(and_(_T.c.id == row.id, _T.c.version == row.version))
        .values(version=row.version + 1, updated_at=now, **values)
    )
    if result.rowcount != 1:
        raise ConflictError(
            f"buổi tiếp số {row.id} vừa được người khác thay đổi; hãy xem lại rồi thao tác lại"
        )


def _text(value: str | None, what: str) -> str:
    value = nfc((value or "").strip())
    if not value:
        raise ServiceError(f"cần ghi {what}")
    if len(value) > 2000:
        raise ServiceError(f"{what} dài quá 2000 ký tự")
    return value


def _taken_dates(conn: Connection, unit_id: str, exclude: int | None = None) -> set[date]:
    q = select(_T.c.date).where(_T.c.unit_id == unit_id, _T.c.status.in_(ACTIVE))
    if exclude is not None:
        q = q.where(_T.c.id != exclude)
    return {d for (d,) in conn.execute(q)}


def _check_new_date(
    conn: Connection,
    config: Config,
    unit_id: str,
    d: date,
    *,
    exclude: int | None = None,
    working: bool = True,
) -> None:
    if conn.execute(select(PlanYear.year).where(PlanYear.year == d.year)).first() is None:
        raise ServiceError(f"năm {d.year} chưa được lập lịch (chạy tiepdan plan --year {d.year} trước)")
    if working and not config.calendar.is_working_day(d):
        raise ServiceError(f"ngày {dmy(d)} không phải ngày làm việc ({config.calendar.why_off(d)})")
    if d in _taken_dates(conn, unit_id, exclude):
        raise ServiceError(f"đơn vị {unit_id} đã có buổi tiếp ngày {dmy(d)}")


def proposals_for(conn: Connection, config: Config, row: Row[Any], today: date) -> list[MakeupProposal]:
    unit = config.units_by_id.get(row.unit_id)
    if unit is None:
        return []
    return propose_makeup(
        row.date,
        level=config.level_of(unit),
        calendar=config.calendar,
        # Never the cancelled day itself (the head is away that day): once cancelled, the session
        # no longer holds its date, and propose_makeup only skips it after the period.
        taken=_taken_dates(conn, row.unit_id) | {row.date},
        today=today,
    )


def make_up_proposals(engine: Engine, config: Config, session_id: int, today: date) -> list[MakeupProposal]:
    with reading(engine) as conn:
        return proposals_for(conn, config, _get(conn, session_id), today)


@tells(lambda r: [r[0].id])
def cancel(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    today: date,
    expected_version: int | None = None,
) -> tuple[Row[Any], list[MakeupProposal]]:
    """Cancel a planned session (hoãn/hủy buổi tiếp); it now needs a make-up."""
    reason = _text(reason, "lý do hủy")
    with engine.begin() as conn:
        row = _get(conn, session_id, expected_version)
        if row.status != "planned":
            raise ServiceError(
                f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, chỉ hủy được buổi đã lên lịch"
            )
        _bump(conn, row, now, status="cancelled", reason=reason, needs_makeup=True)
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
        return _get(conn, session_id), proposals


@tells(lambda r: [r.id, r.replaces_id])
def book_makeup(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    on: date | None,
    actor: Actor,
    now: datetime,
    today: date,
    expected_version: int | None = None,
) -> Row[Any]:
    """Book the make-up (tiếp bù) of a cancelled or not-held session; returns the new session."""
    with engine.begin() as conn:
        row = _get(conn, session_id, expected_version)
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
        _check_new_date(conn, config, row.unit_id, on)
        _bump(conn, row, now, needs_makeup=False)
        new_id = conn.execute(
            insert(_T).returning(_T.c.id),
            {
                "unit_id": row.unit_id,
                "kind": "makeup",
                "status": "planned",
                "date": on,
                "nominal": None,
                "slot": None,
                "start": row.start,
                "end": row.end,
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
        return _get(conn, new_id)


@tells(lambda r: [r.id])
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
) -> Row[Any]:
    """Move a planned session to another day by decision; a re-plan will not move it back."""
    reason = _text(reason, "lý do dời lịch")
    with engine.begin() as conn:
        row = _get(conn, session_id, expected_version)
        if row.status != "planned":
            raise ServiceError(
                f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, chỉ dời được buổi đã lên lịch"
            )
        if to == row.date:
            raise ServiceError(f"buổi tiếp số {row.id} đã ở ngày {dmy(to)}")
        _check_new_date(conn, config, row.unit_id, to, exclude=row.id)
        _bump(conn, row, now, date=to, reason=reason, pinned=True, rescheduled_version=row.version + 1)
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
        return _get(conn, session_id)


@tells(lambda r: [r.id])
def add_adhoc(
    engine: Engine,
    config: Config,
    unit_id: str,
    *,
    on: date,
    reason: str,
    actor: Actor,
    now: datetime,
    time_range: tuple[str, str] | None = None,
    venue: str | None = None,
    online: str | None = None,
) -> Row[Any]:
    """Record an ad hoc session (tiếp đột xuất) for a pressing case."""
    unit = config.unit(unit_id)
    reason = _text(reason, "lý do tiếp đột xuất")
    start, end = time_range or (
        f"{unit.start:%H:%M}" if unit.start else None,
        f"{unit.end:%H:%M}" if unit.end else None,
    )
    with engine.begin() as conn:
        _check_new_date(conn, config, unit_id, on, working=False)
        new_id = conn.execute(
            insert(_T).returning(_T.c.id),
            {
                "unit_id": unit_id,
                "kind": "adhoc",
                "status": "planned",
                "date": on,
                "nominal": None,
                "slot": None,
                "start": start,
                "end": end,
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
        return _get(conn, new_id)


@tells(lambda r: [r.id])
def record(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    held: bool,
    actor: Actor,
    now: datetime,
    counts: dict[str, int | None] | None = None,
    reason: str | None = None,
    received_by: str | None = None,
    conclusion: str | None = None,
    online: str | None = None,
    expected_version: int | None = None,
) -> Row[Any]:
    """Record what became of a session: held (with its counts) or not held (needs a make-up)."""
    counts = counts or {}
    for k, v in counts.items():
        if k not in COUNTS:
            raise ServiceError(f"không có chỉ tiêu {k!r}")
        if v is not None and v < 0:
            raise ServiceError(f"--{k} không được âm ({v})")
    with engine.begin() as conn:
        row = _get(conn, session_id, expected_version)
        if row.status not in ("planned", "held"):
            raise ServiceError(f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, không ghi kết quả được")
        if held:
            values: dict[str, Any] = {k: counts.get(k, getattr(row, k)) for k in COUNTS}
            values.update(
                status="held",
                recorded_at=now,
                received_by=nfc(received_by.strip()) if received_by else row.received_by,
                conclusion=nfc(conclusion.strip()) if conclusion else row.conclusion,
            )
            if online is not None:
                values["online_url"] = online
            _bump(conn, row, now, **values)
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="record_held",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=conclusion,
                **{k: values[k] for k in COUNTS},
            )
        else:
            if row.status == "held":
                raise ServiceError(f"buổi tiếp số {row.id} đã ghi là đã tiếp")
            why = _text(reason, "lý do không tổ chức")
            _bump(conn, row, now, status="not_held", reason=why, needs_makeup=True, recorded_at=now)
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="record_not_held",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=why,
            )
        return _get(conn, session_id)


def list_sessions(
    engine: Engine,
    *,
    unit_ids: list[str] | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[Row[Any]]:
    q = select(_T).order_by(_T.c.date, _T.c.unit_id, _T.c.id)
    if unit_ids is not None:
        q = (
            q.where(_T.c.unit_id.in_(unit_ids))
            if len(unit_ids) != 1
            else q.where(_T.c.unit_id == unit_ids[0])
        )
    if first is not None:
        q = q.where(_T.c.date >= first)
    if last is not None:
        q = q.where(_T.c.date <= last)
    with reading(engine) as conn:
        return list(conn.execute(q))


def replacements(engine: Engine, ids: list[int]) -> dict[int, int]:
    """{cancelled session id: its make-up's id} for the given ids."""
    if not ids:
        return {}
    out: dict[int, int] = {}
    with reading(engine) as conn:
        for chunk in range(0, len(ids), 1000):
            part = ids[chunk : chunk + 1000]
            for made, replaced in conn.execute(
                select(_T.c.id, _T.c.replaces_id).where(_T.c.replaces_id.in_(part))
            ):
                out[replaced] = made
    return out


def history(engine: Engine, session_id: int) -> list[Row[Any]]:
    """The audit rows of a session and of the sessions it replaces or that replace it."""
    with reading(engine) as conn:
        row = _get(conn, session_id)
        related = {row.id}
        if row.replaces_id:
            related.add(row.replaces_id)
        related |= set(conn.execute(select(_T.c.id).where(_T.c.replaces_id == row.id)).scalars())
        return list(
            conn.execute(
                select(AuditRow)
                .where(or_(AuditRow.session_id.in_(related)))
                .order_by(AuditRow.at, AuditRow.id)
            )
        )


def session_dict(row: Row[Any], made_up_by: int | None = None) -> dict[str, Any]:
    """The JSON shape of ``tiepdan sessions`` and ``GET /api/sessions`` (service contract)."""
    return {
        "id": row.id,
        "unit": row.unit_id,
        "date": row.date.isoformat(),
        "status": row.status,
        "kind": row.kind,
        "replaces": row.replaces_id,
        "made_up_by": made_up_by,
        "nominal": row.nominal.isoformat() if row.nominal else None,
        "start": row.start,
        "end": row.end,
        "venue": row.venue,
        "online": row.online_url or None,
        "moved": row.moved,
        "reason": row.reason,
        "needs_makeup": bool(row.needs_makeup),
        "version": row.version,
        "outcome": {k: getattr(row, k) for k in COUNTS}
        | {"received_by": row.received_by, "conclusion": row.conclusion},
    }


def audit_dict(row: Row[Any]) -> dict[str, Any]:
    return {
        "at": as_utc(row.at).isoformat(),  # SQLite hands back naive UTC: same text on both backends
        "actor": row.actor,
        "action": row.action,
        "session": row.session_id,
        "reason": row.reason,
        "details": json.loads(row.details or "{}"),
    }
