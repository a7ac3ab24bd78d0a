"""After a session or a dialogue: the directions (chỉ đạo) and their follow-up, and a held
session's conclusion notice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.infra.db.models.base import Base


class DirectionRow(Base):
    """A direction (chỉ đạo) of the head on one case of the reception log, or on an opinion raised
    at a dialogue conference, and its follow-up.

    It hangs on a log row of a held session or on a held dialogue, exactly one of them (the
    CHECK): the foreign keys have no ON DELETE, so its source cannot be deleted under it. ``due``
    is computed by ``rules.time_limits`` from ``limit_id`` (or is the office's own date); the
    result is what the agency reported.
    """

    __tablename__ = "directions"
    __table_args__ = (
        Index("ix_directions_unit_due", "unit_id", "due"),
        Index("ix_directions_session", "session_id"),
        Index("ix_directions_entry", "entry_id"),
        Index("ix_directions_dialogue", "dialogue_id"),
        CheckConstraint(
            "(session_id IS NOT NULL AND entry_id IS NOT NULL AND dialogue_id IS NULL)"
            " OR (session_id IS NULL AND entry_id IS NULL AND dialogue_id IS NOT NULL)",
            name="one_source",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("log_entries.id"))
    dialogue_id: Mapped[int | None] = mapped_column(ForeignKey("dialogues.id"))
    unit_id: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)  # what the head concluded or directed
    agency: Mapped[str] = mapped_column(Text)  # who must handle it
    received_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)  # thụ lý: where a limit runs from it
    limit_id: Mapped[str] = mapped_column(String(60))  # rules.time_limits id, "office" or "office-date"
    limit_days: Mapped[int | None] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date | None] = mapped_column(Date)  # the citizen given the result
    notified_on: Mapped[date | None] = mapped_column(Date)  # written notice of acceptance/transfer
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConclusionNoticeRow(Base):
    """The conclusion notice (Thông báo kết luận) of a held session: its number and date."""

    __tablename__ = "conclusion_notices"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), primary_key=True, autoincrement=False)
    unit_id: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(100), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
