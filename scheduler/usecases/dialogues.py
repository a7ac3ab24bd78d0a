"""Use cases of the dialogue conferences (hội nghị tiếp xúc, đối thoại): plan, announce, record,
conclude, trigger, and the reads (list, the facts the findings judge).

One typed function per use case; the CLI, the desk, the API and the jobs call these, never the
table. Each change is one transaction with an optimistic version check and an audit row. A fact
is recorded only once it can be true: a dialogue is recorded held only on or after its day, its
results announced only after it was held, never later than today.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.engine import Row

from rules import ConflictError, ServiceError
from rules.dialogue_report import DialogueRecord
from rules.dialogues import (
    DIALOGUE_FORMS,
    DIALOGUE_KINDS,
    FORM_VI,
    KIND_VI,
    STATUS_VI,
    DialogueFact,
    DialogueFinding,
    DialogueMandate,
    dialogue_findings,
    notice_due,
    notice_late,
    results_due,
    voters_request_binding,
    voters_threshold,
)
from rules.parsing import hhmm, parse_time_range, parse_web_url
from rules.vietnamese import dmy, nfc
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import DialogueRow
from scheduler.usecases.sessions import Actor

_T = DialogueRow.__table__
TOPIC_MAX, TEXT_MAX, NUMBER_MAX = 1000, 5000, 100
# A triggered dialogue is to be held within this many days unless the office names a date: the
# law says "khi cần thiết" without a figure; a month is the provinces' practice ("kịp thời").
TRIGGER_HOLD_DAYS = 30


def _text(value: str | None, what: str, longest: int, *, required: bool = False) -> str:
    text = nfc((value or "").replace("\r\n", "\n").replace("\x00", "").strip())
    if required and not text:
        raise ServiceError(f"cần ghi {what}")
    if len(text) > longest:
        raise ServiceError(f"{what} dài quá {longest} ký tự")
    return text


def _lines(values: Iterable[str] | None, what: str) -> str:
    out = [_text(v, what, 500) for v in values or ()]
    return "\n".join(v for v in out if v)


def _count(value: int | None, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        raise ServiceError(f"{what} phải là số nguyên từ 0, không phải {value!r}")
    return value


def _time_range(value: str | None) -> tuple[str | None, str | None]:
    """The one strict time-range parser of the project (rules.parsing), as stored: "08:00"."""
    if not value:
        return None, None
    try:
        start, end = parse_time_range(value)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    return hhmm(start), hhmm(end)


def _choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ServiceError(f"{what} phải là một trong: {', '.join(allowed)}; không phải {value!r}")
    return value


def _get(conn: Connection, dialogue_id: int, expected_version: int | None = None) -> Row[Any]:
    row = conn.execute(select(_T).where(_T.c.id == dialogue_id)).first()
    if row is None:
        raise ServiceError(f"không có hội nghị đối thoại số {dialogue_id}")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(f"hội nghị đối thoại số {row.id} vừa được người khác thay đổi; vui lòng tải lại")
    return row


def _change(
    conn: Connection,
    row: Row[Any],
    values: dict[str, Any],
    *,
    actor: Actor,
    now: datetime,
    action: str,
    **details: Any,
) -> Row[Any]:
    values = {**values, "version": row.version + 1, "updated_at": now}
    done = conn.execute(
        update(_T).where(_T.c.id == row.id, _T.c.version == row.version).values(**values)
    ).rowcount
    if done != 1:
        raise ConflictError(f"hội nghị đối thoại số {row.id} vừa được người khác thay đổi; vui lòng tải lại")
    write_audit(
        conn, at=now, actor=actor.name, action=action, unit_id=row.unit_id, dialogue=row.id, **details
    )
    return _get(conn, row.id)


def plan_dialogue(
    engine: Engine,
    config: Config,
    unit_id: str,
    *,
    held_on: date,
    topic: str,
    actor: Actor,
    now: datetime,
    today: date,
    kind: str = "periodic",
    form: str = "in_person",
    time_range: str | None = None,
    place: str = "",
    online_url: str = "",
    co_organisers: Sequence[str] = ("Ủy ban Mặt trận Tổ quốc Việt Nam", "Thường trực Hội đồng nhân dân"),
    lead_agency: str = "",
    coordinating: Sequence[str] = (),
    trigger: str = "",
    voters_asked: int | None = None,
    voters_total: int | None = None,
    trigger_reason: str = "",
    hold_by: date | None = None,
) -> Row[Any]:
    """Put a dialogue in the year's plan (đưa vào kế hoạch tiếp xúc, đối thoại)."""
    config.unit(unit_id)
    kind = _choice(kind, DIALOGUE_KINDS, "loại hội nghị (kind)")
    form = _choice(form, DIALOGUE_FORMS, "hình thức (form)")
    start, end = _time_range(time_range)
    if held_on < today:
        raise ServiceError(
            f"ngày đối thoại {dmy(held_on)} đã qua; chỉ lập kế hoạch từ hôm nay ({dmy(today)})"
        )
    if form in ("online", "hybrid") and not online_url.strip():
        online_url = config.unit(unit_id).online
    if online_url.strip():
        try:
            online_url = parse_web_url(online_url.strip())
        except ValueError as exc:
            raise ServiceError(f"đường dẫn trực tuyến: {exc}") from None
    values = {
        "unit_id": unit_id,
        "kind": kind,
        "form": form,
        "status": "planned",
        "topic": _text(topic, "nội dung đối thoại", TOPIC_MAX, required=True),
        "held_on": held_on,
        "start": start,
        "end": end,
        "place": _text(place, "địa điểm", 500) or config.unit(unit_id).venue,
        "online_url": _text(online_url, "đường dẫn trực tuyến", 500),
        "co_organisers": _lines(co_organisers, "cơ quan phối hợp tổ chức"),
        "lead_agency": _text(lead_agency, "cơ quan chủ trì", 500),
        "coordinating": _lines(coordinating, "cơ quan phối hợp"),
        "mttq_summary": "",
        "trigger": trigger,
        "voters_asked": voters_asked,
        "voters_total": voters_total,
        "trigger_reason": _text(trigger_reason, "lý do", TEXT_MAX),
        "hold_by": hold_by,
        "conclusion_number": "",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    with engine.begin() as conn:
        new_id = conn.execute(insert(_T).returning(_T.c.id), values).scalar_one()
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="dialogue_plan",
            unit_id=unit_id,
            dialogue=new_id,
            held_on=held_on.isoformat(),
            kind=kind,
            trigger=trigger,
        )
        return _get(conn, new_id)


