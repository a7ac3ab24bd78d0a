"""Use cases of the dialogue conferences (hội nghị tiếp xúc, đối thoại), one job a module:

- ``dialogue_plan``: plan one (plan_dialogue), open one on a trigger (trigger_dialogue);
- ``dialogue_record``: announce, record held or not held, conclude;
- ``dialogue_postpone``: postpone (hoãn), with or without its new day;
- ``dialogue_reads``: the list, one dialogue, its JSON, the findings' facts, the report's rows;
- ``dialogue_documents``: the year's plan, the public notice, the conclusion notice (DOCX);
- ``dialogue_common``: what they share (the readers of inputs, the guarded change).

The CLI, the desk, the API and the jobs call these, never the table. This module names them all
in one place, so ``from scheduler.usecases import dialogues as dg`` keeps working.
"""

from __future__ import annotations

from scheduler.usecases.dialogue_common import NUMBER_MAX, TEXT_MAX, TOPIC_MAX, TRIGGER_HOLD_DAYS
from scheduler.usecases.dialogue_documents import (
    Document,
    conclusion_document,
    notice_document,
    plan_document,
)
from scheduler.usecases.dialogue_plan import plan_dialogue, trigger_dialogue
from scheduler.usecases.dialogue_postpone import Postponed, postpone_dialogue
from scheduler.usecases.dialogue_reads import (
    dialogue_dict,
    dialogue_records,
    facts,
    finding_dict,
    findings,
    get_dialogue,
    list_dialogues,
    stored_facts,
    unit_mandates,
)
from scheduler.usecases.dialogue_record import (
    Announced,
    Concluded,
    announce_dialogue,
    conclude_dialogue,
    record_dialogue,
)
from scheduler.usecases.sessions import Actor

__all__ = [
    "NUMBER_MAX",
    "TEXT_MAX",
    "TOPIC_MAX",
    "TRIGGER_HOLD_DAYS",
    "Actor",
    "Announced",
    "Concluded",
    "Document",
    "Postponed",
    "announce_dialogue",
    "conclude_dialogue",
    "conclusion_document",
    "dialogue_dict",
    "dialogue_records",
    "facts",
    "finding_dict",
    "findings",
    "get_dialogue",
    "list_dialogues",
    "notice_document",
    "plan_dialogue",
    "plan_document",
    "postpone_dialogue",
    "record_dialogue",
    "stored_facts",
    "trigger_dialogue",
    "unit_mandates",
]
