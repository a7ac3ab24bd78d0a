"""The dialogue conferences on the desk: a unit's dialogues of a year (with the forms to plan one
and to open one on the voters' request or a pressing issue) and one dialogue with its facts, the
actions still open (announce, postpone, record held or not held, conclude) and its two notices to
download (as ``tiepdan dialogue document ID --notice|--conclusion``), calling the same use cases
as ``tiepdan dialogue`` and the API, through the same access module. Whoever may see the unit
reads them (a dialogue holds no citizen's personal data: the MTTQ's account among them); only its
staff and administrators see the forms and change them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rules.dialogues import DIALOGUE_FORMS, DIALOGUE_KINDS, FORM_VI, KIND_VI
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases import access
from scheduler.usecases import dialogues as dg
from scheduler.web.desk_page import Ctx, desk, form_change, year_param
from scheduler.web.inputs import parse_count, parse_date, parse_id

DONE = {
    "planned": "Đã đưa hội nghị đối thoại vào kế hoạch.",
    "announced": "Đã ghi thông báo hội nghị đối thoại.",
    "recorded": "Đã ghi kết quả tổ chức hội nghị.",
    "concluded": "Đã ghi thông báo kết quả hội nghị.",
    "postponed": "Đã hoãn hội nghị đối thoại; đã báo những người đã được thông báo.",
    "triggered": "Đã mở hội nghị đối thoại đột xuất.",
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

    def run() -> str:
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
        return f"/desk/dialogues/{row.id}?ok=planned"

    return form_change(run, lambda status, error: list_page(ctx, status=status, error=error))


def trigger(ctx: Ctx) -> Response:
    unit_id = ctx.param("unit_id")
    access.require_dialogue(ctx.account, ctx.config, unit_id, change=True)
    f = ctx.form

    def run() -> str:
        row = dg.trigger_dialogue(
            ctx.engine,
            ctx.config,
            unit_id,
            topic=f.get("topic", ""),
            voters_asked=parse_count(f.get("asked"), "số cử tri kiến nghị"),
            voters_total=parse_count(f.get("voters"), "tổng số cử tri"),
            reason=f.get("reason", ""),
            held_on=parse_date(f.get("date"), "ngày đối thoại", required=False),
            hold_by=parse_date(f.get("hold_by"), "hạn tổ chức", required=False),
            time_range=f.get("time") or None,
            place=f.get("place", ""),
            form=f.get("form") or "in_person",
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
        )
        return f"/desk/dialogues/{row.id}?ok=triggered"

    return form_change(run, lambda status, error: list_page(ctx, status=status, error=error))


def _dialogue(ctx: Ctx, *, change: bool = False) -> StoredDialogue:
    dialogue_id = parse_id(ctx.param("dialogue_id"))
    if dialogue_id is None:
        raise access.NotVisible("không có hội nghị đối thoại này")
    return access.dialogue_for(ctx.engine, ctx.account, ctx.config, dialogue_id, change=change)


def _page(
    ctx: Ctx, row: StoredDialogue, *, status: int = 200, error: str = "", done: str = "", warning: str = ""
) -> Response:
    q = ctx.request.query_params
    return ctx.page(
        "desk/dialogue.html",
        status,
        d=dg.dialogue_dict(row, ctx.today),
        can_change=access.can_change(ctx.account, row.unit_id),
        today=ctx.today,
        date_of=_date,
        error=error,
        done_extra=done or DONE.get(q.get("ok", ""), ""),
        warning=warning,
    )


def page(ctx: Ctx) -> Response:
    return _page(ctx, _dialogue(ctx))


def _act(
    ctx: Ctx, action: Callable[[StoredDialogue], str | Response], row: StoredDialogue | None = None
) -> Response:
    """Run a change on the dialogue of the path (``row``, when already read); on refusal show it
    again with why (nothing changed)."""
    if row is None:
        row = _dialogue(ctx, change=True)
    return form_change(
        lambda: action(row),
        lambda status, error: _page(ctx, dg.get_dialogue(ctx.engine, row.id), status=status, error=error),
    )


def _version(ctx: Ctx) -> int | None:
    return parse_count(ctx.form.get("version"), "phiên bản")


def announce(ctx: Ctx) -> Response:
    def run(row: StoredDialogue) -> str:
        f = ctx.form
        dg.announce_dialogue(
            ctx.engine,
            row.id,
            config=ctx.config,
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
    def run(row: StoredDialogue) -> str:
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
    def run(row: StoredDialogue) -> str:
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


def postpone(ctx: Ctx) -> Response:
    """Postpone; a warning for the clerk (the new day less than 7 days ahead) is shown on the
    dialogue's page at once, never in what the public is told."""

    def run(row: StoredDialogue) -> str | Response:
        f = ctx.form
        done = dg.postpone_dialogue(
            ctx.engine,
            ctx.config,
            row.id,
            reason=f.get("reason", ""),
            new_date=parse_date(f.get("date"), "ngày tổ chức mới", required=False),
            expected_version=_version(ctx),
            actor=ctx.account.actor,
            now=ctx.now,
            today=ctx.today,
        )
        if done.warning:
            return _page(ctx, done.row, done=DONE["postponed"], warning=done.warning)
        return f"/desk/dialogues/{row.id}?ok=postponed"

    return _act(ctx, run)


