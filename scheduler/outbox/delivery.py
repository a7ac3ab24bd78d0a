"""The delivery loop (gửi tin): claim due rows, drop the ones whose session has since moved or
been cancelled, send the rest in batches per channel and record each result as it comes.
Transient failures come back later with backoff; permanent ones stop and are reported to the
unit's staff."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from notifiers.channels import Channel, FileChannel, SmtpChannel
from notifiers.channels.smtp import _Batch as _SmtpBatch
from notifiers.message import OutgoingMessage
from rules import DeliveryError
from scheduler.clock import as_utc
from scheduler.config import Config
from scheduler.db.models import SessionRow
from scheduler.outbox.store import MAX_ATTEMPTS, Outcome, _claim, _record

_S = SessionRow.__table__
SMS_CHUNK = 20  # SMS results are known a chunk at a time (one HTTP client a chunk)


@dataclass(slots=True)
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0


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
