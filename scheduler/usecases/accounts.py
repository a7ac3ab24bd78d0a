"""Desk accounts (tài khoản) and API tokens: their life cycle, signing in, throttling.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile). API
tokens are random (256 bits), shown once, and stored only as their SHA-256: a stolen database
gives no usable token, and a token needs no slow hash because it is not guessable. A token may
expire and may be revoked; a disabled account's tokens and desk sign-ins stop at once, because
every request reads the account (no cache in front of it).

Desk sign-ins are server-side (``desk_sessions``): the cookie carries a random key whose SHA-256
is stored, so signing out, disabling the account, a new password or ``user remove`` end it.

Sign-in throttling, so that nobody learns which logins exist and a stranger cannot keep a clerk
out: per client address first (``scheduler.web.auth.AddressLimiter``: a handful of failures);
then per account, a delay (``LOCK_AFTER`` consecutive failures, then one password check per
``LOCK_FOR``), well above the address limit, so one address alone never reaches it; an
administrator can lift it (``tiepdan user unlock``). Every refusal is the same answer, for a
known login, an unknown one, a disabled or a delayed one. The failure counter is raised by one
atomic ``UPDATE ... RETURNING`` *before* the password is checked, and the delay is set in that same
statement, so that parallel guesses cannot slip past the limit (PostgreSQL re-checks the
``WHERE`` of a row another transaction just updated).

A delayed account's API tokens keep working: a token is a separate credential that cannot be
guessed, and cutting scripts off on a stranger's wrong passwords would hand him a switch.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, and_, case, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from rules import ServiceError, TiepdanError
from rules.vietnamese import nfc
from scheduler.infra.audit import write_audit
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading
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
_hasher = PasswordHasher()
# Checked when the login is unknown, so that "no such account" takes as long as "wrong password".
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


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


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """An account as the administrator's list shows it."""

    id: int
    login: str
    role: str
    unit_id: str | None
    created_at: datetime
    disabled_at: datetime | None
    locked_until: datetime | None
    failed_logins: int
    tokens: int  # active tokens

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None

    def delayed(self, now: datetime) -> bool:
        return self.locked_until is not None and as_utc(self.locked_until) > now


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An API token as ``token list`` shows it (never the token itself)."""

    id: int
    login: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and as_utc(self.expires_at) <= now:
            return "expired"
        return "active"


TOKEN_STATUS_VI = {"active": "đang dùng", "revoked": "đã thu hồi", "expired": "hết hạn"}


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
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in password):
        raise ServiceError("mật khẩu không được chứa ký tự điều khiển")
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
        raise ServiceError(
            f"tên đăng nhập {login[:100]!r} chỉ gồm chữ không dấu, số và . _ @ - (tối đa 100 ký tự)"
        )
    if role not in ROLES:
        raise ServiceError(f"vai trò phải là một trong {', '.join(ROLES)}, không phải {role[:30]!r}")
    if role == "admin":
        if unit_id:
            raise ServiceError("tài khoản quản trị (admin) không gắn với đơn vị; bỏ --unit")
        unit_id = None
    else:
        if not unit_id:
            raise ServiceError(f"tài khoản {role} cần --unit (đơn vị phụ trách)")
        if unit_id not in config.units_by_id:
            raise ServiceError(f"không có đơn vị {unit_id[:200]!r} trong {config.path.name}")
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


def user_infos(engine: Engine, *, now: datetime) -> list[AccountInfo]:
    """Every account with its state, for ``user list`` and the desk's users page."""
    active = (
        select(_K.c.user_id, func.count().label("n"))
        .where(_K.c.revoked_at.is_(None), or_(_K.c.expires_at.is_(None), _K.c.expires_at > now))
        .group_by(_K.c.user_id)
        .subquery()
    )
    q = select(_U, func.coalesce(active.c.n, 0).label("tokens")).outerjoin(
        active, active.c.user_id == _U.c.id
    )
    with reading(engine) as conn:
        rows = conn.execute(q.order_by(_U.c.login)).all()
    return [
        AccountInfo(
            r.id,
            r.login,
            r.role,
            r.unit_id,
            as_utc(r.created_at),
            as_utc(r.disabled_at) if r.disabled_at else None,
            as_utc(r.locked_until) if r.locked_until else None,
            r.failed_logins,
            int(r.tokens),
        )
        for r in rows
    ]


