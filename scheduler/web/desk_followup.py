"""The follow-up on the desk: the daily list (Theo dõi giải quyết), a session's cases and their
directions (with the conclusion notice), and one direction with its result."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rules import TiepdanError
from rules.followup import STATE_VI
from rules.time_limits import LIMITS
from scheduler.infra.jsontype import JsonObject
from scheduler.reads.stored_direction import StoredDirection
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import followup as fu
from scheduler.usecases import reception_log as book
from scheduler.web.desk_page import Ctx, desk, form_change
from scheduler.web.followup_access import (
    deadline_args,
    direction_for,
    entry_for,
    require_followup,
    session_for,
)
from scheduler.web.inputs import parse_count, parse_date, parse_id

DONE = {
    "direction": "Đã ghi chỉ đạo.",
    "edited": "Đã sửa chỉ đạo.",
    "result": "Đã ghi kết quả giải quyết.",
    "deleted": "Đã xóa chỉ đạo.",
}


def followup_page(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    require_followup(ctx.account, ctx.config, unit_id)
    q = ctx.request.query_params
    error = ""
    try:
        states = fu.parse_states(q.get("state"))
    except TiepdanError as exc:
        states, error = None, str(exc)
    data = fu.followup_list(
        ctx.engine, ctx.config, unit_id, ctx.today, states=states, agency=q.get("agency") or None
    )
    counts = {s: 0 for s in STATE_VI}
    for d in fu.followup_list(ctx.engine, ctx.config, unit_id, ctx.today)["directions"]:
        counts[d["state"]] += 1
    return ctx.page(
        "desk/followup.html",
        400 if error else 200,
        unit_id=unit_id,
        data=data,
        states=STATE_VI,
        counts=counts,
        chosen=q.get("state", ""),
        agency=q.get("agency", ""),
        error=error,
        today=ctx.today,
        date_of=_date,
    )


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _session_page(ctx: Ctx, row: StoredSession, *, status: int = 200, error: str = "") -> Response:
    directions = fu.directions_of_session(ctx.engine, row.id)
    by_entry: dict[int | None, list[JsonObject]] = {}
    for d in directions:
        by_entry.setdefault(d.entry_id, []).append(fu.direction_dict(d, ctx.config, ctx.today))
    return ctx.page(
        "desk/directions.html",
        status,
        s=row,
        entries=book.entries(ctx.engine, row.id),
        by_entry=by_entry,
        notice=fu.conclusion_notice(ctx.engine, row.id),
        limits=LIMITS,
        default_limit=ctx.config.followup.default_limit,
        error=error,
        today=ctx.today,
        date_of=_date,
        done_extra=DONE.get(ctx.request.query_params.get("ok", ""), ""),
    )


def session_directions(ctx: Ctx) -> Response:
    row = session_for(ctx.engine, ctx.account, ctx.config, parse_id(ctx.param("session_id")))
    return _session_page(ctx, row)


def _guarded(ctx: Ctx, session_id: int, action: Callable[[], str | Response]) -> Response:
    """Run a change; on refusal show the session's page again with why (nothing changed)."""
    return form_change(
        action,
        lambda status, error: _session_page(ctx, _session(ctx, session_id), status=status, error=error),
    )


def _session(ctx: Ctx, session_id: int) -> StoredSession:
    return session_for(ctx.engine, ctx.account, ctx.config, session_id)


def add(ctx: Ctx) -> Response:
    entry = entry_for(ctx.engine, ctx.account, ctx.config, parse_id(ctx.param("entry_id")), change=True)

    def run() -> str:
        fu.add_direction(
            ctx.engine,
            ctx.config,
            entry.id,
            content=ctx.form.get("content", ""),
            agency=ctx.form.get("agency", ""),
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
            **deadline_args(ctx.form | {"form": "1"}),
        )
        return f"/desk/sessions/{entry.session_id}/directions?ok=direction#e{entry.id}"

    return _guarded(ctx, entry.session_id, run)


def conclusion(ctx: Ctx) -> Response:
    from scheduler.web.followup_files import conclusion_file

    row = session_for(ctx.engine, ctx.account, ctx.config, parse_id(ctx.param("session_id")), change=True)

    def run() -> Response:
        return conclusion_file(
            ctx.engine,
            ctx.config,
            row.id,
            number=ctx.form.get("number", ""),
            issued_on=parse_date(ctx.form.get("date"), "ngày thông báo", required=False) or ctx.today,
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
            fmt="pdf" if ctx.form.get("format") == "pdf" else "docx",
        )

    return form_change(run, lambda status, error: _session_page(ctx, row, status=status, error=error))


