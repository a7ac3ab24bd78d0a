"""The one typed value of a stored session (buổi tiếp đã lưu), as the use cases return it.

A frozen dataclass with the columns of ``sessions`` under their own names, its time of day as
``datetime.time``: what every door (CLI, desk, API, jobs) gets back from a use case and from
the reads (``session_reads.list_sessions``), and what every printer, page and notice reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from datetime import time as Time
from functools import lru_cache

from rules.parsing import hhmm, parse_hhmm
from rules.vocabulary import COUNTS, Form, Kind, Status
from scheduler.infra.db.models import SessionRow


@lru_cache(maxsize=256)
def _time_of(text: str | None) -> Time | None:
    """A stored "07:30" as a time, once per distinct text (a year has a handful)."""
    return parse_hhmm(text)


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A reception session as stored: periodic, make-up (tiếp công dân bù) or ad hoc (đột xuất)."""

    id: int
    unit_id: str
    kind: Kind
    status: Status
    date: date
    nominal: dt.date | None  # dt: the field "date" shadows the type
    slot: int | None
    start: Time | None
    end: Time | None
    venue: str
    online_url: str
    moved: str | None
    reason: str | None
    pinned: bool
    needs_makeup: bool
    replaces_id: int | None
    version: int
    rescheduled_version: int | None
    visits: int | None
    people: int | None
    cases: int | None
    petitions: int | None
    groups: int | None
    received_in_person: bool | None
    received_by: str | None
    received_title: str | None
    form: Form | None
    conclusion: str | None
    recorded_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Sequence[object]) -> StoredSession:
        """From a row of ``select(sessions)``: its columns are this class's fields, in order
        (checked below at import), so the row is taken by position, without a dict per row."""
        v = list(row)
        v[_START] = _time_of(v[_START])  # the column is String(5)
        v[_END] = _time_of(v[_END])
        v[_PINNED] = bool(v[_PINNED])
        v[_NEEDS_MAKEUP] = bool(v[_NEEDS_MAKEUP])
        return cls(*v)  # type: ignore[arg-type]  # the columns' types, as the model declares them

    def counts(self) -> dict[str, int | None]:
        return {k: getattr(self, k) for k in COUNTS}

    @property
    def start_text(self) -> str | None:
        """The stored and JSON form of the start: "07:30"."""
        return hhmm(self.start)

    @property
    def end_text(self) -> str | None:
        return hhmm(self.end)

    def __getitem__(self, key: str) -> object:  # templates read s[k] for k in COUNTS
        return getattr(self, key)


_NAMES = tuple(f.name for f in fields(StoredSession))
if tuple(c.name for c in SessionRow.__table__.columns) != _NAMES:  # pragma: no cover
    raise ImportError("StoredSession's fields must be the columns of sessions, in the table's order")
_START, _END = _NAMES.index("start"), _NAMES.index("end")
_PINNED, _NEEDS_MAKEUP = _NAMES.index("pinned"), _NAMES.index("needs_makeup")
