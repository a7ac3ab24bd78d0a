"""The reception log (Sổ tiếp công dân, Mẫu số 03) on the desk: add, edit and delete a row of a
session's log."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rules import TiepdanError
from scheduler import access
from scheduler import reception_log as book
from scheduler.web.desk import Ctx, desk
from scheduler.web.desk_session import act
from scheduler.web.inputs import parse_id


def log_add(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        book.add_entry(ctx.engine, ctx.config, row.id, ctx.form, actor=ctx.account.actor, now=ctx.now)
        return f"/desk/sessions/{row.id}?ok=logged#so"

    return act(ctx, run)


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
    return act(ctx, run, entry.session_id)


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/sessions/{session_id}/log", desk(log_add, post=True), methods=["POST"]),
        Route("/desk/log/{entry_id}/delete", desk(log_delete, post=True), methods=["POST"]),
    ]
