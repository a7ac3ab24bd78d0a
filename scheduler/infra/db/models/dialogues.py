"""The dialogue conferences (hội nghị tiếp xúc, đối thoại)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.infra.db.models.base import Base


class DialogueRow(Base):
    """A dialogue conference (hội nghị tiếp xúc, đối thoại) of a unit's head with the people.

    A table beside ``sessions``, keyed by the same unit id and judged by the same rules: a
    reception session's facts (time range, the log, the unique day per unit, the visits) mean
    nothing for a dialogue, and a dialogue's (co-organisers, opinions, the voters' trigger) mean
    nothing for a session. ``held_on`` is the day planned, then the day held.
    """

    __tablename__ = "dialogues"
    __table_args__ = (Index("ix_dialogues_unit_held_on", "unit_id", "held_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(12))  # rules.dialogues.DIALOGUE_KINDS
    form: Mapped[str] = mapped_column(String(12), default="in_person")
    status: Mapped[str] = mapped_column(String(12), default="planned")
    topic: Mapped[str] = mapped_column(Text)
    held_on: Mapped[dt.date] = mapped_column(Date)
    start: Mapped[str | None] = mapped_column(String(5))
    end: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str] = mapped_column(Text, default="")
    online_url: Mapped[str] = mapped_column(Text, default="")
    co_organisers: Mapped[str] = mapped_column(Text, default="")  # one a line: Ủy ban MTTQ, Thường trực HĐND
    lead_agency: Mapped[str] = mapped_column(Text, default="")
    coordinating: Mapped[str] = mapped_column(Text, default="")  # one agency a line
    announced_on: Mapped[dt.date | None] = mapped_column(Date)
    mttq_opinions: Mapped[int | None] = mapped_column(Integer)  # gathered by the MTTQ beforehand
    mttq_summary: Mapped[str] = mapped_column(Text, default="")
    attendance: Mapped[int | None] = mapped_column(Integer)
    opinions_raised: Mapped[int | None] = mapped_column(Integer)
    opinions_answered: Mapped[int | None] = mapped_column(Integer)  # answered on the spot
    trigger: Mapped[str] = mapped_column(String(10), default="")  # "", "voters", "pressing"
    voters_asked: Mapped[int | None] = mapped_column(Integer)
    voters_total: Mapped[int | None] = mapped_column(Integer)
    trigger_reason: Mapped[str] = mapped_column(Text, default="")
    hold_by: Mapped[dt.date | None] = mapped_column(Date)  # the deadline to hold a triggered one
    conclusion_number: Mapped[str] = mapped_column(String(100), default="")
    concluded_on: Mapped[dt.date | None] = mapped_column(Date)  # the results announced
    reason: Mapped[str | None] = mapped_column(Text)  # not held, or postponed: why
    # postponed (hoãn): the day it was set for, and the version of that change (migration 0011)
    postponed_from: Mapped[dt.date | None] = mapped_column(Date)
    postponed_version: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
