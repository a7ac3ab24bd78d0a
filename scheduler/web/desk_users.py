"""The desk's accounts pages: the administrator's list of accounts and its changes (create,
disable, enable, reset the password, lift the sign-in delay, revoke the tokens), and one's own
password (every signed-in account)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from rules import TiepdanError
from scheduler.usecases import access, accounts
from scheduler.web import auth
from scheduler.web.desk_page import Ctx, Handler, desk
from scheduler.web.inputs import BadInput


def _admin(ctx: Ctx) -> None:
    if not access.can_manage_accounts(ctx.account):
        raise access.ReadOnly("chỉ tài khoản quản trị được quản lý tài khoản")


def users_page(
    ctx: Ctx, *, status: int = 200, error: str = "", new_password: dict[str, str] | None = None
) -> Response:
    _admin(ctx)
    # The unit is chosen from the configuration by its full name, never typed as an id.
    units = sorted(ctx.config.units, key=lambda u: (u.name.casefold(), u.id))
    return ctx.page(
        "desk/users.html",
        status,
        users=accounts.user_infos(ctx.engine, now=ctx.now),
        units=units,
        now=ctx.now,
        error=error,
        roles=accounts.ROLES,
        form=ctx.form if error else {},
        new_password=new_password,
    )


def users_add(ctx: Ctx) -> Response:
    _admin(ctx)
    try:
        made = accounts.add_user(
            ctx.engine,
            ctx.config,
            ctx.form.get("login", ""),
            role=ctx.form.get("role", ""),
            unit_id=ctx.form.get("unit") or None,
            password=ctx.form.get("password", ""),
            now=ctx.now,
            actor=ctx.account.actor,
        )
    except TiepdanError as exc:
        return users_page(ctx, status=400, error=str(exc))
    return RedirectResponse(f"/desk/users?ok=user&login={quote(made.login)}", status_code=303)


def _user_action(action: str) -> Handler:
    """A change to one account by an administrator: disable, enable, reset, unlock, revoke."""

    def handler(ctx: Ctx) -> Response:
        _admin(ctx)
        login = ctx.param("login")
        if accounts.LOGIN.fullmatch(accounts.normalize_login(login)) is None:
            # Parsed here like every other path value: a NUL is a 500 on PostgreSQL.
            return users_page(ctx, status=400, error="tên đăng nhập trong đường dẫn không hợp lệ")
        by = ctx.account.actor
        try:
            if action in ("disable", "enable"):
                if accounts.normalize_login(login) == ctx.account.login:
                    raise BadInput("không tự khóa tài khoản của chính mình")
                accounts.set_disabled(ctx.engine, login, action == "disable", now=ctx.now, actor=by)
            elif action == "reset":
                password = accounts.reset_password(ctx.engine, login, now=ctx.now, actor=by)
                if accounts.normalize_login(login) == ctx.account.login:
                    return RedirectResponse("/desk/", status_code=303)  # signed out by the reset
                return users_page(ctx, new_password={"login": login, "password": password})
            elif action == "unlock":
                accounts.unlock(ctx.engine, login, now=ctx.now, actor=by)
            else:
                accounts.revoke_tokens(ctx.engine, login=login, now=ctx.now, actor=by)
        except access.ReadOnly:
            raise
        except TiepdanError as exc:
            return users_page(ctx, status=400, error=str(exc))
        return RedirectResponse(f"/desk/users?ok=user-{action}", status_code=303)

    return handler


# --- one's own password (every signed-in account) ----------------------------------------------


def password_page(ctx: Ctx, *, status: int = 200, error: str = "") -> Response:
    return ctx.page("desk/password.html", status, error=error)


def password_change(ctx: Ctx) -> Response:
    """The current password, then the new one twice. The change signs out every desk of the
    account (accounts.set_password); this one is signed in again with a fresh key and CSRF token,
    so that only the person who changed it stays in."""
    new = ctx.form.get("new", "")
    if new != ctx.form.get("again", ""):
        return password_page(ctx, status=400, error="hai lần nhập mật khẩu mới không giống nhau")
    try:
        account = accounts.change_own_password(
            ctx.engine, ctx.account, ctx.form.get("current", ""), new, now=ctx.now
        )
    except TiepdanError as exc:
        return password_page(ctx, status=400, error=str(exc))
    key = accounts.start_desk_session(ctx.engine, account, now=ctx.now)
    response = RedirectResponse("/desk/password?ok=password", status_code=303)
    cookie = {"u": account.id, "k": key, "s": account.stamp, "c": auth.new_csrf()}
    auth.write_cookie(ctx.request, response, cookie)
    return response


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/password", desk(password_page), methods=["GET"]),
        Route("/desk/password", desk(password_change, post=True), methods=["POST"]),
        Route("/desk/users", desk(users_page), methods=["GET"]),
        Route("/desk/users", desk(users_add, post=True), methods=["POST"]),
        *(
            Route(f"/desk/users/{{login}}/{action}", desk(_user_action(action), post=True), methods=["POST"])
            for action in ("disable", "enable", "reset", "unlock", "revoke")
        ),
    ]
