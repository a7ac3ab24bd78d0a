"""Tell people now (báo ngay): after a committed change, queue and deliver only that change's
messages, whichever door it came through (CLI, desk, API). The next tick repairs anything that
could not go: a failure here is reported, never raised into the change that is already made."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Collection
from datetime import datetime
from functools import wraps
from typing import ParamSpec, Protocol, TypeVar

from sqlalchemy import Engine, select

from rules import TiepdanError
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import SessionRow
from scheduler.outbox.delivery import deliver_due
from scheduler.outbox.due import queue_due
from scheduler.outbox.due_dialogue import queue_dialogues
from scheduler.outbox.wiring import build_channels

_S = SessionRow.__table__
P = ParamSpec("P")


def tell_now(engine: Engine, config: Config, now: datetime, session_ids: Collection[int]) -> None:
    """Queue what the change to ``session_ids`` makes due, and deliver those messages only."""
    ids = sorted({i for i in session_ids if i is not None})
    if not ids:
        return
    try:
        with reading(engine) as conn:
            units = sorted(set(conn.execute(select(_S.c.unit_id).where(_S.c.id.in_(ids))).scalars()))
        queue_due(engine, config, now, only=(ids, units))
        stats = asyncio.run(deliver_due(engine, config, build_channels(config), now, only=(ids, units)))
    except (TiepdanError, OSError) as exc:
        print(f"cảnh báo: chưa gửi được thông báo ({exc}); lần chạy tick sau sẽ gửi lại", file=sys.stderr)
        return
    if stats.retried or stats.failed:
        print(
            f"cảnh báo: {stats.retried + stats.failed} tin chưa gửi được; xem tiepdan outbox", file=sys.stderr
        )


def tell_dialogue_now(engine: Engine, config: Config, now: datetime, dialogue_id: int) -> None:
    """Queue what a change to a dialogue makes due (its announcement, its postponement, its
    reminders), and deliver that dialogue's messages only."""
    try:
        queue_dialogues(engine, config, now, only=dialogue_id)
        stats = asyncio.run(
            deliver_due(engine, config, build_channels(config), now, subjects=[f"dialogue:{dialogue_id}"])
        )
    except (TiepdanError, OSError) as exc:
        print(f"cảnh báo: chưa gửi được thông báo ({exc}); lần chạy tick sau sẽ gửi lại", file=sys.stderr)
        return
    if stats.retried or stats.failed:
        print(
            f"cảnh báo: {stats.retried + stats.failed} tin chưa gửi được; xem tiepdan outbox", file=sys.stderr
        )


class Told(Protocol):
    """A use case's result that names the sessions whose stored state it changed."""

    @property
    def changed(self) -> Collection[int]: ...


T = TypeVar("T", bound=Told)


def tells(fn: Callable[P, T]) -> Callable[P, T]:
    """A use case whose change is told at once: after it returns (committed), ``tell_now`` for
    the sessions its result names (``result.changed``). The use case takes ``engine``,
    ``config`` and ``now``."""

    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        result = fn(*args, **kwargs)
        engine, config = args[0], args[1]
        now = kwargs["now"]
        assert isinstance(engine, Engine) and isinstance(config, Config) and isinstance(now, datetime)
        tell_now(engine, config, now, result.changed)
        return result

    return run
