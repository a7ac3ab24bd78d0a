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


# ================================================================================================
# Parallel runs (pytest-xdist: `python -m pytest -n auto --dist loadgroup`).
#
# Every worker is its own process with its own PostgreSQL server (pg_server above: a fresh
# temporary directory and a free port), basetemp, LibreOffice profile (notifiers/pdf.py) and
# Chromium profile (under tmp_path), so nothing is shared between workers but the machine.
# A module's tests run in file order on one worker, as without xdist: several modules share a
# served app or a database through module fixtures, and later tests read what earlier ones did.
# The modules below share nothing between their tests (function fixtures only, each test its own
# tmp_path and database) and hold the longest subprocess tests, so they are spread test by test.
# ================================================================================================

SPREAD_TEST_BY_TEST = frozenset(
    {
        "test_facts_doors.py",
        "test_outbox_concurrency.py",
        "test_publishing_notice.py",
        "test_publishing_notice_levels.py",
        "test_readme_first_command.py",
        "test_service_atomicity.py",
        "test_service_cli.py",
        "test_service_concurrency.py",
        "test_service_migrations.py",
        "test_service_replan.py",
    }
)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups from the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        name = item.path.name
        if name not in SPREAD_TEST_BY_TEST and item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(name))


def pytest_configure(config):
    """Byte-compile the project once, in the controller, before any test starts a process.

    Where PYTHONDONTWRITEBYTECODE is set (it is on these machines), Python never writes the
    ``.pyc`` files itself, so every ``python -m scheduler`` of a test compiled the project's some
    hundred modules again (about 0.2 s of CPU a process). ``compileall`` writes them regardless;
    ``__pycache__`` is ignored by git."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller did it
        return
    import compileall
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for package in ("rules", "notifiers", "scheduler", "migrations"):
        compileall.compile_dir(root / package, quiet=1)
