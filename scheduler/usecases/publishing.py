"""Use cases of publishing: read what a notice, the board and the feed show, and record notices.

Everything here reads the database and the configuration and turns them into the plain values of
``notifiers.views``; the notifiers then render them without touching either.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from notifiers.notice_bodies import default_basis
from notifiers.views import Change, DialogueView, Schedule, SessionView, UnitLink
from rules import ServiceError, Unit, WorkCalendar
from rules.vietnamese import dmy
from rules.vocabulary import ACTIVE
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import DialogueRow, NoticeRow, SessionRow
from scheduler.reads.session_views import views_of
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import session_reads
from scheduler.usecases import sessions as uc

_T = SessionRow.__table__
NOTICE_LEAD_DAYS = 5  # working days between publishing a schedule and the session


def schedule_of(config: Config, unit: Unit, first: date, last: date) -> Schedule:
    """The rules a unit's publications state over [first, last]: roll, the mandates in force
    and their legal basis (a level's mandate can change by law inside a year)."""
    level = config.level_of(unit)
    in_force = [
        m
        for m in level.mandates
        if (m.start is None or m.start <= last) and (m.end is None or m.end >= first)
    ]
    in_force = in_force or [level.mandate_on(last)]
    if len(in_force) == 1:
        mandate = in_force[0].describe()
    else:
        parts = []
        for m in in_force:
            if m.end is not None and m.end < last:
                parts.append(f"{m.describe()} đến ngày {dmy(m.end)}")
            elif m.start is not None:
                parts.append(f"{m.describe()} từ ngày {dmy(m.start)}")
            else:
                parts.append(m.describe())
        mandate = "; ".join(parts)
    basis = unit.notice_basis or level.notice_basis or default_basis(unit, last)
    current = level.mandate_on(last)
    return Schedule(unit=unit, roll=config.roll_of(unit), period=current.per, mandate=mandate, basis=basis)


def citations(config: Config) -> tuple[str, ...]:
    """The ``source`` of every configured day off and working day: the decision that made it.
    A source is the citation of a rule, not text for a public table (WORDING.md), so the
    public pages and notices leave it out of a session's "why it moved"."""
    notes = [*config.calendar.days_off.values(), *config.calendar.workdays.values()]
    return tuple(sorted({n.source for n in notes if n.source}, key=len, reverse=True))


def unit_sessions(
    engine: Engine,
    unit_id: str,
    *,
    first: date | None = None,
    last: date | None = None,
    active_only: bool = False,
    hide: Sequence[str] = (),
) -> list[SessionView]:
    rows = session_reads.list_sessions(engine, unit_ids=[unit_id], first=first, last=last)
    if active_only:
        rows = [r for r in rows if r.status in ACTIVE]
    return views_of(engine, rows, hide=hide)


def session_view(
    engine: Engine, session_id: int, *, hide: Sequence[str] = ()
) -> tuple[StoredSession, SessionView]:
    row = uc.get_session(engine, session_id)
    return row, views_of(engine, [row], hide=hide)[0]


def change_to_announce(row: StoredSession) -> Change | None:
    """What a change notice would announce about a stored session, or None when it has none
    (a periodic session on its planned day is in the year's notice already). The one answer
    for the desk's link and the notice itself."""
    if row.status in ("cancelled", "not_held"):
        return "cancelled"
    if row.kind in ("makeup", "adhoc"):
        return row.kind
    if row.reason and (row.pinned or row.version > 1):
        return "moved"  # by decision (pinned), or by a new configuration (re-plan)
    return None


def change_of(view: SessionView, row: StoredSession) -> Change:
    """What a change notice announces about a session; refused for a session with no change."""
    change = change_to_announce(row)
    if change is None:
        raise ServiceError(
            f"buổi tiếp số {view.id} ngày {dmy(view.date)} không có thay đổi nào để thông báo "
            "(lịch định kỳ đã có trong thông báo năm)"
        )
    return change


def affected_dates(view: SessionView, change: Change) -> list[date]:
    """The dates citizens must learn about in time: the new day of a move, a make-up or an ad
    hoc session; the cancelled day, and its make-up when booked."""
    if change == "cancelled":
        return [d for d in (view.date, view.made_up_on) if d is not None]
    return [view.date]


def working_days_left(calendar: WorkCalendar, today: date, target: date) -> int:
    """Working days from ``today`` (counted when it is one) up to the day before ``target``:
    publishing on a Monday for the next Monday leaves 5."""
    if target <= today:
        return 0
    return len(calendar.working_days(today, target - timedelta(days=1)))


def notice_lead(calendar: WorkCalendar, today: date, dates: Sequence[date]) -> tuple[date, int]:
    """The affected date with the shortest lead, and that lead (0 for a date already passed)."""
    ahead = [d for d in dates if d >= today] or list(dates)
    return min(((d, working_days_left(calendar, today, d)) for d in ahead), key=lambda t: (t[1], t[0]))


def record_notice(
    engine: Engine,
    *,
    unit_id: str,
    kind: str,
    now: datetime,
    number: str,
    path: str,
    issued_on: date | None = None,
    year: int | None = None,
    session_id: int | None = None,
    session_version: int | None = None,
) -> int:
    """A row of the notices table for a notice issued (written to ``path``)."""
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(NoticeRow).returning(NoticeRow.id),
                {
                    "unit_id": unit_id,
                    "kind": kind,
                    "session_id": session_id,
                    "session_version": session_version,
                    "year": year,
                    "number": number,
                    "issued_on": issued_on,
                    "path": path,
                    "issued_at": now,
                },
            ).scalar_one()
        )


