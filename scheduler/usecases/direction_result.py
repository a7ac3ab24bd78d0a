"""Use case: record the result of a direction (kết quả giải quyết): the day it was resolved and
what was done, the day the citizen was answered, the day of the written notice (QĐ 11)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine

from rules import ServiceError
from rules.vietnamese import dmy
from scheduler.infra.audit import write_audit
from scheduler.reads.stored_direction import StoredDirection
from scheduler.usecases.direction_common import RESULT_MAX, bump, direction_row, direction_text
from scheduler.usecases.sessions import Actor


def record_result(
    engine: Engine,
    direction_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    resolved_on: date | None = None,
    result: str | None = None,
    answered_on: date | None = None,
    notified_on: date | None = None,
    expected_version: int | None = None,
) -> StoredDirection:
    """Record the result of a direction (kết quả giải quyết): the day it was resolved and what
    was done, the day the citizen was given the answer, the day of the written notice (QĐ 11).
    A fact is refused until it can be true: no date after today, none before the case."""
    with engine.begin() as conn:
        row = direction_row(conn, direction_id, expected_version)
        if notified_on is not None and row.dialogue_id is not None:
            raise ServiceError(
                f"chỉ đạo số {row.id} là chỉ đạo tại hội nghị đối thoại: không có thông báo bằng văn bản "
                "cho từng công dân (kết quả được thông báo theo hội nghị)"
            )
        dates: dict[str, date] = {}
        for key, value, what in (
            ("resolved_on", resolved_on, "ngày giải quyết"),
            ("answered_on", answered_on, "ngày trả lời công dân"),
            ("notified_on", notified_on, "ngày thông báo cho công dân"),
        ):
            if value is None:
                continue
            if value > today:
                raise ServiceError(f"{what} {dmy(value)} là ngày sau hôm nay ({dmy(today)}): chưa thể ghi")
            if value < row.received_on:
                raise ServiceError(f"{what} {dmy(value)} trước ngày tiếp nhận {dmy(row.received_on)}")
            dates[key] = value
        values: dict[str, object] = dict(dates)
        if result is not None:
            values["result"] = direction_text(result, "kết quả giải quyết", RESULT_MAX, required=False)
        resolved = dates.get("resolved_on", row.resolved_on)
        answered = dates.get("answered_on", row.answered_on)
        if resolved is not None and not values.get("result", row.result):
            raise ServiceError("cần ghi kết quả giải quyết (cơ quan đã làm gì)")
        if values.get("result") and resolved is None:
            raise ServiceError("cần ghi ngày giải quyết cùng với kết quả")
        if answered is not None:
            if resolved is None:
                raise ServiceError("chỉ ghi ngày trả lời công dân khi đã có kết quả giải quyết")
            if answered < resolved:
                raise ServiceError(
                    f"ngày trả lời công dân {dmy(answered)} trước ngày giải quyết {dmy(resolved)}"
                )
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            if not values:
                raise ServiceError(
                    "cần ghi ít nhất một trong: ngày giải quyết và kết quả, ngày trả lời công dân, "
                    "ngày thông báo"
                )
            return row
        bump(conn, row, now, **changed)
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="direction_result",
            session_id=row.session_id,
            unit_id=row.unit_id,
            direction=row.id,
            **{k: (v.isoformat() if isinstance(v, date) else "đã ghi") for k, v in changed.items()},
        )
        return direction_row(conn, direction_id)
