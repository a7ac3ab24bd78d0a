"""The outbox (hộp thư đi): what is due is written once, then delivered once.

Its rooms: ``due`` (what is due: ``queue_due``), ``store`` (the outbox table: insert once),
``claim`` and ``record`` (claim due rows; every attempt and result on record), ``checks`` (what
is checked before sending), ``delivery`` and ``channel_run`` (the delivery loop:
``deliver_due``), ``failure_notices``, ``refused`` (refused addresses), ``wiring`` (channels
from the configuration and the environment), ``recipients`` (who is told). The names below stay
importable from ``scheduler.outbox``.
"""

from scheduler.outbox import delivery, store
from scheduler.outbox.delivery import DeliveryStats, _outgoing, deliver_due
from scheduler.outbox.due import queue_due
from scheduler.outbox.recipients import recipients
from scheduler.outbox.refused import RefusedAddress, refused_addresses
from scheduler.outbox.store import LEASE, MAX_ATTEMPTS, Key, backoff, message_id, outbox_rows
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
