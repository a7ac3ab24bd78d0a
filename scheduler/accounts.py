"""Desk accounts (tài khoản) and API tokens: creating, signing in, locking out.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile). API
tokens are random (256 bits), shown once, and stored only as their SHA-256: a stolen database
gives no usable token, and a token needs no slow hash because it is not guessable.

Sign-in failures are counted per account in the database: after ``LOCK_AFTER`` failures the
account is locked for ``LOCK_FOR``. The counter is raised *before* the password is checked, so
that a burst of parallel guesses cannot slip past the limit while the hashes are being checked.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from rules import ServiceError, TiepdanError
from rules.vietnamese import nfc
from scheduler.audit import write_audit
from scheduler.clock import as_utc
from scheduler.config import Config
from scheduler.db import reading
from scheduler.db.models import ApiTokenRow, UserRow
from scheduler.sessions import Actor

ROLES = ("staff", "supervisor", "admin")
ROLE_VI = {"staff": "cán bộ tiếp dân", "supervisor": "giám sát", "admin": "quản trị"}
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes anything, but a megabyte "password" is only a way to burn CPU
TOKEN_PREFIX = "tdn_"
# A token's last use is written at most this often, so that reading with a token stays a read.
TOKEN_TOUCH_EVERY = timedelta(minutes=5)
LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,99}$")

_U = UserRow.__table__
_K = ApiTokenRow.__table__
_hasher = PasswordHasher()
# Checked when the login is unknown, so that "no such account" takes as long as "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class LoginError(TiepdanError):
    """Sign-in refused. The message never says whether the account exists."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


BAD_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút."


@dataclass(frozen=True, slots=True)
class Account:
    """A signed-in account as the access rules see it."""

    id: int
    login: str
    role: str
    unit_id: str | None
    # A fingerprint of the password hash: a desk cookie made before a password change stops
    # working, without keeping server-side sessions.
    stamp: str = ""

    @property
    def actor(self) -> Actor:
        return Actor(name=self.login)


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _account(row: object) -> Account:
    return Account(
        row.id,  # type: ignore[attr-defined]
        row.login,  # type: ignore[attr-defined]
        row.role,  # type: ignore[attr-defined]
        row.unit_id,  # type: ignore[attr-defined]
        _stamp(row.password_hash),  # type: ignore[attr-defined]
    )


def normalize_login(login: str) -> str:
    return nfc(login.strip()).lower()


def check_password(password: str) -> str:
    password = nfc(password)
    if len(password) < MIN_PASSWORD:
        raise ServiceError(f"mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự")
    if len(password) > MAX_PASSWORD:
        raise ServiceError(f"mật khẩu dài quá {MAX_PASSWORD} ký tự")
    return password


def add_user(
    engine: Engine,
    config: Config,
    login: str,
    *,
    role: str,
    unit_id: str | None,
    password: str,
    now: datetime,
    actor: Actor,
) -> Account:
    """Create an account; staff and supervisors belong to a unit of the configuration."""
    login = normalize_login(login)
    if not LOGIN.match(login):
        raise ServiceError(f"tên đăng nhập {login!r} chỉ gồm chữ không dấu, số và . _ @ - (tối đa 100 ký tự)")
    if role not in ROLES:
        raise ServiceError(f"vai trò phải là một trong {', '.join(ROLES)}, không phải {role!r}")
    if role == "admin":
        if unit_id:
            raise ServiceError("tài khoản quản trị (admin) không gắn với đơn vị; bỏ --unit")
        unit_id = None
    else:
        if not unit_id:
            raise ServiceError(f"tài khoản {role} cần --unit (đơn vị phụ trách)")
        config.unit(unit_id)  # raises ConfigError naming the file
    password_hash = _hasher.hash(check_password(password))
    try:
        with engine.begin() as conn:
            new_id = conn.execute(
                insert(_U).returning(_U.c.id),
                {
                    "login": login,
                    "role": role,
                    "unit_id": unit_id,
                    "password_hash": password_hash,
                    "created_at": now,
                    "failed_logins": 0,
                    "locked_until": None,
                },
            ).scalar_one()
            write_audit(
                conn, at=now, actor=actor.name, action="user_add", unit_id=unit_id, login=login, role=role
            )
    except IntegrityError:
        raise ServiceError(f"tên đăng nhập {login!r} đã có") from None
    return Account(new_id, login, role, unit_id, _stamp(password_hash))


