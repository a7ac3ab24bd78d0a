"""What the dialogue use cases share: the table, the limits of their texts, the strict readers of
their inputs, and the guarded change (one transaction, an optimistic version check, an audit row)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from rules import ServiceError
from rules.parsing import check_count, hhmm, parse_time_range
from rules.vietnamese import nfc
from scheduler.infra.audit import write_audit
from scheduler.infra.db import guarded_update, row_as_seen
from scheduler.infra.db.models import DialogueRow
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases.sessions import Actor

_T = DialogueRow.__table__
TOPIC_MAX, TEXT_MAX, NUMBER_MAX = 1000, 5000, 100
# A triggered dialogue is to be held within this many days unless the office names a date: the
# law says "khi cần thiết" without a figure; a month is the provinces' practice ("kịp thời").
TRIGGER_HOLD_DAYS = 30


def text(value: str | None, what: str, longest: int, *, required: bool = False) -> str:
    text = nfc((value or "").replace("\r\n", "\n").replace("\x00", "").strip())
    if required and not text:
        raise ServiceError(f"cần ghi {what}")
    if len(text) > longest:
        raise ServiceError(f"{what} dài quá {longest} ký tự")
    return text


def lines(values: Iterable[str] | None, what: str) -> str:
    out = [text(v, what, 500) for v in values or ()]
    return "\n".join(v for v in out if v)


def count(value: int | None, what: str) -> int | None:
    """A count of voters, people or opinions: the bounds every door checks (rules.parsing)."""
    if value is None:
        return None
    try:
        return check_count(value)
    except ValueError as exc:
        raise ServiceError(f"{what}: {exc}") from None


def read_time_range(value: str | None) -> tuple[str | None, str | None]:
    """The one strict time-range parser of the project (rules.parsing), as stored: "08:00"."""
    if not value:
        return None, None
    try:
        start, end = parse_time_range(value)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    return hhmm(start), hhmm(end)


_W = TypeVar("_W", bound=str)


def choice(value: str, allowed: Sequence[_W], what: str) -> _W:
    """``value`` if it is one of the ``allowed`` words (as that word's type), else refused."""
    for word in allowed:
        if value == word:
            return word
    raise ServiceError(f"{what} phải là một trong: {', '.join(allowed)}; không phải {value!r}")


def get_row(conn: Connection, dialogue_id: int, expected_version: int | None = None) -> StoredDialogue:
    """The dialogue as the caller last saw it (``expected_version``), or refused."""
    return StoredDialogue.of(row_as_seen(conn, _T, dialogue_id, expected_version, "hội nghị đối thoại"))


def change_row(
    conn: Connection,
    row: StoredDialogue,
    values: Mapping[str, object],
    *,
    actor: Actor,
    now: datetime,
    action: str,
    **details: Any,  # the audit's details: a reason, dates, counts (``write_audit``)
) -> StoredDialogue:
    changed = f"hội nghị đối thoại số {row.id} vừa được người khác thay đổi; vui lòng tải lại"
    guarded_update(conn, _T, row, now, changed, **values)
    write_audit(
        conn, at=now, actor=actor.name, action=action, unit_id=row.unit_id, dialogue=row.id, **details
    )
    return get_row(conn, row.id)
