"""Use cases on stored sessions: cancel (hoãn), make up (tiếp công dân bù), move, ad hoc (đột
xuất), record an outcome, undo a record.

One door each: the CLI, the desk, the API and the jobs call these functions and nothing beside
them. Each is one transaction with an optimistic version check, leaves an audit row, and returns
a ``Change``: the session acted on (a ``StoredSession``) and the ids of every session whose stored
state changed. A fact is refused until it can be true (a record before the session's day, a
cancel or move of a day gone by, a make-up, move or ad hoc session onto a past day, a day off or a
day the unit already receives); each refusal is one Vietnamese line and changes nothing. One
active session per unit and day is the database's own rule (``ux_sessions_active_day``), so two
clerks at once cannot both win.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as Time
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from rules import ConflictError, MakeupProposal, ServiceError, propose_makeup
from rules.parsing import COUNT_MAX, hhmm, parse_web_url
from rules.received import names_the_head
from rules.vietnamese import dmy, nfc
from rules.vocabulary import ACTIVE, COUNT_VI, COUNTS, FORMS, KIND_VI, STATUS_VI
from scheduler.infra.audit import write_audit
from scheduler.infra.clock import as_utc, local_today
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import AuditRow, LogEntryRow, PlanYear, SessionRow
from scheduler.usecases.stored_session import StoredSession
from scheduler.usecases.tell import tells

__all__ = [
    "ACTIVE", "COUNTS", "KIND_VI", "STATUS_VI", "Actor", "Change", "add_adhoc", "book_makeup", "cancel",
    "get_session", "move", "record", "undo_record",
]  # fmt: skip

_T = SessionRow.__table__
_L = LogEntryRow.__table__
ACTIVE_DAY_INDEX = "ux_sessions_active_day"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and from where (the CLI's OS user or --by, a desk account, an API token)."""

    name: str


@dataclass(frozen=True, slots=True)
class Change:
    """What a use case did (thay đổi): the session it acted on or created, the ids of every
    session whose stored state changed (the ones whose people are told at once: ``scheduler.usecases.tell``),
    and, for a cancel or a record of "not held", the proposed make-up days."""

    session: StoredSession
    changed: tuple[int, ...]
    proposals: tuple[MakeupProposal, ...] = ()


def _get(conn: Connection, session_id: int, expected_version: int | None = None) -> Row[Any]:
    """The session, as the caller last saw it (``expected_version``) or refused."""
    row = conn.execute(select(_T).where(_T.c.id == session_id)).first()
    if row is None:
        raise ServiceError(f"không có buổi tiếp số {session_id}")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(f"buổi tiếp số {row.id} vừa được người khác thay đổi; vui lòng tải lại")
    return row


def get_session(engine: Engine, session_id: int) -> StoredSession:
    with reading(engine) as conn:
        return StoredSession.of(_get(conn, session_id))


def _stored(conn: Connection, session_id: int) -> StoredSession:
    return StoredSession.of(_get(conn, session_id))


def _bump(conn: Connection, row: Row[Any], now: datetime, **values: Any) -> None:
    """Change a session only if nobody changed it since it was read."""
    result = conn.execute(
        update(_T)
        .where(and_(_T.c.id == row.id, _T.c.version == row.version))
        .values(version=row.version + 1, updated_at=now, **values)
    )
    if result.rowcount != 1:
        raise ConflictError(
            f"buổi tiếp số {row.id} vừa được người khác thay đổi; vui lòng xem lại rồi thao tác lại"
        )


def _text(value: str | None, what: str) -> str:
    value = nfc((value or "").strip())
    if not value:
        raise ServiceError(f"cần ghi {what}")
    if len(value) > 2000:
        raise ServiceError(f"{what} dài quá 2000 ký tự")
    return value


def _online(value: str | None) -> str | None:
    """An online meeting's address, from any door: rules.parsing.parse_web_url (empty: none)."""
    if not value:
        return value
    try:
        return parse_web_url(value.strip())
    except ValueError as exc:
        raise ServiceError(f"đường dẫn trực tuyến: {exc}") from None


def _optional_text(value: str | None, what: str, longest: int = 200) -> str | None:
    value = nfc((value or "").strip())
    if len(value) > longest:
        raise ServiceError(f"{what} dài quá {longest} ký tự")
    return value or None


def _today(config: Config, now: datetime) -> date:
    return local_today(now, config.timezone)


