"""Desk pages of units: the list of units an account looks after, a unit's year month by month,
and adding an ad hoc session (tiếp đột xuất) to it."""

from __future__ import annotations

from datetime import date

from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from notifiers.alerts import CHANNEL_VI
from rules.vocabulary import COUNTS
from scheduler.outbox.refused import RefusedAddress, refused_addresses
from scheduler.reads.session_views import replacements
from scheduler.usecases import access, move_adhoc, session_reads
from scheduler.usecases import sessions as uc
from scheduler.usecases.unit_counts import unit_counts
from scheduler.web import auth
from scheduler.web.desk_page import NOTICES, Ctx, desk, year_param
from scheduler.web.inputs import parse_date
from scheduler.web.pagecache import page_cache, unit_state
from scheduler.web.yearview import year_view

PAGE_SIZE = 100


def units_page(ctx: Ctx) -> Response:
    year = year_param(ctx)
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
    year = year_param(ctx)
    # Everything the page shows comes from the unit's sessions and the account (see pagecache).
    cache = page_cache(ctx.request)
    name = ("unit", f"{unit_id}\x00{ctx.account.id}\x00{year}")
    refused = refused_addresses(ctx.engine, ctx.config, unit_id=unit_id)
    key = (
        unit_state(ctx.engine, unit_id),
        tuple(refused),
        ctx.account,
        ctx.csrf,
        ctx.request.query_params.get("ok", ""),
        ctx.today,
    )
    body = cache.get(name, key)
    if body is None:
        body = bytes(_render_unit(ctx, unit_id, year, refused).body)
        cache.put(name, key, body)
    response = HTMLResponse(body)
    auth.set_security_headers(response)
    return response


def _render_unit(ctx: Ctx, unit_id: str, year: int, refused: list[RefusedAddress]) -> Response:
    unit = ctx.config.unit(unit_id)
    rows = session_reads.list_sessions(
        ctx.engine, unit_ids=[unit_id], first=date(year, 1, 1), last=date(year, 12, 31)
    )
    made = replacements(ctx.engine, [r.id for r in rows if r.status in ("cancelled", "not_held")])
    by_id = {r.id: r for r in rows}
    # A make-up usually falls in the same year; one booked into the next is read on its own.
    makeups = {lost: by_id.get(m) or uc.get_session(ctx.engine, m) for lost, m in made.items()}
    view = year_view(ctx.config.level_of(unit), rows, year, COUNTS, today=ctx.today, makeups=makeups)
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
        refused=refused,
        channel_vi=CHANNEL_VI,
    )


def adhoc(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    access.require_unit(ctx.account, ctx.config, unit_id, change=True)
    on = parse_date(ctx.form.get("date"), "ngày tiếp đột xuất")
    assert on is not None
    row = move_adhoc.add_adhoc(
        ctx.engine,
        ctx.config,
        unit_id,
        on=on,
        reason=ctx.form.get("reason", ""),
        actor=ctx.account.actor,
        now=ctx.now,
    ).session
    return RedirectResponse(f"/desk/sessions/{row.id}?ok=adhoc", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/units/{unit_id}", desk(unit_page), methods=["GET"]),
        Route("/desk/units/{unit_id}/adhoc", desk(adhoc, post=True), methods=["POST"]),
    ]
