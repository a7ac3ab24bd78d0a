"""The outbox and its delivery: one row per message, every attempt to deliver it, and the
addresses a server refused for good.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.infra.db.models.base import Base


class OutboxRow(Base):
    """One message to deliver (tin trong hộp thư đi): unique per (subject, version, purpose,
    lead, day, state, channel, recipient).

    ``subject`` is what the message is about: ``session:<id>`` or ``period:<unit>:<key>``;
    ``version`` the session's version it was written for (0: any); ``lead`` the reminder's lead
    time in days (0: not a reminder); ``day`` the day a daily alert is for (ISO, '' for others);
    ``state`` the state an alert tells (e.g. a period's counts, '' for others): a state already
    told is not told again. ``claimed_by`` is the deliverer holding the lease.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint(
            "subject",
            "version",
            "purpose",
            "lead",
            "day",
            "state",
            "channel",
            "recipient",
            name="uq_outbox_key",
        ),
        # The delivery loop only ever looks for a channel's due, unfinished rows, oldest first:
        # in the index's order, so that a claim reads its batch and stops (on the national peak
        # day, 34,603 rows due at the same minute, ordering by a key the index lacks read them all
        # at every claim: 69 ms a claim on PostgreSQL, 12 s of the server's time over the morning).
        Index(
            "ix_outbox_due",
            "channel",
            "next_attempt_at",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    session_id: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(30))
    lead: Mapped[int] = mapped_column(Integer, default=0)
    day: Mapped[str] = mapped_column(String(10), default="")
    state: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending|sent|failed|dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(300))
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON: rendered subject/text/ics
    # An e-mail's MIME, composed when queued (scheduler/outbox/compose.py); None: built at sending.
    wire: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeliveryAttemptRow(Base):
    """Every attempt to deliver an outbox row (lần gửi), written when it starts and completed
    when it ends: ``finished_at`` empty means in flight (or cut off: ``result`` "interrupted"
    once another deliverer takes the row). ``result``: sent, retry, failed, interrupted."""

    __tablename__ = "delivery_attempts"
    __table_args__ = (Index("ix_delivery_attempts_outbox", "outbox_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The outbox row it is an attempt at. No foreign key: every attempt is written from its row
    # in the same statement (INSERT ... SELECT FROM outbox), and the key's per-row check was a
    # fifth of PostgreSQL's CPU during a delivery (migration 0015).
    outbox_id: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[str | None] = mapped_column(String(12))
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    deliverer: Mapped[str | None] = mapped_column(String(40))


class RefusedRecipientRow(Base):
    """An address the server refused permanently (địa chỉ bị từ chối), e.g. 550 no such user.
    Later messages to it are not tried; a new address in the configuration is a new row's key,
    so a corrected address goes at once."""

    __tablename__ = "refused_recipients"

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    address: Mapped[str] = mapped_column(String(300), primary_key=True)
    refused_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    error: Mapped[str] = mapped_column(Text)
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[str | None] = mapped_column(String(200))