def trigger_dialogue(
    engine: Engine,
    config: Config,
    unit_id: str,
    *,
    topic: str,
    actor: Actor,
    now: datetime,
    today: date,
    voters_asked: int | None = None,
    voters_total: int | None = None,
    reason: str = "",
    held_on: date | None = None,
    hold_by: date | None = None,
    **plan: Any,
) -> Row[Any]:
    """Open an ad hoc dialogue (đối thoại đột xuất) on the voters' request (at least 10 % of the
    voters, Luật 72/2025/QH15 Điều 43) or a pressing issue, with its deadline to hold it."""
    asked, total = _count(voters_asked, "số cử tri kiến nghị"), _count(voters_total, "tổng số cử tri")
    if (asked is None) != (total is None):
        raise ServiceError("cần ghi cả số cử tri kiến nghị (--asked) và tổng số cử tri (--voters)")
    if asked is not None and total is not None:
        if total < 1 or asked > total:
            raise ServiceError(
                f"số cử tri kiến nghị ({asked}) phải từ 0 đến tổng số cử tri ({total}), tổng lớn hơn 0"
            )
        if not voters_request_binding(asked, total) and not reason.strip():
            raise ServiceError(
                f"{asked}/{total} cử tri chưa đủ 10% (cần {voters_threshold(total)}); "
                "ghi lý do (--reason) nếu vẫn tổ chức vì vụ việc bức xúc"
            )
        trigger = "voters"
    elif reason.strip():
        trigger = "pressing"
    else:
        raise ServiceError("cần ghi số cử tri kiến nghị (--asked, --voters) hoặc vụ việc bức xúc (--reason)")
    hold_by = hold_by or today + timedelta(days=TRIGGER_HOLD_DAYS)
    if hold_by < today:
        raise ServiceError(f"hạn tổ chức {dmy(hold_by)} đã qua")
    held_on = held_on or hold_by
    if held_on > hold_by:
        raise ServiceError(f"ngày đối thoại {dmy(held_on)} sau hạn tổ chức {dmy(hold_by)}")
    return plan_dialogue(
        engine,
        config,
        unit_id,
        held_on=held_on,
        topic=topic,
        actor=actor,
        now=now,
        today=today,
        kind="adhoc",
        trigger=trigger,
        voters_asked=asked,
        voters_total=total,
        trigger_reason=reason,
        hold_by=hold_by,
        **plan,
    )


