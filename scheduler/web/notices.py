"""Drafts of the notices for the desk to download: the annual schedule notice of a unit and the
change notice of one session, as ``tiepdan notice`` writes them (notifiers/notice_docx.py).

A download is a draft with the number left for the clerk: it records no issued notice (that
stays with ``tiepdan notice``, which writes the file kept on record), so reading the desk
changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from notifiers.notice_docx import (
    annual_notice_docx,
    change_notice_docx,
    default_attendees,
    default_recipients,
    default_signature,
    number_line,
)
from notifiers.views import AnnualNotice, ChangeNotice, Issue
from rules import ServiceError, Unit
from scheduler import publishing as pub
from scheduler.config import Config


def _issue(unit: Unit, today: date) -> Issue:
    return Issue(
        number=number_line(unit, None),
        issued_on=today,
        signature=default_signature(unit, None),
        recipients=default_recipients(unit),
    )


def annual_docx(config: Config, engine: Any, unit: Unit, year: int, today: date) -> bytes:
    first, last = date(year, 1, 1), date(year, 12, 31)
    sessions = pub.unit_sessions(engine, unit.id, first=first, last=last, active_only=True)
    if not sessions:
        raise ServiceError(f"đơn vị {unit.id} chưa có buổi tiếp nào trong năm {year}")
    return annual_notice_docx(
        AnnualNotice(
            schedule=pub.schedule_of(config, unit, first, last),
            year=year,
            sessions=tuple(sessions),
            issue=_issue(unit, today),
            attendees=default_attendees(unit),
        )
    )


def change_docx(config: Config, engine: Any, session_id: int, today: date) -> bytes:
    row, view = pub.session_view(engine, session_id)
    unit = config.unit(row.unit_id)
    change = pub.change_of(view, row)  # refuses a session with nothing to announce
    _, lead = pub.notice_lead(config.calendar, today, pub.affected_dates(view, change))
    return change_notice_docx(
        ChangeNotice(
            schedule=pub.schedule_of(config, unit, view.date, view.date),
            session=view,
            change=change,
            issue=_issue(unit, today),
            working_days_left=lead,
            today=today,
        )
    )