def list_users(engine: Engine) -> list[Account]:
    with reading(engine) as conn:
        return [_account(r) for r in conn.execute(select(_U).order_by(_U.c.login))]


def get_user(engine: Engine, user_id: int) -> Account | None:
    with reading(engine) as conn:
        row = conn.execute(select(_U).where(_U.c.id == user_id)).first()
    return _account(row) if row is not None else None


def authenticate(engine: Engine, login: str, password: str, *, now: datetime) -> Account:
    """The account if the password is right and the account is not locked; else LoginError."""
    login = normalize_login(login)
    password = nfc(password)
    if not login or len(login) > 100 or len(password) > MAX_PASSWORD:
        _hasher_verify(_DUMMY_HASH, password[:MAX_PASSWORD])
        raise LoginError(BAD_LOGIN)
    with engine.begin() as conn:
        row = conn.execute(select(_U).where(_U.c.login == login)).first()
        if row is not None:
            locked_until = as_utc(row.locked_until) if row.locked_until else None
            if locked_until is not None and locked_until > now:
                raise LoginError(LOCKED, locked=True)
            # Count this attempt as failed until the password proves otherwise (see module doc).
            failed = (0 if locked_until is not None else row.failed_logins) + 1
            conn.execute(
                update(_U)
                .where(_U.c.id == row.id)
                .values(
                    failed_logins=failed,
                    locked_until=now + LOCK_FOR if failed >= LOCK_AFTER else None,
                )
            )
    if row is None:
        _hasher_verify(_DUMMY_HASH, password)
        raise LoginError(BAD_LOGIN)
    if not _hasher_verify(row.password_hash, password):
        if failed >= LOCK_AFTER:
            raise LoginError(LOCKED, locked=True)
        raise LoginError(BAD_LOGIN)
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if _hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = _hasher.hash(password)
    with engine.begin() as conn:
        conn.execute(update(_U).where(_U.c.id == row.id).values(**values))
        fresh = conn.execute(select(_U).where(_U.c.id == row.id)).one()
    return _account(fresh)


def _hasher_verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: Engine, login: str, *, now: datetime, actor: Actor) -> str:
    """A new API token for ``login``; only its hash is stored, so it can be shown only now."""
    login = normalize_login(login)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user = conn.execute(select(_U.c.id, _U.c.unit_id).where(_U.c.login == login)).first()
        if user is None:
            raise ServiceError(f"không có tài khoản {login!r}")
        conn.execute(
            insert(_K),
            {"user_id": user.id, "token_hash": token_hash(token), "created_at": now, "last_used_at": None},
        )
        write_audit(conn, at=now, actor=actor.name, action="token_create", unit_id=user.unit_id, login=login)
    return token


def account_for_token(engine: Engine, token: str, *, now: datetime) -> Account | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = token_hash(token)
    with reading(engine) as conn:
        row = conn.execute(
            select(_U, _K.c.id.label("token_id"), _K.c.last_used_at)
            .join(_K, _K.c.user_id == _U.c.id)
            .where(_K.c.token_hash == digest)
        ).first()
    if row is None:
        return None
    if row.last_used_at is None or as_utc(row.last_used_at) + TOKEN_TOUCH_EVERY < now:
        with engine.begin() as conn:
            conn.execute(update(_K).where(_K.c.id == row.token_id).values(last_used_at=now))
    return _account(row)
