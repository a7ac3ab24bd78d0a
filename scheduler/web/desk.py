"""The office desk (bàn làm việc): the request pipeline of its pages, signing in and out, and
the accounts page. The pages themselves live one module each: ``desk_units`` (the units and a
unit's year), ``desk_session`` (one session and its changes), ``desk_log`` (the reception log),
``desk_files`` (notices and the log's XLSX).

Every page goes through ``desk``: the signed cookie names the account, POSTs must carry the
CSRF token, and every unit or session is fetched through ``scheduler.access`` (404 for what the
account may not see, 403 for what it may only read). Changes call the same use cases as the CLI
and the API, with the account's login as the actor of the audit row.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from rules import ConflictError, TiepdanError
from scheduler import access, accounts
from scheduler.accounts import Account, LoginError
from scheduler.clock import local_today, now_utc
from scheduler.config import Config
from scheduler.web import auth
from scheduler.web.inputs import BadInput, TooLarge, parse_id, read_form
from scheduler.web.render import render
from scheduler.web.workers import in_worker

DONE = {
    "cancelled": "Đã hoãn buổi tiếp. Vui lòng chọn ngày tiếp công dân bù.",
    "makeup": "Đã đặt buổi tiếp bù.",
    "moved": "Đã dời buổi tiếp.",
    "recorded": "Đã ghi kết quả buổi tiếp.",
    "logged": "Đã thêm một dòng vào sổ tiếp công dân.",
    "log_edited": "Đã sửa một dòng của sổ tiếp công dân.",
    "unlogged": "Đã xóa một dòng khỏi sổ tiếp công dân.",
    "adhoc": "Đã ghi buổi tiếp đột xuất.",
    "user": "Đã tạo tài khoản.",
}


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


def _now(request: Request) -> datetime:
    # Tests and replays pin the clock on app.state; the service reads the real one.
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else now_utc()


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
    async def endpoint(request: Request) -> Response:
        cookie = auth.read_cookie(request)
        form: dict[str, str] = {}
        if post:
            try:
                form = await read_form(request)
            except TooLarge as exc:
                return _error(request, 413, str(exc))
            except BadInput as exc:
                return _error(request, 400, str(exc))
        return await in_worker(request, _run, handler, request, cookie, form, post)

    return endpoint


def _run(
    handler: Handler, request: Request, cookie: dict[str, Any], form: dict[str, str], post: bool
) -> Response:
    state = request.app.state
    account = auth.desk_account(request, cookie)
    if account is None:
        # Not signed in (or signed out elsewhere): nothing is read or changed; go and sign in.
        return RedirectResponse("/desk/", status_code=303)
    if post and not auth.csrf_ok(cookie, form.get("csrf")):
        return _error(
            request,
            403,
            "Biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang rồi làm lại.",
            account,
            cookie,
        )
    now = _now(request)
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
    try:
        return handler(ctx)
    except access.NotVisible:
        return _error(request, 404, "Không tìm thấy trang này.", account, cookie)
    except access.ReadOnly as exc:
        return _error(request, 403, str(exc), account, cookie)
    except ConflictError as exc:
        return _error(request, 409, str(exc), account, cookie)
    except TiepdanError as exc:
        return _error(request, 400, str(exc), account, cookie)


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
    account = await in_worker(request, auth.desk_account, request, cookie)
    if account is None:
        return _login_page(request, cookie)
    from scheduler.web.desk_units import units_page

    return await in_worker(request, _run, units_page, request, cookie, {}, False)


async def login(request: Request) -> Response:
    cookie = auth.read_cookie(request)
    try:
        form = await read_form(request)
    except BadInput as exc:
        return _error(request, 413 if isinstance(exc, TooLarge) else 400, str(exc))
    if not auth.csrf_ok(cookie, form.get("csrf")):
        return _login_page(
            request, {}, status=403, error="Trang đăng nhập đã hết hạn; vui lòng đăng nhập lại."
        )
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
            error=f"Máy này đăng nhập sai quá nhiều lần; thử lại sau {minutes} phút.",
        )
    try:
        account = await run_in_threadpool(
            accounts.authenticate,
            request.app.state.engine,
            login_name,
            form.get("password", ""),
            now=_now(request),
        )
    except LoginError as exc:
        return _login_page(
            request, cookie, status=429 if exc.locked else 401, error=str(exc), login=login_name
        )
    limiter.succeeded(address)
    response = RedirectResponse("/desk/", status_code=303)
    # A fresh CSRF token at sign-in: a token planted before sign-in is worthless after it.
    auth.write_cookie(request, response, {"u": account.id, "s": account.stamp, "c": auth.new_csrf()})
    return response


def logout(ctx: Ctx) -> Response:
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


def users_page(ctx: Ctx, *, status: int = 200, error: str = "") -> Response:
    if not access.can_manage_accounts(ctx.account):
        raise access.ReadOnly("chỉ tài khoản quản trị được quản lý tài khoản")
    return ctx.page(
        "desk/users.html",
        status,
        users=accounts.list_users(ctx.engine),
        error=error,
        roles=accounts.ROLES,
        form=ctx.form if error else {},
    )


def users_add(ctx: Ctx) -> Response:
    if not access.can_manage_accounts(ctx.account):
        raise access.ReadOnly("chỉ tài khoản quản trị được quản lý tài khoản")
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
)


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/desk", bare, methods=["GET"]),
        Route("/desk/", home, methods=["GET"]),
        Route("/desk/login", login, methods=["POST"]),
        Route("/desk/logout", desk(logout, post=True), methods=["POST"]),
        Route("/desk/users", desk(users_page), methods=["GET"]),
        Route("/desk/users", desk(users_add, post=True), methods=["POST"]),
    ]
    for name in PAGES:
        out.extend(importlib.import_module(name).routes())
    return out
