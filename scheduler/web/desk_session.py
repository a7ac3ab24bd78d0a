"""The desk page of one session and what a clerk does on it: record the outcome (or undo a
record made by mistake), postpone (hoãn), move, book the make-up (tiếp công dân bù)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rules.vietnamese import long_date
from rules.vocabulary import COUNTS
from scheduler.reads.session_views import replacements
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import access, cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import publishing as pub
from scheduler.usecases import reception_log as book
from scheduler.usecases import sessions as uc
from scheduler.web.desk_page import NOTICES, Ctx, confirm_page, confirmed, desk, form_change, session_id_of
from scheduler.web.inputs import BadInput, parse_count, parse_date, parse_version
from scheduler.web.yearview import entry_of


def has_change(row: StoredSession) -> bool:
    """Whether a session has something a change notice announces (``publishing.change_to_announce``)."""
    return pub.change_to_announce(row) is not None


def show_session(ctx: Ctx, row: StoredSession, *, status: int = 200, error: str = "") -> Response:
    unit_id = row.unit_id
    can_change = access.can_change(ctx.account, unit_id)
    personal = access.can_see_personal(ctx.account, unit_id)
    made_up_by = replacements(ctx.engine, [row.id]).get(row.id)
    makeup_row = uc.get_session(ctx.engine, made_up_by) if made_up_by is not None else None
    proposals = (
        uc.make_up_proposals(ctx.engine, ctx.config, row.id, ctx.today)
        if can_change and row.needs_makeup
        else []
    )
    log = book.entries(ctx.engine, row.id) if personal else []
    notice = NOTICES and has_change(row)
    return ctx.page(
        "desk/session.html",
        status,
        s=row,
        entry=entry_of(row, ctx.today, makeup_row),
        today=ctx.today,
        made_up_by=made_up_by,
        proposals=proposals,
        log=log,
        counts=book.counts_of(log),
        can_change=can_change,
        personal=personal,
        history=session_reads.history(ctx.engine, row.id),
        error=error,
        tz=ctx.config.timezone,
        change_notice=notice,
        notice_warning=_notice_warning(ctx, row) if notice and can_change else "",
        makeup_warning=_makeup_warning(ctx, row) if can_change else None,
    )


def _makeup_warning(ctx: Ctx, row: StoredSession) -> str | None:
    """The clerk's one line when a booked make-up breaks the mandate or the posting rule."""
    from scheduler.usecases.makeup_check import makeup_warning_for

    return makeup_warning_for(ctx.engine, ctx.config, row, ctx.today)


def _notice_warning(ctx: Ctx, row: StoredSession) -> str:
    """The clerk's warning when the change notice would be posted too late (never in the notice)."""
    from scheduler.web.notices import change_warning

    return change_warning(ctx.config, ctx.engine, row.id, ctx.today)


def session_page(ctx: Ctx) -> Response:
    return show_session(ctx, access.session_for(ctx.engine, ctx.account, ctx.config, session_id_of(ctx)))


def _expected_version(ctx: Ctx) -> int | None:
    return parse_version(ctx.form.get("version"))


def act(
    ctx: Ctx, action: Callable[[StoredSession], str | Response], session_id: int | None = None
) -> Response:
    """Run a change on a session the account may change; on refusal show the page again with why.
    ``action`` returns where to go next, or a page to show (a confirmation)."""
    if session_id is None:
        session_id = session_id_of(ctx)
    row = access.session_for(ctx.engine, ctx.account, ctx.config, session_id, change=True)
    return form_change(
        lambda: action(row),
        lambda status, error: show_session(
            ctx, uc.get_session(ctx.engine, row.id), status=status, error=error
        ),
    )


def cancel(ctx: Ctx) -> Response:
    def run(row: StoredSession) -> str | Response:
        reason = ctx.form.get("reason", "").strip()
        if not reason:
            raise BadInput("Vui lòng ghi lý do hoãn buổi tiếp.")
        if not confirmed(ctx):
            return confirm_page(
                ctx,
                title=f"Hoãn buổi tiếp {long_date(row.date)}",
                question=f"Hoãn buổi tiếp {long_date(row.date)} của {ctx.unit_name(row.unit_id)}?",
                details=[
                    ("Lý do hoãn", reason),
                    ("Sau khi hoãn", "cần đặt ngày tiếp công dân bù và thông báo lịch mới"),
                ],
                action=f"/desk/sessions/{row.id}/cancel",
                fields={"version": ctx.form.get("version", ""), "reason": reason},
                button="Xác nhận hoãn",
                back=f"/desk/sessions/{row.id}",
            )
        cancel_makeup.cancel(
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

    return act(ctx, run)


def makeup(ctx: Ctx) -> Response:
    def run(row: StoredSession) -> str:
        choice = ctx.form.get("date", "")
        on = parse_date(ctx.form.get("other") if choice == "other" else choice, "ngày tiếp bù")
        new = cancel_makeup.book_makeup(
            ctx.engine,
            ctx.config,
            row.id,
            on=on,
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
            expected_version=_expected_version(ctx),
        ).session
        return f"/desk/sessions/{new.id}?ok=makeup"

    return act(ctx, run)


def move(ctx: Ctx) -> Response:
    def run(row: StoredSession) -> str:
        to = parse_date(ctx.form.get("date"), "ngày mới")
        assert to is not None
        move_adhoc.move(
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

    return act(ctx, run)


def _received(ctx: Ctx) -> bool | None:
    """The choice "người đứng đầu trực tiếp tiếp / người khác tiếp thay" (radio buttons)."""
    choice = ctx.form.get("received", "")
    if choice not in ("", "head", "other"):
        raise BadInput("vui lòng chọn: người đứng đầu trực tiếp tiếp hay người khác tiếp thay")
    return {"head": True, "other": False}.get(choice)


def record(ctx: Ctx) -> Response:
    def run(row: StoredSession) -> str:
        outcome = ctx.form.get("outcome")
        if outcome not in ("held", "not_held"):
            raise BadInput("vui lòng chọn: đã tiếp hay không tổ chức")
        counts = {k: parse_count(ctx.form.get(k), k) for k in COUNTS}
        record_outcome.record(
            ctx.engine,
            ctx.config,
            row.id,
            held=outcome == "held",
            actor=ctx.account.actor,
            now=ctx.now,
            counts={k: v for k, v in counts.items() if v is not None},
            reason=ctx.form.get("reason", ""),
            in_person=_received(ctx) if outcome == "held" else None,
            received_by=ctx.form.get("received_by") or None,
            received_title=ctx.form.get("received_title") or None,
            form=ctx.form.get("form") or None,
            conclusion=ctx.form.get("conclusion") or None,
            expected_version=_expected_version(ctx),
        )
        return f"/desk/sessions/{row.id}?ok=recorded"

    return act(ctx, run)


def undo_record(ctx: Ctx) -> Response:
    def run(row: StoredSession) -> str:
        record_outcome.undo_record(
            ctx.engine,
            ctx.config,
            row.id,
            reason=ctx.form.get("reason", ""),
            actor=ctx.account.actor,
            now=ctx.now,
            expected_version=_expected_version(ctx),
        )
        return f"/desk/sessions/{row.id}?ok=unrecorded"

    return act(ctx, run)


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/sessions/{session_id}", desk(session_page), methods=["GET"]),
        Route("/desk/sessions/{session_id}/cancel", desk(cancel, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/makeup", desk(makeup, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/move", desk(move, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/record", desk(record, post=True), methods=["POST"]),
        Route("/desk/sessions/{session_id}/undo", desk(undo_record, post=True), methods=["POST"]),
    ]
