"""The outbox table (hộp thư đi): a message is written once under its unique key, claimed by
one deliverer at a time (``claim``), every attempt and result on record (``record``).

The key (subject, version, purpose, lead, day, state, channel, recipient) makes a second tick,
a second instance or a tick after a crash write nothing new. Here: the key, the rows of a tick
before they are inserted, inserting them once, the planner told of a large tick's rows, the lease
and the retry policy, the operator's list.
Failure notices are in ``failure_notices``, refused addresses in ``refused``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.dialects import sqlite

from notifiers import alerts
from rules import Unit, alert_policy
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import OutboxRow
from scheduler.outbox import memo
from scheduler.outbox.compose import Composer

_O = OutboxRow.__table__
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
ANALYZE_AFTER = 1000  # rows a tick writes for PostgreSQL's planner to be told of them
DAY_START, DAY_END = time(6, 0), time(21, 0)  # nobody is texted at night


def backoff(attempts: int) -> timedelta:
    """1, 5, 25 minutes, 2 hours, then every 6 hours."""
    return timedelta(minutes=min(5 ** (attempts - 1), 360))


def message_id(
    subject: str,
    version: int,
    purpose: str,
    lead: int,
    channel: str,
    recipient: str,
    *,
    day: str = "",
    state: str = "",
    domain: str = "tiepdan",
) -> str:
    """The stable id of one row (the e-mail's Message-ID, the gateway's request id); ``domain``
    is the sender's, so the Message-ID is the office's and not ``@tiepdan``."""
    digest = hashlib.sha256(recipient.encode()).hexdigest()[:12]
    extra = f".d{day}" if day else ""
    if state:
        extra += ".s" + hashlib.sha256(state.encode()).hexdigest()[:8]
    return f"{purpose}.{subject.replace(':', '-')}.v{version}.l{lead}{extra}.{channel}.{digest}@{domain}"


# subject, version, purpose, lead, day, state, channel, recipient
Key = tuple[str, int, str, int, str, str, str, str]


def names_of(config: Config) -> dict[str, str]:
    """Each configured address's person (the first unit that names it), for To: and ATTENDEE."""
    names: dict[str, str] = {}
    for unit in config.units:
        for p in (unit.head, *unit.staff):
            if p.email and p.name:
                names.setdefault(p.email, p.name)
    return names


def sender_domain(config: Config) -> str:
    """The domain of the configured sender address (the Message-ID's right-hand side)."""
    sender = config.email.sender if config.email else ""
    address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
    domain = address.rpartition("@")[2]
    return domain or "tiepdan"


def tell_the_planner(engine: Engine, new: int) -> None:
    """``ANALYZE outbox`` on PostgreSQL after a tick that wrote ``ANALYZE_AFTER`` rows or more.

    The delivery finds its rows by id (``id = ANY(...) AND status = 'pending'``). While the
    table's statistics predate the morning's rows, the planner takes the pending rows for a
    handful and, for every group of 16 results, reads all of them through the partial due index
    instead of 16 by the primary key: 1-1.5 ms a statement at 3,000 pending rows against
    0.15-0.2 ms, half the server's CPU a message, and more the larger the morning. Autovacuum
    analyzes the table only later (after its nap, once a tenth of the rows changed); the
    delivery starts at once. SQLite's planner goes by the rowid without statistics."""
    if new < ANALYZE_AFTER or engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        conn.execute(text("ANALYZE outbox"))


class Inserter:
    """A tick's rows inserted while the rest are still being rendered: a chunk at a time, each in
    a transaction of its own, on one thread (so in the order given). The driver waits for the
    database without the interpreter's lock, so the database's work (on PostgreSQL, a third of
    a busy morning's queue: parsing the rows, the indexes) no longer follows the rendering but
    runs beside it.

    A chunk is whole or absent, and a row once there is never written again (its key): a tick
    cut short leaves what it inserted, and the next tick writes the rest."""

    CHUNK = 2000

    def __init__(self, engine: Engine, composer: Composer) -> None:
        self.engine = engine
        self.composer = composer
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="outbox-insert")
        self._chunks: list[Future[int]] = []
        # One connection for the tick's chunks, in the one thread: SQLite's page cache stays warm
        # from chunk to chunk (a connection a chunk began each with a cold cache of the indexes).
        self._conn: Connection | None = None

    def put(self, rows: list[dict[str, Any]]) -> None:
        # The chunk's e-mails are composed in the composing process while the thread inserts
        # the chunk before: the thread waits for their MIME, then inserts (``compose``).
        started = self.composer.start(rows)
        self._chunks.append(self._pool.submit(self._insert, rows, started))

    def _insert(
        self, rows: list[dict[str, Any]], started: Future[list[tuple[str, str] | None]] | None
    ) -> int:
        self.composer.fill(rows, started)
        if not rows:
            return 0
        if self._conn is None:
            self._conn = self.engine.connect()
        with self._conn.begin():
            return _insert_rows(self._conn, rows)

    def wait(self) -> int:
        """Wait for every chunk; returns how many rows were new (a chunk's error is raised)."""
        return sum(chunk.result() for chunk in self._chunks)

    def __enter__(self) -> Inserter:
        return self

    def __exit__(self, *exc: object) -> None:
        # Whatever happened, the thread ends here: a chunk under way is finished, the rest dropped.
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._conn is not None:
            self._conn.close()
        self.composer.close()


