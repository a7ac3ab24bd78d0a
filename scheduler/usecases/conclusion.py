"""Use case: the conclusion notice of a held session (Thông báo kết luận): its number and date
recorded (``set_conclusion_notice``), and the notice assembled from its log and its directions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, insert, select

from notifiers.conclusion_docx import ConclusionCase, ConclusionNotice, DirectionLine
from notifiers.views import Issue, Signature
from rules import ServiceError
from rules.vietnamese import dmy
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import ConclusionNoticeRow, SessionRow
from scheduler.reads.stored_direction import StoredConclusionNotice
from scheduler.usecases import reception_log as book
from scheduler.usecases.direction_common import NUMBER_MAX, direction_text
from scheduler.usecases.direction_deadline import limit_of
from scheduler.usecases.direction_reads import directions_of_session
from scheduler.usecases.sessions import Actor, get_session

_C = ConclusionNoticeRow.__table__
_S = SessionRow.__table__


def set_conclusion_notice(
    engine: Engine, session_id: int, *, number: str, issued_on: date, actor: Actor, now: datetime, today: date
) -> StoredConclusionNotice:
    """Record the conclusion notice of a held session (số và ngày Thông báo kết luận)."""
    number = direction_text(number, "số thông báo", NUMBER_MAX, required=False)
    with engine.begin() as conn:
        s = conn.execute(
            select(_S.c.id, _S.c.unit_id, _S.c.status, _S.c.date).where(_S.c.id == session_id)
        ).first()
        if s is None:
            raise ServiceError(f"không có buổi tiếp số {session_id}")
        if s.status != "held":
            raise ServiceError(
                f"buổi tiếp số {session_id} chưa được ghi là đã tiếp; chưa ra thông báo kết luận được"
            )
        if issued_on > today:
            raise ServiceError(f"ngày thông báo {dmy(issued_on)} là ngày sau hôm nay ({dmy(today)})")
        if issued_on < s.date:
            raise ServiceError(f"ngày thông báo {dmy(issued_on)} trước ngày tiếp {dmy(s.date)}")
        old = conn.execute(select(_C).where(_C.c.session_id == session_id)).first()
        values = {"number": number, "issued_on": issued_on, "recorded_at": now, "unit_id": s.unit_id}
        if old is None:
            conn.execute(insert(_C), values | {"session_id": session_id})
        elif (old.number, old.issued_on) != (number, issued_on):
            conn.execute(_C.update().where(_C.c.session_id == session_id).values(**values))
        if old is None or (old.number, old.issued_on) != (number, issued_on):
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="conclusion_notice",
                session_id=session_id,
                unit_id=s.unit_id,
                number=number,
                issued_on=issued_on.isoformat(),
            )
        return StoredConclusionNotice.of(conn.execute(select(_C).where(_C.c.session_id == session_id)).one())


def conclusion_notice(engine: Engine, session_id: int) -> StoredConclusionNotice | None:
    """The recorded number and date of a session's conclusion notice, if any."""
    with reading(engine) as conn:
        row = conn.execute(select(_C).where(_C.c.session_id == session_id)).first()
    return None if row is None else StoredConclusionNotice.of(row)


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
    stored = set_conclusion_notice(
        engine, session_id, number=number or "", issued_on=issued_on, actor=actor, now=now, today=today
    )
    by_entry: dict[int | None, list[DirectionLine]] = {}
    for d in directions_of_session(engine, session_id):
        lim = limit_of(d)
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
