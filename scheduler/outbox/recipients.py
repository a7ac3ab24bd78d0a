"""Who is told (người nhận): the (channel, address) pairs of a unit's people, and whom each
group of them is greeted as."""

from __future__ import annotations

from collections.abc import Iterable

from notifiers import alerts
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


Group = tuple[alerts.Addressee, list[tuple[str, str]]]


def addressees(config: Config, unit: Unit, audience: Iterable[str], *, head: bool = False) -> list[Group]:
    """Each audience of the policy with whom it greets: the unit's office, and its superior's
    office greeted by its own name (its staff only, never the unit's own people twice)."""
    out: list[Group] = []
    mine = recipients(config, unit, head=head)
    for who in audience:
        if who == "unit":
            out.append((alerts.Addressee(unit.name), mine))
        elif unit.parent and unit.parent in config.units_by_id:
            parent = config.units_by_id[unit.parent]
            sup = [pair for pair in recipients(config, parent, head=False) if pair not in mine]
            out.append((alerts.Addressee(parent.name, supervisor=True), sup))
    return out


def people(config: Config, unit: Unit) -> list[Group]:
    """A session's own people, each greeted as who they are: the head (người đứng đầu) by name
    and title, the staff as the unit's office (Văn phòng)."""
    head = recipients(config, unit, staff=False)
    staff = [pair for pair in recipients(config, unit, head=False) if pair not in head]
    who = alerts.Addressee(unit.name, person=unit.head.name, title=unit.head.title)
    if not who.head:  # a head with no name nor title is greeted with the office
        return [(alerts.Addressee(unit.name), head + staff)]
    return [(who, head), (alerts.Addressee(unit.name), staff)]
