"""A large tick tells PostgreSQL's planner of its rows (``store.tell_the_planner``): the delivery
then reads each group's rows by their id, not every pending row of the morning through the due
index (which, with statistics from before the morning, the planner takes for a handful)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, text
from test_outbox_support import many_units, plan, write_config

from scheduler.infra.clock import parse_now
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.outbox import queue_due, store
from scheduler.outbox.claim import claim
from scheduler.outbox.record_fast import _SENT, _START

NOW = "2027-01-22T07:01"  # the working day before the units' sessions of Monday 25/01/2027


def test_after_a_large_tick_each_group_of_results_is_found_by_id(pg_url: str, tmp_path: Path) -> None:
    config_path = write_config(
        tmp_path, database=pg_url, units=(), days_before=[1], extra_units=many_units(400)
    )
    plan(config_path)
    config = load_config(config_path)
    engine = open_database(config.database_url)
    now = parse_now(NOW, config.timezone)
    try:
        assert queue_due(engine, config, now) >= store.ANALYZE_AFTER  # 400 units, 3 e-mails each
        plans = _plans(engine, now)
    finally:
        engine.dispose()
    for name, shown in plans.items():
        assert "pk_outbox" in shown and "ix_outbox_due" not in shown, f"{name}:\n{shown}"


def _plans(engine: Engine, now: datetime) -> dict[str, str]:
    """How PostgreSQL would write a group's results and attempts, for 16 rows just claimed."""
    with engine.connect() as conn:
        ids = sorted(r.id for r in claim(conn, now, 16, "me"))
        plans: dict[str, str] = {}
        for name, sql in {
            "results": _SENT.format(at="now()", ids="= ANY(:ids)"),
            "attempts": _START.format(at="now()", me="'me'", false="false", ids="= ANY(:ids)", lock=""),
        }.items():
            with conn.begin() as t:
                plans[name] = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + sql), {"ids": ids}))
                t.rollback()
    return plans
