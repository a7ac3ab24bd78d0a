"""The typed values of the follow-up as stored: a direction (chỉ đạo, kiến nghị đã lưu) and the
conclusion notice (Thông báo kết luận) of a held session.

Frozen dataclasses with the columns of ``directions`` and ``conclusion_notices`` under their own
names: what the direction use cases return (``direction_reads``, each change, ``conclusion``)
and what the CLI, the desk and the API read. Each is built from a row in one place, here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

from rules.followup import DirectionFacts
from scheduler.infra.db.models import ConclusionNoticeRow, DirectionRow
from scheduler.reads.followup_facts import facts_of


@dataclass(frozen=True, slots=True)
class StoredDirection:
    """A direction of the head on one case of a session's log (``session_id``, ``entry_id``) or
    on an opinion raised at a dialogue (``dialogue_id``), exactly one of them, and its follow-up."""

    id: int
    session_id: int | None
    entry_id: int | None
    dialogue_id: int | None
    unit_id: str
    content: str
    agency: str
    received_on: date
    accepted_on: date | None
    limit_id: str  # rules.time_limits id, "office" or "office-date"
    limit_days: int | None
    due: date
    resolved_on: date | None
    result: str
    answered_on: date | None
    notified_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Sequence[object]) -> StoredDirection:
        """From a row of ``select(directions)``: its columns are this class's fields, in order."""
        return cls(*row)  # type: ignore[arg-type]  # the columns' types, as the model declares them

    @property
    def from_dialogue(self) -> bool:
        return self.dialogue_id is not None

    def facts(self) -> DirectionFacts:
        """Its dates, as ``rules.followup`` judges its state."""
        return facts_of(self)


@dataclass(frozen=True, slots=True)
class StoredConclusionNotice:
    """The number and date of a held session's conclusion notice, as recorded."""

    session_id: int
    unit_id: str
    number: str
    issued_on: date
    recorded_at: datetime

    @classmethod
    def of(cls, row: Sequence[object]) -> StoredConclusionNotice:
        """From a row of ``select(conclusion_notices)``: its columns are this class's fields."""
        return cls(*row)  # type: ignore[arg-type]  # the columns' types, as the model declares them


def _check(cls: type, table: type[DirectionRow | ConclusionNoticeRow]) -> None:
    if tuple(c.name for c in table.__table__.columns) != tuple(f.name for f in fields(cls)):
        raise ImportError(f"{cls.__name__}'s fields must be the columns of {table.__tablename__}, in order")


_check(StoredDirection, DirectionRow)
_check(StoredConclusionNotice, ConclusionNoticeRow)
