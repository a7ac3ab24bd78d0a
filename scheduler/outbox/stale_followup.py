"""Whether a queued follow-up reminder still holds at delivery, re-read then.

Follow-up rows have no session (``session_id`` is NULL); their subject names what they are
about: ``direction:<id>``, ``conclusion:<session id>``, or ``conclusion:unit:<unit id>`` (a
unit's digest, its version the oldest session it counts from). A direction resolved, answered, given a
new deadline or deleted, or a conclusion notice issued, between the tick that queued the reminder
and its delivery (a night, a failed attempt) must not be sent: the clerk would be asked to do what
is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from scheduler.infra.db.models import ConclusionNoticeRow, DirectionRow
from scheduler.outbox.stale_dialogue import dialogue_stale

_D = DirectionRow.__table__
_C = ConclusionNoticeRow.__table__


def _ids(rows: Sequence[Any], prefix: str) -> list[int]:
    out = []
    for r in rows:
        if r.session_id is None and r.subject.startswith(prefix) and r.subject[len(prefix) :].isdigit():
            out.append(int(r.subject[len(prefix) :]))
        elif r.session_id is None and prefix == "conclusion:" and r.subject.startswith(_DIGEST):
            out.append(int(r.version))
    return sorted(set(out))


_DIGEST = "conclusion:unit:"


def followup_stale(conn: Connection, rows: Sequence[Any]) -> dict[int, str]:
    """Outbox row id -> why it must not be sent, for the follow-up rows among ``rows`` (and the
    dialogue rows, ``stale_dialogue``: they have no session either)."""
    stale = dialogue_stale(conn, rows)
    directions, sessions = _ids(rows, "direction:"), _ids(rows, "conclusion:")
    if not directions and not sessions:
        return stale
    with conn.begin():
        current = {d.id: d for d in conn.execute(select(_D).where(_D.c.id.in_(directions or [-1])))}
        issued = set(conn.scalars(select(_C.c.session_id).where(_C.c.session_id.in_(sessions or [-1]))))
    out: dict[int, str] = dict(stale)
    for r in rows:
        if r.session_id is not None:
            continue
        kind, _, key = r.subject.partition(":")
        if r.subject.startswith(_DIGEST):
            # the oldest session's notice issued: the unit's state moved on, this one is not news
            if int(r.version) in issued:
                out[r.id] = "đã ban hành thông báo kết luận"
            continue
        if not key.isdigit():
            continue
        if kind == "conclusion":
            if int(key) in issued:
                out[r.id] = "đã ban hành thông báo kết luận"
            continue
        if kind != "direction":
            continue
        d = current.get(int(key))
        if d is None:
            out[r.id] = "chỉ đạo không còn"
        elif d.answered_on is not None:
            out[r.id] = "đã trả lời công dân"
        elif r.purpose.startswith("notice"):
            if d.notified_on is not None:
                out[r.id] = "đã gửi thông báo cho công dân"
        elif d.resolved_on is not None:
            out[r.id] = "đã ghi kết quả giải quyết"
        elif d.due.toordinal() != r.version:
            out[r.id] = "hạn giải quyết đã thay đổi"
    return out
