"""The HTTP edge: what stands between the network and the app.

- **Limits** (uvicorn's own settings, plus the one it lacks). ``timeout_keep_alive`` closes an
  idle kept-alive connection; ``limit_concurrency`` answers 503 once that many connections or
  requests are open; ``h11_max_incomplete_event_size`` bounds a request's head (16 KiB). uvicorn
  has no deadline for receiving a request, so a client that sends half a request holds its
  socket forever: :class:`EdgeProtocol` closes a connection whose request has not fully arrived
  ``request_timeout`` seconds after the connection opened (or after the previous response), and
  refuses connections beyond ``limit_concurrency + CONNECTION_SLACK`` at once, so half-sent
  requests cannot exhaust the process's file descriptors.
- **Client address**: ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed only from the
  proxies named in ``[http] trusted_proxies`` (uvicorn's ``proxy_headers`` and
  ``forwarded_allow_ips``); with none named, from nobody.
- **Security headers** on every response (:class:`SecurityHeaders`): a response that sets its
  own (the desk's stricter policy) keeps them.
- **The port**: bound before "đang chạy" is printed, so a busy port is one line.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from rules import ConfigError
from scheduler.infra.config import Config

REQUEST_TIMEOUT = 10.0  # seconds to send a whole request (head and body)
KEEP_ALIVE = 5  # seconds an idle kept-alive connection stays open
MAX_CONNECTIONS = 200  # default [http] max_connections: 503 beyond it
CONNECTION_SLACK = 50  # beyond limit + slack, a new connection is closed without a word
MAX_HEAD = 16 * 1024  # bytes of request line and headers

# Public pages (board, feed, errors): no script of anyone's, the board's own inline style, no
# framing. The desk sends its stricter policy itself (scheduler.web.auth.set_security_headers).
PUBLIC_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = (
    (b"content-security-policy", PUBLIC_CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """ASGI middleware: the security headers on every response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((n, v) for n, v in HEADERS if n not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class EdgeProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request and a hard cap on connections."""

    request_timeout: float = REQUEST_TIMEOUT
    hard_limit: int | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        if self.hard_limit is not None and len(self.connections) > self.hard_limit:
            transport.close()
            return
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        deadline = getattr(self, "_deadline", None)
        if deadline is not None:
            deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and not self.transport.is_closing():
            # Nothing useful can be said to a client that has not finished asking.
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm()  # the whole request is in: the app's own time does not count

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def protocol_class(*, request_timeout: float, limit: int) -> type[EdgeProtocol]:
    return type(
        "ConfiguredEdgeProtocol",
        (EdgeProtocol,),
        {"request_timeout": request_timeout, "hard_limit": limit + CONNECTION_SLACK},
    )


def uvicorn_config(app: Any, config: Config, **overrides: Any) -> uvicorn.Config:
    """The one uvicorn configuration, for ``serve`` and for the tests that serve the app."""
    limit = config.http_max_connections
    trusted = list(config.trusted_proxies)
    options: dict[str, Any] = {
        "host": config.http_host,
        "port": config.http_port,
        "http": protocol_class(request_timeout=config.http_request_timeout, limit=limit),
        "timeout_keep_alive": KEEP_ALIVE,
        "limit_concurrency": limit,
        "h11_max_incomplete_event_size": MAX_HEAD,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or [],
        "server_header": False,
        "log_level": "warning",
        "access_log": False,
    } | overrides
    return uvicorn.Config(app, **options)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, or one line saying why not (a busy port, a wrong address)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ConfigError(
                f"http: cổng {port} trên {host} đang được một chương trình khác dùng; "
                "dừng chương trình đó hoặc chọn cổng khác ([http] port, --port)"
            ) from None
        raise ConfigError(f"http: không mở được {host}:{port} ({exc.strerror or exc})") from None
    sock.set_inheritable(True)
    return sock
