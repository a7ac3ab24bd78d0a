"""Use case: the conclusion notice of a held session (Thông báo kết luận), assembled from its log
and its directions, numbered and dated (``followup.set_conclusion_notice``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from notifiers.conclusion_docx import ConclusionCase, ConclusionNotice, DirectionLine
from notifiers.views import Issue, Signature
from rules import ServiceError
from scheduler.infra.config import Config
from scheduler.usecases import followup as fu
from scheduler.usecases import reception_log as book
from scheduler.usecases.sessions import Actor, get_session


def build_notice(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    number: str | None,
    issued_on: date,
    actor: Actor,
    now: datetime,
    today: date,
    signer: str | None = None,
    recipients: tuple[str, ...] = (),
) -> ConclusionNotice:
    """Record the notice's number and date, and assemble what it says: one case per log row."""
    from notifiers.conclusion_docx import recipients_of
    from notifiers.notice_docx import default_signature, number_line

    session = get_session(engine, session_id)
    unit = config.unit(session.unit_id)
    entries = book.entries(engine, session_id)
    if not entries:
        raise ServiceError(f"buổi tiếp số {session_id} chưa có dòng nào trong sổ tiếp công dân")
    stored = fu.set_conclusion_notice(
        engine, session_id, number=number or "", issued_on=issued_on, actor=actor, now=now, today=today
    )
    by_entry: dict[int, list[DirectionLine]] = {}
    for d in fu.directions_of_session(engine, session_id):
        lim = fu.limit_of(d)
        by_entry.setdefault(d.entry_id, []).append(
            DirectionLine(d.content, d.agency, d.due, lim.days_text if lim else "")
        )
    cases = tuple(
        ConclusionCase(
            name=e.full_name,
            address=e.address,
            content=e.content,
            people=e.people,
            is_group=bool(e.is_group),
            directions=tuple(by_entry.get(e.id, ())),
        )
        for e in entries
    )
    signature: Signature = default_signature(unit, signer)
    draft = ConclusionNotice(
        unit=unit,
        session_date=session.date,
        kind=session.kind,
        venue=session.venue or unit.venue,
        issue=Issue(number_line(unit, stored.number or None), stored.issued_on, signature, ()),
        cases=cases,
        received_by=session.received_by or "",
    )
    issue = Issue(draft.issue.number, draft.issue.issued_on, signature, recipients or recipients_of(draft))
    return ConclusionNotice(
        draft.unit, draft.session_date, draft.kind, draft.venue, issue, draft.cases, draft.received_by
    )
