"""The office desk (bàn làm việc): the request pipeline of its pages, signing in and out, and
the accounts page. The pages themselves live one module each: ``desk_units`` (the units and a
unit's year), ``desk_session`` (one session and its changes), ``desk_log`` (the reception log),
``desk_files`` (notices and the log's XLSX).

Every page goes through ``desk``: the signed cookie names the account, POSTs must carry the
CSRF token, and every unit or session is fetched through ``scheduler.usecases.access`` (404 for what the
account may not see, 403 for what it may only read). Changes call the same use cases as the CLI
and the API, with the account's login as the actor of the audit row.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from rules import TiepdanError
from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.db import BUSY, is_busy
from scheduler.usecases import access, accounts
from scheduler.usecases.accounts import Account, LoginError
from scheduler.web import auth, pipeline
from scheduler.web.inputs import BadInput, TooLarge, parse_id, read_form
from scheduler.web.render import render
from scheduler.web.workers import in_worker

DONE = {
    "cancelled": "Đã hoãn buổi tiếp. Vui lòng chọn ngày tiếp công dân bù.",
    "makeup": "Đã đặt buổi tiếp bù.",
    "moved": "Đã dời buổi tiếp.",
    "recorded": "Đã ghi kết quả buổi tiếp.",
    "unrecorded": "Đã bỏ kết quả đã ghi; buổi tiếp lại chờ ghi kết quả.",
    "logged": "Đã thêm một dòng vào sổ tiếp công dân.",
    "log_edited": "Đã sửa một dòng của sổ tiếp công dân.",
    "unlogged": "Đã xóa một dòng khỏi sổ tiếp công dân.",
    "adhoc": "Đã ghi buổi tiếp đột xuất.",
    "user": "Đã tạo tài khoản.",
    "user-disable": "Đã khóa tài khoản: các phiên đăng nhập và mã truy cập của tài khoản dừng ngay.",
    "user-enable": "Đã mở lại tài khoản.",
    "user-unlock": "Đã mở khóa đăng nhập.",
    "user-revoke": "Đã thu hồi các mã truy cập của tài khoản.",
    "password": "Đã đổi mật khẩu; các phiên đăng nhập khác của tài khoản đã bị đăng xuất.",
}
EXPIRED_FORM = "Biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang rồi làm lại."


@dataclass(slots=True)
class Ctx:
    """What a desk handler gets: who asks, what they sent, and the service's state."""

    request: Request
    account: Account
    cookie: dict[str, Any]
    form: dict[str, str]
    config: Config
    engine: Engine
    now: datetime
    today: date

    @property
    def csrf(self) -> str:
        return str(self.cookie.get("c", ""))

    def page(self, name: str, status: int = 200, **context: Any) -> Response:
        return render(
            name,
            status,
            me=self.account,
            csrf=self.csrf,
            unit_name=self.unit_name,
            done=DONE.get(self.request.query_params.get("ok", ""), ""),
            **context,
        )

    def unit_name(self, unit_id: str | None) -> str:
        unit = self.config.units_by_id.get(unit_id or "")
        return unit.name if unit else (unit_id or "")

    def param(self, name: str) -> str:
        return self.request.path_params[name]


Handler = Callable[[Ctx], Response]


def _error(
    request: Request,
    status: int,
    message: str,
    account: Account | None = None,
    cookie: dict[str, Any] | None = None,
) -> Response:
    config = request.app.state.config
    return render(
        "desk/error.html",
        status,
        me=account,
        csrf=str((cookie or {}).get("c", "")),
        code=status,
        message=message,
        done="",
        unit_name=lambda u: config.units_by_id[u].name if u in config.units_by_id else u or "",
    )


