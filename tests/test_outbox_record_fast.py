"""The group commit's common case in the driver's own SQL (``record_fast.commit_sent``) leaves the
same rows, byte for byte, as SQLAlchemy's statements for the same group
(``record.commit_statements``), on SQLite and PostgreSQL: attempt rows only for the rows still
this deliverer's, the sent results, the attempts finished with their durations, the lease
renewed (of one channel's rows, or of every row). A delivery writes most of its groups through
the first; the second is the one every other result goes through."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pg
import pytest
from sqlalchemy import select, text
from test_outbox_support import plan, write_config

from rules import DeliveryError
from scheduler.infra.clock import as_utc, parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.infra.db.models import OutboxRow
from scheduler.outbox import queue_due, store
from scheduler.outbox.claim import claim
from scheduler.outbox.record import Outcome, commit, commit_statements
from scheduler.outbox.record_fast import commit_sent

ME, OTHER = "a" * 32, "b" * 32
NOW = "2027-01-24T07:01"  # Sunday: reminders due now, alerts held for Monday 07:00


@pytest.fixture(params=["sqlite", "postgresql"])
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of one backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fast.db'}", f"sqlite:///{tmp_path / 'statements.db'}"
        return
    server = request.getfixturevalue("pg_server")
    with ExitStack() as stack:
        yield stack.enter_context(pg.fresh_database(server)), stack.enter_context(pg.fresh_database(server))


def _claimed(directory: Path, url: str) -> tuple[Any, Any, list[Any], datetime]:
    """A peak morning's rows queued and claimed by ``ME``, one of them since taken by ``OTHER``
    (our lease ran out): the same in every database made so."""
    directory.mkdir()
    config_path = write_config(
        directory, database=url, smtp_port=1, sms_url="http://127.0.0.1:1/send", days_before=[1]
    )
    plan(config_path)
    config = load_config(config_path)
    engine = open_database(config.database_url)
    now = parse_now(NOW, config.timezone)
    assert queue_due(engine, config, now) >= 8
    now += timedelta(days=1, hours=1)  # Monday 08:01: every row due
    with engine.connect() as conn:
        rows = claim(conn, now, 100, ME)
        with conn.begin():
            taken = {"o": OTHER, "i": rows[1].id}
            conn.execute(text("UPDATE outbox SET claimed_by = :o WHERE id = :i"), taken)
    return config, engine, rows, now


def _tables(engine: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every column of the outbox and the attempts as the database holds them (raw SQL: on SQLite
    the times' text itself)."""
    with engine.connect() as conn:
        return {
            t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY id"))]
            for t in ("outbox", "delivery_attempts")
        }


@pytest.mark.parametrize("channel", [None, "email"])
def test_the_drivers_sql_writes_what_sqlalchemys_statements_write(
    tmp_path: Path, two_urls: tuple[str, str], channel: str | None
) -> None:
    names = ("fast", "statements")
    made = [_claimed(tmp_path / name, url) for name, url in zip(names, two_urls, strict=True)]
    ids = [r.id for r in made[0][2]]
    assert ids == [r.id for r in made[1][2]] and len(ids) >= 8
    now = made[0][3]
    # Three groups as a delivery writes them: attempts ahead, then results with the next
    # attempts and the lease, then the last results alone.
    groups: list[tuple[list[int], list[tuple[int, int | None]], bool]] = [
        (ids[0:4], [], False),
        (ids[4:7], [(ids[0], 12), (ids[2], None), (ids[3], 40)], True),
        ([], [(ids[4], 7), (ids[5], 3), (ids[6], 1)], True),
    ]
    owned: list[list[set[int]]] = [[], []]
    for step, (starts, sent, renew) in enumerate(groups):
        moment = now + timedelta(seconds=2 * step + 1)
        until = moment + store.LEASE if renew else None
        (_, engine_f, _, _), (config_s, engine_s, rows_s, _) = made
        with engine_f.connect() as conn:
            owned[0].append(commit_sent(conn, ME, now, moment, starts, sent, until, channel))
        by_id = {r.id: r for r in rows_s}
        with engine_s.connect() as conn:
            owned[1].append(
                commit_statements(
                    conn,
                    config_s,
                    ME,
                    now,
                    moment,
                    [by_id[i] for i in starts],
                    [Outcome(by_id[i], "sent", None, ms) for i, ms in sent],
                    renew,
                    channel,
                )
            )
    assert owned[0] == owned[1]
    assert owned[0][0] == {ids[0], ids[2], ids[3]}  # not the row another deliverer holds now
    fast, statements = (_tables(engine) for _, engine, _, _ in made)
    assert fast == statements
    assert sum(1 for r in fast["delivery_attempts"]) == 6  # the six owned rows, each started and finished
    for _, engine, _, _ in made:
        engine.dispose()


@pytest.mark.parametrize("channel", [None, "email"])
def test_a_lease_renewal_that_rides_with_a_retry_is_written_with_it(
    tmp_path: Path, db_url: str, channel: str | None
) -> None:
    """A group that holds a retry (here a 421) goes through SQLAlchemy's statements; when the
    lease's renewal falls due with it, both are written (the renewal once set the rows' channel
    to NULL there, and the group's transaction failed)."""
    config, engine, rows, now = _claimed(tmp_path / "db", db_url)
    moment = now + timedelta(seconds=30)
    busy = next(r for r in rows if r.channel == "email")
    with engine.connect() as conn:
        outcome = Outcome(busy, "retry", DeliveryError("421 máy chủ bận"), 5)
        assert commit(conn, config, ME, now, moment, [], [outcome], True, channel) == set()
    with engine.connect() as conn:
        after = {r.id: r for r in conn.execute(select(OutboxRow.__table__))}
    assert after[busy.id].claimed_by is None and after[busy.id].attempts == 1
    assert "421" in after[busy.id].last_error
    renewed = {
        r.id for r in after.values() if r.claimed_by == ME and as_utc(r.claimed_until) == moment + store.LEASE
    }
    mine = {r.id for r in rows if r.id != busy.id and r.id != rows[1].id}
    assert renewed == {i for i in mine if channel is None or after[i].channel == channel}
    assert {r.channel for r in after.values()} == {"email", "sms"}
    engine.dispose()
