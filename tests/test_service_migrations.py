"""The schema: Alembic migrations applied by ``tiepdan db upgrade`` and by any command on first use,
and no drift between the SQLAlchemy models and the migrations, on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from service_support import argv, env, snapshot, tiepdan, write_config
from sqlalchemy import inspect

from scheduler.infra.db import alembic_config, current_revision, head_revision, open_database
from scheduler.infra.db.models import Base

TABLES = {t.name for t in Base.metadata.sorted_tables}


def _state(url: str) -> tuple[set[str], str | None]:
    engine = open_database(url, upgrade=False)
    try:
        return set(inspect(engine).get_table_names()), current_revision(engine)
    finally:
        engine.dispose()


def _head(url: str) -> str | None:
    engine = open_database(url, upgrade=False)
    try:
        return head_revision(alembic_config(engine))
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_schema_on_an_empty_database(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url)
    assert _state(db_url) == (set(), None)
    out = tiepdan(cfg, "db", "upgrade", now=None).stdout
    assert "Đã cập nhật" in out
    tables, revision = _state(db_url)
    assert tables == TABLES | {"alembic_version"}
    assert revision == _head(db_url) and revision is not None

    before = snapshot(db_url)
    out = tiepdan(cfg, "db", "upgrade", now=None).stdout
    assert "mới nhất" in out
    assert snapshot(db_url) == before


def test_any_command_on_a_fresh_database_applies_the_migrations_first(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url)
    assert tiepdan(cfg, "sessions", "--format", "json").stdout.strip() == "[]"
    tables, revision = _state(db_url)
    assert tables == TABLES | {"alembic_version"}
    assert revision == _head(db_url)


def test_several_processes_opening_a_fresh_database_at_once_all_succeed(tmp_path, db_url):
    cfg = write_config(tmp_path, db_url)
    procs = [
        subprocess.Popen(
            argv(cfg, "sessions", "--format", "json"),
            cwd=tmp_path,
            env=env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    assert [(rc, out.strip(), err) for rc, out, err in results] == [(0, "[]", "")] * 4
    assert _state(db_url)[1] == _head(db_url)


def test_models_and_migrations_do_not_drift(db_url):
    engine = open_database(db_url)  # upgraded to head by the migrations
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            assert compare_metadata(ctx, Base.metadata) == []
    finally:
        engine.dispose()


def test_migrations_downgrade_to_nothing_and_upgrade_again(db_url):
    engine = open_database(db_url)
    try:
        cfg = alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        assert set(inspect(engine).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        engine.dispose()


def test_a_percent_sign_in_the_database_address_does_not_stop_the_service(tmp_path):
    # An office's data folder named "Tiếp dân 100%", or a password written URL-escaped
    # ("p%40ss" for "p@ss"): Alembic's configuration reads "%" as interpolation, so the first
    # command died with a traceback before it reached the database.
    folder = tmp_path / "Tiếp dân 100%"
    folder.mkdir()
    url = f"sqlite:///{folder / 'tiepdan.db'}"
    cfg = write_config(tmp_path, url)
    out = tiepdan(cfg, "db", "upgrade", now=None)
    assert "Đã cập nhật" in out.stdout, out.stderr
    assert _state(url) == (TABLES | {"alembic_version"}, _head(url))

    from sqlalchemy import create_engine

    escaped = create_engine("postgresql+psycopg://tiepdan:p%40ss@db.example.vn/tiepdan")
    configured = alembic_config(escaped).get_main_option("sqlalchemy.url")
    assert configured == "postgresql+psycopg://tiepdan:p%40ss@db.example.vn/tiepdan"