@dataclass(slots=True)
class _Queue:
    """The new rows of one tick (or of one batch's failure notices), before they are inserted;
    with an ``inserter``, handed to it a chunk at a time as they are made."""

    config: Config
    now: datetime
    rows: list[dict[str, Any]]
    # Keys already in the outbox: their messages are not rendered again (rendering is the cost).
    existing: set[Key] = field(default_factory=set)
    domain: str = "tiepdan"

    names: dict[str, str] = field(default_factory=dict)
    inserter: Inserter | None = None
    composer: Composer = field(init=False)  # the inserter's, or one of its own

    def __post_init__(self) -> None:
        self.domain = sender_domain(self.config)
        self.composer = self.inserter.composer if self.inserter else Composer(self.config)
        kept = memo.judged(self.config, "names")  # the same for every queue of a configuration
        if "" not in kept:
            kept[""] = ((), names_of(self.config))
        self.names = kept[""][1]

    def daytime(self, at: datetime) -> datetime:
        local = at.astimezone(self.config.timezone)
        if local.time() < DAY_START:
            local = datetime.combine(local.date(), time(self.config.remind_hour), tzinfo=local.tzinfo)
        elif local.time() >= DAY_END:
            local = datetime.combine(
                local.date() + timedelta(days=1), time(self.config.remind_hour), tzinfo=local.tzinfo
            )
        return local.astimezone(at.tzinfo)

    def is_new(
        self,
        subject: str,
        version: int,
        purpose: str,
        lead: int,
        to: Iterable[tuple[str, str]],
        *,
        day: str = "",
        state: str = "",
    ) -> bool:
        """Whether any of ``to`` has no row under this key yet (so there is something to render)."""
        return any((subject, version, purpose, lead, day, state, c, a) not in self.existing for c, a in to)

    def add(
        self,
        *,
        subject: str,
        session_id: int | None,
        version: int,
        purpose: str,
        lead: int,
        unit: Unit,
        to: Iterable[tuple[str, str]],
        rendered: alerts.Rendered | Callable[[], alerts.Rendered],
        due: datetime,
        expires: datetime | None = None,
        day: str = "",
        state: str = "",
        working_day: bool = False,
    ) -> None:
        """``working_day``: an alert, delivered only on a working day in the daytime
        (``rules.alert_policy.delivery_time``); other news only waits for the morning."""
        to = [
            (c, a) for c, a in to if (subject, version, purpose, lead, day, state, c, a) not in self.existing
        ]
        if not to:
            return
        if callable(rendered):
            rendered = rendered()
        # UTC in the database: SQLite keeps no offset, so a local time would be read back 7 h off.
        due = due.astimezone(UTC)
        expires = expires.astimezone(UTC) if expires is not None else None
        if working_day:
            local = max(due, self.now).astimezone(self.config.timezone)
            when = alert_policy.delivery_time(local, self.config.calendar, hour=self.config.remind_hour)
            when = when.astimezone(UTC)
        else:
            when = self.daytime(max(due, self.now)).astimezone(UTC)
        # The payload is the same for every row of the group but for the e-mail's To: name: the
        # rest is written once and each name put in front of it.
        email_rest = sms_payload = ""
        for channel, recipient in to:
            if channel == "email":
                if not email_rest:
                    email_rest = json.dumps(
                        {
                            "subject": rendered.subject,
                            "text": rendered.text,
                            "html": rendered.html,
                            "sms": rendered.sms,
                            "ics": rendered.ics,
                            "sender": unit.sender,
                        },
                        ensure_ascii=False,
                    )[1:]
                name = json.dumps(self.names.get(recipient, ""), ensure_ascii=False)
                payload = f'{{"to_name": {name}, {email_rest}'
            else:
                if not sms_payload:
                    sms_payload = json.dumps(
                        {"sms": rendered.sms, "brandname": unit.brandname}, ensure_ascii=False
                    )
                payload = sms_payload
            self.rows.append(
                {
                    "subject": subject,
                    "session_id": session_id,
                    "version": version,
                    "purpose": purpose,
                    "lead": lead,
                    "day": day,
                    "state": state,
                    "channel": channel,
                    "recipient": recipient,
                    "unit_id": unit.id,
                    "due_at": due,
                    "expires_at": expires,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": when,
                    "claimed_until": None,
                    "message_id": message_id(
                        subject,
                        version,
                        purpose,
                        lead,
                        channel,
                        recipient,
                        day=day,
                        state=state,
                        domain=self.domain,
                    ),
                    "payload": payload,
                    "wire": None,  # an e-mail's MIME: composed as the rows go in (``compose``)
                    "last_error": None,
                    "sent_at": None,
                    "created_at": self.now,
                }
            )
        if self.inserter is not None and len(self.rows) >= self.inserter.CHUNK:
            self.inserter.put(self.rows)
            self.rows = []

    def insert(self, engine: Engine) -> int:
        """Insert the rows not yet inserted, wait for the inserter's; returns how many were new."""
        rows, self.rows = self.rows, []
        if self.inserter is None:
            self.composer.here(rows)
            return _insert_new(engine, rows)
        if rows:
            self.inserter.put(rows)
        return self.inserter.wait()

    def insert_on(self, conn: Connection) -> int:
        """Compose and insert the rows not yet inserted on ``conn``, in its transaction (a
        batch's failure notices, written with the batch's results); returns how many were new."""
        rows, self.rows = self.rows, []
        self.composer.here(rows)
        return _insert_rows(conn, rows) if rows else 0


