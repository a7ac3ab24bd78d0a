"""The day the office began to use tiepdan (ngày bắt đầu sử dụng): the ``since`` key.

A period that ended before it is judged only from what was recorded for it, and never alerted
on. The configuration's ``since`` wins; otherwise the day (local) of the first plan, stored once
in ``service_state`` by the plan itself (first writer wins, atomically on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import PlanYear, ServiceState

SINCE_KEY = "since"


def service_since(conn_or_engine: Connection | Engine, config: Config) -> date | None:
    """``since`` as in force: the configuration's, else the stored day of the first plan, else
    None (nothing planned yet: nothing to judge before)."""
    if config.since is not None:
        return config.since
    if isinstance(conn_or_engine, Engine):
        with reading(conn_or_engine) as conn:
            return _stored(conn, config)
    return _stored(conn_or_engine, config)


def _stored(conn: Connection, config: Config) -> date | None:
    value = conn.execute(select(ServiceState.value).where(ServiceState.key == SINCE_KEY)).scalar()
    if value is not None:
        return date.fromisoformat(value)
    # A database planned before the day was stored: the first plan's own instant says it.
    first = conn.execute(select(func.min(PlanYear.planned_at))).scalar()
    return local_today(first, config.timezone) if first is not None else None


def record_first_plan(conn: Connection, day: date, now: datetime) -> None:
    """Store ``day`` as the default ``since`` unless a day is already stored (first writer wins);
    called inside the plan's own transaction."""
    dialect = conn.dialect.name
    values = {"key": SINCE_KEY, "value": day.isoformat(), "set_at": now}
    if dialect == "postgresql":
        conn.execute(pg_insert(ServiceState).values(values).on_conflict_do_nothing(index_elements=["key"]))
    elif dialect == "sqlite":
        conn.execute(
            sqlite_insert(ServiceState).values(values).on_conflict_do_nothing(index_elements=["key"])
        )
    else:  # pragma: no cover - the two supported databases are above
        if conn.execute(select(ServiceState.key).where(ServiceState.key == SINCE_KEY)).first() is None:
            conn.execute(ServiceState.__table__.insert().values(values))
