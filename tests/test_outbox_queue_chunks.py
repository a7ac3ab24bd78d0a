"""A tick's rows go into the outbox a chunk at a time while the rest are still being rendered
(``store.Inserter``). What that must not change: a tick cut short leaves only whole chunks and
the next tick writes exactly the rest; two instances queueing the same morning at once write each
message once, without deadlocking. Chunks of a few rows here, so that a small registry makes many.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_outbox_support import many_units, outbox, plan, write_config

from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.outbox import queue_due, store

NOW = "2027-01-24T07:01"  # the day before the units' sessions of Monday 25/01/2027
UNITS = 20  # 60 reminders: a head and two staff each
CHUNK = 7


class Stopped(BaseException):
    """The process stopped mid-tick (a unit's bad data is skipped and the tick goes on; this is
    not an error the tick could skip)."""


def _keys(config_path: Path) -> list[tuple[str, str, str]]:
    return sorted((r.subject, r.purpose, r.recipient) for r in outbox(config_path))


def _setup(tmp_path: Path, database: str | None = None) -> Path:
    tmp_path.mkdir(exist_ok=True)
    config_path = write_config(
        tmp_path, database=database, units=(), days_before=[1], extra_units=many_units(UNITS)
    )
    plan(config_path)
    return config_path


def test_a_tick_cut_short_leaves_whole_chunks_and_the_next_writes_the_rest(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.Inserter, "CHUNK", CHUNK)
    whole = _setup(tmp_path / "whole")
    config = load_config(whole)
    engine = open_database(config.database_url)
    now = parse_now(NOW, config.timezone)
    assert queue_due(engine, config, now) == UNITS * 3
    engine.dispose()
    expected = _keys(whole)

    config_path = _setup(tmp_path / "cut", db_url)
    config = load_config(config_path)
    engine = open_database(config.database_url)
    add, calls = store._Queue.add, [0]

    def failing_add(self: store._Queue, **kw: object) -> None:
        calls[0] += 1
        if calls[0] == 30:  # halfway through the tick
            raise Stopped
        add(self, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(store._Queue, "add", failing_add)
    with pytest.raises(Stopped):
        queue_due(engine, config, now)
    written = len(outbox(config_path))
    assert written > 0 and written % CHUNK == 0, written  # whole chunks only, those before the cut

    monkeypatch.setattr(store._Queue, "add", add)
    assert queue_due(engine, config, now) == UNITS * 3 - written
    assert queue_due(engine, config, now) == 0
    engine.dispose()
    assert _keys(config_path) == expected


def test_two_instances_queueing_at_once_write_each_message_once(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.Inserter, "CHUNK", CHUNK)
    config_path = _setup(tmp_path, db_url)
    config = load_config(config_path)
    engines = [open_database(config.database_url) for _ in range(2)]
    now = parse_now(NOW, config.timezone)
    new: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def tick(i: int) -> None:
        start.wait()
        try:
            new.append(queue_due(engines[i], config, now))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for e in engines:
        e.dispose()
    assert errors == [] and sum(new) == UNITS * 3
    keys = _keys(config_path)
    assert len(keys) == len(set(keys)) == UNITS * 3
