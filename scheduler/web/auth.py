"""Who is asking: desk cookies, CSRF tokens, bearer tokens and the sign-in rate limit.

The desk's cookie is a payload signed with itsdangerous (timestamped, so it expires), HttpOnly,
SameSite=Lax and limited to ``/desk``; it carries the account id, the key of a server-side
sign-in (``scheduler.usecases.accounts.start_desk_session``: signing out, disabling the account or a new
password ends it, wherever the cookie was copied), a fingerprint of the password hash, and the
CSRF token, which every form sends back (session-bound synchronizer token). Every request reads
the account: a disabled account or a revoked token stops at the next request.

The signing key comes from the environment (``TIEPDAN_SECRET``), else from a key file created
once beside the database, so that every worker and every restart agrees on it.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from threading import Lock

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.engine import make_url
from starlette.requests import HTTPConnection
from starlette.responses import Response

from notifiers.safe import remember_secret
from rules import ConfigError
from scheduler.infra.clock import monotonic
from scheduler.infra.config import Config
from scheduler.usecases import accounts
from scheduler.usecases.accounts import Account

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


MIN_SECRET = 32


def check_secret(config: Config) -> None:
    """What ``load_secret`` would refuse, without creating the key file (``tiepdan check``)."""
    env = os.environ.get(SECRET_ENV, "")
    if env:
        if len(env) < MIN_SECRET:
            raise ConfigError(f"{SECRET_ENV} phải dài ít nhất {MIN_SECRET} ký tự (đang có {len(env)})")
        return
    path = key_file_path(config)
    if path.exists():
        load_secret(config)


def load_secret(config: Config) -> str:
    """The cookie-signing key; a ConfigError of one line if it is unusable (found at start-up)."""
    env = os.environ.get(SECRET_ENV, "")
    if env:
        if len(env) < MIN_SECRET:
            raise ConfigError(f"{SECRET_ENV} phải dài ít nhất {MIN_SECRET} ký tự (đang có {len(env)})")
        remember_secret(env)
        return env
    path = key_file_path(config)
    try:
        # O_EXCL: two workers starting together cannot each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigError(f"không tạo được tệp khóa {path} ({exc.strerror or exc})") from None
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    text = ""
    for _ in range(50):  # the other worker may be between creating and writing the file
        try:
            text = path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError as exc:
            raise ConfigError(f"không đọc được tệp khóa {path} ({exc.strerror or exc})") from None
        if text:
            break
        time.sleep(0.02)
    if not text:
        raise ConfigError(f"tệp khóa {path} rỗng: xóa tệp để tạo khóa mới, hoặc đặt {SECRET_ENV}")
    if len(text) < MIN_SECRET:
        raise ConfigError(f"tệp khóa {path} ngắn quá (cần ít nhất {MIN_SECRET} ký tự)")
    remember_secret(text)
    return text


def _serializer(request: HTTPConnection) -> URLSafeTimedSerializer:
    state = request.app.state
    ser = getattr(state, "desk_serializer", None)
    if ser is None:
        ser = URLSafeTimedSerializer(load_secret(state.config), salt=_SALT)
        state.desk_serializer = ser
    return ser


# The desk's signed cookie: "c" the CSRF token, "u" the account, "k" the sign-in's key, "s" the
# account's stamp; read back as anything (``isinstance`` before use).
Cookie = dict[str, object]


def read_cookie(request: HTTPConnection) -> Cookie:
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 4096:
        return {}
    try:
        data = _serializer(request).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def write_cookie(request: HTTPConnection, response: Response, data: Cookie) -> None:
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


def csrf_ok(cookie: Cookie, sent: object) -> bool:
    expected = cookie.get("c")
    return (
        isinstance(expected, str)
        and isinstance(sent, str)
        and bool(expected)
        and hmac.compare_digest(expected.encode(), sent.encode())
    )


def desk_account(request: HTTPConnection, cookie: Cookie, now: datetime) -> Account | None:
    """The account of a live sign-in whose cookie this is; read from the database every time."""
    uid, key = cookie.get("u"), cookie.get("k")
    if not isinstance(uid, int) or not isinstance(key, str):
        return None
    account = accounts.account_for_desk_session(request.app.state.engine, uid, key, now=now)
    if account is None or not hmac.compare_digest(account.stamp, str(cookie.get("s", ""))):
        return None
    return account


def token_account(request: HTTPConnection, token: str, now: datetime) -> Account | None:
    return accounts.account_for_token(request.app.state.engine, token, now=now)


def bearer_token(request: HTTPConnection) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_address(request: HTTPConnection) -> str:
    # uvicorn has replaced the peer with X-Forwarded-For only when the peer is one of
    # [http] trusted_proxies (scheduler.web.edge.uvicorn_config); otherwise it is the peer.
    return request.client.host if request.client else "unknown"


# Sign-in failures an address may have in ADDRESS_WINDOW seconds: below accounts.LOCK_AFTER, so
# that one address cannot start an account's delay.
ADDRESS_LIMIT = 5
ADDRESS_WINDOW = 900.0


class AddressLimiter:
    """Sign-in failures per client address, in memory (per process).

    ``limit`` failures within ``window`` seconds block the address for ``window`` seconds. An
    attempt is counted as a failure when it starts and given back when it succeeds, so that
    parallel guesses are limited too. At most ``max_addresses`` are remembered.
    """

    def __init__(
        self,
        *,
        limit: int = ADDRESS_LIMIT,
        window: float = ADDRESS_WINDOW,
        max_addresses: int = 50_000,
        clock: Callable[[], float] = monotonic,
    ) -> None:
        self.clock = clock  # seconds that only go forward (scheduler.infra.clock.monotonic)
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
        now = self.clock() if now is None else now
        with self._lock:
            stamps = self._recent(address, now)
            if len(stamps) >= self.limit:
                return stamps[-1] + self.window
            self._failures.setdefault(address, []).append(now)
            self._failures.move_to_end(address)
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)
            return None

    def minutes_left(self, blocked_until: float) -> int:
        """Whole minutes (at least one) until an address blocked until ``blocked_until`` may try again."""
        return max(1, round((blocked_until - self.clock()) / 60))

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
