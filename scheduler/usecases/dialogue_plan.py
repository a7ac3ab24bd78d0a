"""Put a dialogue conference in the year's plan (plan_dialogue), or open one on the voters' request
or a pressing issue (trigger_dialogue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TypedDict, Unpack

from sqlalchemy import Engine, insert

from rules import ServiceError
from rules.dialogues import (
    DEFAULT_CO_ORGANISERS,
    DIALOGUE_FORMS,
    DIALOGUE_KINDS,
    DialogueTrigger,
    voters_request_binding,
    voters_threshold,
)
from rules.parsing import parse_web_url
from rules.vietnamese import dmy
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases.dialogue_common import (
    _T,
    TEXT_MAX,
    TOPIC_MAX,
    TRIGGER_HOLD_DAYS,
    choice,
    count,
    get_row,
    lines,
    read_time_range,
    text,
)
from scheduler.usecases.sessions import Actor


class PlanDetails(TypedDict, total=False):
    """What ``trigger_dialogue`` passes on to ``plan_dialogue`` as the doors give it."""

    form: str
    time_range: str | None
    place: str
    online_url: str
    co_organisers: Sequence[str] | None
    lead_agency: str
    coordinating: Sequence[str]


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
    co_organisers: Sequence[str] | None = None,
    lead_agency: str = "",
    coordinating: Sequence[str] = (),
    trigger: DialogueTrigger = "",
    voters_asked: int | None = None,
    voters_total: int | None = None,
    trigger_reason: str = "",
    hold_by: date | None = None,
) -> StoredDialogue:
    """Put a dialogue in the year's plan (đưa vào kế hoạch tiếp xúc, đối thoại). The
    co-organisers default to the unit's configured ones (``co_organisers``), else the MTTQ and the
    HĐND's standing committee."""
    unit = config.unit(unit_id)
    if co_organisers is None:
        co_organisers = tuple(c.name for c in unit.co_organisers) or DEFAULT_CO_ORGANISERS
    kind = choice(kind, DIALOGUE_KINDS, "loại hội nghị (kind)")
    form = choice(form, DIALOGUE_FORMS, "hình thức (form)")
    start, end = read_time_range(time_range)
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
        "topic": text(topic, "nội dung đối thoại", TOPIC_MAX, required=True),
        "held_on": held_on,
        "start": start,
        "end": end,
        "place": text(place, "địa điểm", 500) or config.unit(unit_id).venue,
        "online_url": text(online_url, "đường dẫn trực tuyến", 500),
        "co_organisers": lines(co_organisers, "cơ quan phối hợp tổ chức"),
        "lead_agency": text(lead_agency, "cơ quan chủ trì", 500),
        "coordinating": lines(coordinating, "cơ quan phối hợp"),
        "mttq_summary": "",
        "trigger": trigger,
        "voters_asked": voters_asked,
        "voters_total": voters_total,
        "trigger_reason": text(trigger_reason, "lý do", TEXT_MAX),
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
        return get_row(conn, new_id)


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
    **plan: Unpack[PlanDetails],
) -> StoredDialogue:
    """Open an ad hoc dialogue (đối thoại đột xuất) on the voters' request (at least 10 % of the
    voters, Luật 72/2025/QH15 Điều 43) or a pressing issue, with its deadline to hold it."""
    asked, total = count(voters_asked, "số cử tri kiến nghị"), count(voters_total, "tổng số cử tri")
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
        trigger: DialogueTrigger = "voters"
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