_KEY = ("subject", "version", "purpose", "lead", "day", "state", "channel", "recipient")


def _existing_keys(conn: Connection, subjects: Iterable[str]) -> set[Key]:
    cols = [_O.c[k] for k in _KEY]
    return {tuple(r) for r in rows_in(conn, select(*cols), _O.c.subject, sorted(subjects))}


def _insert_new(engine: Engine, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    with engine.begin() as conn:
        return _insert_rows(conn, rows)


def _insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert the rows whose key is not in the outbox yet; returns how many were."""
    # In key order: two instances inserting the same keys then lock them in the same order and
    # one waits for the other instead of deadlocking (PostgreSQL).
    rows = sorted(rows, key=lambda r: tuple(r[k] for k in _KEY))
    if conn.dialect.name == "postgresql":
        return _insert_rows_pg(conn, rows)
    ins = sqlite.insert(_O).on_conflict_do_nothing(index_elements=list(_KEY))
    # One executemany: SQLite counts the rows each statement inserted (none for a key present).
    return int(conn.execute(ins, rows).rowcount)


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)  # pragma: no cover


def _insert_rows_pg(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """On PostgreSQL, the rows as one JSON parameter of one INSERT ... SELECT: a multi-row VALUES
    with RETURNING (SQLAlchemy's insertmanyvalues) cost a third of a millisecond of this
    process's CPU a row and four times the time; the rows are inserted in the order given."""
    new = 0
    for chunk in range(0, len(rows), 5000):
        part = rows[chunk : chunk + 5000]
        cols = ", ".join(f'"{c}"' for c in part[0])
        keys = ", ".join(f'"{c}"' for c in _KEY)
        stmt = text(
            f"INSERT INTO outbox ({cols}) SELECT {cols} FROM json_populate_recordset(NULL::outbox, "
            f"CAST(:rows AS json)) WITH ORDINALITY AS t ORDER BY t.ordinality "
            f"ON CONFLICT ({keys}) DO NOTHING RETURNING id"
        )
        data = json.dumps(part, ensure_ascii=False, default=_json_value)
        new += len(conn.execute(stmt, {"rows": data}).all())
    return new


def outbox_rows(engine: Engine, *, status: str | None = None, limit: int = 200) -> list[Any]:
    q = select(_O).order_by(_O.c.id.desc()).limit(limit)
    if status:
        q = q.where(_O.c.status == status)
    with reading(engine) as conn:
        return list(conn.execute(q))
