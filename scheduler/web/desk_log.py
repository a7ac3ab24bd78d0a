"""The reception log (Sổ tiếp công dân, Mẫu số 03) on the desk: add, edit and delete a row of a
session's log. A row is edited because its "theo dõi kết quả" is written weeks after the
session; it is deleted only after a confirmation page."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rules import TiepdanError
from rules.vietnamese import dmy
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import access
from scheduler.usecases import reception_log as book
from scheduler.web.desk_page import Ctx, confirm_page, confirmed, desk, form_change
from scheduler.web.desk_session import act
from scheduler.web.inputs import parse_id


def log_add(ctx: Ctx) -> Response:
    def run(row: StoredSession) -> str:
        book.add_entry(ctx.engine, ctx.config, row.id, ctx.form, actor=ctx.account.actor, now=ctx.now)
        return f"/desk/sessions/{row.id}?ok=logged#so"

    return act(ctx, run)


def _entry(ctx: Ctx) -> book.LogEntry:
    entry_id = parse_id(ctx.param("entry_id"))
    try:
        entry = book.get_entry(ctx.engine, entry_id) if entry_id is not None else None
    except TiepdanError:
        entry = None
    if entry is None:
        raise access.NotVisible("không có dòng sổ này")
    return entry


def log_edit_page(ctx: Ctx, *, status: int = 200, error: str = "") -> Response:
    entry = _entry(ctx)
    # The row is reached through its session, so the session's unit decides (404 or 403).
    row = access.session_for(ctx.engine, ctx.account, ctx.config, entry.session_id, change=True)
    values = entry.values()
    if error:
        values |= {k: v for k, v in ctx.form.items() if k in values or k in ("is_group", "new_case")}
        values["is_group"] = ctx.form.get("is_group") == "1"
    return ctx.page("desk/log_edit.html", status, e=entry, v=values, s=row, error=error)


def log_edit(ctx: Ctx) -> Response:
    entry = _entry(ctx)
    access.session_for(ctx.engine, ctx.account, ctx.config, entry.session_id, change=True)

    def run() -> str:
        session_id = book.update_entry(
            ctx.engine, ctx.config, entry.id, ctx.form, actor=ctx.account.actor, now=ctx.now
        )
        return f"/desk/sessions/{session_id}?ok=log_edited#so"

    return form_change(run, lambda status, error: log_edit_page(ctx, status=status, error=error))


def log_delete(ctx: Ctx) -> Response:
    entry = _entry(ctx)

    def run(row: StoredSession) -> str | Response:
        if not confirmed(ctx):
            who = entry.full_name + (f" - {entry.address}" if entry.address else "")
            details = [("Họ tên - Địa chỉ", who), ("Ngày tiếp", dmy(row.date))]
            if entry.content:
                details.append(("Nội dung vụ việc", entry.content))
            return confirm_page(
                ctx,
                title="Xóa một dòng của sổ tiếp công dân",
                question=(
                    "Xóa dòng này khỏi sổ tiếp công dân? Chỉ xóa dòng ghi nhầm; việc xóa được ghi lại."
                ),
                details=details,
                action=f"/desk/log/{entry.id}/delete",
                fields={},
                button="Xác nhận xóa",
                back=f"/desk/sessions/{row.id}#so",
            )
        book.delete_entry(ctx.engine, ctx.config, entry.id, actor=ctx.account.actor, now=ctx.now)
        return f"/desk/sessions/{row.id}?ok=unlogged#so"

    # The row is reached through its session, so the session's unit decides (404 or 403).
    return act(ctx, run, entry.session_id)


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/sessions/{session_id}/log", desk(log_add, post=True), methods=["POST"]),
        Route("/desk/log/{entry_id}/edit", desk(log_edit_page), methods=["GET"]),
        Route("/desk/log/{entry_id}/edit", desk(log_edit, post=True), methods=["POST"]),
        Route("/desk/log/{entry_id}/delete", desk(log_delete, post=True), methods=["POST"]),
    ]
