"""What one tick judged, kept for the next (a tick every minute over 11,000 units otherwise
judges every unit again to find nothing new): a unit's entry is its inputs and what was judged
from them, used again only when the inputs are equal. Kept per configuration (its calendar, its
levels and policies are inputs too), for the last few loaded (a test run loads many; ``serve``
keeps one)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from scheduler.infra.config import Config

_KEPT: OrderedDict[tuple[int, str], tuple[Config, dict[str, tuple[Any, Any]]]] = OrderedDict()


def judged(config: Config, job: str) -> dict[str, tuple[Any, Any]]:
    """``job``'s entries for ``config``: unit id -> (inputs, judged)."""
    key = (id(config), job)
    entry = _KEPT.get(key)
    if entry is None or entry[0] is not config:
        entry = _KEPT[key] = (config, {})
        while len(_KEPT) > 8:
            _KEPT.popitem(last=False)
    _KEPT.move_to_end(key)
    return entry[1]
