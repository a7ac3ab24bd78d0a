"""Use cases of an account's life (tài khoản): create it, list them, disable or enable it, remove
it, give it a new password (set, reset, changed by its owner), lift its sign-in delay. Each change
is one transaction with an audit row."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from rules import ServiceError
from rules.vietnamese import nfc
from scheduler.infra.audit import write_audit
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import ApiTokenRow, DeskSessionRow, UserRow

# The hasher is read through its module, where a test may put a cheaper one.
from scheduler.usecases import account_common as common
from scheduler.usecases.account_common import (
    LOGIN,
    MAX_PASSWORD,
    ROLES,
    Account,
    account_of,
    check_password,
    normalize_login,
    stamp,
    user_row,
)
from scheduler.usecases.sessions import Actor

_K = ApiTokenRow.__table__
_S = DeskSessionRow.__table__
_U = UserRow.__table__


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
    password_hash = common.hasher.hash(check_password(password))
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
    return Account(new_id, login, role, unit_id, stamp(password_hash))


def list_users(engine: Engine) -> list[Account]:
    with reading(engine) as conn:
        return [account_of(r) for r in conn.execute(select(_U).order_by(_U.c.login))]


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
    return account_of(row) if row is not None else None


def _other_active_admins(conn: Connection, user_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).where(_U.c.role == "admin", _U.c.disabled_at.is_(None), _U.c.id != user_id)
        ).scalar_one()
    )


def set_disabled(engine: Engine, login: str, disabled: bool, *, now: datetime, actor: Actor) -> Account:
    """Disable (khóa) or enable (mở) an account. Disabling ends its desk sign-ins and stops its
    tokens at once; enabling lets the same tokens work again (revoke them to end them)."""
    with engine.begin() as conn:
        row = user_row(conn, login)
        if disabled and row.role == "admin" and _other_active_admins(conn, row.id) == 0:
            raise ServiceError("không thể khóa tài khoản quản trị cuối cùng còn hoạt động")
        conn.execute(
            update(_U)
            .where(_U.c.id == row.id)
            .values(disabled_at=now if disabled else None, failed_logins=0, locked_until=None)
        )
        if disabled:
            conn.execute(delete(_S).where(_S.c.user_id == row.id))
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_disable" if disabled else "user_enable",
            unit_id=row.unit_id,
            login=row.login,
        )
    return account_of(row)


def remove_user(engine: Engine, login: str, *, now: datetime, actor: Actor) -> None:
    """Remove an account with its tokens and sign-ins; the audit keeps what it did."""
    with engine.begin() as conn:
        row = user_row(conn, login)
        if row.role == "admin" and _other_active_admins(conn, row.id) == 0:
            raise ServiceError("không thể xóa tài khoản quản trị cuối cùng còn hoạt động")
        conn.execute(delete(_S).where(_S.c.user_id == row.id))
        conn.execute(delete(_K).where(_K.c.user_id == row.id))
        conn.execute(delete(_U).where(_U.c.id == row.id))
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_remove",
            unit_id=row.unit_id,
            login=row.login,
        )


def set_password(engine: Engine, login: str, password: str, *, now: datetime, actor: Actor) -> Account:
    """A new password (đổi / đặt lại mật khẩu): every desk signed in with the old one is signed
    out; the sign-in delay is lifted."""
    password_hash = common.hasher.hash(check_password(password))
    with engine.begin() as conn:
        row = user_row(conn, login)
        conn.execute(
            update(_U)
            .where(_U.c.id == row.id)
            .values(password_hash=password_hash, failed_logins=0, locked_until=None)
        )
        conn.execute(delete(_S).where(_S.c.user_id == row.id))
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_password",
            unit_id=row.unit_id,
            login=row.login,
        )
        fresh = conn.execute(select(_U).where(_U.c.id == row.id)).one()
    return account_of(fresh)


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
    if row is None or not common.hasher_verify(row.password_hash, nfc(current)[:MAX_PASSWORD]):
        raise ServiceError("mật khẩu hiện tại không đúng")
    return set_password(engine, account.login, new, now=now, actor=account.actor)


def unlock(engine: Engine, login: str, *, now: datetime, actor: Actor) -> None:
    """Lift the sign-in delay of an account (mở khóa đăng nhập)."""
    with engine.begin() as conn:
        row = user_row(conn, login)
        conn.execute(update(_U).where(_U.c.id == row.id).values(failed_logins=0, locked_until=None))
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="user_unlock",
            unit_id=row.unit_id,
            login=row.login,
        )
