"""The dialogue conferences on the desk: a unit's dialogues of a year (with the form to plan one)
and one dialogue with its facts and the actions still open (announce, record held or not held,
conclude), calling the same use cases as ``tiepdan dialogue`` and the API, through the same
access module. Whoever may see the unit reads them (a dialogue holds no citizen's personal data:
the MTTQ's account among them); only its staff and administrators see the forms and change them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from rules import ConflictError, TiepdanError
from rules.dialogues import DIALOGUE_FORMS, DIALOGUE_KINDS, FORM_VI, KIND_VI
from scheduler.usecases import access
from scheduler.usecases import dialogues as dg
from scheduler.web.desk import Ctx, desk
from scheduler.web.desk_units import year_param
from scheduler.web.inputs import parse_count, parse_date, parse_id

DONE = {
    "planned": "Đã đưa hội nghị đối thoại vào kế hoạch.",
    "announced": "Đã ghi thông báo hội nghị đối thoại.",
    "recorded": "Đã ghi kết quả tổ chức hội nghị.",
    "concluded": "Đã ghi thông báo kết quả hội nghị.",
}


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def list_page(ctx: Ctx, *, status: int = 200, error: str = "") -> Response:
    unit_id = ctx.param("unit_id")
    access.require_dialogue(ctx.account, ctx.config, unit_id)
    year = year_param(ctx)
    units = [u.id for u in ctx.config.subtree(unit_id) if access.can_see(ctx.account, ctx.config, u.id)]
    rows = dg.list_dialogues(ctx.engine, units=units, first=date(year, 1, 1), last=date(year, 12, 31))
    return ctx.page(
        "desk/dialogues.html",
        status,
        unit_id=unit_id,
        year=year,
        dialogues=[dg.dialogue_dict(r, ctx.today) for r in rows],
        findings=[
            f.as_json() for f in dg.findings(ctx.config, rows, date(year, 1, 1), date(year, 12, 31), units)
        ],
        can_change=access.can_change(ctx.account, unit_id),
        kinds=[(k, KIND_VI[k]) for k in DIALOGUE_KINDS],
        forms=[(f, FORM_VI[f]) for f in DIALOGUE_FORMS],
        form=ctx.form if error else {},
        error=error,
        date_of=_date,
        done_extra=DONE.get(ctx.request.query_params.get("ok", ""), ""),
    )


def plan(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    access.require_dialogue(ctx.account, ctx.config, unit_id, change=True)
    f = ctx.form
    try:
        held_on = parse_date(f.get("date"), "ngày đối thoại")
        assert held_on is not None
        row = dg.plan_dialogue(
            ctx.engine,
            ctx.config,
            unit_id,
            held_on=held_on,
            topic=f.get("topic", ""),
            kind=f.get("kind") or "periodic",
            form=f.get("form") or "in_person",
            time_range=f.get("time") or None,
            place=f.get("place", ""),
            online_url=f.get("online_url", ""),
            lead_agency=f.get("lead_agency", ""),
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
        )
    except TiepdanError as exc:
        return list_page(ctx, status=400, error=str(exc))
    return RedirectResponse(f"/desk/dialogues/{row.id}?ok=planned", status_code=303)


def _dialogue(ctx: Ctx, *, change: bool = False) -> Any:
    dialogue_id = parse_id(ctx.param("dialogue_id"))
    if dialogue_id is None:
        raise access.NotVisible("không có hội nghị đối thoại này")
    return access.dialogue_for(ctx.engine, ctx.account, ctx.config, dialogue_id, change=change)


def _page(ctx: Ctx, row: Any, *, status: int = 200, error: str = "") -> Response:
    q = ctx.request.query_params
    return ctx.page(
        "desk/dialogue.html",
        status,
        d=dg.dialogue_dict(row, ctx.today),
        can_change=access.can_change(ctx.account, row.unit_id),
        today=ctx.today,
        date_of=_date,
        error=error,
        done_extra=DONE.get(q.get("ok", ""), ""),
    )


def page(ctx: Ctx) -> Response:
    return _page(ctx, _dialogue(ctx))


def _act(ctx: Ctx, action: Callable[[Any], str]) -> Response:
    """Run a change; on refusal show the dialogue again with why (nothing changed)."""
    row = _dialogue(ctx, change=True)
    try:
        target = action(row)
    except ConflictError as exc:
        return _page(ctx, dg.get_dialogue(ctx.engine, row.id), status=409, error=str(exc))
    except TiepdanError as exc:
        return _page(ctx, dg.get_dialogue(ctx.engine, row.id), status=400, error=str(exc))
    return RedirectResponse(target, status_code=303)


def _version(ctx: Ctx) -> int | None:
    return parse_count(ctx.form.get("version"), "phiên bản")


def announce(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        f = ctx.form
        dg.announce_dialogue(
            ctx.engine,
            row.id,
            announced_on=parse_date(f.get("date"), "ngày thông báo", required=False),
            mttq_opinions=parse_count(f.get("mttq_opinions"), "số ý kiến Mặt trận tổng hợp"),
            mttq_summary=f.get("mttq_summary") if "mttq_summary" in f else None,
            expected_version=_version(ctx),
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
        )
        return f"/desk/dialogues/{row.id}?ok=announced"

    return _act(ctx, run)


def record(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        f = ctx.form
        dg.record_dialogue(
            ctx.engine,
            row.id,
            held=f.get("held", "1") != "0",
            attendance=parse_count(f.get("attendance"), "số người dự"),
            opinions_raised=parse_count(f.get("opinions_raised"), "số ý kiến"),
            opinions_answered=parse_count(f.get("opinions_answered"), "số ý kiến trả lời tại hội nghị"),
            reason=f.get("reason", ""),
            expected_version=_version(ctx),
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
        )
        return f"/desk/dialogues/{row.id}?ok=recorded"

    return _act(ctx, run)


def conclude(ctx: Ctx) -> Response:
    def run(row: Any) -> str:
        f = ctx.form
        dg.conclude_dialogue(
            ctx.engine,
            row.id,
            concluded_on=parse_date(f.get("date"), "ngày thông báo kết quả", required=False),
            number=f.get("number", ""),
            expected_version=_version(ctx),
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
        )
        return f"/desk/dialogues/{row.id}?ok=concluded"

    return _act(ctx, run)


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/units/{unit_id}/dialogues", desk(list_page), methods=["GET"]),
        Route("/desk/units/{unit_id}/dialogues", desk(plan, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}", desk(page), methods=["GET"]),
        Route("/desk/dialogues/{dialogue_id}/announce", desk(announce, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}/record", desk(record, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}/conclude", desk(conclude, post=True), methods=["POST"]),
    ]
