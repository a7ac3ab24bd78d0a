"""The group commit's common case in the driver's own SQL: attempt rows for the messages about to
go, the sent results of the last ones, the lease renewed. SQLAlchemy's execution path costs some
0.3 ms of CPU a statement, five times the statement itself on SQLite (a group's transaction 1.8
against 0.3 ms, measured on a peak day's outbox), and a delivery runs one such transaction for
every few messages. Anything else (a retry, a failure, a drop) goes through ``record.commit``.

The statements are the ones ``record`` builds (the same rows, the same values; SQLite's times
written by SQLAlchemy's own DateTime processor, so they compare as the rest do); a driver error
is raised as SQLAlchemy's, as any other statement's would be.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from scheduler.infra.db.arrays import pg_array  # ids as one string: the driver dumps a list in Python

_START = (
    "INSERT INTO delivery_attempts (outbox_id, started_at, deliverer, permanent) "
    "SELECT id, {at}, {me}, {false} FROM outbox WHERE id {ids} AND status = 'pending' "
    "AND claimed_by = {me} ORDER BY id{lock} RETURNING outbox_id"
)
_SENT = (
    "UPDATE outbox SET status = 'sent', sent_at = {at}, last_error = NULL, attempts = attempts + 1, "
    "claimed_until = NULL, claimed_by = NULL WHERE id {ids} AND status = 'pending'"
)
_FINISH_SQLITE = (
    "UPDATE delivery_attempts SET finished_at = ?, result = 'sent', error = NULL, permanent = 0, "
    "duration_ms = ? WHERE outbox_id = ? AND finished_at IS NULL AND deliverer = ?"
)
# Each row's duration picked from the array by its id's place, not joined from unnest(): the
# planner cannot see a parameter array's length, took it for many rows and read the whole
# attempts table to hash-join it (3 ms a group on the peak day, growing with the table).
_FINISH_PG = (
    "UPDATE delivery_attempts SET finished_at = %(at)s, result = 'sent', error = NULL, "
    "permanent = false, duration_ms = (%(ms)s::int[])[array_position(%(ids)s::int[], outbox_id)] "
    "WHERE outbox_id = ANY(%(ids)s::int[]) AND finished_at IS NULL AND deliverer = %(me)s"
)
_RENEW = "UPDATE outbox SET claimed_until = {until} WHERE claimed_by = {me} AND status = 'pending'"


def _renewal(mark: str, channel: str | None) -> str:
    """The lease's renewal with the driver's parameter ``mark`` (three of them: until, me and,
    for one channel's rows only, the channel)."""
    sql = _RENEW.format(until=mark.format("until"), me=mark.format("me"))
    return sql if channel is None else sql + " AND channel = " + mark.format("channel")


@functools.cache
def _sqlite_time(dialect: Dialect) -> Callable[[datetime], Any]:
    process = DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    return process


def commit_sent(
    conn: Connection,
    me: str,
    now: datetime,
    moment: datetime,
    starts: Sequence[int],
    sent: Sequence[tuple[int, int | None]],
    until: datetime | None,
    channel: str | None = None,
) -> set[int]:
    """One transaction: the rows in ``sent`` (id, duration in ms) recorded as sent at ``now``,
    their attempts finished at ``moment``; an attempt row at ``moment`` for each of ``starts``
    still this deliverer's (returned); the lease renewed to ``until`` if given (of ``channel``'s
    rows only, if given)."""
    dialect = conn.dialect
    raw = conn.connection.driver_connection
    assert raw is not None
    try:
        if dialect.name == "postgresql":
            return _postgresql(raw, me, now, moment, starts, sent, until, channel)
        return _sqlite(raw, _sqlite_time(dialect), me, now, moment, starts, sent, until, channel)
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            "outbox group commit", None, exc, dialect.loaded_dbapi.Error, dialect=dialect
        ) from exc


def _sqlite(
    raw: Any,
    t: Callable[[datetime], Any],
    me: str,
    now: datetime,
    moment: datetime,
    starts: Sequence[int],
    sent: Sequence[tuple[int, int | None]],
    until: datetime | None,
    channel: str | None,
) -> set[int]:
    at = t(moment)
    raw.execute("BEGIN IMMEDIATE")  # as every writer on SQLite (infra/db): queue, don't fail
    try:
        if sent:
            ids = [i for i, _ in sent]
            marks = ",".join("?" * len(ids))
            raw.execute(_SENT.format(at="?", ids=f"IN ({marks})"), [t(now), *ids])
            raw.executemany(_FINISH_SQLITE, [(at, ms, i, me) for i, ms in sent])
        owned: set[int] = set()
        if starts:
            marks = ",".join("?" * len(starts))
            sql = _START.format(at="?", me="?", false="0", ids=f"IN ({marks})", lock="")
            # the parameters in the order of their marks: at, me (select), the ids, me (where)
            owned = {r[0] for r in raw.execute(sql, [at, me, *sorted(starts), me]).fetchall()}
        if until is not None:
            raw.execute(_renewal("?", channel), [t(until), me] + ([] if channel is None else [channel]))
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    return owned


def _postgresql(
    raw: Any,
    me: str,
    now: datetime,
    moment: datetime,
    starts: Sequence[int],
    sent: Sequence[tuple[int, int | None]],
    until: datetime | None,
    channel: str | None,
) -> set[int]:
    # One round trip for the whole group, its commit included (psycopg's pipeline mode), not one
    # a statement: on a busy machine every answer waits for the server's process to be woken.
    started = raw.cursor()
    try:
        with raw.pipeline():
            with raw.cursor() as cur:
                if sent:
                    ids, ms = pg_array([i for i, _ in sent]), pg_array([ms for _, ms in sent])
                    sql = _SENT.format(at="%(at)s", ids="= ANY(%(ids)s::int[])")
                    cur.execute(sql, {"at": now, "ids": ids})
                    # Planned each time, not prepared: a generic plan made while the attempts
                    # table was small read it whole for every group once it had grown (the peak
                    # day's delivery cost the server 4.4-5.0 s instead of 2.3).
                    cur.execute(_FINISH_PG, {"at": moment, "ids": ids, "ms": ms, "me": me}, prepare=False)
                if until is not None:
                    cur.execute(_renewal("%({})s", channel), {"until": until, "me": me, "channel": channel})
            if starts:
                lock = " FOR UPDATE OF outbox"  # a claim by another deliverer passes them by
                at, mine = "%(at)s::timestamptz", "%(me)s::varchar"
                sql = _START.format(at=at, me=mine, false="false", ids="= ANY(%(ids)s::int[])", lock=lock)
                started.execute(sql, {"at": moment, "me": me, "ids": pg_array(sorted(starts))})
            raw.commit()
        return {r[0] for r in started.fetchall()} if starts else set()
    except BaseException:
        raw.rollback()
        raise
    finally:
        started.close()
