"""What is checked before a claimed row is sent: a session that has since moved, been cancelled
or been recorded; a follow-up or dialogue message whose matter is settled; a message past its
moment; an address the server refused. Read for a whole claim at once; the row's message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from notifiers.message import OutgoingMessage
from notifiers.stored import stored_message
from rules import DeliveryError
from rules.vietnamese import dmy
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import rows_in
from scheduler.infra.db.models import SessionRow
from scheduler.outbox.claim import claim
from scheduler.outbox.record import Outcome
from scheduler.outbox.refused import refused_of
from scheduler.outbox.stale_followup import followup_stale

_S = SessionRow.__table__


def stale(row: Any, session: Any | None) -> str | None:
    """Why a claimed row of a session must not be sent any more, or None."""
    if row.session_id is None or row.purpose == "cancelled" or row.purpose == "delivery_failed":
        return None
    if session is None:
        return "buổi tiếp không còn"
    if row.purpose == "reminder" and (session.status != "planned" or session.version != row.version):
        return "buổi tiếp đã thay đổi hoặc bị hủy sau khi xếp nhắc"
    if row.purpose == "changed":
        current = session.rescheduled_version or (1 if session.kind in ("makeup", "adhoc") else None)
        if session.status != "planned" or current != row.version:
            return "đã có thay đổi mới hơn"
    if row.purpose == "makeup_alert" and (not session.needs_makeup or session.version != row.version):
        return "đã đặt lịch tiếp bù"
    if row.purpose.startswith("outcome_missing") and session.status != "planned":
        return "đã ghi kết quả"
    return None


def outgoing(row: Any, now: datetime | None = None) -> OutgoingMessage:
    """The message of an outbox row, ``now`` its Date (an e-mail composed when queued keeps its
    own: its ``wire``)."""
    return stored_message(row.channel, row.recipient, row.message_id, row.payload, date=now, wire=row.wire)


@dataclass(slots=True)
class Claimed:
    """A claim's rows with what they are checked against."""

    rows: list[Any]
    sessions: dict[int, Any] = field(default_factory=dict)
    refused: dict[tuple[str, str], Any] = field(default_factory=dict)
    settled: dict[int, str] = field(default_factory=dict)  # follow-up/dialogue row id -> why not


def claim_checked(
    conn: Connection,
    now: datetime,
    limit: int,
    me: str,
    channel: str | None,
    only: tuple[Iterable[int], Iterable[str]] | None,
    subjects: Iterable[str],
) -> Claimed:
    """Claim (``claim.claim``) and read what the rows are checked against, in one call of the
    bookkeeping thread."""
    rows = claim(conn, now, limit, me, channel=channel, only=only, subjects=subjects)
    if not rows:
        return Claimed([])
    with conn.begin():
        ids = sorted({r.session_id for r in rows if r.session_id})
        sessions = {s.id: s for s in rows_in(conn, select(_S), _S.c.id, ids, indexed=True)} if ids else {}
        refused = refused_of(conn, (r.recipient for r in rows), channel)
    # Follow-up and dialogue rows (no session) are re-read too: settled since queued, not sent.
    settled = followup_stale(conn, rows) if any(r.session_id is None for r in rows) else {}
    return Claimed(rows, sessions, refused, settled)


def unsendable(
    claimed: Claimed, rows: Iterable[Any], config: Config, now: datetime
) -> tuple[list[Outcome], list[Any]]:
    """Those of ``claimed``'s ``rows`` that must not be sent (dropped or refused, with why) and
    the rest."""
    unsent: list[Outcome] = []
    sendable: list[Any] = []
    for r in rows:
        why = stale(r, claimed.sessions.get(r.session_id)) if r.session_id else claimed.settled.get(r.id)
        if why is None and r.expires_at is not None and as_utc(r.expires_at) <= now:
            why = "đã quá thời điểm buổi tiếp"
        mark = claimed.refused.get((r.channel, r.recipient))
        if why is not None:
            unsent.append(Outcome(r, "dropped", DeliveryError(why, permanent=True)))
        elif mark is not None:
            when = dmy(as_utc(mark.refused_at).astimezone(config.timezone).date())
            error = DeliveryError(
                f"không gửi: máy chủ đã từ chối địa chỉ {r.recipient} ngày {when}; "
                "sửa địa chỉ trong cấu hình để gửi lại",
                permanent=True,
            )
            unsent.append(Outcome(r, "refused", error))
        else:
            sendable.append(r)
    return unsent, sendable