# ------------------------------------------------------------------------------- board and feed


@dataclass(frozen=True, slots=True)
class Family:
    parent: UnitLink | None
    children: tuple[UnitLink, ...]


_FAMILIES: dict[int, tuple[Config, dict[str | None, list[Unit]]]] = {}


def family_of(config: Config, unit: Unit) -> Family:
    """The unit's parent and direct children, for the board's links. The children index is built
    once per configuration: a national registry has ten thousand units."""
    entry = _FAMILIES.get(id(config))
    if entry is None or entry[0] is not config:
        index: dict[str | None, list[Unit]] = {}
        for u in config.units:
            index.setdefault(u.parent, []).append(u)
        for members in index.values():
            members.sort(key=lambda u: (u.name, u.id))
        if len(_FAMILIES) > 16:
            _FAMILIES.clear()
        entry = _FAMILIES[id(config)] = (config, index)
    parent = config.units_by_id.get(unit.parent) if unit.parent else None
    return Family(
        parent=UnitLink(parent.id, parent.name) if parent else None,
        children=tuple(UnitLink(u.id, u.name) for u in entry[1].get(unit.id, ())),
    )


def board_months(today: date) -> tuple[tuple[int, int], tuple[int, int]]:
    nxt = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return (today.year, today.month), nxt


_STATE_SQL = "SELECT count(*), coalesce(sum(version), 0), max(updated_at) FROM sessions WHERE unit_id = ?"
_READERS = threading.local()
_READERS_PER_THREAD = 4


def _sqlite_reader(path: str) -> sqlite3.Connection:
    """This thread's read connection to the SQLite file ``path``, kept open between requests.

    Opening a connection (and the engine's pragmas) costs some twenty times the state query
    itself, and the engine's "begin" hook would take SQLite's write lock (BEGIN IMMEDIATE) for
    a read; this connection stays in autocommit mode, so each SELECT sees the last committed
    state of the WAL without a lock. A few files per thread at most (tests open many).
    """
    readers: OrderedDict[str, sqlite3.Connection] | None = getattr(_READERS, "by_path", None)
    if readers is None:
        readers = _READERS.by_path = OrderedDict()
    conn = readers.get(path)
    if conn is None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        readers[path] = conn
        while len(readers) > _READERS_PER_THREAD:
            readers.popitem(last=False)[1].close()
    readers.move_to_end(path)
    return conn


# What a unit's published pages depend on (a cache key): counts, sums of versions, last changes.
State = tuple[object, ...]


def unit_state(engine: Engine, unit_id: str) -> State:
    """What a unit's published pages depend on in the database: how many sessions, the sum of
    their versions and the last change. Any change to a session moves one of them."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if path and path != ":memory:":
        try:
            return tuple(_sqlite_reader(path).execute(_STATE_SQL, (unit_id,)).fetchone())
        except sqlite3.Error:
            # A file replaced under a kept connection: open it again next time.
            _READERS.by_path.pop(path, None)
            raise
    with reading(engine) as conn:
        result = conn.execute(
            select(func.count(), func.coalesce(func.sum(_T.c.version), 0), func.max(_T.c.updated_at)).where(
                _T.c.unit_id == unit_id
            )
        ).one()
    return tuple(result)


# ------------------------------------------------------------------- dialogues on the board and feed

_D = DialogueRow.__table__
_DIALOGUE_STATE_SQL = (
    "SELECT count(*), coalesce(sum(version), 0), max(updated_at) FROM dialogues WHERE unit_id = ?"
)


def dialogue_view(row: StoredDialogue) -> DialogueView:
    """A stored dialogue as the public sees it once announced: no opinions, no results."""
    return DialogueView(
        id=row.id,
        date=row.held_on,
        topic=row.topic,
        kind=row.kind,
        form=row.form,
        status=row.status,
        start=row.start,
        end=row.end,
        place=row.place,
        online_url=row.online_url,
        co_organisers=row.co_organiser_names,
        reason=row.reason,
        version=row.version,
        updated_at=as_utc(row.updated_at),
    )


def unit_dialogues(
    engine: Engine, unit_id: str, *, first: date | None = None, last: date | None = None
) -> list[DialogueView]:
    """The unit's announced dialogues in [first, last], by day: a dialogue is public from its
    notice (Luật 72/2025/QH15, Điều 43), so a planned one not yet announced is not shown."""
    from scheduler.usecases.dialogues import list_dialogues

    rows = list_dialogues(engine, units=[unit_id], first=first, last=last)
    return [dialogue_view(r) for r in rows if r.announced_on is not None]


def dialogue_state(engine: Engine, unit_id: str) -> State:
    """What a unit's published dialogues depend on, as ``unit_state`` for its sessions."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if path and path != ":memory:":
        try:
            return tuple(_sqlite_reader(path).execute(_DIALOGUE_STATE_SQL, (unit_id,)).fetchone())
        except sqlite3.Error:
            _READERS.by_path.pop(path, None)
            raise
    with reading(engine) as conn:
        result = conn.execute(
            select(func.count(), func.coalesce(func.sum(_D.c.version), 0), func.max(_D.c.updated_at)).where(
                _D.c.unit_id == unit_id
            )
        ).one()
    return tuple(result)


def published_state(engine: Engine, unit_id: str) -> State:
    """What the board, the subscription page and the feed depend on: sessions and dialogues."""
    return (*unit_state(engine, unit_id), *dialogue_state(engine, unit_id))
