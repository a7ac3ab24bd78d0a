"""The one typed value of a stored dialogue conference (hội nghị tiếp xúc, đối thoại đã lưu).

A frozen dataclass with the columns of ``dialogues`` under their own names, its time of day as
``datetime.time``, its kind, form, status and trigger as the words of ``rules.dialogues``: what
the dialogue use cases return (``dialogue_reads.list_dialogues``, ``get_dialogue``, each change)
and what the CLI, the desk, the API and the documents read. Built from a row in one place, here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from datetime import time as Time

from rules.dialogues import DialogueFact, DialogueForm, DialogueKind, DialogueStatus, DialogueTrigger
from rules.parsing import hhmm
from scheduler.infra.db.models import DialogueRow
from scheduler.reads.stored_session import _time_of


@dataclass(frozen=True, slots=True)
class StoredDialogue:
    """A dialogue conference as stored; ``held_on`` is the day planned, then the day held."""

    id: int
    unit_id: str
    kind: DialogueKind
    form: DialogueForm
    status: DialogueStatus
    topic: str
    held_on: dt.date
    start: Time | None
    end: Time | None
    place: str
    online_url: str
    co_organisers: str  # one a line, as stored: ``co_organiser_names`` gives them as a tuple
    lead_agency: str
    coordinating: str  # one agency a line
    announced_on: dt.date | None
    mttq_opinions: int | None
    mttq_summary: str
    attendance: int | None
    opinions_raised: int | None
    opinions_answered: int | None
    trigger: DialogueTrigger
    voters_asked: int | None
    voters_total: int | None
    trigger_reason: str
    hold_by: dt.date | None
    conclusion_number: str
    concluded_on: dt.date | None
    reason: str | None
    postponed_from: dt.date | None
    postponed_version: int | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Sequence[object]) -> StoredDialogue:
        """From a row of ``select(dialogues)``: its columns are this class's fields, in order
        (checked below at import), so the row is taken by position."""
        v = list(row)
        v[_START] = _time_of(v[_START])  # the column is String(5)
        v[_END] = _time_of(v[_END])
        return cls(*v)  # type: ignore[arg-type]  # the columns' types, as the model declares them

    @property
    def start_text(self) -> str | None:
        """The stored and JSON form of the start: "08:00"."""
        return hhmm(self.start)

    @property
    def end_text(self) -> str | None:
        return hhmm(self.end)

    @property
    def co_organiser_names(self) -> tuple[str, ...]:
        return tuple(x for x in self.co_organisers.split("\n") if x)

    @property
    def coordinating_agencies(self) -> tuple[str, ...]:
        return tuple(x for x in self.coordinating.split("\n") if x)

    def fact(self) -> DialogueFact:
        """What the yearly findings judge of it: its unit, its day, its status."""
        return DialogueFact(self.unit_id, self.held_on, self.status)


_NAMES = tuple(f.name for f in fields(StoredDialogue))
if tuple(c.name for c in DialogueRow.__table__.columns) != _NAMES:  # pragma: no cover
    raise ImportError("StoredDialogue's fields must be the columns of dialogues, in the table's order")
_START, _END = _NAMES.index("start"), _NAMES.index("end")
