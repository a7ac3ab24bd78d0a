"""Postpone a dialogue conference (hoãn hội nghị đối thoại), to a new day or to a day not yet set.

One use case for the CLI (``tiepdan dialogue postpone``), the desk and the API. Its deadlines are
counted from its day (``rules.dialogues``: the notice 7 days before, the results 10 days after),
so a new day moves them with it. A dialogue already announced stays public: the postponement is
told to the people told before (the head, the staff, the co-organisers with contacts) and on the
board and the feed (a new day with a higher SEQUENCE, or CANCELLED while no day is set); with a
new day, that change notice is its announcement, so it is recorded announced today and a clerk
is warned when that is less than 7 days before the new day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from rules import ServiceError
from rules.dialogues import STATUS_VI, notice_due, notice_late
from rules.vietnamese import dmy
from scheduler.infra.config import Config
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases.dialogue_common import TEXT_MAX, change_row, get_row, text
from scheduler.usecases.sessions import Actor


@dataclass(frozen=True, slots=True)
class Postponed:
    """The dialogue after the change, the day it was set for, and the clerk's warnings."""

    row: StoredDialogue
    old_date: date
    new_date: date | None  # None: postponed, its new day to be set later
    warnings: tuple[str, ...] = ()

    @property
    def warning(self) -> str | None:
        return "; ".join(self.warnings) or None


def postpone_dialogue(
    engine: Engine,
    config: Config,
    dialogue_id: int,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
    today: date,
    new_date: date | None = None,
    expected_version: int | None = None,
) -> Postponed:
    """Postpone a planned dialogue (hoãn), with why and optionally its new day; a dialogue
    postponed before gets its new day the same way. A day gone by is not postponed: it is
    recorded not held, with the reason. The change is told at once."""
    why = text(reason, "lý do hoãn", TEXT_MAX, required=True)
    with engine.begin() as conn:
        row = get_row(conn, dialogue_id, expected_version)
        if row.status not in ("planned", "postponed"):
            raise ServiceError(
                f"hội nghị đối thoại số {row.id} {STATUS_VI[row.status]}; chỉ hoãn được hội nghị dự kiến"
            )
        if row.status == "postponed" and new_date is None:
            raise ServiceError(
                f"hội nghị đối thoại số {row.id} đã hoãn; ghi ngày tổ chức mới để đưa lại vào kế hoạch"
            )
        if row.status == "planned" and row.held_on < today:
            raise ServiceError(
                f"hội nghị đối thoại số {row.id} ngày {dmy(row.held_on)} đã qua: không hoãn được; "
                "vui lòng ghi kết quả là không tổ chức được, kèm lý do"
            )
        if new_date is not None and new_date < today:
            raise ServiceError(f"ngày tổ chức mới {dmy(new_date)} đã qua")
        if new_date is not None and new_date == row.held_on and row.status == "planned":
            raise ServiceError(f"ngày tổ chức mới trùng ngày đã định {dmy(row.held_on)}")
        old = row.held_on if row.status == "planned" else (row.postponed_from or row.held_on)
        values: dict[str, object] = {
            "reason": why,
            "postponed_from": old,
            "postponed_version": row.version + 1,
        }
        if new_date is None:
            values["status"] = "postponed"
        else:
            values |= {"status": "planned", "held_on": new_date}
            if row.announced_on is not None:
                # The public knows of it: the change notice announces the new day.
                values["announced_on"] = today
        new = change_row(
            conn,
            row,
            values,
            actor=actor,
            now=now,
            action="dialogue_postpone",
            reason=why,
            date=old.isoformat(),
            new_date=new_date.isoformat() if new_date else None,
        )
    warnings: list[str] = []
    if new_date is not None and new.announced_on is not None and notice_late(new_date, new.announced_on):
        warnings.append(
            f"thông báo ngày tổ chức mới {dmy(new_date)} ít hơn 07 ngày trước hội nghị "
            f"(hạn {dmy(notice_due(new_date))}, Luật 72/2025/QH15, Điều 43); đề nghị cân nhắc lùi ngày"
        )
    if new_date is not None and new.hold_by is not None and new_date > new.hold_by:
        warnings.append(f"ngày tổ chức mới {dmy(new_date)} sau hạn tổ chức {dmy(new.hold_by)}")
    from scheduler.usecases.tell import tell_dialogue_now

    tell_dialogue_now(engine, config, now, new.id)
    return Postponed(new, old, new_date, tuple(warnings))