def _is_active_day_clash(exc: IntegrityError) -> bool:
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None) == ACTIVE_DAY_INDEX:
        return True
    text = str(exc.orig)
    return ACTIVE_DAY_INDEX in text or "sessions.unit_id, sessions.date" in text


def _refusal(exc: IntegrityError, unit_id: str, day: date) -> ServiceError:
    """The database's refusal of a second active session of a unit on one day, as one line
    (its transaction was rolled back: nothing changed); any other integrity error as it is."""
    if not _is_active_day_clash(exc):
        raise exc
    return ServiceError(f"đơn vị {unit_id} đã có buổi tiếp ngày {dmy(day)}")


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
    today: date,
    what: str,
    exclude: int | None = None,
) -> None:
    """A day a make-up, a move or an ad hoc session may go to: today or later, in a planned
    year, a working day, and one the unit does not already receive on."""
    if d < today:
        raise ServiceError(f"ngày {dmy(d)} đã qua: {what} chỉ đặt vào hôm nay ({dmy(today)}) hoặc ngày sau")
    if conn.execute(select(PlanYear.year).where(PlanYear.year == d.year)).first() is None:
        raise ServiceError(f"năm {d.year} chưa được lập lịch (chạy tiepdan plan --year {d.year} trước)")
    if not config.calendar.is_working_day(d):
        raise ServiceError(f"ngày {dmy(d)} không phải ngày làm việc ({config.calendar.why_off(d)})")
    # Said here in words; under concurrency the unique index says it (``_refusal``).
    if d in _taken_dates(conn, unit_id, exclude):
        raise ServiceError(f"đơn vị {unit_id} đã có buổi tiếp ngày {dmy(d)}")


def proposals_for(conn: Connection, config: Config, row: Any, today: date) -> list[MakeupProposal]:
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


