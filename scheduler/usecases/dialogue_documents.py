"""The dialogue's documents as DOCX: the year's plan (Kế hoạch tiếp xúc, đối thoại), the public
notice and the conclusion notice; issuing a notice records the fact it announces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from rules import ServiceError
from rules.dialogues import (
    STATUS_VI,
    notice_late,
    results_due,
)
from scheduler.infra.config import Config
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases.dialogue_reads import get_dialogue, list_dialogues
from scheduler.usecases.dialogue_record import Announced, Concluded, announce_dialogue, conclude_dialogue
from scheduler.usecases.sessions import Actor

if TYPE_CHECKING:
    from notifiers.dialogue_notice_docx import DialogueFacts


def plan_document(
    engine: Engine,
    config: Config,
    unit_id: str,
    year: int,
    *,
    number: str | None = None,
    issued_on: date | None = None,
    signer: str | None = None,
) -> bytes:
    """The Kế hoạch tiếp xúc, đối thoại năm ``year`` of a unit (its own dialogues and those of the
    units under it, not postponed), as DOCX."""
    from notifiers.dialogue_plan_docx import (
        DialoguePlan,
        PlannedDialogue,
        dialogue_plan_docx,
        plan_number_line,
    )
    from notifiers.notice_docx import default_signature
    from notifiers.views import Issue

    unit = config.unit(unit_id)
    names = {u.id: u.name for u in config.subtree(unit_id)}
    rows = list_dialogues(engine, units=list(names), first=date(year, 1, 1), last=date(year, 12, 31))
    planned = tuple(
        PlannedDialogue(
            r.held_on,
            r.start,
            r.topic,
            r.kind,
            r.form,
            r.place,
            r.lead_agency,
            r.co_organiser_names,
            names[r.unit_id],
        )
        for r in rows
        if r.status in ("planned", "held")
    )
    m = config.levels[unit.level].dialogue
    recipients = ("Ủy ban Mặt trận Tổ quốc Việt Nam", "Thường trực Hội đồng nhân dân", "Lưu: VT")
    issue = Issue(plan_number_line(unit, number), issued_on, default_signature(unit, signer), recipients)
    return dialogue_plan_docx(DialoguePlan(unit, year, issue, planned, m.basis if m else ""))


# --- the dialogue's two notices ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """A notice as DOCX, the dialogue after it was issued and its day, and the clerk's warning
    when it is issued late (never in the notice)."""

    data: bytes
    row: StoredDialogue
    issued_on: date
    warning: str | None


def _facts_of(config: Config, row: StoredDialogue) -> DialogueFacts:
    from notifiers.dialogue_notice_docx import DialogueFacts

    unit = config.unit(row.unit_id)
    m = config.levels[unit.level].dialogue
    return DialogueFacts(
        unit=unit,
        held_on=row.held_on,
        start=row.start,
        end=row.end,
        topic=row.topic,
        form=row.form,
        place=row.place,
        online_url=row.online_url,
        co_organisers=row.co_organiser_names,
        lead_agency=row.lead_agency,
        basis=m.basis if m else "",
    )


def notice_document(
    engine: Engine,
    config: Config,
    dialogue_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    number: str | None = None,
    issued_on: date | None = None,
    signer: str | None = None,
    recipients: Sequence[str] = (),
) -> Document:
    """The public notice (Thông báo tổ chức hội nghị đối thoại). Issuing it is announcing: a
    planned dialogue not yet announced is recorded announced on the notice's date (``announce``);
    one already announced keeps its date. Later than 7 days before: a warning for the clerk."""
    from notifiers.dialogue_notice_docx import DialogueNotice, dialogue_notice_docx, notice_recipients
    from notifiers.notice_docx import default_signature, number_line
    from notifiers.views import Issue

    row = get_dialogue(engine, dialogue_id)
    if row.status in ("not_held", "postponed"):
        raise ServiceError(
            f"hội nghị đối thoại số {row.id} {STATUS_VI[row.status]}; không ra thông báo tổ chức"
        )
    if row.announced_on is None or (issued_on is not None and issued_on != row.announced_on):
        done = announce_dialogue(
            engine, row.id, actor=actor, now=now, today=today, announced_on=issued_on or today, config=config
        )
        row, day = done.row, done.on
    else:
        day = row.announced_on
    facts = _facts_of(config, row)
    unit = facts.unit
    issue = Issue(
        number_line(unit, number),
        day,
        default_signature(unit, signer),
        tuple(recipients) or notice_recipients(facts),
    )
    warning = Announced(row, day, notice_late(row.held_on, day)).warning
    return Document(dialogue_notice_docx(DialogueNotice(facts, issue)), row, day, warning)


def conclusion_document(
    engine: Engine,
    config: Config,
    dialogue_id: int,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    number: str | None = None,
    issued_on: date | None = None,
    signer: str | None = None,
    recipients: Sequence[str] = (),
) -> Document:
    """The conclusion notice (Thông báo kết luận hội nghị đối thoại) with the head's directions
    given at the dialogue. Issuing it records the results announced (``conclude``) with its
    number and date; later than 10 days after: a warning for the clerk."""
    from notifiers.conclusion_docx import DirectionLine
    from notifiers.dialogue_notice_docx import (
        DialogueConclusion,
        conclusion_recipients,
        dialogue_conclusion_docx,
    )
    from notifiers.notice_docx import default_signature, number_line
    from notifiers.views import Issue
    from scheduler.usecases import followup as fu

    row = get_dialogue(engine, dialogue_id)
    text = (number or "").strip()
    stored = row.conclusion_number
    day = issued_on or row.concluded_on or today
    if row.concluded_on is None or day != row.concluded_on or (text and text != stored):
        row = conclude_dialogue(
            engine, row.id, actor=actor, now=now, today=today, concluded_on=day, number=text or stored
        ).row
    facts = _facts_of(config, row)
    unit = facts.unit
    lines = []
    for d in fu.directions_of_dialogue(engine, row.id):
        lim = fu.limit_of(d)
        lines.append(DirectionLine(d.content, d.agency, d.due, lim.days_text if lim else ""))
    number_text = number_line(unit, row.conclusion_number or None)
    signature = default_signature(unit, signer)
    draft = DialogueConclusion(
        facts,
        Issue(number_text, day, signature, tuple(recipients)),
        row.attendance,
        row.opinions_raised,
        row.opinions_answered,
        tuple(lines),
    )
    if not recipients:
        draft = replace(draft, issue=replace(draft.issue, recipients=conclusion_recipients(draft)))
    warning = Concluded(row, day, day > results_due(row.held_on)).warning
    return Document(dialogue_conclusion_docx(draft), row, day, warning)
