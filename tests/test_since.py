"""``since``: the day the office began to use tiepdan. The configuration's value wins; otherwise
the local day of the first plan (by ``plan`` or by ``tick``), stored once: first writer wins, on
SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from service_support import one_line_error, tiepdan, write_config
from sqlalchemy import select

from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.infra.db.models import ServiceState
from scheduler.infra.since import record_first_plan, service_since


def _since(cfg) -> date | None:
    config = load_config(cfg)
    engine = open_database(config.database_url)
    try:
        return service_since(engine, config)
    finally:
        engine.dispose()


def test_the_first_plan_sets_since_to_its_local_day_and_later_plans_keep_it(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url)
    assert _since(cfg) is None  # nothing planned: nothing to judge before
    # 23:30 UTC on 30 November is 06:30 on 1 December in Hà Nội.
    tiepdan(cfg, "plan", "--year", "2027", now="2026-11-30T23:30:00+00:00")
    assert _since(cfg) == date(2026, 12, 1)
    tiepdan(cfg, "plan", "--year", "2026", now="2027-03-05T09:00")
    assert _since(cfg) == date(2026, 12, 1)


def test_the_first_plan_through_tick_counts(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url)
    tiepdan(cfg, "tick", now="2026-07-14T03:00")
    assert _since(cfg) == date(2026, 7, 14)
    tiepdan(cfg, "tick", now="2026-12-02T09:00")  # plans 2027 too: since stays
    assert _since(cfg) == date(2026, 7, 14)


def test_the_configuration_wins_over_the_stored_day(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url)
    tiepdan(cfg, "plan", "--year", "2027", now="2026-12-01T08:00")
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text('since = "2026-01-01"\n' + text, encoding="utf-8")
    assert _since(cfg) == date(2026, 1, 1)
    cfg.write_text("since = 2025-06-15\n" + text, encoding="utf-8")  # a TOML date is fine too
    assert _since(cfg) == date(2025, 6, 15)


@pytest.mark.parametrize("value", ['"01/12/2026"', '"0001-01-01"', "12", '"2026-13-01"'])
def test_a_bad_since_is_one_line_naming_the_key(tmp_path, value):
    cfg = write_config(tmp_path, f"sqlite:///{tmp_path / 't.db'}")
    cfg.write_text(f"since = {value}\n" + cfg.read_text(encoding="utf-8"), encoding="utf-8")
    line = one_line_error(tiepdan(cfg, "plan", "--year", "2027", check=False))
    assert "since" in line and "config.toml" in line
    assert not (tmp_path / "t.db").exists()


def test_two_first_writers_at_once_the_first_wins(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url)
    config = load_config(cfg)
    engine = open_database(config.database_url)
    now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    try:
        first_in = threading.Event()
        second_done = threading.Event()
        errors: list[BaseException] = []

        def second() -> None:
            try:
                first_in.wait(10)
                with engine.begin() as conn:  # waits for the first transaction, then does nothing
                    record_first_plan(conn, date(2026, 12, 2), now)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                second_done.set()

        t = threading.Thread(target=second)
        t.start()
        with engine.begin() as conn:
            record_first_plan(conn, date(2026, 12, 1), now)
            first_in.set()
            second_done.wait(0.5)  # the second writer is blocked meanwhile
        t.join(30)
        assert not errors, errors
        with engine.connect() as conn:
            rows = conn.execute(select(ServiceState.key, ServiceState.value)).all()
        assert rows == [("since", "2026-12-01")]
        assert service_since(engine, config) == date(2026, 12, 1)
    finally:
        engine.dispose()
