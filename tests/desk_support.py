"""Helpers for the desk and API tests (tests/test_desk_*.py, tests/test_api_*.py).

A real server: the app of ``scheduler.web.create_app`` served by uvicorn in a thread on
127.0.0.1, over an SQLite database planned by ``scheduler.usecases.planning.plan_year`` from a small
configuration written here (a province with two communes, and another province the supervisor
must not see), with one account per role and an API token for each.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine

from scheduler.infra.clock import local_today, now_utc
from scheduler.infra.config import Config, load_config
from scheduler.infra.db import open_database
from scheduler.usecases import accounts
from scheduler.usecases.planning import plan_year
from scheduler.usecases.sessions import Actor
from scheduler.web import create_app
from scheduler.web.edge import uvicorn_config

PASSWORD = "mật-khẩu-đủ-dài-1"
# Monday 2 March 2026, 09:00 in Hà Nội: xa-a's sessions of 10 and 25 March are ahead, those of
# January and February are past.
PINNED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)

CONFIG = """\
timezone = "Asia/Ho_Chi_Minh"
database = "sqlite:///desk.db"
outbox_dir = "outbox"

[calendar]
country = "VN"
roll    = "modified-following"

[levels.province]
name     = "Bí thư Tỉnh ủy"
min_days = 1
per      = "month"
basis    = "Quy định 11-QĐi/TW"

[levels.commune]
name     = "Bí thư Đảng ủy xã"
min_days = 2
per      = "month"
basis    = "Quy định 11-QĐi/TW; Kết luận 215-KL/TW"

[[units]]
id    = "tinh"
name  = "Tỉnh ủy Thử Nghiệm"
level = "province"
days  = [25]
time  = "07:30-11:30"
venue = "Trụ sở Tiếp công dân tỉnh"

[[units]]
id     = "xa-a"
name   = "Đảng ủy xã An Khánh"
level  = "commune"
parent = "tinh"
days   = [10, 25]
time   = "07:30-11:00"
venue  = "Trụ sở Đảng ủy xã An Khánh"

[[units]]
id     = "xa-b"
name   = "Đảng ủy xã Bình Minh"
level  = "commune"
parent = "tinh"
days   = [5, 20]
time   = "13:30-17:00"
venue  = "Trụ sở Đảng ủy xã Bình Minh"

[[units]]
id    = "tinh-khac"
name  = "Tỉnh ủy Khác"
level = "province"
days  = [15]
"""

ROLES = {
    "staff_a": ("staff", "xa-a"),
    "staff_b": ("staff", "xa-b"),
    "sup": ("supervisor", "tinh"),
    "admin": ("admin", None),
}


@dataclass
class Server:
    """A served app and what the tests need to drive it."""

    base: str
    config: Config
    engine: Engine
    app: Any
    tokens: dict[str, str] = field(default_factory=dict)
    _server: Any = None
    _thread: threading.Thread | None = None

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def now(self) -> datetime:
        clock = getattr(self.app.state, "clock", None)
        return clock() if clock is not None else now_utc()

    def today(self) -> date:
        return local_today(self.now(), self.config.timezone)

    def set_clock(self, clock: Callable[[], datetime] | None) -> None:
        self.app.state.clock = clock

    def client(self, **kw: Any) -> httpx.Client:
        # One connection per request: with the server in this process's thread, a kept-alive
        # connection waits ~40 ms per request on loopback (delayed ACKs), 10x the request itself.
        headers = {"Connection": "close"} | kw.pop("headers", {})
        return httpx.Client(base_url=self.base, follow_redirects=False, timeout=30, headers=headers, **kw)

    def signed_in(self, login: str, password: str = PASSWORD) -> httpx.Client:
        c = self.client()
        r = sign_in(c, login, password)
        assert r.status_code == 303, (r.status_code, r.text[:500])
        return c

    def api(self, role: str | None, token: str | None = None) -> httpx.Client:
        token = token if token is not None else (self.tokens[role] if role else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client(headers=headers)

    def sessions(self, unit: str, *, status: str | None = None) -> list[Any]:
        from scheduler.usecases.session_reads import list_sessions

        rows = list_sessions(self.engine, unit_ids=[unit])
        return [r for r in rows if status is None or r.status == status]

    def future_planned(self, unit: str, n: int = 0) -> Any:
        today = self.today()
        return [r for r in self.sessions(unit, status="planned") if r.date > today][n]

    def past_planned(self, unit: str, n: int = 0) -> Any:
        today = self.today()
        return [r for r in self.sessions(unit, status="planned") if r.date <= today][::-1][n]


def write_config(
    directory: Path, database: str | None = None, edit: Callable[[str], str] | None = None
) -> Path:
    """The desk's configuration in ``directory``; ``database`` (a URL) instead of desk.db;
    ``edit`` changes its text (a unit's contacts)."""
    path = directory / "config.toml"
    text = CONFIG if database is None else CONFIG.replace('"sqlite:///desk.db"', f'"{database}"')
    text = edit(text) if edit is not None else text
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def serve(
    directory: Path,
    *,
    clock: Callable[[], datetime] | None = (lambda: PINNED),
    database: str | None = None,
    edit: Callable[[str], str] | None = None,
) -> Iterator[Server]:
    """Plan the years around "today", create one account per role, and serve the app (over
    ``database``, a URL, when given: PostgreSQL from tests/pg.py)."""
    config = load_config(write_config(directory, database, edit))
    engine = open_database(config.database_url)
    now = clock() if clock is not None else now_utc()
    today = local_today(now, config.timezone)
    for year in (today.year - 1, today.year, today.year + 1):
        plan_year(engine, config, year, now=now, today=today, actor="test")
    admin = Actor("test-setup")
    tokens = {}
    for login, (role, unit) in ROLES.items():
        accounts.add_user(
            engine, config, login, role=role, unit_id=unit, password=PASSWORD, now=now, actor=admin
        )
        tokens[login] = accounts.create_token(engine, login, now=now, actor=admin)
    app = create_app(config, engine)
    app.state.clock = clock
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # The service's own edge settings (limits, trusted proxies), as ``tiepdan serve`` uses them.
    userver = uvicorn.Server(uvicorn_config(app, config, host="127.0.0.1", port=port, lifespan="off"))
    thread = threading.Thread(target=userver.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not userver.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    server = Server(f"http://127.0.0.1:{port}", config, engine, app, tokens, userver, thread)
    try:
        yield server
    finally:
        server.stop()
        sock.close()
        engine.dispose()


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def sign_in(c: httpx.Client, login: str, password: str) -> httpx.Response:
    page = c.get("/desk/")
    return c.post("/desk/login", data={"csrf": csrf_of(page.text), "login": login, "password": password})


def page_csrf(c: httpx.Client) -> str:
    """The CSRF token of a signed-in client (every desk page carries it in the sign-out form)."""
    r = c.get("/desk/")
    assert r.status_code == 200, r.status_code
    return csrf_of(r.text)


# Tables whose rows are the service's state: a refused request must leave all of them as they were.
STATE_TABLES = ("sessions", "log_entries", "audit", "plan_years", "notices", "outbox", "api_tokens")


_reflected: dict[str, MetaData] = {}


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    key = str(engine.url)
    meta = _reflected.get(key)
    if meta is None:
        meta = _reflected[key] = MetaData()
        meta.reflect(engine, only=list(STATE_TABLES))
    out = {}
    with engine.connect() as conn:
        for name in STATE_TABLES:
            table = meta.tables[name]
            cols = [c for c in table.c if c.name != "last_used_at"]  # reading with a token may touch it
            out[name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*table.primary_key.columns))]
    return out


