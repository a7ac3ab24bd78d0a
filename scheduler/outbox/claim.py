"""Claiming due rows (nhận tin để gửi): a deliverer takes up to a batch of due rows for a lease,
in one statement (``UPDATE ... WHERE id IN (due rows, FOR UPDATE SKIP LOCKED on PostgreSQL)
RETURNING``); another deliverer never gets them meanwhile, and the lease is renewed while they
are being sent. Attempts a deliverer cut off left open are closed as interrupted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from scheduler.infra.db import one_of
from scheduler.infra.db.models import DeliveryAttemptRow, OutboxRow
from scheduler.outbox import store

_O = OutboxRow.__table__
_A = DeliveryAttemptRow.__table__
INTERRUPTED = "bị ngắt giữa chừng (tiến trình gửi dừng trước khi biết kết quả)"


def claim(
    conn: Connection,
    now: datetime,
    limit: int,
    me: str,
    *,
    channel: str | None = None,
    only: tuple[Iterable[int], Iterable[str]] | None = None,
    subjects: Iterable[str] = (),
) -> list[Any]:
    """Take up to ``limit`` due rows (of ``channel``, or any) for deliverer ``me`` until
    ``now + LEASE``, oldest due first. ``only``: one change's messages (its sessions, its units'
    period alerts) and ``subjects`` (a dialogue's messages) -- "tell people now"."""
    with conn.begin():
        due = select(_O.c.id).where(
            _O.c.status == "pending",
            _O.c.next_attempt_at <= now,
            or_(_O.c.claimed_until.is_(None), _O.c.claimed_until < now),
        )
        if channel is not None:
            due = due.where(_O.c.channel == channel)
        named = list(subjects)
        if only is not None:
            ids, units = list(only[0]), list(only[1])
            due = due.where(
                or_(
                    _O.c.session_id.in_(ids),
                    *(_O.c.subject.like(f"period:{u}:%") for u in units),
                    *([_O.c.subject.in_(named)] if named else []),
                )
            )
        elif named:
            due = due.where(_O.c.subject.in_(named))
        due = due.order_by(_O.c.next_attempt_at, _O.c.id).limit(limit)
        if conn.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        taken = (
            update(_O)
            .where(_O.c.id.in_(due))
            .values(claimed_until=now + store.LEASE, claimed_by=me)
            .returning(*_O.c)
        )
        rows = sorted(conn.execute(taken).all(), key=lambda r: (r.next_attempt_at, r.id))
        if rows:
            conn.execute(
                update(_A)
                .where(one_of(conn, _A.c.outbox_id, [r.id for r in rows]), _A.c.finished_at.is_(None))
                .values(finished_at=now, result="interrupted", error=INTERRUPTED)
            )
        return rows
