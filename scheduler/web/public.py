"""Public routes: the notice board (``GET /board/{unit_id}``), the page its QR code opens
(``GET /lich/{unit_id}``: subscribe with ``webcal://`` and read the schedule) and the feed
(``GET /ics/{unit_id}.ics``). Each shows the unit's announced dialogue conferences beside its
reception days.

No sign-in and no personal data: a board shows the head's name and title, never a phone number,
an e-mail address or anything about a citizen.

A board is read by a screen every 5 minutes and a feed by every subscribed calendar every hour,
across ten thousand units: each rendering is cached, keyed by what it depends on (the unit's
session count, version sum and last change, the same of its dialogues; for the board also the
day), so a request costs two small indexed queries, and a client that has the page gets 304 by
ETag or Last-Modified.
"""

from __future__ import annotations

import hashlib
import threading
from calendar import monthrange
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from notifiers.board import REFRESH_SECONDS, render_board, render_not_found, render_subscribe
from notifiers.ics import feed_ics
from notifiers.views import BoardView, DialogueView, FeedView, MonthView, SessionView
from scheduler.infra.clock import local_today, now_utc
from scheduler.infra.config import Config
from scheduler.usecases import publishing as pub

CACHE_SIZE = 4096  # renderings kept per app: boards and feeds of the most viewed units
HTML = "text/html; charset=utf-8"
ICS = "text/calendar; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Rendered:
    body: bytes
    etag: str
    last_modified: datetime | None


class RenderCache:
    """A small LRU of renderings; an entry is used only while its key still matches."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], tuple[object, Rendered]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: tuple[str, str], key: object) -> Rendered | None:
        with self._lock:
            item = self._items.get(name)
            if item is None or item[0] != key:
                return None
            self._items.move_to_end(name)
            return item[1]

    def put(self, name: tuple[str, str], key: object, value: Rendered) -> None:
        with self._lock:
            self._items[name] = (key, value)
            self._items.move_to_end(name)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


def _cache(request: Request) -> RenderCache:
    cache = getattr(request.app.state, "publish_cache", None)
    if cache is None:
        cache = request.app.state.publish_cache = RenderCache()
    return cache


def _rendered(body: bytes, last_modified: datetime | None) -> Rendered:
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    return Rendered(body, etag, last_modified.replace(microsecond=0) if last_modified else None)


def _not_modified(request: Request, r: Rendered) -> bool:
    """RFC 9110 §13.1: If-None-Match wins over If-Modified-Since."""
    inm = request.headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or r.etag in tags
    ims = request.headers.get("if-modified-since")
    if ims and r.last_modified is not None:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return r.last_modified <= since
    return False


def _respond(request: Request, r: Rendered, media_type: str, *, refresh: int | None = None) -> Response:
    headers = {"ETag": r.etag, "Cache-Control": "no-cache"}
    if refresh:
        # The unattended screen reloads itself through the HTTP header, not a <meta> refresh:
        # same effect without JavaScript, and no trap for a reader (axe "meta-refresh").
        headers["Refresh"] = str(refresh)
    if r.last_modified is not None:
        headers["Last-Modified"] = format_datetime(r.last_modified, usegmt=True)
    if _not_modified(request, r):
        return Response(status_code=304, headers=headers)
    return Response(r.body, media_type=media_type, headers=headers)


def _base_url(config: Config, request: Request) -> str:
    return config.public_base  # never the request's Host (see Config.public_base)


def _last_change(views: Sequence[SessionView | DialogueView]) -> datetime | None:
    stamps = [v.updated_at for v in views if v.updated_at is not None]
    return max(stamps) if stamps else None


def _today(request: Request, config: Config) -> date:
    # Tests and replays pin the clock on app.state (as the desk and the API do).
    clock = getattr(request.app.state, "clock", None)
    return local_today(clock() if clock is not None else now_utc(), config.timezone)


def board(request: Request) -> Response:
    config: Config = request.app.state.config
    engine = request.app.state.engine
    unit_id = request.path_params["unit_id"]
    unit = config.units_by_id.get(unit_id)
    if unit is None:
        return HTMLResponse(render_not_found(unit_id), status_code=404)
    refresh = request.query_params.get("tu-lam-moi") != "0"
    today = _today(request, config)
    base = _base_url(config, request)
    key = (pub.published_state(engine, unit_id), today, base, refresh)
    cache = _cache(request)
    name = ("board" if refresh else "board-quiet", unit_id)
    rendered = cache.get(name, key)
    if rendered is None:
        view = _board_view(config, engine, unit_id, today, base, refresh, request.url.path)
        rendered = _rendered(render_board(view).encode("utf-8"), None)
        cache.put(name, key, rendered)
    return _respond(request, rendered, HTML, refresh=REFRESH_SECONDS if refresh else None)


def subscribe(request: Request) -> Response:
    """The page the board's QR code opens: phones download a raw .ics instead of subscribing,
    so this page offers the ``webcal://`` address and shows the schedule."""
    config: Config = request.app.state.config
    engine = request.app.state.engine
    unit_id = request.path_params["unit_id"]
    if unit_id not in config.units_by_id:
        return HTMLResponse(render_not_found(unit_id), status_code=404)
    today = _today(request, config)
    base = _base_url(config, request)
    key = (pub.published_state(engine, unit_id), today, base)
    cache = _cache(request)
    name = ("subscribe", unit_id)
    rendered = cache.get(name, key)
    if rendered is None:
        view = _board_view(config, engine, unit_id, today, base, False, f"/board/{unit_id}")
        rendered = _rendered(render_subscribe(view).encode("utf-8"), None)
        cache.put(name, key, rendered)
    return _respond(request, rendered, HTML)


