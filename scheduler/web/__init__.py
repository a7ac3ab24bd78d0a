"""The HTTP side of ``tiepdan serve``: one Starlette app, routes grouped by audience.

- ``public``: the notice board and the iCalendar feed (no sign-in, no personal data);
- ``api``: JSON for scripts, with bearer tokens;
- ``desk``: the staff's pages, with signed cookies and CSRF.

Routes are thin: they call the same use cases as the CLI (``scheduler.usecases.sessions`` ...).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from scheduler.infra.config import Config
from scheduler.infra.db import BUSY, is_busy
from scheduler.usecases.account_common import dummy_hash
from scheduler.web.edge import SecurityHeaders

STATIC = Path(__file__).resolve().parent / "static"

# Each module has ``routes() -> list[BaseRoute]``; a module not yet present is skipped so that
# the app can be assembled piece by piece.
ROUTE_MODULES = (
    "scheduler.web.public",
    "scheduler.web.api",
    "scheduler.web.api_followup",
    "scheduler.web.api_dialogues",
    "scheduler.web.desk",
)


async def health(_: Request) -> Response:
    return PlainTextResponse("ok")


async def busy(request: Request, exc: Exception) -> Response:
    """A database another process holds (SQLite) is a 503 that says to retry, on every route the
    pipeline does not already answer (the board, the feed); anything else is a bug (500)."""
    if not is_busy(exc):
        raise exc
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": BUSY, "status": 503}, status_code=503, headers={"retry-after": "30"})
    return HTMLResponse(BUSY_PAGE, status_code=503, headers={"retry-after": "30"})


NOT_FOUND = "không có trang này; vui lòng kiểm tra lại đường dẫn"
NOT_ALLOWED = "trang này không nhận cách gửi này"


async def not_routed(request: Request, exc: Exception) -> Response:
    """A path no route matches (404) or a method it does not take (405): one Vietnamese line, as
    JSON under /api/ and as a page elsewhere, instead of Starlette's English plain text."""
    status = getattr(exc, "status_code", 404)
    message = NOT_ALLOWED if status == 405 else NOT_FOUND
    headers = getattr(exc, "headers", None)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=headers)
    page = (
        '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Không có trang này</title>'
        f'<h1>Không có trang này</h1><p class="error" role="alert">{message}</p></html>'
    )
    return HTMLResponse(page, status_code=status, headers=headers)


BUSY_PAGE = (
    '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Hệ thống đang bận</title>'
    f"<h1>Hệ thống đang bận</h1><p>{BUSY}</p></html>"
)


def create_app(config: Config, engine: Engine) -> Starlette:
    routes: list[BaseRoute] = [Route("/healthz", health)]
    for name in ROUTE_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        routes.extend(module.routes())
    STATIC.mkdir(exist_ok=True)
    routes.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={OperationalError: busy, 404: not_routed, 405: not_routed},
    )
    app.state.config = config
    app.state.engine = engine
    dummy_hash()  # made now, not by the first unknown login (whose answer would be slower)
    return app
