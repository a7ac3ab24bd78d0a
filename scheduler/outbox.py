"""The outbox (hộp thư đi): what is due is written once, then delivered once.

``queue_due(now)`` computes every message due as of ``now`` from the stored sessions and
writes it with a unique key (subject, version, purpose, lead, channel, recipient), so a second
tick, a second instance or a tick after a crash writes nothing new. ``deliver_due(now)`` claims
due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the one writer on SQLite), drops the ones
whose session has since moved or been cancelled, sends the rest in batches per channel, and
records every attempt. Transient failures come back later with backoff; permanent ones stop and
are reported to the unit's staff.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from notifiers import alerts
from notifiers.channels import Channel, FileChannel, SmsChannel, SmtpChannel
from notifiers.channels.smtp import _Batch as _SmtpBatch
from notifiers.message import OutgoingMessage
from rules import ConfigError, DeliveryError, Unit
from scheduler.clock import as_utc, local_today
from scheduler.config import Config
from scheduler.db import reading
from scheduler.db.models import DeliveryAttemptRow, OutboxRow, SessionRow
from scheduler.sessions import proposals_for

_S = SessionRow.__table__
_O = OutboxRow.__table__
_A = DeliveryAttemptRow.__table__
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
DAY_START, DAY_END = time(6, 0), time(21, 0)  # nobody is texted at night
SMS_CHUNK = 20  # SMS results are known a chunk at a time (one HTTP client a chunk)


def backoff(attempts: int) -> timedelta:
    """1, 5, 25 minutes, 2 hours, then every 6 hours."""
    return timedelta(minutes=min(5 ** (attempts - 1), 360))


# Recipients ---------------------------------------------------------------------------------


def recipients(
    config: Config, unit: Unit, *, head: bool = True, staff: bool = True, supervisor: bool = False
) -> list[tuple[str, str]]:
    """(channel, address) pairs, without repeats."""
    people = ([unit.head] if head else []) + (list(unit.staff) if staff else [])
    if supervisor and unit.parent and unit.parent in config.units_by_id:
        people += list(config.units_by_id[unit.parent].staff)
    out: list[tuple[str, str]] = []
    for p in people:
        for pair in (("email", p.email), ("sms", p.phone)):
            if pair[1] and pair not in out:
                out.append(pair)
    return out


def message_id(subject: str, version: int, purpose: str, lead: int, channel: str, recipient: str) -> str:
    digest = hashlib.sha256(recipient.encode()).hexdigest()[:12]
    return f"{purpose}.{subject.replace(':', '-')}.v{version}.l{lead}.{channel}.{digest}@tiepdan"


# Queueing -----------------------------------------------------------------------------------


Key = tuple[str, int, str, int, str, str]  # subject, version, purpose, lead, channel, recipient


@dataclass(slots=True)
class _Queue:
    config: Config
    now: datetime
    rows: list[dict[str, Any]]
    # Keys already in the outbox: their messages are not rendered again (rendering is the cost).
    existing: set[Key] = field(default_factory=set)

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
    ) -> None:
        to = [(c, a) for c, a in to if (subject, version, purpose, lead, c, a) not in self.existing]
        if not to:
            return
        if callable(rendered):
            rendered = rendered()
        # UTC in the database: SQLite keeps no offset, so a local time would be read back 7 h off.
        due = due.astimezone(UTC)
        expires = expires.astimezone(UTC) if expires is not None else None
        when = self.daytime(max(due, self.now)).astimezone(UTC)
        for channel, recipient in to:
            payload = {
                "subject": rendered.subject,
                "text": rendered.text,
                "html": rendered.html,
                "sms": rendered.sms,
                "ics": rendered.ics,
            }
            self.rows.append(
                {
                    "subject": subject,
                    "session_id": session_id,
                    "version": version,
                    "purpose": purpose,
                    "lead": lead,
                    "channel": channel,
                    "recipient": recipient,
                    "unit_id": unit.id,
                    "due_at": due,
                    "expires_at": expires,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": when,
                    "claimed_until": None,
                    "message_id": message_id(subject, version, purpose, lead, channel, recipient),
                    "payload": json.dumps(
                        payload if channel == "email" else {"sms": rendered.sms}, ensure_ascii=False
                    ),
                    "last_error": None,
                    "sent_at": None,
                    "created_at": self.now,
                }
            )


def _facts(config: Config, row: Any, replaces_date: date | None = None) -> alerts.SessionFacts | None:
    unit = config.units_by_id.get(row.unit_id)
    if unit is None:
        return None
    return alerts.SessionFacts(
        id=row.id,
        unit_id=row.unit_id,
        unit_name=unit.name,
        date=row.date,
        start=row.start,
        end=row.end,
        venue=row.venue,
        kind=row.kind,
        status=row.status,
        version=row.version,
        reason=row.reason,
        online=row.online_url or "",
        head=unit.head.name,
        replaces_date=replaces_date,
    )


def _local(config: Config, d: date, hhmm: str | None, default: time) -> datetime:
    t = time.fromisoformat(hhmm) if hhmm else default
    return datetime.combine(d, t, tzinfo=config.timezone)


def queue_due(engine: Engine, config: Config, now: datetime) -> int:
    """Write every message due as of ``now``; returns how many rows were new."""
    today = local_today(now, config.timezone)
    sms_unicode = bool(config.sms and config.sms.unicode)
    q = _Queue(config, now, [])
    max_lead = max([*config.default_remind_days, *(d for v in config.remind_days.values() for d in v)] or [0])
    with reading(engine) as conn:
        upcoming = conn.execute(
            select(_S).where(
                _S.c.status == "planned", _S.c.date.between(today, today + timedelta(days=max_lead))
            )
        ).all()
        changed = conn.execute(
            select(_S).where(
                _S.c.status == "planned",
                _S.c.date >= today,
                or_(_S.c.rescheduled_version.is_not(None), _S.c.kind == "makeup"),
            )
        ).all()
        cancelled = conn.execute(
            select(_S).where(
                _S.c.status.in_(("cancelled", "not_held")), _S.c.date >= today - timedelta(days=1)
            )
        ).all()
        waiting = conn.execute(
            select(_S).where(_S.c.needs_makeup.is_(True), _S.c.date >= today - timedelta(days=62))
        ).all()
        unrecorded = conn.execute(
            select(_S).where(_S.c.status == "planned", _S.c.date.between(today - timedelta(days=30), today))
        ).all()
        replaced_dates = dict(
            conn.execute(
                select(_S.c.id, _S.c.date).where(
                    _S.c.id.in_([r.replaces_id for r in changed if r.replaces_id] or [-1])
                )
            ).all()
        )
        period_rows = conn.execute(
            select(_S.c.unit_id, _S.c.status, _S.c.date).where(
                _S.c.date.between(today - timedelta(days=40), today + timedelta(days=40)),
            )
        ).all()
        subjects = {
            f"session:{r.id}" for rows in (upcoming, changed, cancelled, waiting, unrecorded) for r in rows
        }
        q.existing = _existing_keys(conn, subjects)

    for row in upcoming:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        start = _local(config, row.date, row.start, time(7, 30))
        # A session moved (or a make-up booked) after a lead time had come: the change notice
        # told everyone then; a reminder at the same moment would only repeat it.
        noticed = (
            as_utc(row.updated_at)
            if row.kind == "makeup" or (row.rescheduled_version and row.rescheduled_version == row.version)
            else None
        )
        due_leads = [
            lead
            for lead in config.remind_days_for(unit)
            if (due := _local(config, row.date - timedelta(days=lead), None, time(config.remind_hour))) <= now
            and now < start
            and (noticed is None or due >= noticed)
        ]
        if not due_leads:
            continue
        lead = min(due_leads)  # after an outage only the most recent reminder is still useful
        days_left = (row.date - today).days  # the words say how far off it is, even when late
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=row.version,
            purpose="reminder",
            lead=lead,
            unit=unit,
            to=recipients(config, unit),
            rendered=lambda f=facts, n=days_left: alerts.reminder(f, n, unicode_sms=sms_unicode),
            due=_local(config, row.date - timedelta(days=lead), None, time(config.remind_hour)),
            expires=start,
        )

    for row in changed:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row, replaced_dates.get(row.replaces_id))
        if unit is None or facts is None:
            continue
        version = row.rescheduled_version or 1
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=version,
            purpose="changed",
            lead=0,
            unit=unit,
            to=recipients(config, unit),
            rendered=lambda f=facts: alerts.changed(f, unicode_sms=sms_unicode),
            due=now,
            expires=_local(config, row.date, row.start, time(7, 30)),
        )

    for row in cancelled:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        # Version 0: a session is cancelled once; later bumps (its make-up booked) are no news.
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=0,
            purpose="cancelled",
            lead=0,
            unit=unit,
            to=recipients(config, unit),
            rendered=lambda f=facts: alerts.cancelled(f, unicode_sms=sms_unicode),
            due=now,
        )

    for row in waiting:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        to = recipients(config, unit, head=False, supervisor=True)
        if all(
            (f"session:{row.id}", row.version, "makeup_alert", today.toordinal(), c, a) in q.existing
            for c, a in to
        ):
            continue  # today's alert is already out
        with reading(engine) as conn:
            # The same proposals as ``tiepdan cancel`` shows (never the cancelled day itself).
            proposals = proposals_for(conn, config, row, today)
        waited = max(0, (today - as_utc(row.updated_at).astimezone(config.timezone).date()).days)
        # One alert a day (lead = the day) until a make-up is booked.
        q.add(
            subject=f"session:{row.id}",
            session_id=row.id,
            version=row.version,
            purpose="makeup_alert",
            lead=today.toordinal(),
            unit=unit,
            to=to,
            rendered=alerts.makeup_alert(facts, proposals, days_waiting=waited, unicode_sms=sms_unicode),
            due=now,
        )

    for row in unrecorded:
        unit = config.units_by_id.get(row.unit_id)
        facts = _facts(config, row)
        if unit is None or facts is None:
            continue
        if as_utc(row.created_at).astimezone(config.timezone).date() > row.date:
            continue  # planned after the fact (a first install mid-year): nobody was to record it
        staff_day = config.calendar.add_working_days(row.date, 1)
        sup_day = config.calendar.add_working_days(staff_day, 2)
        for purpose, day, supervisor in (
            ("outcome_missing", staff_day, False),
            ("outcome_missing_sup", sup_day, True),
        ):
            due = _local(config, day, "17:00", time(17))
            if due > now:
                continue
            to = recipients(config, unit, head=False, staff=not supervisor, supervisor=supervisor)
            q.add(
                subject=f"session:{row.id}",
                session_id=row.id,
                version=row.version,
                purpose=purpose,
                lead=0,
                unit=unit,
                to=to,
                rendered=lambda f=facts, sup=supervisor: alerts.outcome_missing(
                    f, supervisor=sup, unicode_sms=sms_unicode
                ),
                due=due,
            )

    _queue_period_alerts(q, config, today, period_rows, sms_unicode)
    return _insert_new(engine, q.rows)


def _queue_period_alerts(
    q: _Queue, config: Config, today: date, rows: Iterable[Any], sms_unicode: bool
) -> None:
    """A period whose remaining sessions can no longer meet the mandate, or that ended short."""
    by_unit: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for unit_id, status, d in rows:
        by_unit[unit_id].append((status, d))
    for unit_id, sessions in by_unit.items():
        unit = config.units_by_id.get(unit_id)
        if unit is None:
            continue
        level = config.level_of(unit)
        current = level.period_of(today)
        mandate = level.mandate_on(current.start)
        held = sum(1 for s, d in sessions if s == "held" and d in current)
        # A past session not yet recorded is most likely held: the missing-outcome reminder
        # chases it; counting it as lost would cry wolf.
        planned = sum(1 for s, d in sessions if s == "planned" and d in current)
        if held + planned < mandate.min_days:
            facts = alerts.PeriodFacts(
                unit.id, unit.name, current.label, mandate.min_days, held, planned, False, mandate.basis
            )
            q.add(
                subject=f"period:{unit.id}:{current.key}",
                session_id=None,
                version=held * 1000 + planned,
                purpose="at_risk",
                lead=0,
                unit=unit,
                to=recipients(config, unit, head=False, supervisor=True),
                rendered=alerts.period_alert(facts, unicode_sms=sms_unicode),
                due=q.now,
            )
        previous = level.period_of(current.start - timedelta(days=1))
        prev_mandate = level.mandate_on(previous.start)
        prev_held = sum(1 for s, d in sessions if s == "held" and d in previous)
        # Only a period with sessions on record: before the service was in use, nothing is known.
        known = any(d in previous for _, d in sessions)
        if known and previous.start >= today - timedelta(days=40) and prev_held < prev_mandate.min_days:
            facts = alerts.PeriodFacts(
                unit.id,
                unit.name,
                previous.label,
                prev_mandate.min_days,
                prev_held,
                0,
                True,
                prev_mandate.basis,
            )
            q.add(
                subject=f"period:{unit.id}:{previous.key}",
                session_id=None,
                version=0,
                purpose="ended_short",
                lead=0,
                unit=unit,
                to=recipients(config, unit, head=False, supervisor=True),
                rendered=alerts.period_alert(facts, unicode_sms=sms_unicode),
                due=q.now,
            )


_KEY = ("subject", "version", "purpose", "lead", "channel", "recipient")


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


# Delivery -----------------------------------------------------------------------------------


def build_channels(config: Config, *, env: Mapping[str, str] | None = None) -> dict[str, Channel]:
    """The configured channels; the file channel stands in for any that is not configured.

    Secrets come from the environment; a missing one is a configuration error named by key.
    """
    env = os.environ if env is None else env
    files = FileChannel(
        config.outbox_dir, sender=config.email.sender if config.email else "tiepdan@localhost"
    )
    channels: dict[str, Channel] = {"email": files, "sms": files}
    if config.email is not None:
        e = config.email
        password = ""
        if e.username:
            password = env.get(e.password_env, "")
            if not password:
                raise ConfigError(
                    f"{config.path}: email.password_env: biến môi trường {e.password_env} chưa được đặt"
                )
        channels["email"] = SmtpChannel(
            host=e.host,
            port=e.port,
            security=e.security,  # type: ignore[arg-type]
            username=e.username,
            password=password,
            sender=e.sender,
        )
    if config.sms is not None:
        s = config.sms
        token = env.get(s.token_env, "")
        if not token:
            raise ConfigError(f"{config.path}: sms.token_env: biến môi trường {s.token_env} chưa được đặt")
        channels["sms"] = SmsChannel(
            url=s.url, token=token, brandname=s.brandname, unicode=s.unicode, timeout=s.timeout
        )
    return channels


@dataclass(slots=True)
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0


def _claim(conn: Connection, now: datetime, limit: int) -> list[Any]:
    """Take up to ``limit`` due rows for this process; another process never gets the same."""
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
        if conn.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = conn.execute(q).all()
        if not rows:
            return []
        ids = [r.id for r in rows]
        conn.execute(update(_O).where(_O.c.id.in_(ids)).values(claimed_until=now + LEASE))
        return rows


def _stale(row: Any, session: Any | None) -> str | None:
    """Why a claimed row must not be sent any more, or None."""
    if row.session_id is None or row.purpose == "cancelled" or row.purpose == "delivery_failed":
        return None
    if session is None:
        return "buổi tiếp không còn"
    if row.purpose == "reminder" and (session.status != "planned" or session.version != row.version):
        return "buổi tiếp đã thay đổi hoặc bị hủy sau khi xếp nhắc"
    if row.purpose == "changed":
        current = session.rescheduled_version or (1 if session.kind == "makeup" else None)
        if session.status != "planned" or current != row.version:
            return "đã có thay đổi mới hơn"
    if row.purpose == "makeup_alert" and (not session.needs_makeup or session.version != row.version):
        return "đã đặt lịch tiếp bù"
    if row.purpose.startswith("outcome_missing") and session.status != "planned":
        return "đã ghi kết quả"
    return None


def _outgoing(row: Any) -> OutgoingMessage:
    payload = json.loads(row.payload)
    if row.channel == "sms":
        return OutgoingMessage(
            channel="sms", recipient=row.recipient, text=payload["sms"], message_id=row.message_id
        )
    return OutgoingMessage(
        channel="email",
        recipient=row.recipient,
        subject=payload["subject"],
        text=payload["text"],
        html=payload.get("html"),
        ics=payload.get("ics"),
        message_id=row.message_id,
    )


async def deliver_due(
    engine: Engine,
    config: Config,
    channels: Mapping[str, Channel],
    now: datetime,
    *,
    batch: int = 200,
    max_batches: int | None = None,
) -> DeliveryStats:
    """Claim due rows ``batch`` at a time and deliver them, until none is left (or
    ``max_batches``). The bookkeeping runs on one connection in one worker thread: the event
    loop stays free, and SQLite is not reopened (and checkpointed) for every message."""
    stats = DeliveryStats()
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tiepdan-outbox") as worker:
        conn: Connection = await loop.run_in_executor(worker, engine.connect)

        def db(fn: Callable[..., Any], *args: Any) -> Awaitable[Any]:
            return loop.run_in_executor(worker, functools.partial(fn, conn, *args))

        try:
            done = 0
            while max_batches is None or done < max_batches:
                rows = await db(_claim, now, batch)
                if not rows:
                    break
                done += 1
                await _deliver_claimed(db, config, channels, now, rows, stats)
        finally:
            await loop.run_in_executor(worker, conn.close)
    return stats


Outcome = tuple[Any, str, DeliveryError | None]


def _sessions_of(conn: Connection, ids: list[int]) -> dict[int, Any]:
    if not ids:
        return {}
    with conn.begin():
        return {r.id: r for r in conn.execute(select(_S).where(_S.c.id.in_(ids)))}


async def _deliver_claimed(
    db: Callable[..., Awaitable[Any]],
    config: Config,
    channels: Mapping[str, Channel],
    now: datetime,
    rows: list[Any],
    stats: DeliveryStats,
) -> None:
    """Send the claimed rows, recording each result as soon as it is known: a crash then leaves
    at most the message in flight to be sent again, never the whole batch."""
    sessions = await db(_sessions_of, sorted({r.session_id for r in rows if r.session_id}))
    dropped: list[Outcome] = []
    by_channel: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        why = _stale(r, sessions.get(r.session_id)) if r.session_id else None
        if why is None and r.expires_at is not None and as_utc(r.expires_at) <= now:
            why = "đã quá thời điểm buổi tiếp"
        if why is not None:
            dropped.append((r, "dropped", DeliveryError(why, permanent=True)))
            stats.dropped += 1
        else:
            by_channel[r.channel].append(r)
    if dropped:
        await db(_record, config, now, dropped)
    for channel_name, group in by_channel.items():
        results = _send_each(channels[channel_name], [_outgoing(r) for r in group])
        async with contextlib.aclosing(results):
            i = 0
            async for err in results:
                r = group[i]
                i += 1
                if err is None:
                    outcome: Outcome = (r, "sent", None)
                    stats.sent += 1
                elif err.permanent or r.attempts + 1 >= MAX_ATTEMPTS:
                    outcome = (r, "failed", err)
                    stats.failed += 1
                else:
                    outcome = (r, "retry", err)
                    stats.retried += 1
                await db(_record, config, now, [outcome])


async def _send_each(
    channel: Channel, messages: Sequence[OutgoingMessage]
) -> AsyncIterator[DeliveryError | None]:
    """Each message's result, in order, as soon as the channel has it.

    SMTP: one connection for the group (as ``send_batch``), a result per message. Files: one at
    a time (nothing to set up). SMS and any other channel: ``send_batch`` by chunks of
    ``SMS_CHUNK`` (an HTTP client costs a TLS context); after a crash a chunk may go again, and
    the gateway drops the repeats by ``request_id``.
    """
    if isinstance(channel, SmtpChannel):
        smtp = _SmtpBatch(channel)
        try:
            for msg in messages:
                yield await smtp.send(msg)
        finally:
            await smtp.close()
        return
    step = 1 if isinstance(channel, FileChannel) else SMS_CHUNK
    for i in range(0, len(messages), step):
        for result in await channel.send_batch(messages[i : i + step]):
            yield result


def _result_update(**values: Any) -> Any:
    """The UPDATE that records one kind of result for the row ``:row_id``, built once (a message
    a transaction: building the statement each time cost as much as running it)."""
    return (
        update(_O)
        .where(and_(_O.c.id == bindparam("row_id"), _O.c.status == "pending"))
        .values(claimed_until=None, **values)
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
}
_INSERT_ATTEMPT = insert(_A)


def _record(conn: Connection, config: Config, now: datetime, outcome: list[Outcome]) -> None:
    """Write the results, and the notices of permanent failures, in one transaction."""
    failures: list[tuple[Any, DeliveryError]] = []
    by_result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    attempts = []
    for r, result, err in outcome:
        by_result[result].append(
            {
                "row_id": r.id,
                "at": now,
                "error": None if err is None else str(err),
                "retry_at": now + backoff(r.attempts + 1),
            }
        )
        if result == "failed":
            assert err is not None
            failures.append((r, err))
        if result != "dropped":
            attempts.append(
                {
                    "outbox_id": r.id,
                    "started_at": now,
                    "finished_at": now,
                    "error": None if err is None else str(err),
                    "permanent": bool(err and err.permanent),
                }
            )
    with conn.begin():
        for result, params in by_result.items():
            conn.execute(_RESULT_UPDATES[result], params)  # parameters it has no use for are ignored
        if attempts:
            conn.execute(_INSERT_ATTEMPT, attempts)
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
        text = (
            f"Không gửi được tin ({r.purpose}) tới {r.recipient} qua kênh {r.channel}: {err}.\n\n"
            "Hãy kiểm tra lại địa chỉ hoặc số điện thoại trong cấu hình."
        )
        subject = f"[Lỗi gửi tin] Không gửi được tới {r.recipient}"
        rendered = alerts.Rendered(subject, text, f"<p>{subject}</p>", subject)
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
