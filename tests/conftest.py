from __future__ import annotations

import pg  # tests/pg.py (tests/ is on sys.path: it has no __init__.py)
import pytest

# ================================================================================================
# Database fixtures (real PostgreSQL + SQLite).  Mechanics live in tests/pg.py.
#
#   pg_server  (session)   tests.pg.PgServer: a private server started for this session
#                          (or the one in $TIEPDAN_TEST_PG_URL); .url, .host, .port,
#                          .create_database(), .drop_database(url)
#   pg_url     (function)  str "postgresql+psycopg://postgres@127.0.0.1:<port>/t_<uuid>":
#                          a fresh empty database, dropped after the test
#   db_url     (function)  parametrised ["sqlite", "postgresql"]: "sqlite:///<tmp>/t.db" or a
#                          fresh pg_url; use it to run a test against both backends
#
# Without PostgreSQL binaries the PostgreSQL variants are skipped, unless CI is set (then they fail).
# ================================================================================================


@pytest.fixture(scope="session")
def pg_server():
    try:
        server = pg.obtain_server()
    except pg.PgUnavailable as exc:
        server, unavailable = None, str(exc)
    if server is None:
        if pg.in_ci():
            pytest.fail(f"PostgreSQL tests must run in CI: {unavailable}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {unavailable}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server):
    with pg.fresh_database(pg_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 't.db'}"
    return request.getfixturevalue("pg_url")


# ======================================= end of database fixtures ===============================
