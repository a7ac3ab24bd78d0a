"""The outbox table (hộp thư đi): a message is written once under its unique key, claimed by
one deliverer at a time, and its result recorded.

The key (subject, version, purpose, lead, channel, recipient) makes a second tick, a second
instance or a tick after a crash write nothing new. A claim takes due rows for a lease
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the one writer on SQLite); every attempt is recorded.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from notifiers import alerts
from notifiers.safe import redact
from rules import DeliveryError, Unit, alert_policy
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import DeliveryAttemptRow, OutboxRow, RefusedRecipientRow
from scheduler.outbox.recipients import recipients

_O = OutboxRow.__table__
_A = DeliveryAttemptRow.__table__
_R = RefusedRecipientRow.__table__
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
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


@dataclass(slots=True)
class _Queue:
    """The new rows of one tick (or of one batch's failure notices), before they are inserted."""

    config: Config
    now: datetime
    rows: list[dict[str, Any]]
    # Keys already in the outbox: their messages are not rendered again (rendering is the cost).
    existing: set[Key] = field(default_factory=set)
    domain: str = "tiepdan"

    names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.domain = sender_domain(self.config)
        self.names = names_of(self.config)

    def daytime(self, at: datetime) -> datetime:
        local = at.astimezone(self.config.timezone)
        if local.time() < DAY_START:
            local = datetime.combine(local.date(), time(self.config.remind_hour), tzinfo=local.tzinfo)
        elif local.time() >= DAY_END:
            local = datetime.combine(
                local.date() + timedelta(days=1), time(self.config.remind_hour), tzinfo=local.tzinfo
            )
        return local.astimezone(at.tzinfo)

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
        for channel, recipient in to:
            payload = {
                "to_name": self.names.get(recipient, ""),
                "subject": rendered.subject,
                "text": rendered.text,
                "html": rendered.html,
                "sms": rendered.sms,
                "ics": rendered.ics,
                "sender": unit.sender,
            }
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
                    "payload": json.dumps(
                        payload if channel == "email" else {"sms": rendered.sms, "brandname": unit.brandname},
                        ensure_ascii=False,
                    ),
                    "last_error": None,
                    "sent_at": None,
                    "created_at": self.now,
                }
            )


_KEY = ("subject", "version", "purpose", "lead", "day", "state", "channel", "recipient")


def _existing_keys(conn: Connection, subjects: Iterable[str]) -> set[Key]:
    cols = [_O.c[k] for k in _KEY]
    ordered = sorted(subjects)
    out: set[Key] = set()
    for i in range(0, len(ordered), 500):
        out.update(
            tuple(r) for r in conn.execute(select(*cols).where(_O.c.subject.in_(ordered[i : i + 500])))
        )
    return out


