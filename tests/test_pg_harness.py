"""The PostgreSQL test harness (tests/pg.py, conftest.py) really gives us a real, private server."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def test_pg_url_is_a_fresh_postgresql_database(pg_url):
    url = make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SELECT version()")).scalar_one()
            assert "PostgreSQL" in version
            assert conn.execute(sa.text("SELECT current_database()")).scalar_one() == url.database
            user_tables = conn.execute(
                sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
            ).scalar_one()
            assert user_tables == 0
            assert conn.execute(sa.text("SHOW server_encoding")).scalar_one() == "UTF8"
            name = "Nguyễn Thị Thủy — Đắk Lắk"
            assert conn.execute(sa.text("SELECT :s"), {"s": name}).scalar_one() == name
    finally:
        engine.dispose()


def test_two_connections_share_committed_rows_only(pg_url):
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as a, engine.connect() as b:
            pid_a = a.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            pid_b = b.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            assert pid_a != pid_b  # two server processes: a real server, not an in-process fake
            b.commit()

            a.execute(sa.text("CREATE TABLE t (id int PRIMARY KEY, who text NOT NULL)"))
            a.execute(sa.text("INSERT INTO t VALUES (1, 'a')"))
            a.commit()
            assert b.execute(sa.text("SELECT who FROM t ORDER BY id")).scalars().all() == ["a"]
            b.commit()

            b.execute(sa.text("INSERT INTO t VALUES (2, 'b')"))
            # not committed yet: invisible to the other connection
            assert a.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 1
            a.commit()
            b.commit()
            assert a.execute(sa.text("SELECT who FROM t ORDER BY id")).scalars().all() == ["a", "b"]
            a.commit()
    finally:
        engine.dispose()


def test_db_url_runs_on_both_backends(db_url, request):
    backend = request.node.callspec.params["db_url"]
    assert make_url(db_url).get_backend_name() == backend
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (x text)"))
            conn.execute(sa.text("INSERT INTO t VALUES ('Lịch tiếp công dân')"))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT x FROM t")).scalar_one() == "Lịch tiếp công dân"
    finally:
        engine.dispose()
