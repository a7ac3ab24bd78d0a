"""The office desk (bàn làm việc): signing in and out, and the desk's routes assembled from its
page modules, one a page: ``desk_units`` (the units and a unit's year), ``desk_session`` (one
session and its changes), ``desk_log`` (the reception log), ``desk_files`` (notices and the log's
XLSX), ``desk_followup``, ``desk_dialogues``, ``desk_users`` (accounts, one's own password).
What every page is built on (the pipeline, ``Ctx``) is ``desk_page``.

Every page goes through ``desk_page.desk``: the signed cookie names the account, POSTs must carry
the CSRF token, and every unit or session is fetched through ``scheduler.usecases.access`` (404
for what the account may not see, 403 for what it may only read). Changes call the same use
cases as the CLI and the API, with the account's login as the actor of the audit row.
"""

from __future__ import annotations

import functools

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from scheduler.infra.db import BUSY, is_busy
from scheduler.usecases import accounts
from scheduler.usecases.accounts import LoginError
from scheduler.web import (
    auth,
    desk_dialogues,
    desk_files,
    desk_followup,
    desk_log,
    desk_session,
    desk_units,
    desk_users,
    pipeline,
)
from scheduler.web.desk_page import Ctx, desk, error_page
from scheduler.web.desk_units import units_page
from scheduler.web.inputs import BadInput, TooLarge, read_form
from scheduler.web.render import render
from scheduler.web.workers import in_worker

# --- signing in and out ----------------------------------------------------------------------


def _login_page(
    request: Request, cookie: auth.Cookie, *, status: int = 200, error: str = "", login: str = ""
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
    return await desk(units_page)(request)


async def login(request: Request) -> Response:
    cookie = auth.read_cookie(request)
    try:
        form = await read_form(request)
    except BadInput as exc:
        return error_page(request, 413 if isinstance(exc, TooLarge) else 400, str(exc))
    if not auth.csrf_ok(cookie, form.get("csrf")):
        expired = "Trang đăng nhập đã hết hạn; vui lòng đăng nhập lại."
        return _login_page(request, {}, status=403, error=expired)
    login_name = form.get("login", "")[:100]
    limiter = auth.limiter(request)
    address = auth.client_address(request)
    blocked_until = limiter.begin(address)
    if blocked_until is not None:
        minutes = limiter.minutes_left(blocked_until)
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


async def bare(_: Request) -> Response:
    return RedirectResponse("/desk/", status_code=308)


# The page modules, each with its ``routes()``.
PAGES = (desk_units, desk_session, desk_log, desk_files, desk_followup, desk_dialogues, desk_users)


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/desk", bare, methods=["GET"]),
        Route("/desk/", home, methods=["GET"]),
        Route("/desk/login", login, methods=["POST"]),
        Route("/desk/logout", desk(logout, post=True), methods=["POST"]),
    ]
    for page in PAGES:
        out.extend(page.routes())
    return out
