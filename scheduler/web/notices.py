"""Drafts of the notices for the desk to download: the annual schedule notice of a unit and the
change notice of one session, assembled by ``scheduler.usecases.notices`` exactly as ``tiepdan notice``
does and drawn by notifiers/notice_docx.py.

A download is a draft with the number left for the clerk: it records no issued notice (that
stays with ``tiepdan notice``, which writes the file kept on record), so reading the desk
changes nothing. The date it bears is the one the clerk gives (``?ngay=YYYY-MM-DD``), else today.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from notifiers.notice_docx import annual_notice_docx, change_notice_docx
from rules import Unit
from scheduler.infra.config import Config
from scheduler.usecases import notices


def annual_docx(config: Config, engine: Engine, unit: Unit, year: int, issued_on: date) -> bytes:
    opts = notices.NoticeOptions(issued_on=issued_on)
    return annual_notice_docx(notices.annual_notice(config, engine, unit, year, opts))


def change_docx(config: Config, engine: Engine, session_id: int, issued_on: date, today: date) -> bytes:
    opts = notices.NoticeOptions(issued_on=issued_on)
    draft = notices.change_notice(config, engine, session_id, opts, today=today)
    return change_notice_docx(draft.notice)


def change_warning(config: Config, engine: Engine, session_id: int, today: date) -> str:
    """The clerk's warning about a change notice's lead ("" when in time or nothing to announce)."""
    from rules import ServiceError

    try:
        draft = notices.change_notice(config, engine, session_id, notices.NoticeOptions(today), today=today)
    except ServiceError:
        return ""
    return draft.warning()