@tells(lambda change: change.changed)
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
    today = today or _today(config, now)
    reason = _text(reason, "lý do hoãn")
    with engine.begin() as conn:
        row = _get(conn, session_id, expected_version)
        if row.status != "planned":
            raise ServiceError(
                f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, chỉ hoãn được buổi đã lên lịch"
            )
        if row.date < today:
            raise ServiceError(
                f"buổi tiếp số {row.id} ngày {dmy(row.date)} đã qua: không hoãn được; "
                "vui lòng ghi kết quả là không tổ chức, kèm lý do"
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
        change = Change(_stored(conn, session_id), (row.id,), tuple(proposals))
    return change


@tells(lambda change: change.changed)
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
    today = today or _today(config, now)
    try:
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
            _check_new_date(conn, config, row.unit_id, on, today=today, what="buổi tiếp bù")
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
            change = Change(_stored(conn, new_id), (row.id, new_id))
    except IntegrityError as exc:
        raise _refusal(exc, row.unit_id, on if on is not None else today) from None
    return change


@tells(lambda change: change.changed)
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
    today = _today(config, now)
    reason = _text(reason, "lý do dời lịch")
    try:
        with engine.begin() as conn:
            row = _get(conn, session_id, expected_version)
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
            _check_new_date(conn, config, row.unit_id, to, today=today, what="ngày mới", exclude=row.id)
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
            change = Change(_stored(conn, session_id), (row.id,))
    except IntegrityError as exc:
        raise _refusal(exc, row.unit_id, to) from None
    return change


@tells(lambda change: change.changed)
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
    today = _today(config, now)
    unit = config.unit(unit_id)
    reason = _text(reason, "lý do tiếp đột xuất")
    online = _online(online)
    start, end = time_range or (unit.start, unit.end)
    try:
        with engine.begin() as conn:
            _check_new_date(conn, config, unit_id, on, today=today, what="buổi tiếp đột xuất")
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
            change = Change(_stored(conn, new_id), (new_id,))
    except IntegrityError as exc:
        raise _refusal(exc, unit_id, on) from None
    return change


def _checked_counts(counts: Mapping[str, int | None] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, v in (counts or {}).items():
        if k not in COUNTS:
            raise ServiceError(f"không có số liệu {k!r}")
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int):
            raise ServiceError(f"{COUNT_VI[k]} (--{k}) phải là số nguyên")
        if v < 0:
            raise ServiceError(f"{COUNT_VI[k]} (--{k}) không được âm ({v})")
        if v > COUNT_MAX:
            raise ServiceError(f"{COUNT_VI[k]} (--{k}) không được quá {COUNT_MAX}")
        out[k] = v
    return out


def _log_counts(conn: Connection, session_id: int) -> dict[str, int] | None:
    """The counts of a session's reception log (Sổ tiếp công dân), None when it has no row:
    visits = cases = rows, people and petitions summed, groups = rows that are delegations."""
    visits, people, petitions, groups = conn.execute(
        select(
            func.count(_L.c.id),
            func.coalesce(func.sum(_L.c.people), 0),
            func.coalesce(func.sum(_L.c.petitions), 0),
            func.count(_L.c.id).filter(_L.c.is_group.is_(True)),
        ).where(_L.c.session_id == session_id)
    ).one()
    if not visits:
        return None
    return {
        "visits": visits,
        "people": int(people),
        "cases": visits,
        "petitions": int(petitions),
        "groups": groups,
    }


def _receiver(
    config: Config,
    row: Row[Any],
    in_person: bool | None,
    received_by: str | None,
    received_title: str | None,
) -> dict[str, Any]:
    """Who received: the head in person, or someone else (name and title). Given as free text
    only (``received_by`` without the choice), the head's own name or title means in person."""
    name = _optional_text(received_by, "họ tên người tiếp thay")
    title = _optional_text(received_title, "chức vụ người tiếp thay")
    unit = config.units_by_id.get(row.unit_id)
    if in_person is None and name is not None:
        in_person = unit is not None and names_the_head(name, unit.head)
    if in_person is None:
        if title is not None:
            raise ServiceError("cần ghi họ tên người tiếp thay (người khác tiếp thay người đứng đầu)")
        return {}  # not said: as it was
    if in_person:
        return {"received_in_person": True, "received_by": None, "received_title": None}
    if name is None:
        raise ServiceError("người khác tiếp thay: cần ghi họ tên (và chức vụ) của người đó")
    return {"received_in_person": False, "received_by": name, "received_title": title}


@tells(lambda change: change.changed)
def record(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    held: bool,
    actor: Actor,
    now: datetime,
    counts: Mapping[str, int | None] | None = None,
    reason: str | None = None,
    in_person: bool | None = None,
    received_by: str | None = None,
    received_title: str | None = None,
    form: str | None = None,
    conclusion: str | None = None,
    online: str | None = None,
    expected_version: int | None = None,
) -> Change:
    """Record what became of a session, once its day has come: held (with its counts, who
    received and in what form) or not held (with the reason; it then needs a make-up).

    With rows in the session's reception log the counts are the log's, and counts given by hand
    that differ from them are refused; without rows, the counts given. At least as many people
    as visits; a held session with no visitor is fine.
    """
    given = _checked_counts(counts)
    online = _online(online)
    if form is not None and form not in FORMS:
        raise ServiceError(f"hình thức tiếp phải là một trong {', '.join(FORMS)}, không phải {form!r}")
    today = _today(config, now)
    with engine.begin() as conn:
        row = _get(conn, session_id, expected_version)
        if row.status not in ACTIVE:
            raise ServiceError(f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, không ghi kết quả được")
        if row.date > today:
            raise ServiceError(
                f"buổi tiếp số {row.id} ngày {dmy(row.date)} chưa diễn ra: chỉ ghi kết quả từ ngày đó"
                + ("" if held else "; nếu không tổ chức được, vui lòng hoãn buổi tiếp")
            )
        if held:
            logged = _log_counts(conn, row.id)
            if logged is not None:
                differ = [k for k, v in given.items() if v != logged[k]]
                if differ:
                    raise ServiceError(
                        "buổi tiếp đã có sổ tiếp công dân "
                        f"({logged['visits']} lượt, {logged['people']} người, {logged['petitions']} đơn): "
                        f"số liệu lấy từ sổ, không ghi {', '.join(COUNT_VI[k] for k in differ)} khác sổ"
                    )
                values: dict[str, Any] = dict(logged)
            else:
                values = {k: given.get(k, getattr(row, k)) for k in COUNTS}
            if (
                values["visits"] is not None
                and values["people"] is not None
                and values["people"] < values["visits"]
            ):
                raise ServiceError(
                    f"số người ({values['people']}) không được ít hơn số lượt ({values['visits']})"
                )
            values |= _receiver(config, row, in_person, received_by, received_title)
            values.update(
                status="held",
                recorded_at=now,
                conclusion=nfc(conclusion.strip()) if conclusion else row.conclusion,
            )
            if form is not None:
                values["form"] = form
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
                **{k: values[k] for k in ("received_in_person", "form") if k in values},
            )
        else:
            if given:
                raise ServiceError("buổi không tổ chức thì không ghi số lượt, số người, số đơn")
            if row.status == "held":
                raise ServiceError(
                    f"buổi tiếp số {row.id} đã ghi là đã tiếp; nếu ghi nhầm, vui lòng bỏ kết quả đã ghi trước"
                )
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
                previous_reason=row.reason,
            )
        stored = _stored(conn, session_id)
        proposals = () if held else tuple(proposals_for(conn, config, row, today))
        change = Change(stored, (row.id,), proposals)
    return change