def desk(handler: Handler, *, post: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """A desk page through the one pipeline (scheduler.web.pipeline): a signed-in account, the
    CSRF token on every POST, errors as the desk's error page."""

    async def endpoint(request: Request) -> Response:
        cookie = auth.read_cookie(request)
        me: list[Account] = []

        def answer(status: int, message: str) -> Response:
            return _error(request, status, message, me[0] if me else None, cookie)

        def who(now: datetime) -> Account | None:
            account = auth.desk_account(request, cookie, now)
            if account is not None:
                me.append(account)
            return account

        def refused(form: dict[str, Any], account: Account | None) -> Response | None:
            if account is None:
                # Not signed in (or signed out elsewhere): nothing is read or changed; go and sign in.
                return RedirectResponse("/desk/", status_code=303)
            if post and not auth.csrf_ok(cookie, form.get("csrf")):
                return answer(403, EXPIRED_FORM)
            return None

        def run(account: Account, form: dict[str, Any], now: datetime) -> Response:
            state = request.app.state
            ctx = Ctx(
                request,
                account,
                cookie,
                form,
                state.config,
                state.engine,
                now,
                local_today(now, state.config.timezone),
            )
            return handler(ctx)

        return await pipeline.run(
            request, answer=answer, body="form" if post else None, who=who, refused=refused, handler=run
        )

    return endpoint


# --- signing in and out ----------------------------------------------------------------------


def _login_page(
    request: Request, cookie: dict[str, Any], *, status: int = 200, error: str = "", login: str = ""
) -> Response:
    if not auth.csrf_ok(cookie, cookie.get("c")):
        cookie = {"c": auth.new_csrf()}
    response = render("desk/login.html", status, me=None, csrf=cookie["c"], error=error, login=login, done="")
    auth.write_cookie(request, response, {"c": cookie["c"]})
    return response


async def home(request: Request) -> Response:
    cookie = auth.read_cookie(request)
    account = await in_worker(request, auth.desk_account, request, cookie, pipeline.now_of(request))
    if account is None:
        return _login_page(request, cookie)
    from scheduler.web.desk_units import units_page

    return await desk(units_page)(request)


async def login(request: Request) -> Response:
    cookie = auth.read_cookie(request)
    try:
        form = await read_form(request)
    except BadInput as exc:
        return _error(request, 413 if isinstance(exc, TooLarge) else 400, str(exc))
    if not auth.csrf_ok(cookie, form.get("csrf")):
        expired = "Trang đăng nhập đã hết hạn; vui lòng đăng nhập lại."
        return _login_page(request, {}, status=403, error=expired)
    login_name = form.get("login", "")[:100]
    limiter = auth.limiter(request)
    address = auth.client_address(request)
    blocked_until = limiter.begin(address)
    if blocked_until is not None:
        minutes = max(1, round((blocked_until - time.monotonic()) / 60))
        return _login_page(
            request,
            cookie,
            status=429,
            login=login_name,
            error=f"Máy này đăng nhập sai quá nhiều lần; vui lòng thử lại sau {minutes} phút.",
        )
    engine = request.app.state.engine
    now = pipeline.now_of(request)
    try:
        account = await run_in_threadpool(
            accounts.authenticate, engine, login_name, form.get("password", ""), now=now
        )
        start = functools.partial(accounts.start_desk_session, engine, account, now=now)
        key = await in_worker(request, start)
    except LoginError as exc:
        return _login_page(request, cookie, status=401, error=str(exc), login=login_name)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        return _login_page(request, cookie, status=503, error=BUSY, login=login_name)
    limiter.succeeded(address)
    response = RedirectResponse("/desk/", status_code=303)
    # A fresh CSRF token at sign-in: a token planted before sign-in is worthless after it.
    cookie = {"u": account.id, "k": key, "s": account.stamp, "c": auth.new_csrf()}
    auth.write_cookie(request, response, cookie)
    return response


def logout(ctx: Ctx) -> Response:
    # Ends the sign-in on the server: a copy of this cookie opens nothing afterwards.
    accounts.end_desk_session(ctx.engine, str(ctx.cookie.get("k", "")))
    response = RedirectResponse("/desk/", status_code=303)
    auth.clear_cookie(response)
    return response


def session_id_of(ctx: Ctx) -> int:
    """The ``{session_id}`` of the path; 404 for anything but a positive integer."""
    session_id = parse_id(ctx.param("session_id"))
    if session_id is None:
        raise access.NotVisible("không có buổi tiếp này")
    return session_id


# --- accounts (admin) -----------------------------------------------------------------------------


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


async def bare(_: Request) -> Response:
    return RedirectResponse("/desk/", status_code=308)


# The page modules, each with its ``routes()``; imported when the app is assembled (they import
# this module's pipeline).
PAGES = (
    "scheduler.web.desk_units",
    "scheduler.web.desk_session",
    "scheduler.web.desk_log",
    "scheduler.web.desk_files",
    "scheduler.web.desk_followup",
    "scheduler.web.desk_dialogues",
)


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/desk", bare, methods=["GET"]),
        Route("/desk/", home, methods=["GET"]),
        Route("/desk/login", login, methods=["POST"]),
        Route("/desk/logout", desk(logout, post=True), methods=["POST"]),
        Route("/desk/password", desk(password_page), methods=["GET"]),
        Route("/desk/password", desk(password_change, post=True), methods=["POST"]),
        Route("/desk/users", desk(users_page), methods=["GET"]),
        Route("/desk/users", desk(users_add, post=True), methods=["POST"]),
        *(
            Route(f"/desk/users/{{login}}/{action}", desk(_user_action(action), post=True), methods=["POST"])
            for action in ("disable", "enable", "reset", "unlock", "revoke")
        ),
    ]
    for name in PAGES:
        out.extend(importlib.import_module(name).routes())
    return out
