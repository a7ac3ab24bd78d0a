"""Refused addresses (địa chỉ bị từ chối): an address the server refused permanently is marked,
not tried for later messages until a person changes it in the configuration, and shown to the
office on the desk and in ``tiepdan outbox``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading, rows_in
from scheduler.infra.db.models import RefusedRecipientRow
from scheduler.outbox.recipients import recipients

_R = RefusedRecipientRow.__table__


def refused_of(
    conn: Connection, addresses: Iterable[str], channel: str | None = None
) -> dict[tuple[str, str], Any]:
    """The refused marks among ``addresses`` (of ``channel``'s, if given: a claim's, read by the
    table's key, a batch as one array): (channel, address) -> row."""
    query, indexed = select(_R), channel is not None
    if channel is not None:
        query = query.where(_R.c.channel == channel)
    marks = rows_in(conn, query, _R.c.address, sorted(set(addresses)), indexed=indexed)
    return {(r.channel, r.address): r for r in marks}


@dataclass(frozen=True, slots=True)
class RefusedAddress:
    """An address the server refused permanently (địa chỉ bị từ chối) that the configuration
    still gives: nothing more is sent to it until a person changes it there."""

    channel: str
    address: str
    refused_at: datetime
    error: str
    unit_id: str | None


def refused_addresses(engine: Engine, config: Config, *, unit_id: str | None = None) -> list[RefusedAddress]:
    """The refused addresses still in the configuration (of ``unit_id``'s people, or anyone's)."""
    units = [config.units_by_id[unit_id]] if unit_id is not None and unit_id in config.units_by_id else []
    if unit_id is None:
        units = list(config.units)
    configured = {pair for u in units for pair in recipients(config, u)}
    if not configured:
        return []
    with reading(engine) as conn:
        marks = refused_of(conn, (a for _, a in configured))
    return sorted(
        (
            RefusedAddress(r.channel, r.address, as_utc(r.refused_at), r.error, r.unit_id)
            for key, r in marks.items()
            if key in configured
        ),
        key=lambda r: (r.unit_id or "", r.address),
    )
