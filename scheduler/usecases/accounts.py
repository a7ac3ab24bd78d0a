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

One job a module: ``account_lifecycle`` (create, list, disable, remove, passwords, unlock),
``account_signin`` (sign in, the desk's sign-ins), ``account_tokens`` (API tokens),
``account_common`` (the roles, the limits, the hasher, ``Account``). This module names them all
in one place, so ``from scheduler.usecases import accounts`` keeps working.
"""

from __future__ import annotations

from scheduler.usecases.account_common import (
    BAD_LOGIN,
    DESK_SESSION_FOR,
    LOCK_AFTER,
    LOCK_FOR,
    LOCKED,
    LOGIN,
    MAX_PASSWORD,
    MIN_PASSWORD,
    ROLE_VI,
    ROLES,
    TOKEN_PREFIX,
    TOKEN_TOUCH_EVERY,
    Account,
    LoginError,
    check_password,
    normalize_login,
    token_hash,
)
from scheduler.usecases.account_lifecycle import (
    AccountInfo,
    add_user,
    change_own_password,
    get_user,
    list_users,
    remove_user,
    reset_password,
    set_disabled,
    set_password,
    unlock,
    user_infos,
)
from scheduler.usecases.account_signin import (
    account_for_desk_session,
    authenticate,
    end_desk_session,
    start_desk_session,
)
from scheduler.usecases.account_tokens import (
    TOKEN_STATUS_VI,
    TokenInfo,
    account_for_token,
    create_token,
    list_tokens,
    revoke_tokens,
)

__all__ = [
    "BAD_LOGIN",
    "DESK_SESSION_FOR",
    "LOCKED",
    "LOCK_AFTER",
    "LOCK_FOR",
    "LOGIN",
    "MAX_PASSWORD",
    "MIN_PASSWORD",
    "ROLES",
    "ROLE_VI",
    "TOKEN_PREFIX",
    "TOKEN_STATUS_VI",
    "TOKEN_TOUCH_EVERY",
    "Account",
    "AccountInfo",
    "LoginError",
    "TokenInfo",
    "account_for_desk_session",
    "account_for_token",
    "add_user",
    "authenticate",
    "change_own_password",
    "check_password",
    "create_token",
    "end_desk_session",
    "get_user",
    "list_tokens",
    "list_users",
    "normalize_login",
    "remove_user",
    "reset_password",
    "revoke_tokens",
    "set_disabled",
    "set_password",
    "start_desk_session",
    "token_hash",
    "unlock",
    "user_infos",
]
