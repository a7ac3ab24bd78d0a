"""Record what became of a session (held, with its counts and who received; or not held), and
undo a record made by mistake."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import IntegrityError

from rules import ServiceError
from rules.parsing import COUNT_MAX
from rules.received import names_the_head
from rules.vietnamese import dmy, nfc
from rules.vocabulary import ACTIVE, COUNT_VI, COUNTS, FORMS, STATUS_VI
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db.models import AuditRow, LogEntryRow, SessionRow
from scheduler.reads.makeup_days import proposals_for
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases.direction_changes import refuse_if_directions
from scheduler.usecases.sessions import (
    Actor,
    Change,
    bump,
    online_address,
    optional_text,
    read_stored,
    refusal,
    required_text,
    session_row,
    today_of,
)
from scheduler.usecases.tell import tells

_T = SessionRow.__table__
_L = LogEntryRow.__table__


def _checked_counts(counts: Mapping[str, int | None] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, v in (counts or {}).items():
        if k not in COUNTS:
            raise ServiceError(f"không có số liệu {k!r}")
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int):
            raise ServiceError(f"{COUNT_VI[k]} (--{k}) phải là số nguyên")
        if v < 0:
            raise ServiceError(f"{COUNT_VI[k]} (--{k}) không được âm ({v})")
        if v > COUNT_MAX:
            raise ServiceError(f"{COUNT_VI[k]} (--{k}) không được quá {COUNT_MAX}")
        out[k] = v
    return out


def _log_counts(conn: Connection, session_id: int) -> dict[str, int] | None:
    """The counts of a session's reception log (Sổ tiếp công dân), None when it has no row:
    visits = cases = rows, people and petitions summed, groups = rows that are delegations."""
    visits, people, petitions, groups = conn.execute(
        select(
            func.count(_L.c.id),
            func.coalesce(func.sum(_L.c.people), 0),
            func.coalesce(func.sum(_L.c.petitions), 0),
            func.count(_L.c.id).filter(_L.c.is_group.is_(True)),
        ).where(_L.c.session_id == session_id)
    ).one()
    if not visits:
        return None
    return {
        "visits": visits,
        "people": int(people),
        "cases": visits,
        "petitions": int(petitions),
        "groups": groups,
    }


def _receiver(
    config: Config,
    row: StoredSession,
    in_person: bool | None,
    received_by: str | None,
    received_title: str | None,
) -> dict[str, bool | str | None]:
    """Who received: the head in person, or someone else (name and title). Given as free text
    only (``received_by`` without the choice), the head's own name or title means in person."""
    name = optional_text(received_by, "họ tên người tiếp thay")
    title = optional_text(received_title, "chức vụ người tiếp thay")
    unit = config.units_by_id.get(row.unit_id)
    if in_person is None and name is not None:
        in_person = unit is not None and names_the_head(name, unit.head)
    if in_person is None:
        if title is not None:
            raise ServiceError("cần ghi họ tên người tiếp thay (người khác tiếp thay người đứng đầu)")
        return {}  # not said: as it was
    if in_person:
        return {"received_in_person": True, "received_by": None, "received_title": None}
    if name is None:
        raise ServiceError("người khác tiếp thay: cần ghi họ tên (và chức vụ) của người đó")
    return {"received_in_person": False, "received_by": name, "received_title": title}