def get_user(engine: Engine, user_id: int) -> Account | None:
    """The account, if it exists and is not disabled."""
    with reading(engine) as conn:
        row = conn.execute(select(_U).where(_U.c.id == user_id, _U.c.disabled_at.is_(None))).first()
    return _account(row) if row is not None else None


def _user_row(conn: object, login: str) -> object:
    row = conn.execute(select(_U).where(_U.c.login == normalize_login(login))).first()  # type: ignore[attr-defined]
    if row is None:
        raise ServiceError(f"không có tài khoản {normalize_login(login)[:100]!r}")
    return row


def _other_active_admins(conn: object, user_id: int) -> int:
    return int(
        conn.execute(  # type: ignore[attr-defined]
            select(func.count()).where(_U.c.role == "admin", _U.c.disabled_at.is_(None), _U.c.id != user_id)
        ).scalar_one()
    )


def set_disabled(engine: Engine, login: str, disabled: bool, *, now: datetime, actor: Actor) -> Account:
    """Disable (khóa) or enable (mở) an account. Disabling ends its desk sign-ins and stops its
    tokens at once; enabling lets the same tokens work again (revoke them to end them)."""
    with engine.begin() as conn:
        row = _user_row(conn, login)
        if disabled and row.role == "admin" and _other_active_admins(conn, row.id) == 0:  # type: ignore[attr-defined]
            raise ServiceError("không thể khóa tài khoản quản trị cuối cùng còn hoạt động")
        conn.execute(
            update(_U)
            .where(_U.c.id == row.id)  # type: ignore[attr-defined]
            .values(disabled_at=now if disabled else None, failed_logins=0, locked_until=None)
        )
        if disabled:
            conn.execute(delete(_S).where(_S.c.user_id == row.id))  # type: ignore[attr-defined]
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_disable" if disabled else "user_enable",
            unit_id=row.unit_id,  # type: ignore[attr-defined]
            login=row.login,  # type: ignore[attr-defined]
        )
    return _account(row)


def remove_user(engine: Engine, login: str, *, now: datetime, actor: Actor) -> None:
    """Remove an account with its tokens and sign-ins; the audit keeps what it did."""
    with engine.begin() as conn:
        row = _user_row(conn, login)
        if row.role == "admin" and _other_active_admins(conn, row.id) == 0:  # type: ignore[attr-defined]
            raise ServiceError("không thể xóa tài khoản quản trị cuối cùng còn hoạt động")
        conn.execute(delete(_S).where(_S.c.user_id == row.id))  # type: ignore[attr-defined]
        conn.execute(delete(_K).where(_K.c.user_id == row.id))  # type: ignore[attr-defined]
        conn.execute(delete(_U).where(_U.c.id == row.id))  # type: ignore[attr-defined]
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_remove",
            unit_id=row.unit_id,  # type: ignore[attr-defined]
            login=row.login,  # type: ignore[attr-defined]
        )


def set_password(engine: Engine, login: str, password: str, *, now: datetime, actor: Actor) -> Account:
    """A new password (đổi / đặt lại mật khẩu): every desk signed in with the old one is signed
    out; the sign-in delay is lifted."""
    password_hash = _hasher.hash(check_password(password))
    with engine.begin() as conn:
        row = _user_row(conn, login)
        conn.execute(
            update(_U)
            .where(_U.c.id == row.id)  # type: ignore[attr-defined]
            .values(password_hash=password_hash, failed_logins=0, locked_until=None)
        )
        conn.execute(delete(_S).where(_S.c.user_id == row.id))  # type: ignore[attr-defined]
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_password",
            unit_id=row.unit_id,  # type: ignore[attr-defined]
            login=row.login,  # type: ignore[attr-defined]
        )
        fresh = conn.execute(select(_U).where(_U.c.id == row.id)).one()  # type: ignore[attr-defined]
    return _account(fresh)


