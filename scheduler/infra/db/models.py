"""The database: SQLAlchemy 2 typed models. Times are UTC here; people see Asia/Ho_Chi_Minh.

Sessions (buổi tiếp) are the centre: the rules plan the periodic ones, people record what became
of them, and every notice, reminder and report reads them. ``version`` grows with every change:
it is the optimistic-lock check, the ICS SEQUENCE and part of the outbox key.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

STATUSES = ("planned", "held", "cancelled", "not_held")
KINDS = ("periodic", "makeup", "adhoc")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every model here is mapped to one plain Table; saying so lets Core statements on
    # `Model.__table__` type-check (the base class declares the wider FromClause).
    __table__: ClassVar[Table]


class PlanYear(Base):
    """A year whose periodic sessions have been planned (năm đã lập lịch)."""

    __tablename__ = "plan_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    planned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ServiceState(Base):
    """A fact about the service itself (trạng thái dịch vụ), one value per key, written once.

    ``since``: the day (local, ISO date) of the first plan, the default of the ``since`` key.
    """

    __tablename__ = "service_state"

    key: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SessionRow(Base):
    """A reception session (buổi tiếp công dân): periodic, make-up (tiếp bù) or ad hoc."""

    __tablename__ = "sessions"
    __table_args__ = (
        # A periodic session is the rules' answer to (unit, nominal date, slot); slot tells apart
        # two configured days that clamp to one date.
        UniqueConstraint("unit_id", "nominal", "slot"),
        UniqueConstraint("replaces_id"),
        Index("ix_sessions_unit_date", "unit_id", "date"),
        Index("ix_sessions_date", "date"),
        # One active session per unit and day (migration 0008): the database itself refuses a
        # second make-up, move or ad hoc session onto a day the unit already receives.
        Index(
            "ux_sessions_active_day",
            "unit_id",
            "date",
            unique=True,
            sqlite_where=text("status IN ('planned', 'held')"),
            postgresql_where=text("status IN ('planned', 'held')"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="planned")
    date: Mapped[dt.date] = mapped_column(Date)
    nominal: Mapped[dt.date | None] = mapped_column(Date)
    slot: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[str | None] = mapped_column(String(5))
    end: Mapped[str | None] = mapped_column(String(5))
    venue: Mapped[str] = mapped_column(Text, default="")
    online_url: Mapped[str] = mapped_column(Text, default="")
    moved: Mapped[str | None] = mapped_column(Text)  # why date != nominal, by the rules
    reason: Mapped[str | None] = mapped_column(Text)  # the last decision's reason
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)  # moved by decision: re-plan keeps it
    needs_makeup: Mapped[bool] = mapped_column(Boolean, default=False)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    rescheduled_version: Mapped[int | None] = mapped_column(Integer)  # last date/time/venue change
    # Outcome (kết quả), recorded after the session.
    visits: Mapped[int | None] = mapped_column(Integer)
    people: Mapped[int | None] = mapped_column(Integer)
    cases: Mapped[int | None] = mapped_column(Integer)
    petitions: Mapped[int | None] = mapped_column(Integer)
    groups: Mapped[int | None] = mapped_column(Integer)
    # Who received (migration 0008): the head in person (True) or someone else (False: their name
    # in received_by, their title in received_title); None: not recorded (or recorded before 0008,
    # with free text in received_by).
    received_in_person: Mapped[bool | None] = mapped_column(Boolean)
    received_by: Mapped[str | None] = mapped_column(Text)
    received_title: Mapped[str | None] = mapped_column(Text)
    form: Mapped[str | None] = mapped_column(String(10))  # in_person | online | both
    conclusion: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """Who changed what, when and why (nhật ký thay đổi)."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_session", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    session_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class NoticeRow(Base):
    """A notice issued (thông báo): the annual schedule or the change of one session."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # annual | change
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    session_version: Mapped[int | None] = mapped_column(Integer)
    year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(100), default="")
    path: Mapped[str] = mapped_column(Text, default="")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_on: Mapped[date | None] = mapped_column(Date)  # the date the notice bears


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
        # The delivery loop only ever looks for due, unfinished rows.
        Index(
            "ix_outbox_due",
            "next_attempt_at",
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
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
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


class UserRow(Base):
    """An account of the desk: staff of a unit, supervisor of a subtree, or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Disabled (tài khoản bị khóa bởi quản trị): no sign-in, no token, no cookie, until enabled.
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeskSessionRow(Base):
    """A signed-in desk (phiên đăng nhập): the cookie carries a key whose SHA-256 is stored here,
    so that signing out, disabling the account or changing its password ends it at once."""

    __tablename__ = "desk_sessions"
    __table_args__ = (Index("ix_desk_sessions_user", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LogEntryRow(Base):
    """A row of the reception log (Sổ tiếp công dân, Mẫu số 03, Thông tư 04/2021/TT-TTCP).

    Personal data (Nghị định 13/2023/NĐ-CP): only the receiving unit sees names and ID numbers.
    """

    __tablename__ = "log_entries"
    __table_args__ = (Index("ix_log_entries_session", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"))
    unit_id: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(Text)
    address: Mapped[str] = mapped_column(Text, default="")
    id_number: Mapped[str] = mapped_column(String(50), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    classification: Mapped[str] = mapped_column(Text, default="")
    people: Mapped[int] = mapped_column(Integer, default=1)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_by: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(String(20), default="")  # accepted|guided|forwarded
    follow_up: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    petitions: Mapped[int] = mapped_column(Integer, default=0)
    new_case: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
