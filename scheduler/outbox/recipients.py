"""Who is told (người nhận): the (channel, address) pairs of a unit's people."""

from __future__ import annotations

from rules import Unit
from scheduler.infra.config import Config


def recipients(
    config: Config, unit: Unit, *, head: bool = True, staff: bool = True, supervisor: bool = False
) -> list[tuple[str, str]]:
    """(channel, address) pairs, without repeats."""
    people = ([unit.head] if head else []) + (list(unit.staff) if staff else [])
    if supervisor and unit.parent and unit.parent in config.units_by_id:
        people += list(config.units_by_id[unit.parent].staff)
    out: list[tuple[str, str]] = []
    for p in people:
        for pair in (("email", p.email), ("sms", p.phone)):
            if pair[1] and pair not in out:
                out.append(pair)
    return out