def reset_password(engine: Engine, login: str, *, now: datetime, actor: Actor) -> str:
    """A new random password for an administrator to hand over (shown once)."""
    password = secrets.token_urlsafe(12)
    set_password(engine, login, password, now=now, actor=actor)
    return password


def change_own_password(
    engine: Engine, account: Account, current: str, new: str, *, now: datetime
) -> Account:
    """A signed-in person changes their own password, proving the current one."""
    with reading(engine) as conn:
        row = conn.execute(select(_U.c.password_hash).where(_U.c.id == account.id)).first()
    if row is None or not _hasher_verify(row.password_hash, nfc(current)[:MAX_PASSWORD]):
        raise ServiceError("mật khẩu hiện tại không đúng")
    return set_password(engine, account.login, new, now=now, actor=account.actor)


def unlock(engine: Engine, login: str, *, now: datetime, actor: Actor) -> None:
    """Lift the sign-in delay of an account (mở khóa đăng nhập)."""
    with engine.begin() as conn:
        row = _user_row(conn, login)
        conn.execute(update(_U).where(_U.c.id == row.id).values(failed_logins=0, locked_until=None))  # type: ignore[attr-defined]
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_unlock",
            unit_id=row.unit_id,  # type: ignore[attr-defined]
            login=row.login,  # type: ignore[attr-defined]
        )


def authenticate(engine: Engine, login: str, password: str, *, now: datetime) -> Account:
    """The account if the password is right and the account may sign in; else LoginError, with
    the same words whatever the reason (see the module's docstring)."""
    login = normalize_login(login)
    password = nfc(password)
    if not login or len(login) > 100 or len(password) > MAX_PASSWORD:
        _hasher_verify(_DUMMY_HASH, password[:MAX_PASSWORD])
        raise LoginError(BAD_LOGIN)
    failed = _U.c.failed_logins + 1
    with engine.begin() as conn:
        # Count this attempt as failed until the password proves otherwise, and start the delay
        # in the same statement once the count reaches LOCK_AFTER (see the module's docstring).
        row = conn.execute(
            update(_U)
            .where(
                _U.c.login == login,
                _U.c.disabled_at.is_(None),
                or_(_U.c.locked_until.is_(None), _U.c.locked_until <= now),
            )
            .values(
                failed_logins=failed,
                locked_until=case((failed >= LOCK_AFTER, now + LOCK_FOR), else_=None),
            )
            .returning(_U.c.id, _U.c.password_hash)
        ).first()
    if row is None:
        # Unknown, disabled or waiting: the same time and the same answer as a wrong password.
        _hasher_verify(_DUMMY_HASH, password)
        raise LoginError(BAD_LOGIN)
    if not _hasher_verify(row.password_hash, password):
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


def create_token(
    engine: Engine, login: str, *, now: datetime, actor: Actor, expires_at: datetime | None = None
) -> str:
    """A new API token for ``login``; only its hash is stored, so it can be shown only now."""
    login = normalize_login(login)
    if expires_at is not None and expires_at <= now:
        raise ServiceError("ngày hết hạn của mã truy cập phải ở sau hôm nay")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user = conn.execute(select(_U.c.id, _U.c.unit_id).where(_U.c.login == login)).first()
        if user is None:
            raise ServiceError(f"không có tài khoản {login[:100]!r}")
        conn.execute(
            insert(_K),
            {
                "user_id": user.id,
                "token_hash": token_hash(token),
                "created_at": now,
                "last_used_at": None,
                "expires_at": expires_at,
            },
        )
        write_audit(conn, at=now, actor=actor.name, action="token_create", unit_id=user.unit_id, login=login)
    return token


def list_tokens(engine: Engine, login: str | None = None) -> list[TokenInfo]:
    q = select(_K, _U.c.login).join(_U, _U.c.id == _K.c.user_id)
    if login is not None:
        q = q.where(_U.c.login == normalize_login(login))
    with reading(engine) as conn:
        rows = conn.execute(q.order_by(_K.c.id)).all()
    return [
        TokenInfo(
            r.id,
            r.login,
            as_utc(r.created_at),
            as_utc(r.last_used_at) if r.last_used_at else None,
            as_utc(r.expires_at) if r.expires_at else None,
            as_utc(r.revoked_at) if r.revoked_at else None,
        )
        for r in rows
    ]


