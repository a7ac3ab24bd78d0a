"""The HTTP edge: security headers on every route, links from the configuration only (never the
request's Host), X-Forwarded-For only from configured proxies, a deadline for half-sent requests
so that slow clients cannot starve the others, and a busy database answered with 503."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from desk_support import CONFIG, PASSWORD, PINNED, csrf_of

from scheduler.infra.clock import local_today
from scheduler.infra.config import load_config
from scheduler.infra.db import create, open_database
from scheduler.usecases import accounts
from scheduler.usecases.planning import plan_year
from scheduler.usecases.sessions import Actor
from scheduler.web import create_app
from scheduler.web.edge import uvicorn_config

HTTP = """
[http]
request_timeout = 1
max_connections = 100
"""


@contextmanager
def served(directory: Path, extra: str = HTTP, *, busy_timeout: float | None = None) -> Iterator[Any]:
    path = directory / "config.toml"
    path.write_text(CONFIG + extra, encoding="utf-8")
    config = load_config(path)
    engine = open_database(config.database_url)
    today = local_today(PINNED, config.timezone)
    plan_year(engine, config, today.year, now=PINNED, today=today, actor="test")
    accounts.add_user(
        engine,
        config,
        "staff_a",
        role="staff",
        unit_id="xa-a",
        password=PASSWORD,
        now=PINNED,
        actor=Actor("t"),
    )
    if busy_timeout is not None:
        engine.dispose()
        engine = create(config.database_url, busy_timeout=busy_timeout)
    app = create_app(config, engine)
    app.state.clock = lambda: PINNED
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(app, config, host="127.0.0.1", port=port, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield type("S", (), {"base": f"http://127.0.0.1:{port}", "port": port, "app": app, "config": config})
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        engine.dispose()


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with served(tmp_path_factory.mktemp("edge")) as s:
        yield s


def _client(base: str, **kw: Any) -> httpx.Client:
    return httpx.Client(
        base_url=base, timeout=10, headers={"Connection": "close"} | kw.pop("headers", {}), **kw
    )


@pytest.mark.parametrize(
    "path",
    [
        "/board/xa-a",
        "/board/khong-co",
        "/ics/xa-a.ics",
        "/ics/khong-co.ics",
        "/healthz",
        "/api/me",
        "/desk/",
        "/nowhere",
    ],
)
def test_every_route_sends_the_security_headers(edge: Any, path: str) -> None:
    with _client(edge.base) as c:
        r = c.get(path)
    h = r.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert "script-src 'self'" in h["content-security-policy"]
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"]


def test_links_never_come_from_the_host_header(edge: Any) -> None:
    with _client(edge.base) as c:
        board = c.get("/board/xa-a", headers={"Host": "evil.example"})
        feed = c.get("/ics/xa-a.ics", headers={"Host": "evil.example"})
        plain = c.get("/board/xa-a")
    assert board.status_code == feed.status_code == 200
    assert "evil.example" not in board.text and "evil.example" not in feed.text
    assert board.text == plain.text  # one rendering, whatever the Host
    assert f"http://127.0.0.1:{edge.config.http_port}/ics/xa-a.ics" in board.text


def _sign_in(c: httpx.Client, password: str = "sai-mat-khau", **headers: str) -> int:
    page = c.get("/desk/")
    r = c.post(
        "/desk/login",
        data={"csrf": csrf_of(page.text), "login": "staff_a", "password": password},
        headers=headers,
    )
    return r.status_code


def test_forwarded_for_is_ignored_unless_the_proxy_is_named(edge: Any, tmp_path: Path) -> None:
    from scheduler.web.auth import ADDRESS_LIMIT

    with _client(edge.base) as c:
        codes = [_sign_in(c, **{"X-Forwarded-For": f"10.9.0.{i}"}) for i in range(ADDRESS_LIMIT + 1)]
    assert codes[:ADDRESS_LIMIT] == [401] * ADDRESS_LIMIT and codes[-1] == 429  # one address: loopback
    with served(tmp_path, HTTP + 'trusted_proxies = ["127.0.0.1"]\n') as proxied, _client(proxied.base) as c:
        codes = [_sign_in(c, **{"X-Forwarded-For": f"10.9.0.{i}"}) for i in range(ADDRESS_LIMIT + 1)]
        assert codes == [401] * (ADDRESS_LIMIT + 1)  # as many addresses as guesses, through the proxy


def _half_sent(port: int, n: int) -> list[socket.socket]:
    out = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /board/xa-a HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        out.append(s)
    return out


def _all_closed(sockets: list[socket.socket]) -> bool:
    closed = 0
    for s in sockets:
        s.settimeout(3)
        try:
            closed += s.recv(1) == b""
        except (ConnectionResetError, TimeoutError):
            closed += 1
    return closed == len(sockets)


def test_half_sent_requests_are_closed_and_others_are_answered(edge: Any) -> None:
    """Clients that send half a request head and stop: the server goes on answering others at
    once, and closes the slow ones after request_timeout (1 s here)."""
    slow = _half_sent(edge.port, 80)  # under max_connections = 100
    try:
        started = time.monotonic()
        with _client(edge.base) as c:
            for _ in range(5):
                assert c.get("/healthz").status_code == 200
        assert time.monotonic() - started < 5
        time.sleep(2.0)
        assert _all_closed(slow)
    finally:
        for s in slow:
            s.close()


def test_a_flood_of_half_sent_requests_holds_no_sockets_and_passes(edge: Any) -> None:
    """Far more half-sent requests than the limit: those beyond limit + slack are closed at
    once (no file descriptors hoarded), the rest after request_timeout; then all is served."""
    flood = _half_sent(edge.port, 400)
    try:
        time.sleep(2.0)
        assert _all_closed(flood)
        with _client(edge.base) as c:
            assert c.get("/healthz").status_code == 200
    finally:
        for s in flood:
            s.close()


def test_a_busy_database_is_a_503_that_says_to_retry_and_reads_go_on(tmp_path: Path) -> None:
    with served(tmp_path, busy_timeout=0.3) as s, _client(s.base) as c:
        assert _sign_in(c, PASSWORD) == 303
        from scheduler.usecases.session_reads import list_sessions

        ahead = [r for r in list_sessions(s.app.state.engine, unit_ids=["xa-a"]) if r.date > PINNED.date()]
        session_id = ahead[0].id
        db = s.config.database_url.removeprefix("sqlite:///")
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing
        try:
            assert c.get("/desk/units/xa-a").status_code == 200  # reads need no write lock
            assert c.get("/board/xa-a").status_code == 200
            page = c.get(f"/desk/sessions/{session_id}")
            assert page.status_code == 200
            r = c.post(
                f"/desk/sessions/{session_id}/cancel",
                data={"csrf": csrf_of(page.text), "reason": "bận", "confirm": "1"},
            )
            assert r.status_code == 503 and "thử lại" in r.text
            with _client(s.base) as other:
                assert _sign_in(other, PASSWORD) == 503
        finally:
            holder.execute("ROLLBACK")
            holder.close()
