"""An outbox row's message read back from what the outbox stored (its payload's JSON), and
composed into the bytes that go on the wire.

Here and not in the outbox so that the building process reads rows without importing the outbox
(SQLAlchemy, the configuration: a second of CPU at every start of a process).
"""

from __future__ import annotations

import json
from datetime import datetime

from notifiers.message import OutgoingMessage
from notifiers.wire import email_bytes


def stored_message(
    channel: str,
    recipient: str,
    message_id: str,
    payload: str,
    *,
    date: datetime | None = None,
    wire: str | None = None,
) -> OutgoingMessage:
    """The message of an outbox row (raises ``ValueError``/``KeyError``/``TypeError`` on a
    payload it cannot read); ``wire``: its MIME, composed when it was queued."""
    data = json.loads(payload)
    if channel == "sms":
        return OutgoingMessage(
            channel="sms",
            recipient=recipient,
            text=data["sms"],
            message_id=message_id,
            date=date,
            brandname=data.get("brandname") or None,
        )
    return OutgoingMessage(
        channel="email",
        recipient=recipient,
        subject=data["subject"],
        text=data["text"] if wire is None else data.get("text", ""),  # composed: the words are in it
        html=data.get("html"),
        ics=data.get("ics"),
        message_id=message_id,
        date=date,
        sender=data.get("sender") or None,
        recipient_name=data.get("to_name", ""),
        wire=wire.encode("ascii") if wire else None,
    )


def composed(msg: OutgoingMessage, sender: str, *, date: datetime | None = None) -> bytes | None:
    """The e-mail's bytes as it goes on the wire (``email_bytes``, From ``sender`` unless the
    message has its own), or None where it is built at sending instead: an address that needs
    SMTPUTF8 (negotiated with the server then), or a message that cannot be built (sending then
    says why)."""
    if msg.channel != "email" or not msg.recipient.isascii():
        return None
    try:
        return email_bytes(msg, sender, date=date)
    except (ValueError, TypeError):
        return None


def compose_rows(sender: str, rows: list[tuple[str, str, str, datetime]]) -> list[tuple[str, str] | None]:
    """Each e-mail row ``(recipient, message_id, payload, date)`` composed, Date ``date``: its MIME
    (ASCII text, as the outbox keeps it) and the payload kept beside it, without the text, HTML
    and calendar the MIME now holds (the words once, and rows a third narrower); None where it
    is built at sending instead (the payload stays whole)."""
    out: list[tuple[str, str] | None] = []
    for recipient, message_id, payload, date in rows:
        try:
            msg = stored_message("email", recipient, message_id, payload, date=date)
        except (ValueError, KeyError, TypeError):
            out.append(None)  # sending reports the row as broken, with why
            continue
        wire = composed(msg, sender)
        if wire is None:
            out.append(None)
            continue
        kept = {"to_name": msg.recipient_name, "subject": msg.subject, "sender": msg.sender}
        out.append((wire.decode("ascii"), json.dumps(kept, ensure_ascii=False)))
    return out
