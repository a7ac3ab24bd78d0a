"""Reception sessions and what hangs on them: the planned years, the service's own facts,
the sessions (buổi tiếp), their audit, the notices issued and the reception log (sổ tiếp công dân).

Sessions are the centre: the rules plan the periodic ones, people record what became of them,
and every notice, reminder and report reads them. ``version`` grows with every change: it is the
optimistic-lock check, the ICS SEQUENCE and part of the outbox key.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from scheduler.infra.db.models.base import Base


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