@dataclass(frozen=True, slots=True)
class Announced:
    row: Row[Any]
    late: bool  # announced later than 7 days before: the clerk is warned

    @property
    def warning(self) -> str | None:
        if not self.late:
            return None
        return (
            f"thông báo ngày {dmy(self.row.announced_on)} muộn hơn hạn {dmy(notice_due(self.row.held_on))} "
            f"(ít nhất 07 ngày trước ngày đối thoại {dmy(self.row.held_on)}, Luật 72/2025/QH15, Điều 43); "
            "đề nghị cân nhắc lùi ngày đối thoại"
        )


def announce_dialogue(
    engine: Engine,
    dialogue_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    announced_on: date | None = None,
    mttq_opinions: int | None = None,
    mttq_summary: str | None = None,
    expected_version: int | None = None,
) -> Announced:
    """Record the public notice (thông báo công khai) and the opinions the MTTQ gathered."""
    announced_on = announced_on or today
    if announced_on > today:
        raise ServiceError(f"ngày thông báo {dmy(announced_on)} chưa đến")
    with engine.begin() as conn:
        row = _get(conn, dialogue_id, expected_version)
        if row.status != "planned":
            raise ServiceError(
                f"hội nghị đối thoại số {row.id} đang {STATUS_VI[row.status]}, không thông báo được"
            )
        if announced_on > row.held_on:
            raise ServiceError(f"ngày thông báo {dmy(announced_on)} sau ngày đối thoại {dmy(row.held_on)}")
        values: dict[str, Any] = {"announced_on": announced_on}
        if mttq_opinions is not None:
            values["mttq_opinions"] = _count(mttq_opinions, "số ý kiến Mặt trận tổng hợp")
        if mttq_summary is not None:
            values["mttq_summary"] = _text(mttq_summary, "ý kiến Mặt trận tổng hợp", TEXT_MAX)
        new = _change(
            conn, row, values, actor=actor, now=now, action="dialogue_announce", on=announced_on.isoformat()
        )
    return Announced(new, notice_late(new.held_on, announced_on))