@tells
def record(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    held: bool,
    actor: Actor,
    now: datetime,
    counts: Mapping[str, int | None] | None = None,
    reason: str | None = None,
    in_person: bool | None = None,
    received_by: str | None = None,
    received_title: str | None = None,
    form: str | None = None,
    conclusion: str | None = None,
    online: str | None = None,
    expected_version: int | None = None,
) -> Change:
    """Record what became of a session, once its day has come: held (with its counts, who
    received and in what form) or not held (with the reason; it then needs a make-up).

    With rows in the session's reception log the counts are the log's, and counts given by hand
    that differ from them are refused; without rows, the counts given. At least as many people
    as visits; a held session with no visitor is fine.
    """
    given = _checked_counts(counts)
    online = online_address(online)
    if form is not None and form not in FORMS:
        raise ServiceError(f"hình thức tiếp phải là một trong {', '.join(FORMS)}, không phải {form!r}")
    today = today_of(config, now)
    with engine.begin() as conn:
        row = session_row(conn, session_id, expected_version)
        if row.status not in ACTIVE:
            raise ServiceError(f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, không ghi kết quả được")
        if row.date > today:
            raise ServiceError(
                f"buổi tiếp số {row.id} ngày {dmy(row.date)} chưa diễn ra: chỉ ghi kết quả từ ngày đó"
                + ("" if held else "; nếu không tổ chức được, vui lòng hoãn buổi tiếp")
            )
        if held:
            logged = _log_counts(conn, row.id)
            if logged is not None:
                differ = [k for k, v in given.items() if v != logged[k]]
                if differ:
                    raise ServiceError(
                        "buổi tiếp đã có sổ tiếp công dân "
                        f"({logged['visits']} lượt, {logged['people']} người, {logged['petitions']} đơn): "
                        f"số liệu lấy từ sổ, không ghi {', '.join(COUNT_VI[k] for k in differ)} khác sổ"
                    )
                figures: dict[str, int | None] = dict(logged)
            else:
                figures = {k: given.get(k, getattr(row, k)) for k in COUNTS}
            visits, people = figures["visits"], figures["people"]
            if visits is not None and people is not None and people < visits:
                raise ServiceError(f"số người ({people}) không được ít hơn số lượt ({visits})")
            values: dict[str, object] = dict(figures)
            values |= _receiver(config, row, in_person, received_by, received_title)
            values.update(
                status="held",
                recorded_at=now,
                conclusion=nfc(conclusion.strip()) if conclusion else row.conclusion,
            )
            if form is not None:
                values["form"] = form
            if online is not None:
                values["online_url"] = online
            bump(conn, row, now, **values)
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="record_held",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=conclusion,
                **{k: values[k] for k in COUNTS},
                **{k: values[k] for k in ("received_in_person", "form") if k in values},
            )
        else:
            if given:
                raise ServiceError("buổi không tổ chức thì không ghi số lượt, số người, số đơn")
            if row.status == "held":
                raise ServiceError(
                    f"buổi tiếp số {row.id} đã ghi là đã tiếp; nếu ghi nhầm, vui lòng bỏ kết quả đã ghi trước"
                )
            why = required_text(reason, "lý do không tổ chức")
            bump(conn, row, now, status="not_held", reason=why, needs_makeup=True, recorded_at=now)
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="record_not_held",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=why,
                previous_reason=row.reason,
            )
        stored = read_stored(conn, session_id)
        proposals = () if held else tuple(proposals_for(conn, config, row, today))
        change = Change(stored, (row.id,), proposals)
    return change


@tells
def undo_record(
    engine: Engine,
    config: Config,
    session_id: int,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    expected_version: int | None = None,
) -> Change:
    """Undo a record made by mistake (bỏ kết quả đã ghi): the session is again one whose outcome
    is not recorded, and the history keeps what was recorded and why it was undone. The rows of
    its reception log stay. A not-held session whose make-up is booked keeps its record."""
    why = required_text(reason, "lý do bỏ kết quả đã ghi")
    try:
        with engine.begin() as conn:
            row = session_row(conn, session_id, expected_version)
            if row.status not in ("held", "not_held"):
                raise ServiceError(
                    f"buổi tiếp số {row.id} {STATUS_VI[row.status]}, chưa có kết quả nào để bỏ"
                )
            previous_reason = row.reason
            if row.status == "held":
                # Directions hang on the log rows of a held session (issue 17): the record stays
                # while they do.
                refuse_if_directions(conn, session_id=row.id)
            if row.status == "not_held":
                made = conn.execute(select(_T.c.id).where(_T.c.replaces_id == row.id)).scalar()
                if made is not None:
                    raise ServiceError(
                        f"buổi tiếp số {row.id} đã có buổi tiếp bù số {made}: "
                        "vui lòng hoãn buổi tiếp bù trước"
                    )
                last = conn.execute(
                    select(AuditRow.details)
                    .where(AuditRow.session_id == row.id, AuditRow.action == "record_not_held")
                    .order_by(AuditRow.id.desc())
                    .limit(1)
                ).scalar()
                previous_reason = json.loads(last or "{}").get("previous_reason")
            was = {k: getattr(row, k) for k in COUNTS} | {
                "status": row.status,
                "received_in_person": row.received_in_person,
                "received_by": row.received_by,
                "received_title": row.received_title,
                "form": row.form,
                "conclusion": row.conclusion,
                "not_held_reason": row.reason if row.status == "not_held" else None,
            }
            bump(
                conn, row, now,
                status="planned", needs_makeup=False, recorded_at=None, reason=previous_reason,
                received_in_person=None, received_by=None, received_title=None, form=None, conclusion=None,
                **dict.fromkeys(COUNTS),
            )  # fmt: skip
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="record_undo",
                session_id=row.id,
                unit_id=row.unit_id,
                reason=why,
                was=was,
            )
            change = Change(read_stored(conn, session_id), (row.id,))
    except IntegrityError as exc:
        raise refusal(exc, row.unit_id, row.date) from None
    return change
