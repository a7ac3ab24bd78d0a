"""Use cases after the session: directions (chỉ đạo), their results, the conclusion notice's
number and date, and the office's follow-up list (Theo dõi giải quyết), one job a module:

- ``direction_changes``: write a direction on a case of the log or at a dialogue, change it,
  delete it; the guard that keeps a log row while a direction hangs on it;
- ``direction_result``: record its result (resolved, answered, notified);
- ``direction_deadline``: its deadline, from a legal limit, the office's days or its own date;
- ``direction_reads``: the directions of a session, a dialogue or a unit, their JSON, the
  follow-up list, a direction's history, the report's rows;
- ``direction_common``: what the writes share (the limits of the texts, the guarded update);
- ``conclusion``: the conclusion notice's number and date, and the notice itself.

A direction hangs on a log row of a held session, or on a held dialogue conference (an opinion
raised there): the facts it rests on must be true first. Both kinds are one follow-up: one list,
the same deadlines and reminders, the same ">90 % on time" figure in the report. The CLI, the
desk, the API and the jobs call these, never the tables; this module names them all in one
place, so ``from scheduler.usecases import followup as fu`` keeps working.
"""

from __future__ import annotations

from scheduler.reads.followup_facts import MissingConclusion, facts_of, missing_conclusions
from scheduler.usecases.conclusion import conclusion_notice, set_conclusion_notice
from scheduler.usecases.direction_changes import (
    add_dialogue_direction,
    add_direction,
    delete_direction,
    edit_direction,
    refuse_if_directions,
)
from scheduler.usecases.direction_common import (
    AGENCY_MAX,
    CONTENT_MAX,
    NUMBER_MAX,
    RESULT_MAX,
    get_direction,
)
from scheduler.usecases.direction_deadline import OFFICE_DATE, Deadline, compute_deadline, limit_of
from scheduler.usecases.direction_reads import (
    direction_dict,
    direction_history,
    direction_records,
    directions_of_dialogue,
    directions_of_session,
    followup_list,
    parse_states,
    source_text,
    unit_directions,
)
from scheduler.usecases.direction_result import record_result

__all__ = [
    "AGENCY_MAX",
    "CONTENT_MAX",
    "NUMBER_MAX",
    "OFFICE_DATE",
    "RESULT_MAX",
    "Deadline",
    "MissingConclusion",
    "add_dialogue_direction",
    "add_direction",
    "compute_deadline",
    "conclusion_notice",
    "delete_direction",
    "direction_dict",
    "direction_history",
    "direction_records",
    "directions_of_dialogue",
    "directions_of_session",
    "edit_direction",
    "facts_of",
    "followup_list",
    "get_direction",
    "limit_of",
    "missing_conclusions",
    "parse_states",
    "record_result",
    "refuse_if_directions",
    "set_conclusion_notice",
    "source_text",
    "unit_directions",
]
