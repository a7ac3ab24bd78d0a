"""The reads of the dialogue conferences: the list and one dialogue, their JSON, the facts the
findings judge, the mandates of the units, the calendar's and the report's rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Connection, Engine, select

from rules.dialogue_report import DialogueRecord
from rules.dialogues import (
    FORM_VI,
    KIND_VI,
    STATUS_VI,
    DialogueFact,
    DialogueFinding,
    dialogue_findings,
    notice_due,
    results_due,
)
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.jsontype import JsonObject
from scheduler.reads.dialogue_mandates import unit_mandates
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases.dialogue_common import (
    _T,
    get_row,
)


def list_dialogues(
    engine: Engine,
    *,
    units: Iterable[str] | None = None,
    first: date | None = None,
    last: date | None = None,
) -> list[StoredDialogue]:
    """Dialogues by day then unit, optionally of some units and within [first, last]."""
    q = select(_T)
    if units is not None:
        q = q.where(_T.c.unit_id.in_(list(units)))
    if first is not None:
        q = q.where(_T.c.held_on >= first)
    if last is not None:
        q = q.where(_T.c.held_on <= last)
    with reading(engine) as conn:
        rows = conn.execute(q.order_by(_T.c.held_on, _T.c.unit_id, _T.c.id))
        return [StoredDialogue.of(r) for r in rows]


def get_dialogue(engine: Engine, dialogue_id: int) -> StoredDialogue:
    with reading(engine) as conn:
        return get_row(conn, dialogue_id)


def facts(rows: Iterable[StoredDialogue]) -> list[DialogueFact]:
    return [r.fact() for r in rows]


def findings(
    config: Config,
    rows: Iterable[StoredDialogue],
    first: date,
    last: date,
    unit_ids: Iterable[str] | None = None,
) -> list[DialogueFinding]:
    return dialogue_findings(unit_mandates(config, unit_ids), facts(rows), first, last)


def finding_dict(f: DialogueFinding) -> dict[str, object]:
    """The JSON of a dialogue finding (the calendar's and the report's ``dialogue_findings``)."""
    return f.as_json()


def dialogue_dict(row: StoredDialogue, today: date | None = None) -> JsonObject:
    """The JSON of a dialogue (CLI ``--format json`` and the API). No citizen's personal data is
    stored on a dialogue: it is the same for every role that may see it."""
    notice = notice_due(row.held_on)
    results = results_due(row.held_on)
    out: JsonObject = {
        "id": row.id,
        "unit": row.unit_id,
        "kind": row.kind,
        "kind_vi": KIND_VI[row.kind],
        "form": row.form,
        "form_vi": FORM_VI[row.form],
        "status": row.status,
        "status_vi": STATUS_VI[row.status],
        "topic": row.topic,
        "date": row.held_on.isoformat(),
        "start": row.start_text,
        "end": row.end_text,
        "place": row.place,
        "online_url": row.online_url,
        "co_organisers": list(row.co_organiser_names),
        "lead_agency": row.lead_agency,
        "coordinating": list(row.coordinating_agencies),
        "notice_due": notice.isoformat(),
        "announced_on": row.announced_on.isoformat() if row.announced_on else None,
        "notice_late": bool(row.announced_on and row.announced_on > notice),
        "mttq_opinions": row.mttq_opinions,
        "mttq_summary": row.mttq_summary,
        "attendance": row.attendance,
        "opinions_raised": row.opinions_raised,
        "opinions_answered": row.opinions_answered,
        "results_due": results.isoformat(),
        "concluded_on": row.concluded_on.isoformat() if row.concluded_on else None,
        "conclusion_number": row.conclusion_number,
        "results_late": bool(row.concluded_on and row.concluded_on > results),
        "trigger": row.trigger or None,
        "voters_asked": row.voters_asked,
        "voters_total": row.voters_total,
        "trigger_reason": row.trigger_reason,
        "hold_by": row.hold_by.isoformat() if row.hold_by else None,
        "reason": row.reason,
        "postponed_from": row.postponed_from.isoformat() if row.postponed_from else None,
        "version": row.version,
    }
    if today is not None:
        out["notice_overdue"] = row.status == "planned" and row.announced_on is None and today > notice
        out["results_overdue"] = row.status == "held" and row.concluded_on is None and today > results
    return out


def stored_facts(config: Config, first: date, last: date, unit_ids: Iterable[str]) -> list[DialogueFact]:
    """The stored dialogues of ``unit_ids`` in [first, last], for the calendar's findings. A
    SQLite database that does not exist yet holds none: the calendar does not create it."""
    from pathlib import Path

    from sqlalchemy.engine import make_url

    from scheduler.infra.db import open_database

    url = config.database_url
    if url.startswith("sqlite"):
        name = make_url(url).database
        if not name or name == ":memory:" or not Path(name).exists():
            return []
    engine = open_database(url)
    try:
        return facts(list_dialogues(engine, units=list(unit_ids), first=first, last=last))
    finally:
        engine.dispose()


def dialogue_records(
    conn: Connection, unit_ids: Sequence[str] | None, first: date, last: date
) -> list[DialogueRecord]:
    """The dialogues of the units (None: all) dated in [first, last], as the report counts them."""
    cols = (
        _T.c.unit_id,
        _T.c.held_on,
        _T.c.kind,
        _T.c.status,
        _T.c.trigger,
        _T.c.opinions_raised,
        _T.c.opinions_answered,
        _T.c.mttq_opinions,
        _T.c.concluded_on,
    )
    q = select(*cols).where(_T.c.held_on >= first, _T.c.held_on <= last)
    return [DialogueRecord(*r) for r in rows_in(conn, q, _T.c.unit_id, unit_ids)]
