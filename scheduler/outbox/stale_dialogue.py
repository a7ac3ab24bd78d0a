"""Whether a queued dialogue message still holds at delivery, re-read then (subject
``dialogue:<id>``, no session). A dialogue announced, concluded or postponed between the tick that
queued a message and its delivery (a night, a failed attempt) must not be told in its old state:
a reminder of the old day after a postponement, a chaser of a notice already given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from rules.dialogues import notice_due, results_due
from scheduler.infra.db.models import DialogueRow

_T = DialogueRow.__table__
_PREFIX = "dialogue:"


def _why(r: Any, d: Any) -> str | None:
    if d is None:
        return "hội nghị đối thoại không còn"
    p = r.purpose
    if p.startswith("dlg_notice"):
        if d.status != "planned" or d.announced_on is not None:
            return "đã thông báo hoặc đã hoãn hội nghị đối thoại"
        if notice_due(d.held_on).toordinal() != r.version:
            return "ngày hội nghị đối thoại đã thay đổi"
    elif p.startswith("dlg_results"):
        if d.status != "held" or d.concluded_on is not None:
            return "đã thông báo kết quả hội nghị đối thoại"
        if results_due(d.held_on).toordinal() != r.version:
            return "ngày hội nghị đối thoại đã thay đổi"
    elif p == "dlg_reminder":
        if d.status != "planned" or d.held_on.toordinal() != r.version:
            return "hội nghị đối thoại đã hoãn hoặc đổi ngày"
    elif p == "dlg_announced":
        if d.status != "planned":
            return "hội nghị đối thoại đã hoãn"
    elif p == "dlg_postponed" and d.postponed_version != r.version:
        return "hội nghị đối thoại đã có thay đổi mới hơn"
    return None


def dialogue_stale(conn: Connection, rows: Sequence[Any]) -> dict[int, str]:
    """Outbox row id -> why it must not be sent, for the dialogue rows among ``rows``."""
    mine = [
        r
        for r in rows
        if r.session_id is None and r.subject.startswith(_PREFIX) and r.subject[len(_PREFIX) :].isdigit()
    ]
    if not mine:
        return {}
    ids = sorted({int(r.subject[len(_PREFIX) :]) for r in mine})
    with conn.begin():
        current = {d.id: d for d in conn.execute(select(_T).where(_T.c.id.in_(ids)))}
    out: dict[int, str] = {}
    for r in mine:
        why = _why(r, current.get(int(r.subject[len(_PREFIX) :])))
        if why is not None:
            out[r.id] = why
    return out
