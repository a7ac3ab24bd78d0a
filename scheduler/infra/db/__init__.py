"""Opening the database and bringing its schema up to date (Alembic), on first use."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Engine,
    Row,
    Select,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    create_engine,
    event,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import NullPool

from rules import ConfigError, ConflictError, ServiceError
from scheduler.infra.db.arrays import is_plain, pg_array

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
_MIGRATION_LOCK = 0x74696570_64616E  # pg_advisory_xact_lock key: "tiepdan"


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's options are ConfigParser values, where "%" starts an interpolation: a folder
    # named "100%" or a URL-escaped password ("p%40ss") would stop every command.
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision(cfg: AlembicConfig) -> str | None:
    return ScriptDirectory.from_config(cfg).get_current_head()


BUSY_TIMEOUT = 30.0  # seconds an SQLite writer waits for another process's write lock


def _private_file(url: str) -> None:
    """Create an SQLite file 0600 before SQLite does (it would follow the umask, often 0644):
    it holds citizens' names, ID numbers and password hashes. SQLite gives its -wal and -shm
    files the main file's permissions."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise ConfigError(f"database: không tạo được tệp {path} ({exc.strerror or exc})") from None
    os.close(fd)


def create(url: str, *, busy_timeout: float = BUSY_TIMEOUT) -> Engine:
    try:
        if url.startswith("sqlite"):
            _private_file(url)
            engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": busy_timeout})

            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
                # pysqlite's own transaction handling would send BEGIN itself; we send our own.
                dbapi_conn.isolation_level = None
                # WAL lets readers go on while the one writer writes; foreign keys are off by
                # default in SQLite.
                cur = dbapi_conn.cursor()
                # 8 KiB pages (a new database only; before WAL fixes the file's page size): some
                # 15% less work to write a national year than with 4 KiB.
                cur.execute("PRAGMA page_size=8192")
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA synchronous=NORMAL")
                # Up to 64 MiB of page cache (the default is 2 MiB): planning a national year
                # writes some 263,000 rows into three indexes.
                cur.execute("PRAGMA cache_size=-65536")
                cur.close()

            @event.listens_for(engine, "begin")
            def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
                # A writer takes the write lock at the start, so two writers queue instead of
                # failing halfway with "database is locked". A reader (``reading``) takes none:
                # in WAL mode it reads its snapshot while the one writer writes.
                if conn.get_execution_options().get("tiepdan_read"):
                    conn.exec_driver_sql("BEGIN")
                else:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")

            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"database: địa chỉ cơ sở dữ liệu không dùng được ({exc})") from None


BUSY = (
    "Cơ sở dữ liệu đang bận (một tiến trình khác đang ghi); vui lòng thử lại sau ít phút. "
    "Không có gì bị thay đổi."
)


def is_busy(exc: BaseException) -> bool:
    """Whether a driver error means "another process holds the lock" (SQLite), not a bug."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


IN_CHUNK = 500  # values bound in one IN (...): SQLite's limit on parameters is 999 on old builds


def one_of(conn: Connection, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``values``: on PostgreSQL one array parameter (``= ANY``), elsewhere
    ``IN (...)``, a parameter a value. SQLAlchemy writes an IN's parameters out again at every
    execution: the interrupted-attempts update of a 200-row claim cost the bookkeeping thread
    1.6 ms of CPU, with the interpreter's lock held while the sending loop waited for it.

    Only for an indexed column and a batch's worth of values: once the statement is prepared,
    PostgreSQL's generic plan checks each row it reads against the whole array, where it hashes
    an IN's constants (with every ``rows_in`` read one array, the peak day's second tick took
    56 s instead of 1.3). Anything larger goes through ``rows_in``."""
    clause: ColumnElement[bool]
    items = list(values)
    if conn.dialect.name != "postgresql":
        clause = column.in_(items)
    elif is_plain(items):  # ids, names: written as the array's text, not dumped one by one
        clause = column == any_(cast(bindparam(None, pg_array(items), type_=Text()), ARRAY(column.type)))
    else:
        clause = column == any_(bindparam(None, items, type_=ARRAY(column.type)))
    return clause


