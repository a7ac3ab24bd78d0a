"""The office desk (bàn làm việc): server-rendered pages for staff, supervisors and admins.

Every page goes through ``_desk``: the signed cookie names the account, POSTs must carry the
CSRF token, and every unit or session is fetched through ``scheduler.access`` (404 for what the
account may not see, 403 for what it may only read). Changes call the same use cases as the CLI
and the API, with the account's login as the actor of the audit row.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from notifiers.reception_log_xlsx import LogLine, render_log_xlsx
from rules import ConflictError, TiepdanError
from scheduler import access, accounts
from scheduler import reception_log as book
from scheduler import sessions as uc
from scheduler.accounts import Account, LoginError
from scheduler.clock import local_today, now_utc
from scheduler.config import Config
from scheduler.web import auth
from scheduler.web.inputs import BadInput, TooLarge, parse_count, parse_date, parse_id, read_form
from scheduler.web.pagecache import page_cache, unit_state
from scheduler.web.render import render
from scheduler.web.stats import unit_counts
from scheduler.web.workers import in_worker
from scheduler.web.yearview import year_view

PAGE_SIZE = 100
# The notices are drawn by notifiers/notice_docx.py (``tiepdan notice``); without it the desk
# offers no download link.
NOTICES = importlib.util.find_spec("notifiers.notice_docx") is not None
DONE = {
    "cancelled": "Đã hủy buổi tiếp. Hãy chọn ngày tiếp bù.",
    "makeup": "Đã đặt buổi tiếp bù.",
    "moved": "Đã dời buổi tiếp.",
    "recorded": "Đã ghi kết quả buổi tiếp.",
    "logged": "Đã thêm một dòng vào sổ tiếp công dân.",
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


def _desk(handler: Handler, *, post: bool = False) -> Callable[[Request], Awaitable[Response]]:
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
            "Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang rồi làm lại.",
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
    return await in_worker(request, _run, units_page, request, cookie, {}, False)


async def login(request: Request) -> Response:
    cookie = auth.read_cookie(request)
    try:
        form = await read_form(request)
    except BadInput as exc:
        return _error(request, 413 if isinstance(exc, TooLarge) else 400, str(exc))
    if not auth.csrf_ok(cookie, form.get("csrf")):
        return _login_page(request, {}, status=403, error="Trang đăng nhập đã hết hạn; hãy đăng nhập lại.")
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


# --- units and the year's calendar -------------------------------------------------------------


def _year(ctx: Ctx) -> int:
    text = ctx.request.query_params.get("year", "")
    if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return ctx.today.year


def units_page(ctx: Ctx) -> Response:
    year = _year(ctx)
    q = ctx.request.query_params.get("q", "").strip()[:100]
    ids = sorted(access.visible_units(ctx.account, ctx.config))
    if q:
        needle = q.casefold()
        ids = [u for u in ids if needle in u.casefold() or needle in ctx.unit_name(u).casefold()]
    page_text = ctx.request.query_params.get("page", "1")
    page = int(page_text) if page_text.isascii() and page_text.isdigit() and 0 < int(page_text) < 10**6 else 1
    shown = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    counts = unit_counts(ctx.engine, shown, date(year, 1, 1), date(year, 12, 31))
    units = [ctx.config.units_by_id[u] for u in shown]
    return ctx.page(
        "desk/units.html",
        units=units,
        counts=counts,
        year=year,
        q=q,
        page=page,
        pages=max(1, -(-len(ids) // PAGE_SIZE)),
        total=len(ids),
    )


def unit_page(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    access.require_unit(ctx.account, ctx.config, unit_id)
    year = _year(ctx)
    # Everything the page shows comes from the unit's sessions and the account (see pagecache).
    cache = page_cache(ctx.request)
    name = ("unit", f"{unit_id}\x00{ctx.account.id}\x00{year}")
    key = (
        unit_state(ctx.engine, unit_id),
        ctx.account,
        ctx.csrf,
        ctx.request.query_params.get("ok", ""),
        ctx.today,
    )
    body = cache.get(name, key)
    if body is None:
        body = _render_unit(ctx, unit_id, year).body
        cache.put(name, key, body)
    response = HTMLResponse(body)
    auth.set_security_headers(response)
    return response


def _render_unit(ctx: Ctx, unit_id: str, year: int) -> Response:
    unit = ctx.config.unit(unit_id)
    rows = uc.list_sessions(ctx.engine, unit_ids=[unit_id], first=date(year, 1, 1), last=date(year, 12, 31))
    view = year_view(ctx.config.level_of(unit), rows, year, uc.COUNTS)
    made = uc.replacements(ctx.engine, [r.id for r in rows if r.status in ("cancelled", "not_held")])
    return ctx.page(
        "desk/unit.html",
        unit=unit,
        view=view,
        made=made,
        year=year,
        today=ctx.today,
        can_change=access.can_change(ctx.account, unit_id),
        personal=access.can_see_personal(ctx.account, unit_id),
        notices=NOTICES,
    )


def adhoc(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    access.require_unit(ctx.account, ctx.config, unit_id, change=True)
    on = parse_date(ctx.form.get("date"), "ngày tiếp đột xuất")
    assert on is not None
    row = uc.add_adhoc(
        ctx.engine,
        ctx.config,
        unit_id,
        on=on,
        reason=ctx.form.get("reason", ""),
        actor=ctx.account.actor,
        now=ctx.now,
    )
    return RedirectResponse(f"/desk/sessions/{row.id}?ok=adhoc", status_code=303)


def export_log(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    access.require_personal(ctx.account, ctx.config, unit_id)
    year = _year(ctx)
    first = parse_date(ctx.request.query_params.get("from"), "từ ngày", required=False) or date(year, 1, 1)
    last = parse_date(ctx.request.query_params.get("to"), "đến ngày", required=False) or date(year, 12, 31)
    if first > last:
        raise BadInput("từ ngày phải trước đến ngày")
    lines = [
        LogLine(
            r.session_date,
            r.full_name,
            r.address,
            r.id_number,
            r.content,
            r.classification,
            r.people,
            bool(r.is_group),
            r.handled_by,
            r.handling,
            r.follow_up,
            r.notes,
        )
        for r in book.unit_entries(ctx.engine, unit_id, first, last)
    ]
    data = render_log_xlsx(office=ctx.unit_name(unit_id), first=first, last=last, lines=lines)
    name = f"so-tiep-cong-dan-{unit_id}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    return _download(data, XLSX, name, "so-tiep-cong-dan.xlsx")


def _download(data: bytes, media_type: str, name: str, fallback: str) -> Response:
    response = Response(
        data,
        media_type=media_type,
        headers={
            "content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
        },
    )
    auth.set_security_headers(response)
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def annual_notice(ctx: Ctx) -> Response:
    from scheduler.web.notices import annual_docx

    unit_id = ctx.param("unit_id")
    access.require_unit(ctx.account, ctx.config, unit_id)
    year_text = ctx.param("year")
    if not NOTICES or not (year_text.isascii() and year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        raise access.NotVisible("không có thông báo này")
    year = int(year_text)
    data = annual_docx(ctx.config, ctx.engine, ctx.config.unit(unit_id), year, ctx.today)
    return _download(
        data, DOCX, f"thong-bao-lich-tiep-{unit_id}-{year}.docx", f"thong-bao-lich-tiep-{year}.docx"
    )


def change_notice(ctx: Ctx) -> Response:
    from scheduler.web.notices import change_docx

    row = access.session_for(ctx.engine, ctx.account, ctx.config, _session_id(ctx))
    if not NOTICES:
        raise access.NotVisible("không có thông báo này")
    data = change_docx(ctx.config, ctx.engine, row.id, ctx.today)
    return _download(data, DOCX, f"thong-bao-thay-doi-buoi-{row.id}.docx", "thong-bao-thay-doi.docx")


def has_change(row: Any) -> bool:
    """Whether a session has something a change notice announces (see ``publishing.change_of``)."""
    return (
        row.status in ("cancelled", "not_held")
        or row.kind in ("makeup", "adhoc")
        or bool(row.pinned and row.reason)
        or bool(row.version > 1 and row.reason)
    )


# --- one session ---------------------------------------------------------------------------------


def _session_id(ctx: Ctx) -> int:
    session_id = parse_id(ctx.param("session_id"))
    if session_id is None:
        raise access.NotVisible("không có buổi tiếp này")
    return session_id


def _show_session(ctx: Ctx, row: Any, *, status: int = 200, error: str = "") -> Response:
    unit_id = row.unit_id
    can_change = access.can_change(ctx.account, unit_id)
    personal = access.can_see_personal(ctx.account, unit_id)
    made_up_by = uc.replacements(ctx.engine, [row.id]).get(row.id)
    proposals = (
        uc.make_up_proposals(ctx.engine, ctx.config, row.id, ctx.today)
        if can_change and row.needs_makeup
        else []
    )
    log = book.entries(ctx.engine, row.id) if personal else []
    return ctx.page(
        "desk/session.html",
        status,
        s=row,
        made_up_by=made_up_by,
        proposals=proposals,
        log=log,
        counts=book.counts_of(log),
        can_change=can_change,
        personal=personal,
        history=uc.history(ctx.engine, row.id),
        error=error,
        tz=ctx.config.timezone,
        change_notice=NOTICES and has_change(row),
    )


def session_page(ctx: Ctx) -> Response:
    return _show_session(ctx, access.session_for(ctx.engine, ctx.account, ctx.config, _session_id(ctx)))


def _expected_version(ctx: Ctx) -> int | None:
    return parse_count(ctx.form.get("version"), "phiên bản")


def _act(ctx: Ctx, action: Callable[[Any], str], session_id: int | None = None) -> Response:
    """Run a change on a session the account may change; on refusal show the page again with why."""
    if session_id is None:
        session_id = _session_id(ctx)
    row = access.session_for(ctx.engine, ctx.account, ctx.config, session_id, change=True)
    try:
        target = action(row)
    except ConflictError as exc:
        return _show_session(ctx, uc.get_session(ctx.engine, row.id), status=409, error=str(exc))
    except TiepdanError as exc:
        return _show_session(ctx, uc.get_session(ctx.engine, row.id), status=400, error=str(exc))
    return RedirectResponse(target, status_code=303)


def cancel(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        uc.cancel(
            ctx.engine,
            ctx.config,
            row.id,
            reason=ctx.form.get("reason", ""),
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
            expected_version=_expected_version(ctx),
        )
        return f"/desk/sessions/{row.id}?ok=cancelled"

    return _act(ctx, run)


def makeup(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        choice = ctx.form.get("date", "")
        on = parse_date(ctx.form.get("other") if choice == "other" else choice, "ngày tiếp bù")
        new = uc.book_makeup(
            ctx.engine,
            ctx.config,
            row.id,
            on=on,
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
            expected_version=_expected_version(ctx),
        )
        return f"/desk/sessions/{new.id}?ok=makeup"

    return _act(ctx, run)


def move(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        to = parse_date(ctx.form.get("date"), "ngày mới")
        assert to is not None
        uc.move(
            ctx.engine,
            ctx.config,
            row.id,
            to=to,
            reason=ctx.form.get("reason", ""),
            actor=ctx.account.actor,
            now=ctx.now,
            expected_version=_expected_version(ctx),
        )
        return f"/desk/sessions/{row.id}?ok=moved"

    return _act(ctx, run)


def record(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        outcome = ctx.form.get("outcome")
        if outcome == "held":
            counts = {k: parse_count(ctx.form.get(k), k) for k in uc.COUNTS}
            book.record_held(
                ctx.engine,
                ctx.config,
                row.id,
                actor=ctx.account.actor,
                now=ctx.now,
                counts={k: v for k, v in counts.items() if v is not None},
                received_by=ctx.form.get("received_by") or None,
                conclusion=ctx.form.get("conclusion") or None,
                expected_version=_expected_version(ctx),
            )
        elif outcome == "not_held":
            uc.record(
                ctx.engine,
                ctx.config,
                row.id,
                held=False,
                actor=ctx.account.actor,
                now=ctx.now,
                reason=ctx.form.get("reason", ""),
                expected_version=_expected_version(ctx),
            )
        else:
            raise BadInput("hãy chọn: đã tiếp hay không tổ chức")
        return f"/desk/sessions/{row.id}?ok=recorded"

    return _act(ctx, run)


def log_add(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        book.add_entry(ctx.engine, ctx.config, row.id, ctx.form, actor=ctx.account.actor, now=ctx.now)
        return f"/desk/sessions/{row.id}?ok=logged#so"

    return _act(ctx, run)


def log_delete(ctx: Ctx) -> Response:
    entry_id = parse_id(ctx.param("entry_id"))
    try:
        entry = book.get_entry(ctx.engine, entry_id) if entry_id is not None else None
    except TiepdanError:
        entry = None
    if entry is None:
        raise access.NotVisible("không có dòng sổ này")

    def run(row: Any) -> str:
        book.delete_entry(ctx.engine, ctx.config, entry.id, actor=ctx.account.actor, now=ctx.now)
        return f"/desk/sessions/{row.id}?ok=unlogged#so"

    # The row is reached through its session, so the session's unit decides (404 or 403).
    return _act(ctx, run, entry.session_id)


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


def routes() -> list[BaseRoute]:
    return [
        Route("/desk", bare, methods=["GET"]),
        Route("/desk/", home, methods=["GET"]),
        Route("/desk/login", login, methods=["POST"]),
        Route("/desk/logout", _desk(logout, post=True), methods=["POST"]),
        Route("/desk/users", _desk(users_page), methods=["GET"]),
        Route("/desk/users", _desk(users_add, post=True), methods=["POST"]),
        Route("/desk/units/{unit_id}", _desk(unit_page), methods=["GET"]),
        Route("/desk/units/{unit_id}/adhoc", _desk(adhoc, post=True), methods=["POST"]),
        Route("/desk/units/{unit_id}/log.xlsx", _desk(export_log), methods=["GET"]),
        Route("/desk/notice/{unit_id}/{year}.docx", _desk(annual_notice), methods=["GET"]),
        Route("/desk/sessions/{session_id}", _desk(session_page), methods=["GET"]),
        Route("/desk/sessions/{session_id}/notice.docx", _desk(change_notice), methods=["GET"]),
        Route("/desk/sessions/{session_id}/cancel", _desk(cancel, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/makeup", _desk(makeup, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/move", _desk(move, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/record", _desk(record, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/log", _desk(log_add, post=True), methods=["POST"]),
        Route("/desk/log/{entry_id}/delete", _desk(log_delete, post=True), methods=["POST"]),
    ]
