"""Who is asking: desk cookies, CSRF tokens, bearer tokens and the sign-in rate limit.

The desk keeps no server-side sessions. Its cookie is a payload signed with itsdangerous
(timestamped, so it expires), HttpOnly, SameSite=Lax and limited to ``/desk``; it carries the
account id, a fingerprint of the account's password hash (a password change signs every device
out) and the CSRF token, which every form sends back (session-bound synchronizer token).

The signing key comes from the environment (``TIEPDAN_SECRET``), else from a key file created
once beside the database, so that every worker and every restart agrees on it.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from threading import Lock
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.engine import make_url
from starlette.requests import HTTPConnection
from starlette.responses import Response

from scheduler import accounts
from scheduler.accounts import Account
from scheduler.config import Config

COOKIE = "tiepdan_desk"
COOKIE_PATH = "/desk"
MAX_AGE = 10 * 3600  # one working day: a desk left signed in overnight is signed out
SECRET_ENV = "TIEPDAN_SECRET"
KEY_FILE = "tiepdan-secret.key"
_SALT = "tiepdan.desk.v1"


def key_file_path(config: Config) -> Path:
    """Beside the SQLite database; beside the configuration for a server database."""
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / KEY_FILE
    return config.path.resolve().parent / KEY_FILE


def load_secret(config: Config) -> str:
    env = os.environ.get(SECRET_ENV, "")
    if env:
        if len(env) < 32:
            raise RuntimeError(f"{SECRET_ENV} phải dài ít nhất 32 ký tự")
        return env
    path = key_file_path(config)
    try:
        # O_EXCL: two workers starting together cannot each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    for _ in range(50):  # the other worker may be between creating and writing the file
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(0.02)
    raise RuntimeError(f"tệp khóa {path} rỗng")


def _serializer(request: HTTPConnection) -> URLSafeTimedSerializer:
    state = request.app.state
    ser = getattr(state, "desk_serializer", None)
    if ser is None:
        ser = URLSafeTimedSerializer(load_secret(state.config), salt=_SALT)
        state.desk_serializer = ser
    return ser


def read_cookie(request: HTTPConnection) -> dict[str, Any]:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 4096:
        return {}
    try:
        data = _serializer(request).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def write_cookie(request: HTTPConnection, response: Response, data: dict[str, Any]) -> None:
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(data),
        max_age=MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, httponly=True, samesite="lax")


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: dict[str, Any], sent: object) -> bool:
    expected = cookie.get("c")
    return (
        isinstance(expected, str)
        and isinstance(sent, str)
        and bool(expected)
        and hmac.compare_digest(expected.encode(), sent.encode())
    )


class AccountCache:
    """Accounts found by id or token, kept ``ttl`` seconds.

    Every desk page and API call names its account; on SQLite each lookup is a connection of its
    own, as much work as the page's own query. A password change (the stamp) or a new lock is
    therefore seen up to ``ttl`` seconds late by a cookie or token already in use; signing in
    always reads the database.
    """

    def __init__(self, *, ttl: float = 10.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[tuple[str, object], tuple[float, Account]] = OrderedDict()
        self._lock = Lock()

    def get(self, key: tuple[str, object]) -> Account | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            hit = self._items.get(key)
            if hit is None or hit[0] < time.monotonic():
                return None
            return hit[1]

    def put(self, key: tuple[str, object], account: Account) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, account)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def account_cache(request: HTTPConnection) -> AccountCache:
    state = request.app.state
    cache = getattr(state, "account_cache", None)
    if cache is None:
        cache = state.account_cache = AccountCache()
    return cache


def desk_account(request: HTTPConnection, cookie: dict[str, Any]) -> Account | None:
    uid = cookie.get("u")
    if not isinstance(uid, int):
        return None
    cache = account_cache(request)
    account = cache.get(("u", uid))
    if account is None:
        account = accounts.get_user(request.app.state.engine, uid)
        if account is None:
            return None
        cache.put(("u", uid), account)
    if not hmac.compare_digest(account.stamp, str(cookie.get("s", ""))):
        return None
    return account


def token_account(request: HTTPConnection, token: str, now: datetime) -> Account | None:
    cache = account_cache(request)
    key = ("t", accounts.token_hash(token))
    account = cache.get(key)
    if account is None:
        account = accounts.account_for_token(request.app.state.engine, token, now=now)
        if account is not None:
            cache.put(key, account)
    return account


def bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_address(request: HTTPConnection) -> str:
    # uvicorn has already replaced this with X-Forwarded-For when the peer is a trusted proxy.
    return request.client.host if request.client else "unknown"


class AddressLimiter:
    """Sign-in failures per client address, in memory (per process).

    ``limit`` failures within ``window`` seconds block the address for ``window`` seconds. An
    attempt is counted as a failure when it starts and given back when it succeeds, so that
    parallel guesses are limited too. At most ``max_addresses`` are remembered.
    """

    def __init__(self, *, limit: int = 10, window: float = 900.0, max_addresses: int = 50_000) -> None:
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self._failures: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = Lock()

    def _recent(self, address: str, now: float) -> list[float]:
        stamps = [t for t in self._failures.get(address, ()) if now - t < self.window]
        if stamps:
            self._failures[address] = stamps
            self._failures.move_to_end(address)
        else:
            self._failures.pop(address, None)
        return stamps

    def begin(self, address: str, now: float | None = None) -> float | None:
        """Reserve an attempt; returns None if allowed, else the time the address is blocked."""
        now = time.monotonic() if now is None else now
        with self._lock:
            stamps = self._recent(address, now)
            if len(stamps) >= self.limit:
                return stamps[-1] + self.window
            self._failures.setdefault(address, []).append(now)
            self._failures.move_to_end(address)
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)
            return None

    def succeeded(self, address: str) -> None:
        with self._lock:
            stamps = self._failures.get(address)
            if stamps:
                stamps.pop()


def limiter(request: HTTPConnection) -> AddressLimiter:
    state = request.app.state
    lim = getattr(state, "login_limiter", None)
    if lim is None:
        lim = state.login_limiter = AddressLimiter()
    return lim


def set_security_headers(response: Response) -> None:
    # No inline script or style anywhere on the desk: a stored <script> in a citizen's
    # complaint could not run even if escaping failed somewhere.
    response.headers["content-security-policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["x-frame-options"] = "DENY"
    response.headers["x-content-type-options"] = "nosniff"
    response.headers["referrer-policy"] = "same-origin"
    # Pages with citizens' names must not stay in a shared computer's cache.
    response.headers["cache-control"] = "no-store"
