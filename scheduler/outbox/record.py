"""Every attempt on record (lần gửi): an attempt row written before a message goes, only while
the row is still this deliverer's; its result, error and duration when it ends; a group of both
halves, and the lease's renewal, in one transaction of a few statements whatever its size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from notifiers.safe import redact
from rules import DeliveryError
from scheduler.infra.config import Config
from scheduler.infra.db.models import DeliveryAttemptRow, OutboxRow, RefusedRecipientRow
from scheduler.outbox import store
from scheduler.outbox.failure_notices import report_failures
from scheduler.outbox.record_fast import commit_sent
from scheduler.outbox.store import backoff

_O = OutboxRow.__table__
_A = DeliveryAttemptRow.__table__
_R = RefusedRecipientRow.__table__
RELEASE_DELAY = timedelta(minutes=1)  # a row released untried (its channel stopped) is due again


@dataclass(slots=True, frozen=True)
class Outcome:
    """One row's result: ``result`` is sent, retry, failed, dropped (stale, never tried),
    refused (its address is marked refused, not tried) or released (not tried: the channel's
    batch was stopped, or the row is no longer ours)."""

    row: Any
    result: str
    error: DeliveryError | None = None
    duration_ms: int | None = None


def _result_update(**values: Any) -> Any:
    """The UPDATE that records one kind of result for the row ``:row_id``, built once (building
    the statement each time cost as much as running it)."""
    return (
        update(_O)
        .where(and_(_O.c.id == bindparam("row_id"), _O.c.status == "pending"))
        .values(claimed_until=None, claimed_by=None, **values)
    )


_RESULT_UPDATES = {
    "failed": _result_update(status="failed", last_error=bindparam("error"), attempts=_O.c.attempts + 1),
    "retry": _result_update(
        last_error=bindparam("error"), next_attempt_at=bindparam("retry_at"), attempts=_O.c.attempts + 1
    ),  # attempts are counted when made, not when claimed
    "dropped": _result_update(status="dropped", last_error=bindparam("error")),
    "refused": _result_update(status="failed", last_error=bindparam("error")),
    "released": _result_update(last_error=bindparam("error"), next_attempt_at=bindparam("retry_at")),
}
_IDS: Any = bindparam("ids", expanding=True)
# A group's sent rows in one statement (they share every value but the id).
_SENT = (
    update(_O)
    .where(_O.c.id.in_(_IDS), _O.c.status == "pending")
    .values(
        status="sent",
        sent_at=bindparam("at"),
        last_error=None,
        attempts=_O.c.attempts + 1,
        claimed_until=None,
        claimed_by=None,
    )
)
_FINISH_ATTEMPT = (
    update(_A)
    .where(
        _A.c.outbox_id == bindparam("row_id"),
        _A.c.finished_at.is_(None),
        _A.c.deliverer == bindparam("me"),
    )
    .values(
        finished_at=bindparam("at"),
        result=bindparam("result"),
        error=bindparam("error"),
        permanent=bindparam("permanent"),
        duration_ms=bindparam("duration_ms"),
    )
)


def _start_attempts(dialect: str) -> Any:
    """The rows of a group that are still this deliverer's get their attempt row, in one
    statement that also says which they are (only those may be sent); on PostgreSQL the rows are
    locked until the commit, so a claim by another deliverer (SKIP LOCKED) passes them by."""
    mine = (
        select(
            _O.c.id, bindparam("at", type_=_A.c.started_at.type), bindparam("me2", type_=_A.c.deliverer.type)
        )
        .where(_O.c.id.in_(_IDS), _O.c.status == "pending", _O.c.claimed_by == bindparam("me"))
        .order_by(_O.c.id)
    )
    if dialect == "postgresql":
        mine = mine.with_for_update(of=_O)
    return insert(_A).from_select(["outbox_id", "started_at", "deliverer"], mine).returning(_A.c.outbox_id)


_START_ATTEMPTS = {d: _start_attempts(d) for d in ("postgresql", "sqlite")}
_RENEW = (
    update(_O)
    .where(_O.c.claimed_by == bindparam("me"), _O.c.status == "pending")
    .values(claimed_until=bindparam("until"))
)
# Not "channel": a parameter named as a column of the UPDATE is taken for its new value (SET
# channel = NULL, which failed the whole group's transaction whenever a renewal rode with a retry
# or a failure).
_RENEW_CHANNEL = _RENEW.where(_O.c.channel == bindparam("renewed_channel"))


def commit(
    conn: Connection,
    config: Config,
    me: str,
    now: datetime,
    moment: datetime,
    starts: list[Any],
    outcomes: list[Outcome],
    renew: bool,
    channel: str | None = None,
) -> set[int]:
    """One transaction for what a group of deliveries needs: the results of finished attempts
    (rows, attempts, failure notices, refused marks), an attempt row for every message about to
    be sent that is still ours (returned: only those may go), and the lease renewed. A few
    statements a group, whatever its size: never one round trip a message.

    ``now`` is the instant the delivery runs as (``--now``): results and backoff are counted
    from it; ``moment`` is that instant moved on by the real time since, for the attempts'
    times and the lease. ``channel``: the lease of that channel's rows only (on PostgreSQL each
    channel records on its own connection, and a renewal of every row would lock the rows the
    other channel's transaction holds: two such transactions could wait on each other)."""
    if all(o.result == "sent" for o in outcomes):  # the common case, in the driver's own SQL
        sent = [(o.row.id, o.duration_ms) for o in outcomes]
        until = moment + store.LEASE if renew else None
        return commit_sent(conn, me, now, moment, [r.id for r in starts], sent, until, channel)
    return commit_statements(conn, config, me, now, moment, starts, outcomes, renew, channel)