# The two notices, drawn by the CLI's use cases (``dialogue document ID --notice|--conclusion``).
# Issuing one records what it announces, so it is a POST of the unit's staff (CSRF); a notice
# already issued is a public paper (posted at the office, sent to the co-organisers): whoever
# reads the dialogue — the MTTQ, a supervisor — downloads it as issued, changing nothing.
PAPERS = {
    "notice": (dg.notice_document, "thong-bao-doi-thoai"),
    "conclusion": (dg.conclusion_document, "ket-luan-doi-thoai"),
}


def _paper(
    ctx: Ctx, which: str, row: StoredDialogue, *, number: str | None, issued_on: date | None
) -> Response:
    from scheduler.web.desk_files import DOCX, download

    make, stem = PAPERS[which]
    doc = make(
        ctx.engine, ctx.config, row.id, actor=ctx.account.actor, now=ctx.now, today=ctx.today,
        number=number, issued_on=issued_on,
    )  # fmt: skip
    return download(doc.data, DOCX, f"{stem}-{row.id}.docx", f"{stem}.docx")


def paper(ctx: Ctx) -> Response:
    """GET: a notice already issued, as issued (any reader of the dialogue)."""
    which = ctx.param("which")
    row = _dialogue(ctx)
    if which not in PAPERS:
        raise access.NotVisible("không có văn bản này")
    issued = row.announced_on if which == "notice" else row.concluded_on
    if issued is None:
        what = "thông báo tổ chức" if which == "notice" else "thông báo kết luận"
        return _page(ctx, row, status=400, error=f"hội nghị đối thoại số {row.id} chưa ban hành {what}")
    number = None if which == "notice" else (row.conclusion_number or None)
    return _paper(ctx, which, row, number=number, issued_on=issued)


def issue_paper(ctx: Ctx) -> Response:
    """POST: issue the notice (record the announcement or the results) and download it."""
    which = ctx.param("which")
    row = _dialogue(ctx, change=True)
    if which not in PAPERS:
        raise access.NotVisible("không có văn bản này")

    def run(row: StoredDialogue) -> Response:
        f = ctx.form
        return _paper(
            ctx,
            which,
            row,
            number=(f.get("number") or "").strip() or None,
            issued_on=parse_date(f.get("date"), "ngày ban hành", required=False),
        )

    return _act(ctx, run, row)


def routes() -> list[BaseRoute]:
    return [
        Route("/desk/units/{unit_id}/dialogues", desk(list_page), methods=["GET"]),
        Route("/desk/units/{unit_id}/dialogues", desk(plan, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}", desk(page), methods=["GET"]),
        Route("/desk/dialogues/{dialogue_id}/announce", desk(announce, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}/record", desk(record, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}/conclude", desk(conclude, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}/postpone", desk(postpone, post=True), methods=["POST"]),
        Route("/desk/units/{unit_id}/dialogues/trigger", desk(trigger, post=True), methods=["POST"]),
        Route("/desk/dialogues/{dialogue_id}/{which}.docx", desk(paper), methods=["GET"]),
        Route("/desk/dialogues/{dialogue_id}/{which}.docx", desk(issue_paper, post=True), methods=["POST"]),
    ]