@tells(lambda change: change.changed)
def undo_record(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> Change:
    """Undo a record made by mistake (bỏ kết quả đã ghi): the session is again one whose outcome
    is not recorded, and the history keeps what was recorded and why it was undone. The rows of
    its reception log stay. A not-held session whose make-up is booked keeps its record."""
    why = _text(reason, "lý do bỏ kết quả đã ghi")
    try:
        with engine.begin() as conn:
            row = _get(conn, session_id, expected_version)
            if row.status not in ("held", "not_held"):
                raise ServiceError(
                    f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, chưa có kết quả nào để bỏ"
                )
            previous_reason = row.reason
            if row.status == "held":
                # Directions hang on the log rows of a held session (issue 17): the record stays
                # while they do. Imported here: scheduler.usecases.followup builds on this module.
                from scheduler.usecases.followup import refuse_if_directions

                refuse_if_directions(conn, session_id=row.id)
            if row.status == "not_held":
                made = conn.execute(select(_T.c.id).where(_T.c.replaces_id == row.id)).scalar()
                if made is not None:
                    raise ServiceError(
                        f"buổi tiếp số {row.id} đã có buổi tiếp bù số {made}: "
                        "vui lòng hoãn buổi tiếp bù trước"
                    )
                last = conn.execute(
                    select(AuditRow.details)
                    .where(AuditRow.session_id == row.id, AuditRow.action == "record_not_held")
                    .order_by(AuditRow.id.desc())
                    .limit(1)
                ).scalar()
                previous_reason = json.loads(last or "{}").get("previous_reason")
            was = {k: getattr(row, k) for k in COUNTS} | {
                "status": row.status,
                "received_in_person": row.received_in_person,
                "received_by": row.received_by,
                "received_title": row.received_title,
                "form": row.form,
                "conclusion": row.conclusion,
                "not_held_reason": row.reason if row.status == "not_held" else None,
            }
            _bump(
                conn, row, now,
                status="planned", needs_makeup=False, recorded_at=None, reason=previous_reason,
                received_in_person=None, received_by=None, received_title=None, form=None, conclusion=None,
                **dict.fromkeys(COUNTS),
            )  # fmt: skip
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="record_undo",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=why,
                was=was,
            )
            change = Change(_stored(conn, session_id), (row.id,))
    except IntegrityError as exc:
        raise _refusal(exc, row.unit_id, row.date) from None
    return change


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


def session_dict(row: Any, made_up_by: int | None = None) -> dict[str, Any]:
    """The JSON shape of ``tiepdan sessions`` and ``GET /api/sessions`` (service contract), of a
    ``StoredSession`` or a row of ``list_sessions``."""
    start, end = row.start, row.end
    return {
        "id": row.id,
        "unit": row.unit_id,
        "date": row.date.isoformat(),
        "status": row.status,
        "kind": row.kind,
        "replaces": row.replaces_id,
        "made_up_by": made_up_by,
        "nominal": row.nominal.isoformat() if row.nominal else None,
        "start": hhmm(start) if isinstance(start, Time) else start,
        "end": hhmm(end) if isinstance(end, Time) else end,
        "venue": row.venue,
        "online": row.online_url or None,
        "moved": row.moved,
        "reason": row.reason,
        "needs_makeup": bool(row.needs_makeup),
        "version": row.version,
        "outcome": {k: getattr(row, k) for k in COUNTS}
        | {"received_by": row.received_by, "conclusion": row.conclusion},
        # Who received (true: the head in person; false: someone else, named in received_by) and
        # the form (in_person | online | both); null until recorded.
        "received_in_person": row.received_in_person,
        "received_title": row.received_title,
        "form": row.form,
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
