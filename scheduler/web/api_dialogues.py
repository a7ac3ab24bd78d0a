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
from scheduler.web.api_call import Call, api_route, json_answer
from scheduler.web.inputs import BadInput


def _out(call: Call, row: StoredDialogue, status: int = 200, warning: str | None = None) -> Response:
    data = dg.dialogue_dict(row, call.today)
    if warning:
        data["warning"] = warning
    return json_answer(data, status)


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
    return json_answer([dg.dialogue_dict(r, call.today) for r in rows])


def show(call: Call) -> Response:
    return _out(call, call.dialogue())


def plan(call: Call) -> Response:
    unit = call.request.path_params["unit_id"]
    access.require_dialogue(call.account, call.config, unit, change=True)
    held_on = call.day("date")
    assert held_on is not None
    extra: dict[str, Any] = {}
    co = call.lines("co_organisers")
    if co is not None:
        extra["co_organisers"] = co
    row = dg.plan_dialogue(
        call.engine,
        call.config,
        unit,
        held_on=held_on,
        topic=call.text("topic", ""),
        kind=call.text("kind", "periodic"),
        form=call.text("form", "in_person"),
        time_range=call.text("time"),
        place=call.text("place", ""),
        lead_agency=call.text("lead_agency", ""),
        coordinating=call.lines("coordinating") or [],
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        **extra,
    )
    return _out(call, row, 201)


def announce(call: Call) -> Response:
    row = call.dialogue(change=True)
    done = dg.announce_dialogue(
        call.engine,
        row.id,
        config=call.config,
        announced_on=call.day("date", required=False),
        mttq_opinions=call.count("mttq_opinions"),
        mttq_summary=call.text("mttq_summary"),
        expected_version=call.version(),
        actor=call.account.actor,
        now=call.now,
        today=call.today,
    )
    return _out(call, done.row, warning=done.warning)


def record(call: Call) -> Response:
    row = call.dialogue(change=True)
    held = call.body.get("held", True)
    if not isinstance(held, bool):
        raise BadInput("held phải là true hoặc false")
    new = dg.record_dialogue(
        call.engine,
        row.id,
        held=held,
        attendance=call.count("attendance"),
        opinions_raised=call.count("opinions_raised"),
        opinions_answered=call.count("opinions_answered"),
        reason=call.text("reason", ""),
        expected_version=call.version(),
        actor=call.account.actor,
        now=call.now,
        today=call.today,
    )
    return _out(call, new)


def conclude(call: Call) -> Response:
    row = call.dialogue(change=True)
    done = dg.conclude_dialogue(
        call.engine,
        row.id,
        concluded_on=call.day("date", required=False),
        number=call.text("number", ""),
        expected_version=call.version(),
        actor=call.account.actor,
        now=call.now,
        today=call.today,
    )
    return _out(call, done.row, warning=done.warning)


def trigger(call: Call) -> Response:
    unit = call.request.path_params["unit_id"]
    access.require_dialogue(call.account, call.config, unit, change=True)
    row = dg.trigger_dialogue(
        call.engine,
        call.config,
        unit,
        topic=call.text("topic", ""),
        voters_asked=call.count("asked"),
        voters_total=call.count("voters"),
        reason=call.text("reason", ""),
        held_on=call.day("date", required=False),
        hold_by=call.day("hold_by", required=False),
        time_range=call.text("time"),
        place=call.text("place", ""),
        form=call.text("form", "in_person"),
        actor=call.account.actor,
        now=call.now,
        today=call.today,
    )
    return _out(call, row, 201)


def postpone(call: Call) -> Response:
    row = call.dialogue(change=True)
    done = dg.postpone_dialogue(
        call.engine,
        call.config,
        row.id,
        reason=call.text("reason", ""),
        new_date=call.day("date", required=False),
        expected_version=call.version(),
        actor=call.account.actor,
        now=call.now,
        today=call.today,
    )
    return _out(call, done.row, warning=done.warning)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/dialogues", api_route(list_dialogues), methods=["GET"]),
        Route("/api/dialogues/{dialogue_id}", api_route(show), methods=["GET"]),
        Route("/api/units/{unit_id}/dialogues", api_route(plan, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/announce", api_route(announce, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/record", api_route(record, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/conclude", api_route(conclude, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/postpone", api_route(postpone, body=True), methods=["POST"]),
        Route("/api/units/{unit_id}/dialogues/trigger", api_route(trigger, body=True), methods=["POST"]),
    ]