def commit_statements(
    conn: Connection,
    config: Config,
    me: str,
    now: datetime,
    moment: datetime,
    starts: list[Any],
    outcomes: list[Outcome],
    renew: bool,
    channel: str | None = None,
) -> set[int]:
    """``commit`` in SQLAlchemy's statements, for results of any kind; what ``commit_sent``
    writes for a group of sent results is compared with it (tests/test_outbox_record_fast.py)."""
    with conn.begin():
        if outcomes:
            record_in(conn, config, me, now, outcomes, moment)
        owned: set[int] = set()
        if starts:
            stmt = _START_ATTEMPTS["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
            params = {"ids": sorted(r.id for r in starts), "at": moment, "me": me, "me2": me}
            owned = set(conn.execute(stmt, params).scalars())
        if renew:
            lease = {"me": me, "until": moment + store.LEASE}
            if channel is None:
                conn.execute(_RENEW, lease)
            else:
                conn.execute(_RENEW_CHANNEL, lease | {"renewed_channel": channel})
    return owned


def record(conn: Connection, config: Config, now: datetime, outcomes: list[Outcome], me: str = "") -> None:
    """Write results (never tried: dropped, refused, released) in one transaction."""
    with conn.begin():
        record_in(conn, config, me, now, outcomes)


def record_in(
    conn: Connection,
    config: Config,
    me: str,
    now: datetime,
    outcomes: list[Outcome],
    moment: datetime | None = None,
) -> None:
    failures: list[tuple[Any, DeliveryError]] = []
    by_result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    sent: list[int] = []
    finished: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    at = moment or now
    for o in outcomes:
        r, err = o.row, o.error
        error = None if err is None else redact(str(err))  # never a secret in the outbox
        if o.result == "sent":
            sent.append(r.id)  # the sent rows share every value but the id: one statement
        else:
            retry_at = now + (RELEASE_DELAY if o.result == "released" else backoff(r.attempts + 1))
            by_result[o.result].append({"row_id": r.id, "at": now, "error": error, "retry_at": retry_at})
        if o.result in ("sent", "retry", "failed", "released"):
            finished.append(
                {
                    "row_id": r.id,
                    "me": me,
                    "at": at,
                    "result": o.result,
                    "error": error,
                    "permanent": bool(err and err.permanent),
                    "duration_ms": o.duration_ms,
                }
            )
        if o.result == "failed":
            assert err is not None
            failures.append((r, err))
            if err.refused:
                refused.append(
                    {
                        "channel": r.channel,
                        "address": r.recipient,
                        "refused_at": now,
                        "error": error,
                        "outbox_id": r.id,
                        "unit_id": r.unit_id,
                    }
                )
    if sent:
        conn.execute(_SENT, {"ids": sent, "at": now})
    for result, params in by_result.items():
        conn.execute(_RESULT_UPDATES[result], params)  # parameters it has no use for are ignored
    if finished:
        conn.execute(_FINISH_ATTEMPT, finished)
    if refused:
        ins = postgresql.insert(_R) if conn.dialect.name == "postgresql" else sqlite.insert(_R)
        conn.execute(ins.on_conflict_do_nothing(index_elements=["channel", "address"]), refused)
    if failures:
        report_failures(conn, config, now, failures)