def _insert_new(engine: Engine, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    with engine.begin() as conn:
        return _insert_rows(conn, rows)


def _insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> int:
    # In key order: two instances inserting the same keys then lock them in the same order and
    # one waits for the other instead of deadlocking (PostgreSQL).
    rows = sorted(rows, key=lambda r: tuple(r[k] for k in _KEY))
    ins = (
        postgresql.insert(_O) if conn.dialect.name == "postgresql" else sqlite.insert(_O)
    ).on_conflict_do_nothing(index_elements=list(_KEY))
    new = 0
    for chunk in range(0, len(rows), 2000):
        new += len(conn.execute(ins.returning(_O.c.id), rows[chunk : chunk + 2000]).all())
    return new


INTERRUPTED = "bị ngắt giữa chừng (tiến trình gửi dừng trước khi biết kết quả)"


def _claim(
    conn: Connection,
    now: datetime,
    limit: int,
    me: str,
    only: tuple[Iterable[int], Iterable[str]] | None = None,
    subjects: Iterable[str] = (),
) -> list[Any]:
    """Take up to ``limit`` due rows for deliverer ``me`` until ``now + LEASE`` (renewed while
    the batch goes); another deliverer never gets them meanwhile. Attempts left open by a
    deliverer that was cut off are closed as interrupted."""
    with conn.begin():
        q = (
            select(_O)
            .where(
                _O.c.status == "pending",
                _O.c.next_attempt_at <= now,
                or_(_O.c.claimed_until.is_(None), _O.c.claimed_until < now),
            )
            .order_by(_O.c.next_attempt_at, _O.c.id)
            .limit(limit)
        )
        named = list(subjects)  # a dialogue's messages (subject dialogue:<id>), told now
        if only is not None:  # one change's messages ("tell people now")
            ids, units = list(only[0]), list(only[1])
            q = q.where(
                or_(
                    _O.c.session_id.in_(ids),
                    *(_O.c.subject.like(f"period:{u}:%") for u in units),
                    *([_O.c.subject.in_(named)] if named else []),
                )
            )
        elif named:
            q = q.where(_O.c.subject.in_(named))
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = conn.execute(q).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        conn.execute(update(_O).where(_O.c.id.in_(ids)).values(claimed_until=now + LEASE, claimed_by=me))
        conn.execute(
            update(_A)
            .where(_A.c.outbox_id.in_(ids), _A.c.finished_at.is_(None))
            .values(finished_at=now, result="interrupted", error=INTERRUPTED)
        )
        return list(rows)


def _refused_of(conn: Connection, addresses: Iterable[str]) -> dict[tuple[str, str], Any]:
    """The refused marks among ``addresses``: (channel, address) -> row."""
    wanted = sorted(set(addresses))
    out: dict[tuple[str, str], Any] = {}
    for i in range(0, len(wanted), 500):
        for r in conn.execute(select(_R).where(_R.c.address.in_(wanted[i : i + 500]))):
            out[(r.channel, r.address)] = r
    return out


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
    "sent": _result_update(
        status="sent", sent_at=bindparam("at"), last_error=None, attempts=_O.c.attempts + 1
    ),
    "failed": _result_update(status="failed", last_error=bindparam("error"), attempts=_O.c.attempts + 1),
    "retry": _result_update(
        last_error=bindparam("error"), next_attempt_at=bindparam("retry_at"), attempts=_O.c.attempts + 1
    ),  # attempts are counted when made, not when claimed
    "dropped": _result_update(status="dropped", last_error=bindparam("error")),
    "refused": _result_update(status="failed", last_error=bindparam("error")),
    "released": _result_update(last_error=bindparam("error"), next_attempt_at=bindparam("retry_at")),
}
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
_INSERT_ATTEMPT = insert(_A)
_IDS: Any = bindparam("ids", expanding=True)


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
_RENEW = (
    update(_O)
    .where(_O.c.claimed_by == bindparam("me"), _O.c.status == "pending")
    .values(claimed_until=bindparam("until"))
)
RELEASE_DELAY = timedelta(minutes=1)


