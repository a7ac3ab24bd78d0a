"""The outbox (hộp thư đi): what is due is written once, then delivered once.

Its rooms: ``due`` (what is due: ``queue_due``), ``store`` (the outbox table: insert once,
claim, record), ``delivery`` (the delivery loop: ``deliver_due``), ``wiring`` (channels from
the configuration and the environment), ``recipients`` (who is told). The names below stay
importable from ``scheduler.outbox``.
"""

from scheduler.outbox import delivery, store
from scheduler.outbox.delivery import DeliveryStats, _outgoing, deliver_due
from scheduler.outbox.due import queue_due
from scheduler.outbox.recipients import recipients
from scheduler.outbox.store import (
    LEASE,
    MAX_ATTEMPTS,
    Key,
    RefusedAddress,
    backoff,
    message_id,
    outbox_rows,
    refused_addresses,
)
from scheduler.outbox.wiring import build_channels

__all__ = [
    "LEASE",
    "MAX_ATTEMPTS",
    "DeliveryStats",
    "Key",
    "RefusedAddress",
    "_outgoing",
    "backoff",
    "build_channels",
    "deliver_due",
    "delivery",
    "message_id",
    "outbox_rows",
    "queue_due",
    "recipients",
    "refused_addresses",
    "store",
]