def add_log_row(server: Server, session_id: int, **fields: Any) -> int:
    from scheduler.usecases.reception_log import add_entry

    data = {
        "full_name": "Nguyễn Thị Bí Mật",
        "address": "thôn 3, xã An Khánh",
        "id_number": "001234567890",
        "content": "Tranh chấp đất đai",
        "people": 1,
    } | fields
    return add_entry(
        server.engine, server.config, session_id, data, actor=Actor("test-setup"), now=server.now()
    )


@dataclass(frozen=True)
class Target:
    """Ids of one unit's objects that every route of the matrix is tried on."""

    unit: str
    planned: int  # a planned session ahead
    cancelled: int  # a cancelled session waiting for its make-up
    past: int  # a planned session already past, with a row in its log
    entry: int  # that log row
    free_day: date  # a free working day ahead, to move to
    adhoc_day: date  # another, for an ad hoc session
    makeup_day: date  # the first proposed make-up day of ``cancelled``


def add_mttq(server: Server, unit: str = "tinh") -> None:
    """An account of the Ủy ban MTTQ of ``unit`` (role ``mttq``), login "mttq", with a token."""
    now, admin = server.now(), Actor("test-setup")
    accounts.add_user(
        server.engine,
        server.config,
        "mttq",
        role="mttq",
        unit_id=unit,
        password=PASSWORD,
        now=now,
        actor=admin,
    )
    server.tokens["mttq"] = accounts.create_token(server.engine, "mttq", now=now, actor=admin)


def targets(server: Server) -> dict[str, Target]:
    from datetime import timedelta

    from scheduler.usecases import cancel_makeup
    from scheduler.usecases import sessions as uc

    out: dict[str, Target] = {}
    today = server.today()
    for unit in ("xa-a", "xa-b", "tinh", "tinh-khac"):
        planned = server.future_planned(unit, 1)
        to_cancel = server.future_planned(unit, 2)
        cancel_makeup.cancel(
            server.engine,
            server.config,
            to_cancel.id,
            reason="Thiết lập kiểm thử",
            actor=Actor("test-setup"),
            now=server.now(),
            today=today,
        )
        past = server.past_planned(unit)
        entry = add_log_row(server, past.id)
        proposal = uc.make_up_proposals(server.engine, server.config, to_cancel.id, today)[0].date
        taken = {r.date for r in server.sessions(unit)} | {proposal}
        free: list[date] = []
        d = today + timedelta(days=1)
        while len(free) < 2:
            if d not in taken and server.config.calendar.is_working_day(d):
                free.append(d)
            d += timedelta(days=1)
        out[unit] = Target(unit, planned.id, to_cancel.id, past.id, entry, free[0], free[1], proposal)
    return out


class InProcess:
    """A synchronous client of the app in this process, for tests that send thousands of
    requests (no socket, no server thread): httpx's ASGI transport on one event loop of its own
    thread. An exception the app raises reaches the caller (what a client would get as a 500)."""

    def __init__(self, app: Any, **kw: Any) -> None:
        self.app = app
        self.kw = {"base_url": "http://testserver", "follow_redirects": False} | kw
        self._portal_cm: Any = None

    def __enter__(self) -> InProcess:
        from anyio.from_thread import start_blocking_portal

        self._portal_cm = start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), **self.kw)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.portal.call(self.client.aclose)
        self._portal_cm.__exit__(*exc)

    @property
    def cookies(self) -> httpx.Cookies:
        return self.client.cookies

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        import functools

        return self.portal.call(functools.partial(self.client.request, method, url, **kw))

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)
