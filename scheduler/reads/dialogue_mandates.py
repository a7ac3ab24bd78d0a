"""The dialogue conferences a unit's level asks for a year (``DialogueMandate``), read from the
configuration: what the dialogues' reminders and the reports judge a unit against."""

from __future__ import annotations

from collections.abc import Iterable

from rules.dialogues import DialogueMandate
from scheduler.infra.config import Config


def unit_mandates(config: Config, unit_ids: Iterable[str] | None = None) -> dict[str, DialogueMandate]:
    """unit id -> the dialogue mandate of its level, for units whose level asks one."""
    units = config.units if unit_ids is None else [config.unit(u) for u in unit_ids]
    out: dict[str, DialogueMandate] = {}
    for u in units:
        m = config.levels[u.level].dialogue
        if m is not None and m.min > 0:
            out[u.id] = m
    return out