def _commit(
    conn: Connection,
    config: Config,
    me: str,
    now: datetime,
    moment: datetime,
    starts: list[Any],
    outcomes: list[Outcome],
    renew: bool,
) -> set[int]:
    """One transaction for what a group of deliveries needs: the results of finished attempts
    (rows, attempts, failure notices, refused marks), an attempt row for every message about to
    be sent that is still ours (returned: only those may go), and the lease renewed. A few
    statements a group, whatever its size: never one round trip a message.

    ``now`` is the instant the delivery runs as (``--now``): results and backoff are counted
    from it; ``moment`` is that instant moved on by the real time since, for the attempts'
    times and the lease."""
    with conn.begin():
        if outcomes:
            _record_in(conn, config, me, now, outcomes, moment)
        owned: set[int] = set()
        if starts:
            stmt = _START_ATTEMPTS["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
            params = {"ids": sorted(r.id for r in starts), "at": moment, "me": me, "me2": me}
            owned = set(conn.execute(stmt, params).scalars())
        if renew:
            conn.execute(_RENEW, {"me": me, "until": moment + LEASE})
    return owned


def _record(conn: Connection, config: Config, now: datetime, outcomes: list[Outcome], me: str = "") -> None:
    """Write results (never tried: dropped, refused, released) in one transaction."""
    with conn.begin():
        _record_in(conn, config, me, now, outcomes)


def _record_in(
    conn: Connection,
    config: Config,
    me: str,
    now: datetime,
    outcomes: list[Outcome],
    moment: datetime | None = None,
) -> None:
    failures: list[tuple[Any, DeliveryError]] = []
    by_result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    finished: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for o in outcomes:
        r, err = o.row, o.error
        error = None if err is None else redact(str(err))  # never a secret in the outbox
        retry_at = now + (RELEASE_DELAY if o.result == "released" else backoff(r.attempts + 1))
        by_result[o.result].append({"row_id": r.id, "at": now, "error": error, "retry_at": retry_at})
        if o.result in ("sent", "retry", "failed", "released"):
            finished.append(
                {
                    "row_id": r.id,
                    "me": me,
                    "at": moment or now,
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
    for result, params in by_result.items():
        if result == "sent":
            conn.execute(_SENT, {"ids": [p["row_id"] for p in params], "at": now})
        else:
            conn.execute(_RESULT_UPDATES[result], params)  # parameters it has no use for are ignored
    if finished:
        conn.execute(_FINISH_ATTEMPT, finished)
    if refused:
        ins = postgresql.insert(_R) if conn.dialect.name == "postgresql" else sqlite.insert(_R)
        conn.execute(ins.on_conflict_do_nothing(index_elements=["channel", "address"]), refused)
    if failures:
        _report_failures(conn, config, now, failures)


def _report_failures(
    conn: Connection, config: Config, now: datetime, failures: list[tuple[Any, DeliveryError]]
) -> None:
    """Tell the unit's staff by e-mail that a message could not be delivered (never by the
    channel that failed to the address that failed)."""
    q = _Queue(config, now, [])
    for r, err in failures:
        unit = config.units_by_id.get(r.unit_id)
        if unit is None or r.purpose == "delivery_failed":
            continue
        to = [(c, a) for c, a in recipients(config, unit, head=False) if c == "email" and a != r.recipient]
        rendered = alerts.delivery_failed(
            unit_name=unit.name,
            purpose=r.purpose,
            channel=r.channel,
            recipient=r.recipient,
            error=redact(str(err)),
        )
        q.add(
            subject=f"outbox:{r.id}",
            session_id=None,
            version=0,
            purpose="delivery_failed",
            lead=0,
            unit=unit,
            to=to,
            rendered=rendered,
            due=now,
        )
    if q.rows:
        _insert_rows(conn, q.rows)


def outbox_rows(engine: Engine, *, status: str | None = None, limit: int = 200) -> list[Any]:
    q = select(_O).order_by(_O.c.id.desc()).limit(limit)
    if status:
        q = q.where(_O.c.status == status)
    with reading(engine) as conn:
        return list(conn.execute(q))


@dataclass(frozen=True, slots=True)
class RefusedAddress:
    """An address the server refused permanently (địa chỉ bị từ chối) that the configuration
    still gives: nothing more is sent to it until a person changes it there."""

    channel: str
    address: str
    refused_at: datetime
    error: str
    unit_id: str | None


def refused_addresses(engine: Engine, config: Config, *, unit_id: str | None = None) -> list[RefusedAddress]:
    """The refused addresses still in the configuration (of ``unit_id``'s people, or anyone's)."""
    units = [config.units_by_id[unit_id]] if unit_id is not None and unit_id in config.units_by_id else []
    if unit_id is None:
        units = list(config.units)
    configured = {pair for u in units for pair in recipients(config, u)}
    if not configured:
        return []
    with reading(engine) as conn:
        marks = _refused_of(conn, (a for _, a in configured))
    return sorted(
        (
            RefusedAddress(r.channel, r.address, as_utc(r.refused_at), r.error, r.unit_id)
            for key, r in marks.items()
            if key in configured
        ),
        key=lambda r: (r.unit_id or "", r.address),
    )
