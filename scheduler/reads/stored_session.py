"""The one typed value of a stored session (buổi tiếp đã lưu), as the use cases return it.

A frozen dataclass with the columns of ``sessions`` under their own names, its time of day as
``datetime.time``: what every door (CLI, desk, API, jobs) gets back from a use case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from datetime import date, datetime
from datetime import time as Time
from typing import Any

from rules.parsing import parse_hhmm
from rules.vocabulary import COUNTS, Form, Kind, Status


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
    def of(cls, row: Any) -> StoredSession:
        """From a database row (``select(sessions)``)."""
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        values["start"] = parse_hhmm(row.start) if isinstance(row.start, str) else row.start
        values["end"] = parse_hhmm(row.end) if isinstance(row.end, str) else row.end
        values["pinned"] = bool(row.pinned)
        values["needs_makeup"] = bool(row.needs_makeup)
        return cls(**values)

    def counts(self) -> dict[str, int | None]:
        return {k: getattr(self, k) for k in COUNTS}

    def __getitem__(self, key: str) -> Any:  # templates read s["visits"]
        return getattr(self, key)
