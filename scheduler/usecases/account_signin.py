"""Signing in (đăng nhập) to the desk: the password checked under the per-account delay, and the
server-side desk sign-ins the cookie's key opens (see ``accounts`` for the throttling)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, and_, case, delete, insert, or_, select, update

from rules.vietnamese import nfc
from scheduler.infra.db import reading
from scheduler.infra.db.models import DeskSessionRow, UserRow

# The hasher is read through its module, where a test may put a cheaper one.
from scheduler.usecases import account_common as common
from scheduler.usecases.account_common import (
    BAD_LOGIN,
    DESK_SESSION_FOR,
    LOCK_AFTER,
    LOCK_FOR,
    MAX_PASSWORD,
    Account,
    LoginError,
    account_of,
    normalize_login,
    token_hash,
)

_S = DeskSessionRow.__table__
_U = UserRow.__table__


def authenticate(engine: Engine, login: str, password: str, *, now: datetime) -> Account:
    """The account if the password is right and the account may sign in; else LoginError, with
    the same words whatever the reason (see the module's docstring)."""
    login = normalize_login(login)
    password = nfc(password)
    if not login or len(login) > 100 or len(password) > MAX_PASSWORD:
        common.hasher_verify(common.dummy_hash(), password[:MAX_PASSWORD])
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
        common.hasher_verify(common.dummy_hash(), password)
        raise LoginError(BAD_LOGIN)
    if not common.hasher_verify(row.password_hash, password):
        raise LoginError(BAD_LOGIN)
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if common.hasher.check_needs_rehash(row.password_hash):
        values["password_hash"] = common.hasher.hash(password)
    with engine.begin() as conn:
        conn.execute(update(_U).where(_U.c.id == row.id).values(**values))
        fresh = conn.execute(select(_U).where(_U.c.id == row.id)).one()
    return account_of(fresh)


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
    return account_of(row) if row is not None else None
