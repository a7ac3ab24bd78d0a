"""What becomes of a planned dialogue: its public notice (announce_dialogue), held or not
(record_dialogue), its results announced (conclude_dialogue). A fact is recorded only once it can
be true: held only on or after its day, its results only after it was held, never after today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from rules import ServiceError
from rules.dialogues import (
    STATUS_VI,
    notice_due,
    notice_late,
    results_due,
)
from rules.vietnamese import dmy
from scheduler.infra.config import Config
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases.dialogue_common import (
    NUMBER_MAX,
    TEXT_MAX,
    change_row,
    count,
    get_row,
    text,
)
from scheduler.usecases.sessions import Actor


@dataclass(frozen=True, slots=True)
class Announced:
    """The dialogue after its public notice was recorded, the notice's day, whether it is late."""

    row: StoredDialogue
    on: date  # the notice's day (the row's announced_on)
    late: bool  # announced later than 7 days before: the clerk is warned

    @property
    def warning(self) -> str | None:
        if not self.late:
            return None
        return (
            f"thông báo ngày {dmy(self.on)} muộn hơn hạn {dmy(notice_due(self.row.held_on))} "
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
    config: Config | None = None,
) -> Announced:
    """Record the public notice (thông báo công khai) and the opinions the MTTQ gathered. With
    ``config``, the co-organisers are told at once (``tell.tell_dialogue_now``); without it, by
    the next tick."""
    announced_on = announced_on or today
    if announced_on > today:
        raise ServiceError(f"ngày thông báo {dmy(announced_on)} chưa đến")
    with engine.begin() as conn:
        row = get_row(conn, dialogue_id, expected_version)
        if row.status != "planned":
            raise ServiceError(
                f"hội nghị đối thoại số {row.id} đang {STATUS_VI[row.status]}, không thông báo được"
            )
        if announced_on > row.held_on:
            raise ServiceError(f"ngày thông báo {dmy(announced_on)} sau ngày đối thoại {dmy(row.held_on)}")
        values: dict[str, object] = {"announced_on": announced_on}
        if mttq_opinions is not None:
            values["mttq_opinions"] = count(mttq_opinions, "số ý kiến Mặt trận tổng hợp")
        if mttq_summary is not None:
            values["mttq_summary"] = text(mttq_summary, "ý kiến Mặt trận tổng hợp", TEXT_MAX)
        new = change_row(
            conn, row, values, actor=actor, now=now, action="dialogue_announce", on=announced_on.isoformat()
        )
    if config is not None:
        from scheduler.usecases.tell import tell_dialogue_now

        tell_dialogue_now(engine, config, now, new.id)
    return Announced(new, announced_on, notice_late(new.held_on, announced_on))


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
) -> StoredDialogue:
    """Record what became of a dialogue: held (attendance, opinions raised and answered on the
    spot) or not held, with its reason."""
    with engine.begin() as conn:
        row = get_row(conn, dialogue_id, expected_version)
        if row.held_on > today:
            raise ServiceError(f"hội nghị đối thoại số {row.id} ngày {dmy(row.held_on)} chưa diễn ra")
        if row.concluded_on is not None:
            raise ServiceError(f"hội nghị đối thoại số {row.id} đã thông báo kết quả; không sửa được")
        if row.status == "postponed":
            raise ServiceError(
                f"hội nghị đối thoại số {row.id} đã hoãn; vui lòng ghi ngày tổ chức mới trước khi ghi kết quả"
            )
        if not held:
            why = text(reason, "lý do không tổ chức", TEXT_MAX, required=True)
            return change_row(
                conn,
                row,
                {"status": "not_held", "reason": why},
                actor=actor,
                now=now,
                action="dialogue_record",
            )
        raised = count(opinions_raised, "số ý kiến")
        answered = count(opinions_answered, "số ý kiến trả lời tại hội nghị")
        if raised is not None and answered is not None and answered > raised:
            raise ServiceError(f"số ý kiến trả lời tại hội nghị ({answered}) nhiều hơn số ý kiến ({raised})")
        values = {
            "status": "held",
            "attendance": count(attendance, "số người dự"),
            "opinions_raised": raised,
            "opinions_answered": answered,
            "reason": None,
        }
        return change_row(conn, row, values, actor=actor, now=now, action="dialogue_record", held=True)


@dataclass(frozen=True, slots=True)
class Concluded:
    """The dialogue after its results were announced, the day of that notice, whether it is late."""

    row: StoredDialogue
    on: date  # the results notice's day (the row's concluded_on)
    late: bool  # results announced after the 10 days

    @property
    def warning(self) -> str | None:
        if not self.late:
            return None
        return (
            f"thông báo kết quả ngày {dmy(self.on)} "
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
        row = get_row(conn, dialogue_id, expected_version)
        if row.status != "held":
            raise ServiceError(f"hội nghị đối thoại số {row.id} chưa được ghi là đã tổ chức")
        if not row.held_on <= concluded_on <= today:
            raise ServiceError(
                f"ngày thông báo kết quả {dmy(concluded_on)} phải từ ngày hội nghị đến hôm nay"
            )
        new = change_row(
            conn,
            row,
            {"concluded_on": concluded_on, "conclusion_number": text(number, "số thông báo", NUMBER_MAX)},
            actor=actor,
            now=now,
            action="dialogue_conclude",
            on=concluded_on.isoformat(),
        )
    return Concluded(new, concluded_on, concluded_on > results_due(new.held_on))