def revoke_tokens(
    engine: Engine,
    *,
    token_ids: list[int] | None = None,
    login: str | None = None,
    now: datetime,
    actor: Actor,
) -> int:
    """Revoke (thu hồi) tokens by id, or every token of an account; they stop at once."""
    with engine.begin() as conn:
        q = (
            select(_K.c.id, _U.c.login, _U.c.unit_id)
            .join(_U, _U.c.id == _K.c.user_id)
            .where(_K.c.revoked_at.is_(None))
        )
        if token_ids is not None:
            known = {r.id for r in conn.execute(select(_K.c.id).where(_K.c.id.in_(token_ids)))}
            missing = [i for i in token_ids if i not in known]
            if missing:
                raise ServiceError(f"không có mã truy cập số {missing[0]}")
            q = q.where(_K.c.id.in_(token_ids))
        elif login is not None:
            _user_row(conn, login)
            q = q.where(_U.c.login == normalize_login(login))
        else:
            raise ServiceError("cần số của mã truy cập hoặc --login")
        rows = conn.execute(q).all()
        if rows:
            conn.execute(update(_K).where(_K.c.id.in_([r.id for r in rows])).values(revoked_at=now))
        for r in rows:
            write_audit(
                conn,
                at=now,
                actor=actor.name,
                action="token_revoke",
                unit_id=r.unit_id,
                login=r.login,
                token=r.id,
            )
    return len(rows)


def account_for_token(engine: Engine, token: str, *, now: datetime) -> Account | None:
    """The account of a token that is neither revoked nor expired, if the account is enabled."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    digest = token_hash(token)
    with reading(engine) as conn:
        row = conn.execute(
            select(_U, _K.c.id.label("token_id"), _K.c.last_used_at)
            .join(_K, _K.c.user_id == _U.c.id)
            .where(
                _K.c.token_hash == digest,
                _K.c.revoked_at.is_(None),
                or_(_K.c.expires_at.is_(None), _K.c.expires_at > now),
                _U.c.disabled_at.is_(None),
            )
        ).first()
    if row is None:
        return None
    if row.last_used_at is None or as_utc(row.last_used_at) + TOKEN_TOUCH_EVERY < now:
        with engine.begin() as conn:
            conn.execute(update(_K).where(_K.c.id == row.token_id).values(last_used_at=now))
    return _account(row)


# --- desk sign-ins (server-side) ----------------------------------------------------------------


def start_desk_session(engine: Engine, account: Account, *, now: datetime) -> str:
    """A new desk sign-in; returns the key the cookie carries (only its hash is stored)."""
    key = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        # Sign-ins that have run out are removed as new ones come, so the table stays small.
        conn.execute(delete(_S).where(_S.c.user_id == account.id, _S.c.expires_at <= now))
        conn.execute(
            insert(_S),
            {
                "user_id": account.id,
                "key_hash": token_hash(key),
                "created_at": now,
                "expires_at": now + DESK_SESSION_FOR,
            },
        )
    return key


def end_desk_session(engine: Engine, key: str) -> None:
    """Sign out: the cookie's key no longer opens anything, wherever it was copied."""
    with engine.begin() as conn:
        conn.execute(delete(_S).where(_S.c.key_hash == token_hash(key)))


def account_for_desk_session(engine: Engine, user_id: int, key: str, *, now: datetime) -> Account | None:
    """The account of a live desk sign-in, if the account is enabled."""
    if not key or len(key) > 100:
        return None
    with reading(engine) as conn:
        row = conn.execute(
            select(_U)
            .join(_S, _S.c.user_id == _U.c.id)
            .where(
                and_(
                    _S.c.key_hash == token_hash(key),
                    _S.c.user_id == user_id,
                    _S.c.expires_at > now,
                    _U.c.disabled_at.is_(None),
                )
            )
        ).first()
    return _account(row) if row is not None else None
