"""API tokens (mã truy cập): created and shown once, listed, revoked, and the account a token
opens. Only a token's SHA-256 is stored."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, or_, select, update

from rules import ServiceError
from scheduler.infra.audit import write_audit
from scheduler.infra.clock import as_utc
from scheduler.infra.db import reading
from scheduler.infra.db.models import ApiTokenRow, UserRow
from scheduler.usecases.account_common import (
    TOKEN_PREFIX,
    TOKEN_TOUCH_EVERY,
    Account,
    account_of,
    normalize_login,
    token_hash,
    user_row,
)
from scheduler.usecases.sessions import Actor

_K = ApiTokenRow.__table__
_U = UserRow.__table__


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
            user_row(conn, login)
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
    return account_of(row)
