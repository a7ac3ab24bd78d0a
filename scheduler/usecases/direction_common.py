"""What the direction use cases share (the writes: ``direction_changes``, ``direction_result``):
the table, the limits of their texts, one direction read as the caller last saw it, and the
guarded update (an optimistic version check)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine

from rules import ServiceError
from rules.vietnamese import nfc
from scheduler.infra.db import guarded_update, reading, row_as_seen
from scheduler.infra.db.models import DirectionRow
from scheduler.reads.stored_direction import StoredDirection

_D = DirectionRow.__table__
CONTENT_MAX, AGENCY_MAX, RESULT_MAX, NUMBER_MAX = 5000, 500, 5000, 100
CHANGED = "chỉ đạo số {id} vừa được người khác thay đổi; vui lòng tải lại"


def direction_text(value: str | None, what: str, longest: int, *, required: bool = True) -> str:
    text = nfc((value or "").replace("\r\n", "\n").replace("\x00", "").strip())
    if required and not text:
        raise ServiceError(f"cần ghi {what}")
    if len(text) > longest:
        raise ServiceError(f"{what} dài quá {longest} ký tự")
    return text


def direction_row(
    conn: Connection, direction_id: int, expected_version: int | None = None
) -> StoredDirection:
    """The direction as the caller last saw it (``expected_version``), or refused."""
    return StoredDirection.of(row_as_seen(conn, _D, direction_id, expected_version, "chỉ đạo"))


def get_direction(engine: Engine, direction_id: int) -> StoredDirection:
    with reading(engine) as conn:
        return direction_row(conn, direction_id)


def bump(conn: Connection, row: StoredDirection, now: datetime, **values: object) -> None:
    """Change a direction only if nobody changed it since it was read."""
    guarded_update(conn, _D, row, now, CHANGED.format(id=row.id), **values)
