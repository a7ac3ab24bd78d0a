"""What the account use cases share (``account_lifecycle``, ``account_signin``,
``account_tokens``): the roles and their words, the limits, the tables, the password hasher, the
signed-in ``Account`` and the strict readers of a login and a password."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select

from rules import ServiceError, TiepdanError
from rules.vietnamese import nfc
from scheduler.infra.db.models import ApiTokenRow, DeskSessionRow, UserRow
from scheduler.usecases.sessions import Actor

ROLES = ("staff", "supervisor", "admin", "mttq")
ROLE_VI = {
    "staff": "cán bộ tiếp dân",
    "supervisor": "giám sát",
    "admin": "quản trị",
    "mttq": "Ủy ban Mặt trận Tổ quốc",
}
# Consecutive failures after which an account waits LOCK_FOR between password checks. Above the
# per-address limit (scheduler.web.auth.ADDRESS_LIMIT), so that one address cannot reach it.
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=5)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte "password" is only a way to burn CPU
TOKEN_PREFIX = "tdn_"
# A token's last use is written at most this often, so that reading with a token stays a read.
TOKEN_TOUCH_EVERY = timedelta(minutes=5)
# A desk sign-in lasts one working day: a desk left signed in overnight is signed out.
DESK_SESSION_FOR = timedelta(hours=10)
LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")

_U = UserRow.__table__
_K = ApiTokenRow.__table__
_S = DeskSessionRow.__table__
hasher = PasswordHasher()


@functools.cache
def _dummy_hash_of(h: PasswordHasher) -> str:
    return h.hash(secrets.token_hex(16))


def dummy_hash() -> str:
    """A hash checked when the login is unknown, so that "no such account" takes as long as
    "wrong password". Made on first use, not at import: every CLI command imports this module,
    and an argon2 hash is a tenth of a second or more. The web app makes it at start-up
    (``create_app``), so the first unknown login is not the one slower answer."""
    return _dummy_hash_of(hasher)


class LoginError(TiepdanError):
    """Sign-in refused. The message never says whether the account exists, nor why."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


BAD_LOGIN = (
    "Tên đăng nhập hoặc mật khẩu không đúng. Sau nhiều lần sai liên tiếp, vui lòng chờ vài phút "
    "rồi thử lại, hoặc đề nghị quản trị viên mở khóa."
)
LOCKED = BAD_LOGIN  # the same words: a delayed account must not be told apart from a wrong password


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in account as the access rules see it."""

    id: int
    login: str
    role: str
    unit_id: str | None
    # A fingerprint of the password hash: a desk cookie made before a password change stops
    # working.
    stamp: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(name=self.login)


def stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class UserRecord(Protocol):
    """What the account use cases read of a row of ``users``."""

    @property
    def id(self) -> int: ...
    @property
    def login(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def unit_id(self) -> str | None: ...
    @property
    def password_hash(self) -> str: ...


def account_of(row: UserRecord) -> Account:
    return Account(row.id, row.login, row.role, row.unit_id, stamp(row.password_hash))


def normalize_login(login: str) -> str:
    return nfc(login.strip()).lower()


def check_password(password: str) -> str:
    password = nfc(password)
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự")
    if len(password) > MAX_PASSWORD:
        raise ServiceError(f"mật khẩu dài quá {MAX_PASSWORD} ký tự")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise ServiceError("mật khẩu không được chứa ký tự điều khiển")
    return password


def hasher_verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_row(conn: Connection, login: str) -> UserRecord:
    row = conn.execute(select(_U).where(_U.c.login == normalize_login(login))).first()
    if row is None:
        raise ServiceError(f"không có tài khoản {normalize_login(login)[:100]!r}")
    return row
