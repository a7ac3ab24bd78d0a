"""The HTTP side of ``tiepdan serve``: one Starlette app, routes grouped by audience.

- ``public``: the notice board and the iCalendar feed (no sign-in, no personal data);
- ``api``: JSON for scripts, with bearer tokens;
- ``desk``: the staff's pages, with signed cookies and CSRF.

Routes are thin: they call the same use cases as the CLI (``scheduler.sessions`` ...).
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from scheduler.config import Config

STATIC = Path(__file__).resolve().parent / "static"

# Each module has ``routes() -> list[BaseRoute]``; a module not yet present is skipped so that
# the app can be assembled piece by piece.
ROUTE_MODULES = (
    "scheduler.web.public",
    "scheduler.web.api",
    "scheduler.web.api_followup",
    "scheduler.web.desk",
)


async def health(_: Request) -> Response:
    return PlainTextResponse("ok")


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
    app = Starlette(routes=routes)
    app.state.config = config
    app.state.engine = engine
    return app
