"""Failure notices (báo gửi lỗi): the unit's staff told by e-mail that a message could not be
delivered, queued as outbox rows of their own in the transaction that records the failure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from notifiers import alerts
from notifiers.safe import redact
from rules import DeliveryError
from scheduler.infra.config import Config
from scheduler.outbox.recipients import recipients
from scheduler.outbox.store import _Queue


def report_failures(
    conn: Connection, config: Config, now: datetime, failures: list[tuple[Any, DeliveryError]]
) -> None:
    """Tell the unit's staff by e-mail that a message could not be delivered (never by the
    channel that failed to the address that failed)."""
    q = _Queue(config, now, [])
    for r, err in failures:
        unit = config.units_by_id.get(r.unit_id)
        if unit is None or r.purpose == "delivery_failed":
            continue
        to = [(c, a) for c, a in recipients(config, unit, head=False) if c == "email" and a != r.recipient]
        rendered = alerts.delivery_failed(
            unit_name=unit.name,
            purpose=r.purpose,
            channel=r.channel,
            recipient=r.recipient,
            error=redact(str(err)),
        )
        q.add(
            subject=f"outbox:{r.id}",
            session_id=None,
            version=0,
            purpose="delivery_failed",
            lead=0,
            unit=unit,
            to=to,
            rendered=rendered,
            due=now,
        )
    q.insert_on(conn)