def _direction_page(ctx: Ctx, row: StoredDirection, *, status: int = 200, error: str = "") -> Response:
    return ctx.page(
        "desk/direction.html",
        status,
        d=fu.direction_dict(row, ctx.config, ctx.today),
        row=row,
        limits=LIMITS,
        error=error,
        today=ctx.today,
        date_of=_date,
        done_extra=DONE.get(ctx.request.query_params.get("ok", ""), ""),
        history=[h for h in fu.direction_history(ctx.engine, row.session_id, row.id)],
        tz=ctx.config.timezone,
    )


def direction_page(ctx: Ctx) -> Response:
    return _direction_page(
        ctx, direction_for(ctx.engine, ctx.account, ctx.config, parse_id(ctx.param("direction_id")))
    )


def _act(ctx: Ctx, action: Callable[[StoredDirection], str]) -> Response:
    """Run a change on the direction of the path; on refusal show it again with why."""
    row = direction_for(ctx.engine, ctx.account, ctx.config, parse_id(ctx.param("direction_id")), change=True)
    return form_change(
        lambda: action(row),
        lambda status, error: _direction_page(
            ctx, fu.get_direction(ctx.engine, row.id), status=status, error=error
        ),
    )


def edit(ctx: Ctx) -> Response:
    def run(row: StoredDirection) -> str:
        data = ctx.form | {"form": "1"}
        # The form shows the legal limits only; the office's own days or date stay as they were.
        if not data.get("days") and row.limit_days:
            data["days"] = str(row.limit_days)
        if not data.get("due") and row.limit_id == fu.OFFICE_DATE:
            data["due"] = row.due.isoformat()
        fu.edit_direction(
            ctx.engine,
            ctx.config,
            row.id,
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
            content=ctx.form.get("content"),
            agency=ctx.form.get("agency"),
            expected_version=parse_count(ctx.form.get("version"), "phiên bản"),
            **deadline_args(data),
        )
        return f"/desk/directions/{row.id}?ok=edited"

    return _act(ctx, run)


def result(ctx: Ctx) -> Response:
    def run(row: StoredDirection) -> str:
        f = ctx.form
        fu.record_result(
            ctx.engine,
            row.id,
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
            resolved_on=parse_date(f.get("resolved_on"), "ngày giải quyết", required=False),
            result=f.get("result") if f.get("result") else None,
            answered_on=parse_date(f.get("answered_on"), "ngày trả lời công dân", required=False),
            notified_on=parse_date(f.get("notified_on"), "ngày thông báo", required=False),
            expected_version=parse_count(f.get("version"), "phiên bản"),
        )
        return f"/desk/directions/{row.id}?ok=result"

    return _act(ctx, run)


def delete(ctx: Ctx) -> Response:
    def run(row: StoredDirection) -> str:
        session_id = fu.delete_direction(
            ctx.engine,
            row.id,
            actor=ctx.account.actor,
            now=ctx.now,
            expected_version=parse_count(ctx.form.get("version"), "phiên bản"),
        )
        if session_id is None:  # a dialogue's direction: there is no session page to go back to
            return f"/desk/followup/{row.unit_id}?ok=deleted"
        return f"/desk/sessions/{session_id}/directions?ok=deleted"

    return _act(ctx, run)


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/followup/{unit_id}", desk(followup_page), methods=["GET"]),
        Route("/desk/sessions/{session_id}/directions", desk(session_directions), methods=["GET"]),
        Route("/desk/sessions/{session_id}/conclusion", desk(conclusion, post=True), methods=["POST"]),
        Route("/desk/entries/{entry_id}/directions", desk(add, post=True), methods=["POST"]),
        Route("/desk/directions/{direction_id}", desk(direction_page), methods=["GET"]),
        Route("/desk/directions/{direction_id}/edit", desk(edit, post=True), methods=["POST"]),
        Route("/desk/directions/{direction_id}/result", desk(result, post=True), methods=["POST"]),
        Route("/desk/directions/{direction_id}/delete", desk(delete, post=True), methods=["POST"]),
    ]
