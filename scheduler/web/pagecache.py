"""Rendered desk pages and API reads, kept while what they were made from has not changed.

A commune's calendar page is read far more often than its sessions change. Each entry is keyed
by the unit's state in the database (``scheduler.usecases.publishing.unit_state``: how many sessions, the
sum of their versions and the last change, one small indexed read on a connection kept open),
so any change to any of the unit's sessions (a cancellation, a make-up, an outcome, a re-plan,
from this process or another) makes the entry unusable at once: nothing is ever served stale,
and there is no time to live to tune. Entries hold no citizen's personal data (the log is never
cached).
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from starlette.requests import HTTPConnection

from scheduler.usecases.publishing import unit_state

__all__ = ["PageCache", "page_cache", "unit_state"]


class PageCache:
    """A small LRU of bodies; an entry is used only while its key still matches."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], tuple[object, bytes]] = OrderedDict()
        self._lock = Lock()

    def get(self, name: tuple[str, str], key: object) -> bytes | None:
        with self._lock:
            item = self._items.get(name)
            if item is None or item[0] != key:
                return None
            self._items.move_to_end(name)
            return item[1]

    def put(self, name: tuple[str, str], key: object, body: bytes) -> None:
        with self._lock:
            self._items[name] = (key, body)
            self._items.move_to_end(name)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def page_cache(request: HTTPConnection) -> PageCache:
    state = request.app.state
    cache = getattr(state, "desk_page_cache", None)
    if cache is None:
        cache = state.desk_page_cache = PageCache()
    return cache
