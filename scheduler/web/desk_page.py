"""What every desk page is built on: ``desk`` (the one pipeline of ``scheduler.web.pipeline``: the
signed cookie names the account, POSTs must carry the CSRF token, errors are the desk's error
page), the ``Ctx`` a handler gets, the words of a change done, and the readers of a path's
session and a page's year, and ``form_change``: every form's change, its refusal shown on the
form's page again. The page modules (``desk_units``, ``desk_session``, ``desk_log``,
``desk_files``, ``desk_followup``, ``desk_dialogues``, ``desk_users``) import this module, and
``desk`` assembles them."""

from __future__ import annotations

import importlib.util
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rules import ConflictError, TiepdanError
from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.usecases import access
from scheduler.usecases.accounts import Account
from scheduler.web import auth, pipeline
from scheduler.web.inputs import parse_id
from scheduler.web.render import render

# Notices (DOCX) are offered only where their libraries are installed.
NOTICES = importlib.util.find_spec("notifiers.notice_docx") is not None

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
    cookie: auth.Cookie
    form: dict[str, str]
    config: Config
    engine: Engine
    now: datetime
    today: date

    @property
    def csrf(self) -> str:
        return str(self.cookie.get("c", ""))

    def page(self, name: str, status: int = 200, **context: object) -> Response:
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
        return str(self.request.path_params[name])


Handler = Callable[[Ctx], Response]


def error_page(
    request: Request,
    status: int,
    message: str,
    account: Account | None = None,
    cookie: auth.Cookie | None = None,
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
            return error_page(request, status, message, me[0] if me else None, cookie)

        def who(now: datetime) -> Account | None:
            account = auth.desk_account(request, cookie, now)
            if account is not None:
                me.append(account)
            return account

        def refused(form: dict[str, object], account: Account | None) -> Response | None:
            if account is None:
                # Not signed in (or signed out elsewhere): nothing is read or changed; go and sign in.
                return RedirectResponse("/desk/", status_code=303)
            if post and not auth.csrf_ok(cookie, form.get("csrf")):
                return answer(403, EXPIRED_FORM)
            return None

        def run(account: Account, form: dict[str, object], now: datetime) -> Response:
            state = request.app.state
            ctx = Ctx(
                request,
                account,
                cookie,
                {k: v for k, v in form.items() if isinstance(v, str)},  # a form's values are text
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


def form_change(run: Callable[[], str | Response], again: Callable[[int, str], Response]) -> Response:
    """A desk form's change. ``run`` reads the form and calls the use case, and says where to go
    next (a redirect, 303, so a reload does not post again) or gives a page to show (a
    confirmation, a warning for the clerk). When the use case refuses, nothing has changed and
    ``again(status, why)`` shows the form's page once more with why: 409 when someone changed the
    row first, 400 for anything else the person can mend."""
    try:
        target = run()
    except TiepdanError as exc:
        return again(409 if isinstance(exc, ConflictError) else 400, str(exc))
    if isinstance(target, Response):
        return target
    return RedirectResponse(target, status_code=303)


def session_id_of(ctx: Ctx) -> int:
    """The ``{session_id}`` of the path; 404 for anything but a positive integer."""
    session_id = parse_id(ctx.param("session_id"))
    if session_id is None:
        raise access.NotVisible("không có buổi tiếp này")
    return session_id


def year_param(ctx: Ctx) -> int:
    """The ``?year=`` of a page (2000 to 2100), else this year."""
    text = ctx.request.query_params.get("year", "")
    if text.isascii() and text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return ctx.today.year


def confirm_page(
    ctx: Ctx,
    *,
    title: str,
    question: str,
    details: list[tuple[str, str]],
    action: str,
    fields: dict[str, str],
    button: str,
    back: str,
) -> Response:
    """A page that asks once more before an act that cannot simply be taken back (hoãn a
    session, delete a row of the log). Its form posts the same fields with ``confirm=1`` and the
    CSRF token; no script is needed."""
    return ctx.page(
        "desk/confirm.html",
        title=title,
        question=question,
        details=details,
        action=action,
        fields=fields,
        button=button,
        back=back,
    )


def confirmed(ctx: Ctx) -> bool:
    return ctx.form.get("confirm") == "1"
