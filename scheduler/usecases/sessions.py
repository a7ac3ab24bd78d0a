"""What the use cases on stored sessions share (cancel and make-up: ``cancel_makeup``; move and ad
hoc: ``move_adhoc``; record and undo: ``record_outcome``; the reads: ``session_reads``): who acts,
what a use case returns, one session read as the caller last saw it, the guarded update, the
checks of a reason and of a new day, and the proposed make-up days.

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

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from rules import MakeupProposal, ServiceError
from rules.parsing import parse_web_url
from rules.vietnamese import dmy, nfc
from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.db import guarded_update, reading, row_as_seen
from scheduler.infra.db.models import PlanYear, SessionRow
from scheduler.reads.makeup_days import proposals_for, taken_dates
from scheduler.reads.stored_session import StoredSession

_T = SessionRow.__table__
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


def session_row(conn: Connection, session_id: int, expected_version: int | None = None) -> StoredSession:
    """The session, as the caller last saw it (``expected_version``) or refused."""
    return StoredSession.of(row_as_seen(conn, _T, session_id, expected_version, "buổi tiếp"))


def get_session(engine: Engine, session_id: int) -> StoredSession:
    with reading(engine) as conn:
        return session_row(conn, session_id)


def read_stored(conn: Connection, session_id: int) -> StoredSession:
    """The session as it is now, inside the caller's transaction (after its change)."""
    return session_row(conn, session_id)


def bump(conn: Connection, row: StoredSession, now: datetime, **values: object) -> None:
    """Change a session only if nobody changed it since it was read."""
    changed = f"buổi tiếp số {row.id} vừa được người khác thay đổi; vui lòng xem lại rồi thao tác lại"
    guarded_update(conn, _T, row, now, changed, **values)


def required_text(value: str | None, what: str) -> str:
    value = nfc((value or "").strip())
    if not value:
        raise ServiceError(f"cần ghi {what}")
    if len(value) > 2000:
        raise ServiceError(f"{what} dài quá 2000 ký tự")
    return value


def online_address(value: str | None) -> str | None:
    """An online meeting's address, from any door: rules.parsing.parse_web_url (empty: none)."""
    if not value:
        return value
    try:
        return parse_web_url(value.strip())
    except ValueError as exc:
        raise ServiceError(f"đường dẫn trực tuyến: {exc}") from None


def optional_text(value: str | None, what: str, longest: int = 200) -> str | None:
    value = nfc((value or "").strip())
    if len(value) > longest:
        raise ServiceError(f"{what} dài quá {longest} ký tự")
    return value or None


def today_of(config: Config, now: datetime) -> date:
    return local_today(now, config.timezone)


def _is_active_day_clash(exc: IntegrityError) -> bool:
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None) == ACTIVE_DAY_INDEX:
        return True
    text = str(exc.orig)
    return ACTIVE_DAY_INDEX in text or "sessions.unit_id, sessions.date" in text


def refusal(exc: IntegrityError, unit_id: str, day: date) -> ServiceError:
    """The database's refusal of a second active session of a unit on one day, as one line
    (its transaction was rolled back: nothing changed); any other integrity error as it is."""
    if not _is_active_day_clash(exc):
        raise exc
    return ServiceError(f"đơn vị {unit_id} đã có buổi tiếp ngày {dmy(day)}")


def check_new_date(
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
    # Said here in words; under concurrency the unique index says it (``refusal``).
    if d in taken_dates(conn, unit_id, exclude):
        raise ServiceError(f"đơn vị {unit_id} đã có buổi tiếp ngày {dmy(d)}")


def make_up_proposals(engine: Engine, config: Config, session_id: int, today: date) -> list[MakeupProposal]:
    with reading(engine) as conn:
        return proposals_for(conn, config, session_row(conn, session_id), today)
