"""Two instances on one database deliver every message exactly once, counted by Message-ID at a
real SMTP server: two ``tiepdan tick`` processes started together at the same ``--now`` (on
PostgreSQL and on SQLite), and ``deliver_due`` in three processes released by a barrier with
small batches on PostgreSQL, so that their claims (FOR UPDATE SKIP LOCKED) really interleave.
"""

from __future__ import annotations

import multiprocessing
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_outbox_support import (
    SmtpSink,
    argv,
    child_env,
    deliver_worker,
    many_units,
    outbox,
    plan,
    queue_only,
    write_config,
)

NOW = "2027-01-24T07:01"  # the day before the units' sessions of Monday 25/01/2027
UNITS = 70  # 210 e-mails: more than one claim of 200, so both instances get work


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink().start()
    server.handler.delay = 0.005  # a little slower than instant, so the instances overlap
    yield server
    server.stop()


def load_config(tmp_path: Path, database: str, sink: SmtpSink) -> Path:
    config = write_config(
        tmp_path,
        database=database,
        units=(),
        smtp_port=sink.port,
        days_before=[1],
        extra_units=many_units(UNITS),
    )
    plan(config)
    return config


def test_two_ticks_at_once_deliver_every_message_exactly_once(
    tmp_path: Path, db_url: str, sink: SmtpSink
) -> None:
    config = load_config(tmp_path, db_url, sink)
    procs = [
        subprocess.Popen(
            argv(config, "tick", now=NOW),
            cwd=tmp_path,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, f"{out}\n{err}"
    sent_by = [int(re.search(r"gửi (\d+)", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    queued_by = [int(re.search(r"Xếp (\d+) tin mới", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]

    rows = outbox(config)
    ids = sink.ids()
    print(f"\n{db_url.split(':')[0]}: {len(rows)} rows, queued by each {queued_by}, sent by each {sent_by}, "
          f"received {sum(ids.values())}, distinct {len(ids)}")  # fmt: skip
    assert len(rows) == UNITS * 3
    assert sum(queued_by) == len(rows)  # the unique key: each row written once, by one of them
    assert {r.status for r in rows} == {"sent"}
    assert sum(sent_by) == len(rows)
    assert set(ids) == {f"<{r.message_id}>" for r in rows}
    assert set(ids.values()) == {1}  # exactly once


def test_deliver_due_in_three_processes_claims_each_row_once(
    tmp_path: Path, pg_url: str, sink: SmtpSink
) -> None:
    config = load_config(tmp_path, pg_url, sink)
    assert queue_only(config, NOW) == UNITS * 3

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(3), ctx.Queue()
    workers = [
        ctx.Process(target=deliver_worker, args=(str(config), NOW, 7, barrier, results)) for _ in range(3)
    ]
    for w in workers:
        w.start()
    stats = [results.get(timeout=600) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0

    rows = outbox(config)
    ids = sink.ids()
    sent = sorted(s[1] for s in stats)
    print(f"\nsent by each process: {sent}; received {sum(ids.values())}, distinct {len(ids)}")
    assert sum(sent) == len(rows) == UNITS * 3
    assert min(sent) > 0  # all three really took part
    assert {r.status for r in rows} == {"sent"}
    assert set(ids) == {f"<{r.message_id}>" for r in rows}
    assert set(ids.values()) == {1}
