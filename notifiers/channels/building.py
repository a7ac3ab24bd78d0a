"""The building process's side of a large delivery: it holds the channels that build and
returns each message's MIME bytes (``Channel.prepare``); a large queue's process composes with
``notifiers.stored.compose_rows`` (started here too, with no channels). Kept apart from the outbox so that the
process imports only the channels and the message: a spawned interpreter that imported the
outbox (SQLAlchemy, the configuration, the use cases) spent over a second of CPU doing it, on a
morning when that CPU is the sender's and the mail server's."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence

from notifiers.channels.base import Channel
from notifiers.message import OutgoingMessage

_channels: dict[str, Channel] = {}


def start(channels: Mapping[str, Channel], parent: int) -> None:
    """The process's initializer: the channels it builds for, and a watch on its parent."""
    _channels.update(channels)
    threading.Thread(target=_watch, args=(parent,), name="tiepdan-builder-watch", daemon=True).start()


def _watch(parent: int) -> None:
    # A deliverer killed (SIGKILL) cannot stop its pool: the builder notices it is orphaned.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def ready() -> bool:
    """Answers once the process has started (its imports done)."""
    return True


def wires(name: str, msgs: Sequence[OutgoingMessage]) -> list[bytes | None]:
    """The MIME bytes of ``msgs`` for channel ``name`` (None where it cannot build them)."""
    channel = _channels[name]
    return [channel.prepare(m).wire for m in msgs]
