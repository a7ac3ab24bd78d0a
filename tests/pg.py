"""A throwaway PostgreSQL server for the test suite.

``conftest.py`` exposes this as fixtures; this module holds the mechanics:

* ``TIEPDAN_TEST_PG_URL`` set -> use that existing server (its database is the maintenance
  database; the role must be allowed to CREATE DATABASE).  Nothing is started or stopped.
* otherwise find ``initdb``/``pg_ctl`` (Debian's ``/usr/lib/postgresql/<ver>/bin``, newest first,
  then ``$PATH``), ``initdb`` a cluster into a fresh temporary directory and start it on
  127.0.0.1 on a free port, with its unix socket in that directory, trust authentication and
  durability switched off (fsync etc.) for speed.  PostgreSQL refuses to run as root, so under root
  the server runs as the unprivileged ``postgres`` user (created by Debian's package) via
  ``runuser``; the temporary directory is handed over to that user.
* no binaries -> skip the PostgreSQL tests, unless ``CI`` is set: then fail, CI must run them.

Each test gets its own database (``t_<uuid>``), dropped afterwards (``WITH (FORCE)``, so engines a
test forgot to dispose of do not make the drop fail).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL, make_url

ENV_URL = "TIEPDAN_TEST_PG_URL"
SUPERUSER = "postgres"
RUN_AS_CANDIDATES = ("postgres",)  # unprivileged OS users to run the server as when we are root
START_ATTEMPTS = 3  # a "free" port can be taken between probing it and the server binding it


class PgUnavailable(Exception):
    """No PostgreSQL to test against (the caller decides between skip and fail)."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def _version_key(path: str) -> tuple[int, ...]:
    m = re.search(r"/postgresql/([\d.]+)/bin", path)
    return tuple(int(p) for p in m.group(1).split(".") if p) if m else ()


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl, preferring the newest Debian-packaged version."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for cand in candidates:
        if os.access(os.path.join(cand, "initdb"), os.X_OK) and os.access(
            os.path.join(cand, "pg_ctl"), os.X_OK
        ):
            return Path(cand)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect_kwargs(url: str | URL) -> dict:
    """psycopg.connect() keyword arguments for a SQLAlchemy URL."""
    u = make_url(url)
    kwargs = u.translate_connect_args(username="user", database="dbname")
    kwargs.update({k: v for k, v in u.query.items() if isinstance(v, str)})
    return kwargs


def with_psycopg_driver(url: str | URL) -> URL:
    u = make_url(url)
    if u.get_backend_name() != "postgresql":
        raise PgUnavailable(f"{ENV_URL} must be a postgresql:// URL, got {u.get_backend_name()!r}")
    return u.set(drivername="postgresql+psycopg")


@dataclass
class PgServer:
    """A PostgreSQL server the tests may create databases on.

    ``url`` points at the maintenance database as superuser (or the role from
    ``TIEPDAN_TEST_PG_URL``); ``create_database()``/``drop_database()`` manage per-test databases.
    """

    url: URL
    bindir: Path | None = None
    basedir: Path | None = None  # None: an external server we did not start
    run_as: str | None = None
    _stopped: bool = field(default=False, repr=False)

    @property
    def host(self) -> str | None:
        return self.url.host

    @property
    def port(self) -> int | None:
        return self.url.port

    @property
    def datadir(self) -> Path | None:
        return self.basedir / "data" if self.basedir else None

    @property
    def logfile(self) -> Path | None:
        return self.basedir / "postgres.log" if self.basedir else None

    def url_for(self, dbname: str) -> str:
        return self.url.set(database=dbname).render_as_string(hide_password=False)

    def admin_connect(self) -> psycopg.Connection:
        return psycopg.connect(**connect_kwargs(self.url), autocommit=True, connect_timeout=10)

    def create_database(self) -> str:
        """Create an empty database with a unique name and return its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex}"
        with self.admin_connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, url: str | URL) -> None:
        name = make_url(url).database
        assert name and name.startswith("t_"), f"refusing to drop database {name!r}"
        with self.admin_connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # --- lifecycle of a server we started -------------------------------------------------------

    def _cmd(self, tool: str, *args: str) -> list[str]:
        assert self.bindir is not None
        cmd = [str(self.bindir / tool), *args]
        return ["runuser", "-u", self.run_as, "--", *cmd] if self.run_as else cmd

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run(
            self._cmd(tool, *args),
            cwd=self.basedir,  # the server user may not be able to enter our cwd (e.g. /root)
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.logfile.read_text(errors="replace") if self.logfile else ""
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self._stopped or self.basedir is None:
            return
        self._stopped = True
        try:
            if self.datadir and (self.datadir / "postmaster.pid").exists():
                # immediate: the cluster is thrown away, no need for a shutdown checkpoint
                self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", "immediate", "-w", timeout=60)
        finally:
            shutil.rmtree(self.basedir, ignore_errors=True)


_started: list[PgServer] = []


def _stop_on_sigterm() -> None:
    """Also stop our servers when pytest is killed with SIGTERM (e.g. by `timeout`), which would
    otherwise end Python without running fixture teardown or atexit, leaving the server running."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def on_sigterm(signum, frame):
        for server in _started:
            with contextlib.suppress(Exception):
                server.stop()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, on_sigterm)


