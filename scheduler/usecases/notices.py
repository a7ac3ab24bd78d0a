"""Use case: assemble a notice (thông báo) from the database and the configuration, and record one
issued. The command line (``tiepdan notice``) and the desk's downloads both call these, so the
two doors give the same document for the same request.

- ``annual_notice``: Thông báo lịch tiếp công dân định kỳ of a unit for a year;
- ``change_notice``: Thông báo hoãn / thay đổi / tiếp bù / đột xuất of one session, citing the
  year's notice it changes, with the lead in working days for the clerk's warning (never
  printed in the notice: a public document does not admit a breach);
- ``record_issued``: the notices table's row of a notice written to a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select

from notifiers.notice_bodies import default_attendees, default_recipients, default_signature, number_line
from notifiers.views import AnnualNotice, Change, ChangeNotice, Issue, NoticeRef
from rules import ServiceError, Unit
from rules.vietnamese import dmy
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import NoticeRow
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import publishing as pub


class NoSessions(ServiceError):
    """The unit has no stored session in the year (the year was not planned)."""


@dataclass(frozen=True, slots=True)
class NoticeOptions:
    """What the clerk may set on a notice; everything else comes from the configuration."""

    issued_on: date  # the date the notice bears (default: today)
    number: str | None = None  # "5" -> "Số 05-TB/TU"; None: blanks for the registry
    signer: str | None = None  # a name, or "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH|Trần Văn B"
    recipients: tuple[str, ...] = ()  # empty: the defaults of the unit's body and level
    attendees: str | None = None  # None: the defaults of the unit's body and level


@dataclass(frozen=True, slots=True)
class ChangeDraft:
    """A change notice ready to render, with what the clerk must be told about its lead."""

    notice: ChangeNotice
    unit: Unit
    row: StoredSession
    soonest: date  # the affected date with the shortest lead
    lead: int  # working days from the day of posting to ``soonest``
    posted_on: date  # the day the lead is counted from: the later of today and the issue date

    @property
    def late(self) -> bool:
        """Posted less than 5 working days before a day still ahead."""
        return self.soonest >= self.posted_on and self.lead < pub.NOTICE_LEAD_DAYS

    def warning(self) -> str:
        """The clerk's warning (CLI standard error, the desk's session page), "" when in time."""
        if not self.late:
            return ""
        return (
            f"buổi tiếp ngày {dmy(self.soonest)} chỉ còn {self.lead} ngày làm việc kể từ ngày "
            f"{dmy(self.posted_on)}; lịch phải được niêm yết trước ít nhất {pub.NOTICE_LEAD_DAYS} ngày "
            "làm việc (Luật Tiếp công dân, Điều 24): niêm yết ngay và báo cho công dân đã đăng ký"
        )


def _issue(unit: Unit, opts: NoticeOptions) -> Issue:
    return Issue(
        number=number_line(unit, opts.number),
        issued_on=opts.issued_on,
        signature=default_signature(unit, opts.signer),
        recipients=opts.recipients or default_recipients(unit),
    )


def annual_notice(config: Config, engine: Engine, unit: Unit, year: int, opts: NoticeOptions) -> AnnualNotice:
    first, last = date(year, 1, 1), date(year, 12, 31)
    sessions = pub.unit_sessions(
        engine, unit.id, first=first, last=last, active_only=True, hide=pub.citations(config)
    )
    if not sessions:
        raise NoSessions(f"đơn vị {unit.id} chưa có buổi tiếp nào trong năm {year}")
    return AnnualNotice(
        schedule=pub.schedule_of(config, unit, first, last),
        year=year,
        sessions=tuple(sessions),
        issue=_issue(unit, opts),
        attendees=opts.attendees if opts.attendees is not None else default_attendees(unit),
    )


def _number_of(line: str) -> str:
    """ "Số 05-TB/TU" -> "05-TB/TU"; "" when the number was left blank ("Số     -TB/TU")."""
    n = line.strip()
    for lead in ("Số:", "Số"):
        if n.startswith(lead):
            n = n[len(lead) :].strip()
            break
    return "" if not n or not n[0].isdigit() else n


def issued_annual(engine: Engine, unit_id: str, year: int) -> NoticeRef | None:
    """The last annual notice recorded for the unit and year, as a later notice cites it."""
    with reading(engine) as conn:
        row = conn.execute(
            select(NoticeRow.number, NoticeRow.issued_on, NoticeRow.issued_at)
            .where(NoticeRow.unit_id == unit_id, NoticeRow.kind == "annual", NoticeRow.year == year)
            .order_by(NoticeRow.issued_at.desc(), NoticeRow.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    return NoticeRef(number=_number_of(row.number), issued_on=row.issued_on)


def change_notice(
    config: Config, engine: Engine, session_id: int, opts: NoticeOptions, *, today: date
) -> ChangeDraft:
    """The change notice of one session; refused (ServiceError) for a session with no change."""
    row, view = pub.session_view(engine, session_id, hide=pub.citations(config))
    unit = config.unit(row.unit_id)
    change: Change = pub.change_of(view, row)
    posted_on = max(today, opts.issued_on)
    soonest, lead = pub.notice_lead(config.calendar, posted_on, pub.affected_dates(view, change))
    year = (view.replaces_date or view.moved_from or view.nominal or view.date).year
    notice = ChangeNotice(
        schedule=pub.schedule_of(config, unit, view.date, view.date),
        session=view,
        change=change,
        issue=_issue(unit, opts),
        annual=issued_annual(engine, unit.id, year) if change != "adhoc" else None,
    )
    return ChangeDraft(notice, unit, row, soonest, lead, posted_on)


def record_issued(
    engine: Engine,
    notice: AnnualNotice | ChangeNotice,
    *,
    path: str,
    now: datetime,
    row: StoredSession | None = None,
) -> int:
    """The notices table's row of ``notice`` written to ``path``."""
    if isinstance(notice, AnnualNotice):
        return pub.record_notice(
            engine,
            unit_id=notice.schedule.unit.id,
            kind="annual",
            now=now,
            number=notice.issue.number,
            issued_on=notice.issue.issued_on,
            path=path,
            year=notice.year,
        )
    return pub.record_notice(
        engine,
        unit_id=notice.schedule.unit.id,
        kind="change",
        now=now,
        number=notice.issue.number,
        issued_on=notice.issue.issued_on,
        path=path,
        year=notice.session.date.year,
        session_id=notice.session.id,
        session_version=row.version if row is not None else notice.session.version,
    )