def rows_in(
    conn: Connection,
    query: Select[*tuple[Any, ...]],
    column: Any,
    values: Iterable[Any] | None,
    *,
    fetch: Callable[[Select[*tuple[Any, ...]]], Iterable[Any]] | None = None,
    indexed: bool = False,
) -> list[Any]:
    """The rows of ``query`` whose ``column`` is one of ``values`` (None: every row), read in
    chunks so that a national registry's ids never exceed the driver's bound-parameter limit.
    ``indexed``: ``column`` is indexed, so a chunk may be one array (``one_of``). ``fetch``
    reads one chunk's query (default: ``conn.execute``)."""
    # All of a chunk at once (fetchall): iterating a result fetches row by row.
    read = fetch or (lambda q: conn.execute(q).all())
    if values is None:
        return list(read(query))
    ids, out = list(values), list[Any]()
    where = (lambda chunk: one_of(conn, column, chunk)) if indexed else (lambda chunk: column.in_(chunk))
    for i in range(0, len(ids), IN_CHUNK):
        out.extend(read(query.where(where(ids[i : i + IN_CHUNK]))))
    return out


class Versioned(Protocol):
    """A stored value with an id and the version it was read at (a session, a direction, a
    dialogue): what ``guarded_update`` checks."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


def guarded_update(
    conn: Connection, table: Table, row: Versioned, now: datetime, conflict: str, **values: object
) -> None:
    """Change ``row`` of ``table`` only if nobody changed it since it was read (its ``version``),
    raising its version and ``updated_at``; else ConflictError(``conflict``): the optimistic
    check every use case that changes a session, a direction or a dialogue makes."""
    done = conn.execute(
        update(table)
        .where(table.c.id == row.id, table.c.version == row.version)
        .values(version=row.version + 1, updated_at=now, **values)
    )
    if done.rowcount != 1:
        raise ConflictError(conflict)


def row_as_seen(
    conn: Connection, table: Table, row_id: int, expected_version: int | None, name: str
) -> Row[Any]:
    """Row ``row_id`` of ``table``, as the caller last saw it (``expected_version``) or refused:
    ServiceError when there is none, ConflictError when someone changed it since; ``name`` is
    what a user calls it ("buổi tiếp", "chỉ đạo", "hội nghị đối thoại")."""
    row = conn.execute(select(table).where(table.c.id == row_id)).first()
    if row is None:
        raise ServiceError(f"không có {name} số {row_id}")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(f"{name} số {row.id} vừa được người khác thay đổi; vui lòng tải lại")
    return row


def reading(engine: Engine) -> Connection:
    """A connection for reads only: on SQLite it does not queue behind writers."""
    return engine.connect().execution_options(tiepdan_read=True)


def open_database(url: str, *, upgrade: bool = True) -> Engine:
    """An engine on ``url`` whose schema is at the newest migration."""
    engine = create(url)
    if upgrade:
        upgrade_schema(engine)
    return engine


def current_revision(engine: Engine) -> str | None:
    # A read: it must not wait for another process's write lock (``tiepdan sessions`` while
    # ``plan`` writes).
    with reading(engine) as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_schema(engine: Engine) -> bool:
    """Apply pending migrations; returns True when something was applied."""
    cfg = alembic_config(engine)
    try:
        head = head_revision(cfg)
        if current_revision(engine) == head:
            return False
        with engine.begin() as conn:
            # Several processes on a fresh database (serve and tick started together) would all
            # create the tables and all but one fail: they queue here (SQLite: BEGIN IMMEDIATE)
            # and look again once they hold the lock.
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            if MigrationContext.configure(conn).get_current_revision() == head:
                return False
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        # One line: the driver's message (psycopg's) can span several.
        why = " ".join(str(exc.orig).split())
        raise ConfigError(f"database: không mở được cơ sở dữ liệu {engine.url!r} ({why})") from None
    return True
