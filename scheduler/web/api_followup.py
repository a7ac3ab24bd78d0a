"""The follow-up in the JSON API: directions, their results, the list, the conclusion notice.

    GET    /api/followup?unit=ID[&state=overdue,due_soon][&agency=TEXT]   (as tiepdan followup --format json)
    GET    /api/sessions/{id}/directions
    POST   /api/entries/{entry_id}/directions
           {"content", "agency", "limit"? | "days"? | "due"?, "accepted_on"?}
    GET    /api/directions/{id}
    POST   /api/directions/{id}                 {"content"?, "agency"?, "limit"? ..., "version"?}
    POST   /api/directions/{id}/result
           {"resolved_on"?, "result"?, "answered_on"?, "notified_on"?, "version"?}
    DELETE /api/directions/{id}
    POST   /api/sessions/{id}/conclusion        {"number"?, "date"?, "format": "docx" | "pdf"} -> the file
    GET    /api/dialogues/{id}/directions       a dialogue's directions (read like the dialogue)
    POST   /api/dialogues/{id}/directions       the body of POST /api/entries/{entry_id}/directions

The same checks as the rest of the API (401, then 404, then 403, then 400/409), and the same
use cases as the CLI and the desk. Supervisors get 403 on a session's directions: they see
counts, in the report. A dialogue's directions hold nothing personal and are read like the
dialogue (the MTTQ's account reads them, and its unit's follow-up list of them alone).
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from scheduler.reads.stored_direction import StoredDirection
from scheduler.usecases import followup as fu
from scheduler.web.api_call import Call, api_route, json_answer
from scheduler.web.followup_access import (
    deadline_args,
    direction_for,
    entry_for,
    followup_scope,
    session_for,
)
from scheduler.web.inputs import BadInput, parse_id

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _direction(call: Call, *, change: bool = False) -> StoredDirection:
    return direction_for(
        call.engine,
        call.account,
        call.config,
        parse_id(call.request.path_params["direction_id"]),
        change=change,
    )


def _out(call: Call, row: StoredDirection, status: int = 200) -> Response:
    return json_answer(fu.direction_dict(row, call.config, call.today), status)


def followup_list(call: Call) -> Response:
    q = call.request.query_params
    unit = q.get("unit")
    if not unit:
        raise BadInput("cần unit")
    dialogues_only = followup_scope(call.account, call.config, unit)
    return json_answer(
        fu.followup_list(
            call.engine,
            call.config,
            unit,
            call.today,
            states=fu.parse_states(q.get("state")),
            agency=q.get("agency") or None,
            dialogues_only=dialogues_only,
        )
    )


def session_directions(call: Call) -> Response:
    row = session_for(
        call.engine, call.account, call.config, parse_id(call.request.path_params["session_id"])
    )
    notice = fu.conclusion_notice(call.engine, row.id)
    return json_answer(
        {
            "session": row.id,
            "directions": [
                fu.direction_dict(d, call.config, call.today)
                for d in fu.directions_of_session(call.engine, row.id)
            ],
            "conclusion": {"number": notice.number, "issued_on": notice.issued_on.isoformat()}
            if notice
            else None,
        }
    )


def add(call: Call) -> Response:
    entry = entry_for(
        call.engine, call.account, call.config, parse_id(call.request.path_params["entry_id"]), change=True
    )
    row = fu.add_direction(
        call.engine,
        call.config,
        entry.id,
        content=call.text("content", ""),
        agency=call.text("agency", ""),
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        **deadline_args(call.body),
    )
    return _out(call, row, 201)


def dialogue_directions(call: Call) -> Response:
    row = call.dialogue()
    return json_answer(
        {
            "dialogue": row.id,
            "directions": [
                fu.direction_dict(d, call.config, call.today)
                for d in fu.directions_of_dialogue(call.engine, row.id)
            ],
        }
    )


def add_to_dialogue(call: Call) -> Response:
    dialogue = call.dialogue(change=True)
    row = fu.add_dialogue_direction(
        call.engine,
        call.config,
        dialogue.id,
        content=call.text("content", ""),
        agency=call.text("agency", ""),
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        **deadline_args(call.body),
    )
    return _out(call, row, 201)


def show(call: Call) -> Response:
    return _out(call, _direction(call))


def edit(call: Call) -> Response:
    row = _direction(call, change=True)
    new = fu.edit_direction(
        call.engine,
        call.config,
        row.id,
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        content=call.text("content"),
        agency=call.text("agency"),
        expected_version=call.version(),
        **deadline_args(call.body),
    )
    return _out(call, new)


def result(call: Call) -> Response:
    row = _direction(call, change=True)
    new = fu.record_result(
        call.engine,
        row.id,
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        resolved_on=call.day("resolved_on", required=False),
        result=call.text("result"),
        answered_on=call.day("answered_on", required=False),
        notified_on=call.day("notified_on", required=False),
        expected_version=call.version(),
    )
    return _out(call, new)


def delete(call: Call) -> Response:
    row = _direction(call, change=True)
    fu.delete_direction(call.engine, row.id, actor=call.account.actor, now=call.now)
    return Response(status_code=204)


def conclusion(call: Call) -> Response:
    from scheduler.web.followup_files import conclusion_file

    row = session_for(
        call.engine, call.account, call.config, parse_id(call.request.path_params["session_id"]), change=True
    )
    fmt = call.body.get("format", "docx")
    if fmt not in ("docx", "pdf"):
        raise BadInput('format phải là "docx" hoặc "pdf"')
    return conclusion_file(
        call.engine,
        call.config,
        row.id,
        number=call.text("number", ""),
        issued_on=call.day("date", required=False) or call.today,
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        fmt=fmt,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/api/followup", api_route(followup_list), methods=["GET"]),
        Route("/api/sessions/{session_id}/directions", api_route(session_directions), methods=["GET"]),
        Route("/api/sessions/{session_id}/conclusion", api_route(conclusion, body=True), methods=["POST"]),
        Route("/api/entries/{entry_id}/directions", api_route(add, body=True), methods=["POST"]),
        Route("/api/dialogues/{dialogue_id}/directions", api_route(dialogue_directions), methods=["GET"]),
        Route(
            "/api/dialogues/{dialogue_id}/directions", api_route(add_to_dialogue, body=True), methods=["POST"]
        ),
        Route("/api/directions/{direction_id}", api_route(show), methods=["GET"]),
        Route("/api/directions/{direction_id}", api_route(edit, body=True), methods=["POST"]),
        Route("/api/directions/{direction_id}", api_route(delete), methods=["DELETE"]),
        Route("/api/directions/{direction_id}/result", api_route(result, body=True), methods=["POST"]),
    ]
