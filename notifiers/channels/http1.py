"""A small HTTP/1.1 client on asyncio streams, for an SMS gateway reached over plain HTTP (an
internal relay, a test gateway): POST a body, read the answer, keep the connection for the next.

httpx costs about 2 ms of CPU a request (its models, httpcore's pool and anyio's streams),
about as much as building an e-mail; this costs about a tenth of that. It does only what the
SMS channel needs: ``http://`` URLs, POST with a Content-Length body, answers with a
Content-Length, chunked, or read to the end of the connection; keep-alive, a pool of at most
``connections`` connections, one timeout for a whole request. Redirects are not followed (a
redirect means a wrong URL: never resend a POST blindly). Anything over TLS stays with httpx.

A request is never sent twice here: a connection that fails mid-request is closed and the
error returned; the outbox decides about a retry (with the same request id, which the gateway
de-duplicates).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from urllib.parse import urlsplit

_MAX_HEADERS = 100
_MAX_LINE = 65536


class HttpError(Exception):
    """The request could not be completed (connection refused or cut, a malformed answer)."""


class HttpTimeout(HttpError):
    """No complete answer within the timeout."""


class Answer:
    """A gateway's answer: ``status_code``, ``headers`` (lower-case names), ``content``."""

    __slots__ = ("content", "headers", "status_code")

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code, self.headers, self.content = status_code, headers, content


class _Conn:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def usable(self) -> bool:
        # The server closed it while it sat idle (its keep-alive ran out): never write into it.
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


class Http1Client:
    """Keep-alive POSTs to one ``http://host:port`` (the URL's); ``headers`` go with every request."""

    def __init__(self, url: str, *, headers: Mapping[str, str], timeout: float, connections: int) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"Http1Client needs an http:// URL with a host, not {url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.netloc.rpartition("@")[2]
        fixed = {"Host": host_header, "User-Agent": "tiepdan", "Accept": "*/*", **headers}
        self._head = "".join(f"{k}: {v}\r\n" for k, v in fixed.items())
        self.timeout = timeout
        self._idle: list[_Conn] = []
        self._slots = asyncio.Semaphore(max(1, connections))

    async def post(self, body: bytes, content_type: str = "application/json") -> Answer:
        """POST ``body`` to the URL; raises ``HttpTimeout`` or ``HttpError``."""
        head = (
            f"POST {self.path} HTTP/1.1\r\n{self._head}Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        async with self._slots:
            conn: _Conn | None = None
            try:
                async with asyncio.timeout(self.timeout):
                    conn = await self._connection()
                    conn.writer.write(head + body)
                    await conn.writer.drain()
                    answer, keep = await _read_answer(conn.reader)
            except TimeoutError:
                if conn is not None:
                    conn.close()
                raise HttpTimeout(f"không có trả lời sau {self.timeout:g} giây") from None
            except (OSError, EOFError, ValueError) as exc:  # a cut read: EOFError; a long line: ValueError
                if conn is not None:
                    conn.close()
                raise HttpError(f"{type(exc).__name__}: {exc}") from None
            except BaseException:
                if conn is not None:
                    conn.close()
                raise
            if keep:
                self._idle.append(conn)
            else:
                conn.close()
            return answer

    async def _connection(self) -> _Conn:
        while self._idle:
            conn = self._idle.pop()
            if conn.usable():
                return conn
            conn.close()
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=_MAX_LINE)
        return _Conn(reader, writer)

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        for conn in idle:
            with contextlib.suppress(OSError):
                await conn.writer.wait_closed()


async def _read_answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    """The status, headers and body of one answer; whether the connection may be reused."""
    status_line = await reader.readline()
    if not status_line:
        raise EOFError("máy chủ đóng kết nối trước khi trả lời")
    version, _, rest = status_line.decode("latin-1").partition(" ")
    code = rest.strip().split(" ", 1)[0]
    if not version.startswith("HTTP/1.") or not code.isdigit() or len(code) != 3:
        raise ValueError(f"trả lời không phải HTTP: {status_line[:80]!r}")
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADERS):
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise EOFError("kết nối đóng giữa phần đầu của câu trả lời")
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon:
            raise ValueError(f"dòng đầu không hợp lệ: {line[:80]!r}")
        key = name.strip().lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    else:
        raise ValueError("quá nhiều dòng đầu")
    status = int(code)
    keep = version != "HTTP/1.0" and "close" not in headers.get("connection", "").lower()
    if version == "HTTP/1.0" and "keep-alive" in headers.get("connection", "").lower():
        keep = True
    if status in (204, 304) or 100 <= status < 200:
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunked(reader)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if length < 0:
            raise ValueError("Content-Length âm")
        body = await reader.readexactly(length)
    else:
        body = await reader.read()  # to the end of the connection
        keep = False
    return Answer(status, headers, body), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    out = bytearray()
    while True:
        size_line = await reader.readline()
        if not size_line:
            raise EOFError("kết nối đóng giữa câu trả lời")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return bytes(out)
        out += await reader.readexactly(size)
        await reader.readexactly(2)