def _server_user() -> str | None:
    """The OS user to run the server as: None for "ourselves", which PostgreSQL refuses for root."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in RUN_AS_CANDIDATES:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PgUnavailable(
        "running as root and there is no unprivileged 'postgres' OS user to run the test server as "
        "(PostgreSQL refuses to run as root; Debian's postgresql package creates that user)"
    )


def _write_conf(datadir: Path, port: int, sockdir: Path) -> None:
    settings = {
        "listen_addresses": "'127.0.0.1'",
        "port": str(port),
        "unix_socket_directories": f"'{sockdir}'",
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
        "max_connections": "200",
        "shared_buffers": "128MB",  # PostgreSQL's own default
        "logging_collector": "off",
        "log_min_messages": "warning",
        "timezone": "'UTC'",
    }
    with open(datadir / "postgresql.conf", "a", encoding="utf-8") as f:
        f.write("\n# --- tiepdan test harness ---\n")
        for key, value in settings.items():
            f.write(f"{key} = {value}\n")


def start_server() -> PgServer:
    """initdb + start a private server; raises PgUnavailable if there are no binaries."""
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable(
            "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH; "
            f"install Debian's 'postgresql' package or set {ENV_URL}"
        )
    run_as = _server_user()
    # Directly under /tmp: pytest's own tmp dirs are 0700 root-owned (the server user could not
    # reach them) and deep paths risk the ~107-byte unix socket path limit.
    basedir = Path(tempfile.mkdtemp(prefix="tiepdan-pg-", dir="/tmp" if run_as else None))
    if run_as:
        import pwd

        pw = pwd.getpwnam(run_as)
        os.chown(basedir, pw.pw_uid, pw.pw_gid)
    server = PgServer(url=URL.create("postgresql+psycopg"), bindir=bindir, basedir=basedir, run_as=run_as)
    atexit.register(server.stop)  # belt and braces; the fixture stops it explicitly
    _started.append(server)
    _stop_on_sigterm()
    ok = False
    try:
        res = server._run(
            "initdb",
            f"--pgdata={server.datadir}",
            f"--username={SUPERUSER}",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-locale",  # C collation: same byte order as SQLite, independent of the machine
            "--no-sync",
            "--no-instructions",
        )
        if res.returncode != 0:
            raise RuntimeError(f"initdb failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
        for attempt in range(1, START_ATTEMPTS + 1):
            port = free_port()
            _write_conf(server.datadir, port, basedir)
            res = server._run(
                "pg_ctl", "start", "-D", str(server.datadir), "-l", str(server.logfile), "-w", "-t", "60"
            )
            if res.returncode == 0:
                server.url = URL.create(
                    "postgresql+psycopg", username=SUPERUSER, host="127.0.0.1", port=port, database="postgres"
                )
                break
            if attempt == START_ATTEMPTS:
                raise RuntimeError(
                    f"pg_ctl start failed ({res.returncode}):\n{res.stdout}\n{res.stderr}\n"
                    f"--- server log ---\n{server.log_tail()}"
                )
        with server.admin_connect() as conn:  # the server really answers over TCP
            conn.execute("SELECT 1")
        ok = True
        return server
    finally:
        if not ok:
            server.stop()


def external_server(url: str) -> PgServer:
    server = PgServer(url=with_psycopg_driver(url))
    if not server.url.database:
        server.url = server.url.set(database="postgres")
    try:
        with server.admin_connect() as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise RuntimeError(f"cannot connect to {ENV_URL}={server.url!r}: {exc}") from exc
    return server


def obtain_server() -> PgServer:
    url = os.environ.get(ENV_URL, "").strip()
    return external_server(url) if url else start_server()


@contextlib.contextmanager
def fresh_database(server: PgServer):
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)
