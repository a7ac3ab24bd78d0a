"""The dialogue conferences in the JSON API: the same use cases as ``tiepdan dialogue``.

    GET    /api/dialogues?unit=ID[&year=YYYY]     (as tiepdan dialogue list --format json)
    GET    /api/dialogues/{id}
    POST   /api/units/{unit}/dialogues            {"date", "topic", "kind"?, "form"?, "time"?, "place"?,
                                                   "co_organisers"?, "lead_agency"?, "coordinating"?}
    POST   /api/dialogues/{id}/announce           {"date"?, "mttq_opinions"?, "mttq_summary"?, "version"?}
    POST   /api/dialogues/{id}/record             {"held": true, "attendance"?, "opinions_raised"?,
                                                   "opinions_answered"?} | {"held": false, "reason"}
    POST   /api/dialogues/{id}/conclude           {"date"?, "number"?, "version"?}
    POST   /api/dialogues/{id}/postpone           {"reason", "date"?, "version"?}
    POST   /api/units/{unit}/dialogues/trigger    {"topic", "asked"?, "voters"?, "reason"?, "date"?,
                                                   "hold_by"?, "time"?, "place"?, "form"?}

The same checks as the rest of the API (401, then 404, then 403, then 400/409). Whoever may see a
unit reads its dialogues (they hold no citizen's personal data: the MTTQ's account among them);
only its staff and administrators change them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.usecases import access
from scheduler.usecases import dialogues as dg
from scheduler.web.api import Call, _api, _json
from scheduler.web.inputs import BadInput, parse_count, parse_date, parse_id, text_field


def _dialogue(call: Call, *, change: bool = False) -> StoredDialogue:
    dialogue_id = parse_id(call.request.path_params["dialogue_id"])
    if dialogue_id is None:
        raise access.NotVisible("không có hội nghị đối thoại này")
    return access.dialogue_for(call.engine, call.account, call.config, dialogue_id, change=change)


def _out(call: Call, row: StoredDialogue, status: int = 200, warning: str | None = None) -> Response:
    data = dg.dialogue_dict(row, call.today)
    if warning:
        data["warning"] = warning
    return _json(data, status)


def _lines(value: object, what: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise BadInput(f"{what} phải là danh sách chữ")
    return value


def list_dialogues(call: Call) -> Response:
    q = call.request.query_params
    unit = q.get("unit")
    if not unit:
        raise BadInput("cần unit")
    access.require_dialogue(call.account, call.config, unit)
    year_text = q.get("year")
    first = last = None
    if year_text:
        if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
            raise BadInput(f"year phải có dạng YYYY, không phải {year_text[:10]!r}")
        first, last = date(int(year_text), 1, 1), date(int(year_text), 12, 31)
    units = [u.id for u in call.config.subtree(unit) if access.can_see(call.account, call.config, u.id)]
    rows = dg.list_dialogues(call.engine, units=units, first=first, last=last)
    return _json([dg.dialogue_dict(r, call.today) for r in rows])


def show(call: Call) -> Response:
    return _out(call, _dialogue(call))


def plan(call: Call) -> Response:
    unit = call.request.path_params["unit_id"]
    access.require_dialogue(call.account, call.config, unit, change=True)
    b = call.body
    held_on = parse_date(b.get("date"), "date")
    assert held_on is not None
    extra: dict[str, Any] = {}
    co = _lines(b.get("co_organisers"), "co_organisers")
    if co is not None:
        extra["co_organisers"] = co
    row = dg.plan_dialogue(
        call.engine,
        call.config,
        unit,
        held_on=held_on,
        topic=text_field(b.get("topic"), "topic") or "",
        kind=text_field(b.get("kind"), "kind") or "periodic",
        form=text_field(b.get("form"), "form") or "in_person",
        time_range=text_field(b.get("time"), "time"),
        place=text_field(b.get("place"), "place") or "",
        lead_agency=text_field(b.get("lead_agency"), "lead_agency") or "",
        coordinating=_lines(b.get("coordinating"), "coordinating") or [],
        actor=dg.Actor(call.account.login),
        now=call.now,
        today=call.today,
        **extra,
    )
    return _out(call, row, 201)


def announce(call: Call) -> Response:
    row = _dialogue(call, change=True)
    b = call.body
    done = dg.announce_dialogue(
        call.engine,
        row.id,
        config=call.config,
        announced_on=parse_date(b.get("date"), "date", required=False),
        mttq_opinions=parse_count(b.get("mttq_opinions"), "mttq_opinions"),
        mttq_summary=text_field(b.get("mttq_summary"), "mttq_summary"),
        expected_version=call.version(),
        actor=dg.Actor(call.account.login),
        now=call.now,
        today=call.today,
    )
    return _out(call, done.row, warning=done.warning)


def record(call: Call) -> Response:
    row = _dialogue(call, change=True)
    b = call.body
    held = b.get("held", True)
    if not isinstance(held, bool):
        raise BadInput("held phải là true hoặc false")
    new = dg.record_dialogue(
        call.engine,
        row.id,
        held=held,
        attendance=parse_count(b.get("attendance"), "attendance"),
        opinions_raised=parse_count(b.get("opinions_raised"), "opinions_raised"),
        opinions_answered=parse_count(b.get("opinions_answered"), "opinions_answered"),
        reason=text_field(b.get("reason"), "reason") or "",
        expected_version=call.version(),
        actor=dg.Actor(call.account.login),
        now=call.now,
        today=call.today,
    )
    return _out(call, new)


def conclude(call: Call) -> Response:
    row = _dialogue(call, change=True)
    b = call.body
    done = dg.conclude_dialogue(
        call.engine,
        row.id,
        concluded_on=parse_date(b.get("date"), "date", required=False),
        number=text_field(b.get("number"), "number") or "",
        expected_version=call.version(),
        actor=dg.Actor(call.account.login),
        now=call.now,
        today=call.today,
    )
    return _out(call, done.row, warning=done.warning)


def trigger(call: Call) -> Response:
    unit = call.request.path_params["unit_id"]
    access.require_dialogue(call.account, call.config, unit, change=True)
    b = call.body
    row = dg.trigger_dialogue(
        call.engine,
        call.config,
        unit,
        topic=text_field(b.get("topic"), "topic") or "",
        voters_asked=parse_count(b.get("asked"), "asked"),
        voters_total=parse_count(b.get("voters"), "voters"),
        reason=text_field(b.get("reason"), "reason") or "",
        held_on=parse_date(b.get("date"), "date", required=False),
        hold_by=parse_date(b.get("hold_by"), "hold_by", required=False),
        time_range=text_field(b.get("time"), "time"),
        place=text_field(b.get("place"), "place") or "",
        form=text_field(b.get("form"), "form") or "in_person",
        actor=dg.Actor(call.account.login),
        now=call.now,
        today=call.today,
    )
    return _out(call, row, 201)


def postpone(call: Call) -> Response:
    row = _dialogue(call, change=True)
    b = call.body
    done = dg.postpone_dialogue(
        call.engine,
        call.config,
        row.id,
        reason=text_field(b.get("reason"), "reason") or "",
        new_date=parse_date(b.get("date"), "date", required=False),
        expected_version=call.version(),
        actor=dg.Actor(call.account.login),
        now=call.now,
        today=call.today,
    )
    return _out(call, done.row, warning=done.warning)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/dialogues", _api(list_dialogues), methods=["GET"]),
        Route("/api/dialogues/{dialogue_id}", _api(show), methods=["GET"]),
        Route("/api/units/{unit_id}/dialogues", _api(plan, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/announce", _api(announce, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/record", _api(record, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/conclude", _api(conclude, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/postpone", _api(postpone, body=True), methods=["POST"]),
        Route("/api/units/{unit_id}/dialogues/trigger", _api(trigger, body=True), methods=["POST"]),
    ]
