"""A delivery's own PostgreSQL connections plan every statement for its values
(``plan_cache_mode``, ``scheduler/outbox/books.py``), and give their connection back to the pool
as they found it: the desk and the ticks that use it next keep PostgreSQL's own planning."""

from __future__ import annotations

import asyncio
from typing import Any

from scheduler.infra.db import open_database
from scheduler.outbox.books import connection


def _mode(conn: Any) -> str:
    return str(conn.exec_driver_sql("SHOW plan_cache_mode").scalar())


def test_the_delivery_plans_each_statement_and_the_pool_gets_its_connection_back_as_it_was(pg_url):
    engine = open_database(pg_url)
    try:
        with engine.connect() as conn:  # the pool's one connection, made before the delivery
            before = _mode(conn)

        async def deliver() -> str:
            async with connection(engine) as db:
                mode: str = await db(_mode)
                return mode

        during = asyncio.run(deliver())
        with engine.connect() as conn:
            after = _mode(conn)
        assert (before, during, after) == ("auto", "force_custom_plan", "auto")
        assert engine.pool.checkedin() >= 1  # the same pooled connection, not a fresh one
    finally:
        engine.dispose()