def record_dialogue(
    engine: Engine,
    dialogue_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    held: bool = True,
    attendance: int | None = None,
    opinions_raised: int | None = None,
    opinions_answered: int | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Row[Any]:
    """Record what became of a dialogue: held (attendance, opinions raised and answered on the
    spot) or not held, with its reason."""
    with engine.begin() as conn:
        row = _get(conn, dialogue_id, expected_version)
        if row.held_on > today:
            raise ServiceError(f"hội nghị đối thoại số {row.id} ngày {dmy(row.held_on)} chưa diễn ra")
        if row.concluded_on is not None:
            raise ServiceError(f"hội nghị đối thoại số {row.id} đã thông báo kết quả; không sửa được")
        if not held:
            why = _text(reason, "lý do không tổ chức", TEXT_MAX, required=True)
            return _change(
                conn,
                row,
                {"status": "not_held", "reason": why},
                actor=actor,
                now=now,
                action="dialogue_record",
            )
        raised = _count(opinions_raised, "số ý kiến")
        answered = _count(opinions_answered, "số ý kiến trả lời tại hội nghị")
        if raised is not None and answered is not None and answered > raised:
            raise ServiceError(f"số ý kiến trả lời tại hội nghị ({answered}) nhiều hơn số ý kiến ({raised})")
        values = {
            "status": "held",
            "attendance": _count(attendance, "số người dự"),
            "opinions_raised": raised,
            "opinions_answered": answered,
            "reason": None,
        }
        return _change(conn, row, values, actor=actor, now=now, action="dialogue_record", held=True)


@dataclass(frozen=True, slots=True)
class Concluded:
    row: Row[Any]
    late: bool  # results announced after the 10 days

    @property
    def warning(self) -> str | None:
        if not self.late:
            return None
        return (
            f"thông báo kết quả ngày {dmy(self.row.concluded_on)} "
            f"quá hạn {dmy(results_due(self.row.held_on))} "
            "(trong 10 ngày sau hội nghị, Luật 72/2025/QH15, Điều 43)"
        )


def conclude_dialogue(
    engine: Engine,
    dialogue_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    concluded_on: date | None = None,
    number: str = "",
    expected_version: int | None = None,
) -> Concluded:
    """Record the conclusion notice (thông báo kết quả, kết luận hội nghị): its number and date."""
    concluded_on = concluded_on or today
    with engine.begin() as conn:
        row = _get(conn, dialogue_id, expected_version)
        if row.status != "held":
            raise ServiceError(f"hội nghị đối thoại số {row.id} chưa được ghi là đã tổ chức")
        if not row.held_on <= concluded_on <= today:
            raise ServiceError(
                f"ngày thông báo kết quả {dmy(concluded_on)} phải từ ngày hội nghị đến hôm nay"
            )
        new = _change(
            conn,
            row,
            {"concluded_on": concluded_on, "conclusion_number": _text(number, "số thông báo", NUMBER_MAX)},
            actor=actor,
            now=now,
            action="dialogue_conclude",
            on=concluded_on.isoformat(),
        )
    return Concluded(new, concluded_on > results_due(new.held_on))


def list_dialogues(
    engine: Engine,
    *,
    units: Iterable[str] | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[Row[Any]]:
    """Dialogues by day then unit, optionally of some units and within [first, last]."""
    q = select(_T)
    if units is not None:
        q = q.where(_T.c.unit_id.in_(list(units)))
    if first is not None:
        q = q.where(_T.c.held_on >= first)
    if last is not None:
        q = q.where(_T.c.held_on <= last)
    with reading(engine) as conn:
        return list(conn.execute(q.order_by(_T.c.held_on, _T.c.unit_id, _T.c.id)))


def get_dialogue(engine: Engine, dialogue_id: int) -> Row[Any]:
    with reading(engine) as conn:
        return _get(conn, dialogue_id)


def facts(rows: Iterable[Row[Any]]) -> list[DialogueFact]:
    return [DialogueFact(r.unit_id, r.held_on, r.status) for r in rows]


def unit_mandates(config: Config, unit_ids: Iterable[str] | None = None) -> dict[str, DialogueMandate]:
    """unit id -> the dialogue mandate of its level, for units whose level asks one."""
    units = config.units if unit_ids is None else [config.unit(u) for u in unit_ids]
    out: dict[str, DialogueMandate] = {}
    for u in units:
        m = config.levels[u.level].dialogue
        if m is not None and m.min > 0:
            out[u.id] = m
    return out


def findings(
    config: Config, rows: Iterable[Row[Any]], first: date, last: date, unit_ids: Iterable[str] | None = None
) -> list[DialogueFinding]:
    return dialogue_findings(unit_mandates(config, unit_ids), facts(rows), first, last)


def finding_dict(f: DialogueFinding) -> dict[str, object]:
    """The JSON of a dialogue finding (the calendar's and the report's ``dialogue_findings``)."""
    return f.as_json()


def dialogue_dict(row: Row[Any], today: date | None = None) -> dict[str, Any]:
    """The JSON of a dialogue (CLI ``--format json`` and the API). No citizen's personal data is
    stored on a dialogue: it is the same for every role that may see it."""
    notice = notice_due(row.held_on)
    results = results_due(row.held_on)
    out: dict[str, Any] = {
        "id": row.id,
        "unit": row.unit_id,
        "kind": row.kind,
        "kind_vi": KIND_VI[row.kind],
        "form": row.form,
        "form_vi": FORM_VI[row.form],
        "status": row.status,
        "status_vi": STATUS_VI[row.status],
        "topic": row.topic,
        "date": row.held_on.isoformat(),
        "start": row.start,
        "end": row.end,
        "place": row.place,
        "online_url": row.online_url,
        "co_organisers": [x for x in row.co_organisers.split("\n") if x],
        "lead_agency": row.lead_agency,
        "coordinating": [x for x in row.coordinating.split("\n") if x],
        "notice_due": notice.isoformat(),
        "announced_on": row.announced_on.isoformat() if row.announced_on else None,
        "notice_late": bool(row.announced_on and row.announced_on > notice),
        "mttq_opinions": row.mttq_opinions,
        "mttq_summary": row.mttq_summary,
        "attendance": row.attendance,
        "opinions_raised": row.opinions_raised,
        "opinions_answered": row.opinions_answered,
        "results_due": results.isoformat(),
        "concluded_on": row.concluded_on.isoformat() if row.concluded_on else None,
        "conclusion_number": row.conclusion_number,
        "results_late": bool(row.concluded_on and row.concluded_on > results),
        "trigger": row.trigger or None,
        "voters_asked": row.voters_asked,
        "voters_total": row.voters_total,
        "trigger_reason": row.trigger_reason,
        "hold_by": row.hold_by.isoformat() if row.hold_by else None,
        "reason": row.reason,
        "version": row.version,
    }
    if today is not None:
        out["notice_overdue"] = row.status == "planned" and row.announced_on is None and today > notice
        out["results_overdue"] = row.status == "held" and row.concluded_on is None and today > results
    return out


def stored_facts(config: Config, first: date, last: date, unit_ids: Iterable[str]) -> list[DialogueFact]:
    """The stored dialogues of ``unit_ids`` in [first, last], for the calendar's findings. A
    SQLite database that does not exist yet holds none: the calendar does not create it."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from scheduler.infra.db import open_database

    url = config.database_url
    if url.startswith("sqlite"):
        name = make_url(url).database
        if not name or name == ":memory:" or not Path(name).exists():
            return []
    engine = open_database(url)
    try:
        return facts(list_dialogues(engine, units=list(unit_ids), first=first, last=last))
    finally:
        engine.dispose()


def dialogue_records(
    conn: Connection, unit_ids: Sequence[str] | None, first: date, last: date
) -> list[DialogueRecord]:
    """The dialogues of the units (None: all) dated in [first, last], as the report counts them."""
    cols = (
        _T.c.unit_id,
        _T.c.held_on,
        _T.c.kind,
        _T.c.status,
        _T.c.trigger,
        _T.c.opinions_raised,
        _T.c.opinions_answered,
        _T.c.mttq_opinions,
        _T.c.concluded_on,
    )
    q = select(*cols).where(_T.c.held_on >= first, _T.c.held_on <= last)
    return [DialogueRecord(*r) for r in rows_in(conn, q, _T.c.unit_id, unit_ids)]


def plan_document(
    engine: Engine,
    config: Config,
    unit_id: str,
    year: int,
    *,
    number: str | None = None,
    issued_on: date | None = None,
    signer: str | None = None,
) -> bytes:
    """The Kế hoạch tiếp xúc, đối thoại năm ``year`` of a unit (its own dialogues and those of the
    units under it, not postponed), as DOCX."""
    from notifiers.dialogue_plan_docx import (
        DialoguePlan,
        PlannedDialogue,
        dialogue_plan_docx,
        plan_number_line,
    )
    from notifiers.notice_docx import default_signature
    from notifiers.views import Issue

    unit = config.unit(unit_id)
    names = {u.id: u.name for u in config.subtree(unit_id)}
    rows = list_dialogues(engine, units=list(names), first=date(year, 1, 1), last=date(year, 12, 31))
    planned = tuple(
        PlannedDialogue(
            r.held_on,
            r.start,
            r.topic,
            r.kind,
            r.form,
            r.place,
            r.lead_agency,
            tuple(x for x in r.co_organisers.split("\n") if x),
            names[r.unit_id],
        )
        for r in rows
        if r.status in ("planned", "held")
    )
    m = config.levels[unit.level].dialogue
    recipients = ("Ủy ban Mặt trận Tổ quốc Việt Nam", "Thường trực Hội đồng nhân dân", "Lưu: VT")
    issue = Issue(plan_number_line(unit, number), issued_on, default_signature(unit, signer), recipients)
    return dialogue_plan_docx(DialoguePlan(unit, year, issue, planned, m.basis if m else ""))


# --- the dialogue's two notices ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """A notice as DOCX, and the clerk's warning when it is issued late (never in the notice)."""

    data: bytes
    row: Row[Any]
    warning: str | None


def _facts_of(config: Config, row: Row[Any]) -> Any:
    from notifiers.dialogue_notice_docx import DialogueFacts

    unit = config.unit(row.unit_id)
    m = config.levels[unit.level].dialogue
    return DialogueFacts(
        unit=unit,
        held_on=row.held_on,
        start=row.start,
        end=row.end,
        topic=row.topic,
        form=row.form,
        place=row.place,
        online_url=row.online_url,
        co_organisers=tuple(x for x in row.co_organisers.split("\n") if x),
        lead_agency=row.lead_agency,
        basis=m.basis if m else "",
    )


def notice_document(
    engine: Engine,
    config: Config,
    dialogue_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    number: str | None = None,
    issued_on: date | None = None,
    signer: str | None = None,
    recipients: Sequence[str] = (),
) -> Document:
    """The public notice (Thông báo tổ chức hội nghị đối thoại). Issuing it is announcing: a
    planned dialogue not yet announced is recorded announced on the notice's date (``announce``);
    one already announced keeps its date. Later than 7 days before: a warning for the clerk."""
    from notifiers.dialogue_notice_docx import DialogueNotice, dialogue_notice_docx, notice_recipients
    from notifiers.notice_docx import default_signature, number_line
    from notifiers.views import Issue

    row = get_dialogue(engine, dialogue_id)
    if row.status in ("not_held", "postponed"):
        raise ServiceError(
            f"hội nghị đối thoại số {row.id} {STATUS_VI[row.status]}; không ra thông báo tổ chức"
        )
    if row.announced_on is None or (issued_on is not None and issued_on != row.announced_on):
        row = announce_dialogue(
            engine, row.id, actor=actor, now=now, today=today, announced_on=issued_on or today
        ).row
    day = row.announced_on
    facts = _facts_of(config, row)
    unit = facts.unit
    issue = Issue(
        number_line(unit, number),
        day,
        default_signature(unit, signer),
        tuple(recipients) or notice_recipients(facts),
    )
    warning = Announced(row, notice_late(row.held_on, day)).warning
    return Document(dialogue_notice_docx(DialogueNotice(facts, issue)), row, warning)


def conclusion_document(
    engine: Engine,
    config: Config,
    dialogue_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    number: str | None = None,
    issued_on: date | None = None,
    signer: str | None = None,
    recipients: Sequence[str] = (),
) -> Document:
    """The conclusion notice (Thông báo kết luận hội nghị đối thoại) with the head's directions
    given at the dialogue. Issuing it records the results announced (``conclude``) with its
    number and date; later than 10 days after: a warning for the clerk."""
    from notifiers.conclusion_docx import DirectionLine
    from notifiers.dialogue_notice_docx import (
        DialogueConclusion,
        conclusion_recipients,
        dialogue_conclusion_docx,
    )
    from notifiers.notice_docx import default_signature, number_line
    from notifiers.views import Issue
    from scheduler.usecases import followup as fu

    row = get_dialogue(engine, dialogue_id)
    text = (number or "").strip()
    stored = row.conclusion_number
    day = issued_on or row.concluded_on or today
    if row.concluded_on is None or day != row.concluded_on or (text and text != stored):
        row = conclude_dialogue(
            engine, row.id, actor=actor, now=now, today=today, concluded_on=day, number=text or stored
        ).row
    facts = _facts_of(config, row)
    unit = facts.unit
    lines = []
    for d in fu.directions_of_dialogue(engine, row.id):
        lim = fu.limit_of(d)
        lines.append(DirectionLine(d.content, d.agency, d.due, lim.days_text if lim else ""))
    number_text = number_line(unit, row.conclusion_number or None)
    signature = default_signature(unit, signer)
    draft = DialogueConclusion(
        facts,
        Issue(number_text, row.concluded_on, signature, tuple(recipients)),
        row.attendance,
        row.opinions_raised,
        row.opinions_answered,
        tuple(lines),
    )
    if not recipients:
        draft = replace(draft, issue=replace(draft.issue, recipients=conclusion_recipients(draft)))
    warning = Concluded(row, row.concluded_on > results_due(row.held_on)).warning
    return Document(dialogue_conclusion_docx(draft), row, warning)