def _board_view(
    config: Config, engine: Engine, unit_id: str, today: date, base: str, refresh: bool, path: str
) -> BoardView:
    unit = config.units_by_id[unit_id]
    (y1, m1), (y2, m2) = pub.board_months(today)
    first = date(y1, m1, 1)
    last = date(y2, m2, monthrange(y2, m2)[1])
    views = pub.unit_sessions(engine, unit_id, first=first, last=last, hide=pub.citations(config))
    dialogues = pub.unit_dialogues(engine, unit_id, first=first, last=last)
    months = tuple(
        MonthView(
            y,
            m,
            tuple(v for v in views if (v.date.year, v.date.month) == (y, m)),
            tuple(d for d in dialogues if (d.date.year, d.date.month) == (y, m)),
        )
        for y, m in ((y1, m1), (y2, m2))
    )
    family = pub.family_of(config, unit)
    return BoardView(
        schedule=pub.schedule_of(config, unit, first, last),
        today=today,
        months=months,
        feed_url=f"{base}/ics/{quote(unit_id)}.ics",
        subscribe_url=f"{base}/lich/{quote(unit_id)}",
        children=family.children,
        parent=family.parent,
        refresh=refresh,
        path=path,
    )


def feed(request: Request) -> Response:
    config: Config = request.app.state.config
    engine = request.app.state.engine
    unit_id = request.path_params["unit_id"]
    unit = config.units_by_id.get(unit_id)
    if unit is None:
        return PlainTextResponse(f"Không có đơn vị {unit_id!r}.", status_code=404)
    base = _base_url(config, request)
    key = (pub.published_state(engine, unit_id), base)
    cache = _cache(request)
    name = ("ics", unit_id)
    rendered = cache.get(name, key)
    if rendered is None:
        views = pub.unit_sessions(engine, unit_id, hide=pub.citations(config))
        dialogues = pub.unit_dialogues(engine, unit_id)
        dates = [v.date for v in views] + [d.date for d in dialogues]
        first = min(dates, default=_today(request, config))
        last = max(dates, default=first)
        view = FeedView(
            schedule=pub.schedule_of(config, unit, first, last),
            sessions=tuple(views),
            timezone=config.timezone.key,
            board_url=config.link(f"/board/{unit_id}"),
            dialogues=tuple(dialogues),
        )
        rendered = _rendered(feed_ics(view), _last_change([*views, *dialogues]))
        cache.put(name, key, rendered)
    return _respond(request, rendered, ICS)


def routes() -> list[BaseRoute]:
    # Plain ``def`` endpoints: Starlette runs them in its thread pool, so the synchronous
    # database calls never block the event loop.
    return [
        Route("/board/{unit_id}", board, methods=["GET", "HEAD"]),
        Route("/lich/{unit_id}", subscribe, methods=["GET", "HEAD"]),
        Route("/ics/{unit_id}.ics", feed, methods=["GET", "HEAD"]),
    ]
