"""The JSON API (``/api/``) for scripts, with bearer tokens (``tiepdan token create LOGIN``).

Same accounts, same access rules and same use cases as the desk. Order of checks, so that a
caller learns nothing it may not know: no valid token → 401; a unit or session the account may
not see → 404; one it may see but not change → 403; then the request's own content → 400, or
409 when someone changed the session first.

    GET    /api/me
    GET    /api/sessions?unit=ID&from=D&to=D        (contract: the JSON of ``tiepdan sessions``)
    GET    /api/sessions/{id}
    POST   /api/sessions/{id}/cancel   {"reason"}  (contract)
    POST   /api/sessions/{id}/makeup   {"date"?}
    POST   /api/sessions/{id}/move     {"date", "reason"}
    POST   /api/sessions/{id}/record   {"held": true, "visits"..., "in_person"?, "received_by"?,
                                        "received_title"?, "form"?} | {"held": false, "reason"}
    POST   /api/sessions/{id}/undo     {"reason"}  (a record made by mistake)
    GET    /api/sessions/{id}/log
    POST   /api/sessions/{id}/log      {"full_name", ...}
    PUT    /api/log/{entry_id}         the whole row again (its follow-up is written weeks later)
    DELETE /api/log/{entry_id}
    POST   /api/units/{unit}/adhoc     {"date", "reason", "time"?}
"""

from __future__ import annotations

from datetime import date

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rules import TiepdanError
from rules.vocabulary import COUNTS
from scheduler.infra.jsontype import Json
from scheduler.reads.session_views import replacements
from scheduler.usecases import access, cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import reception_log as book
from scheduler.usecases import sessions as uc
from scheduler.web.api_call import Call, api_route, json_answer
from scheduler.web.inputs import (
    BadInput,
    parse_count,
    parse_date,
    parse_id,
    parse_time_range,
)
from scheduler.web.pagecache import page_cache, unit_state

MAX_SPAN_DAYS = 92


def me(call: Call) -> Response:
    a = call.account
    return json_answer({"login": a.login, "role": a.role, "unit": a.unit_id})


def list_sessions(call: Call) -> Response:
    q = call.request.query_params
    first = parse_date(q.get("from"), "from", required=False)
    last = parse_date(q.get("to"), "to", required=False)
    unit = q.get("unit")
    if unit is not None:
        access.require_unit(call.account, call.config, unit)
        unit_ids: list[str] | None = [unit]
    else:
        visible = access.visible_units(call.account, call.config)
        # Many units at once (a province, the whole country) only over a bounded range: a year
        # of the national registry is 263,000 sessions, too much for one response.
        if len(visible) > 1 and (first is None or last is None or (last - first).days > MAX_SPAN_DAYS):
            raise BadInput(f"không có unit: cần from và to cách nhau không quá {MAX_SPAN_DAYS} ngày")
        unit_ids = None if call.account.role == "admin" else sorted(visible)
    if unit is None:
        return json_answer(_sessions_json(call, unit_ids, first, last))
    # One unit: the same answer for every account that may see it, while its sessions are
    # unchanged (see pagecache).
    cache = page_cache(call.request)
    name = ("api-sessions", f"{unit}\x00{first}\x00{last}")
    key = unit_state(call.engine, unit)
    body = cache.get(name, key)
    if body is None:
        body = bytes(json_answer(_sessions_json(call, unit_ids, first, last)).body)
        cache.put(name, key, body)
    return Response(body, media_type="application/json", headers={"cache-control": "no-store"})


def _sessions_json(
    call: Call, unit_ids: list[str] | None, first: date | None, last: date | None
) -> list[Json]:
    rows = session_reads.list_sessions(call.engine, unit_ids=unit_ids, first=first, last=last)
    made = replacements(call.engine, [r.id for r in rows if r.status in ("cancelled", "not_held")])
    return [session_reads.session_dict(r, made.get(r.id)) for r in rows]


def get_session(call: Call) -> Response:
    row = call.session()
    out = session_reads.session_dict(row, replacements(call.engine, [row.id]).get(row.id))
    if row.needs_makeup and access.can_change(call.account, row.unit_id):
        out["proposals"] = [
            p.date.isoformat() for p in uc.make_up_proposals(call.engine, call.config, row.id, call.today)
        ]
    out["history"] = [session_reads.audit_dict(h) for h in session_reads.history(call.engine, row.id)]
    return json_answer(out)


def cancel(call: Call) -> Response:
    row = call.session(change=True)
    reason = call.text("reason", "")
    change = cancel_makeup.cancel(
        call.engine,
        call.config,
        row.id,
        reason=reason,
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        expected_version=call.version(),
    )
    proposals: list[Json] = [p.date.isoformat() for p in change.proposals]
    return json_answer(session_reads.session_dict(change.session) | {"proposals": proposals})


def makeup(call: Call) -> Response:
    row = call.session(change=True)
    on = call.day("date", required=False)
    new = cancel_makeup.book_makeup(
        call.engine,
        call.config,
        row.id,
        on=on,
        actor=call.account.actor,
        now=call.now,
        today=call.today,
        expected_version=call.version(),
    ).session
    return json_answer(session_reads.session_dict(new), 201)


def move(call: Call) -> Response:
    row = call.session(change=True)
    to = call.day("date")
    assert to is not None
    new = move_adhoc.move(
        call.engine,
        call.config,
        row.id,
        to=to,
        reason=call.text("reason", ""),
        actor=call.account.actor,
        now=call.now,
        expected_version=call.version(),
    ).session
    return json_answer(session_reads.session_dict(new))


def _flag(value: object, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise BadInput(f'"{what}" phải là true hoặc false')


def record(call: Call) -> Response:
    row = call.session(change=True)
    held = call.body.get("held")
    if not isinstance(held, bool):
        raise BadInput('cần "held": true (đã tiếp) hoặc false (không tổ chức)')
    counts = {k: parse_count(call.body.get(k), k) for k in COUNTS}
    new = record_outcome.record(
        call.engine,
        call.config,
        row.id,
        held=held,
        actor=call.account.actor,
        now=call.now,
        counts={k: v for k, v in counts.items() if v is not None},
        reason=call.text("reason"),
        in_person=_flag(call.body.get("in_person"), "in_person"),
        received_by=call.text("received_by"),
        received_title=call.text("received_title"),
        form=call.text("form"),
        conclusion=call.text("conclusion"),
        expected_version=call.version(),
    ).session
    return json_answer(session_reads.session_dict(new))


def undo_record(call: Call) -> Response:
    row = call.session(change=True)
    new = record_outcome.undo_record(
        call.engine,
        call.config,
        row.id,
        reason=call.text("reason", ""),
        actor=call.account.actor,
        now=call.now,
        expected_version=call.version(),
    ).session
    return json_answer(session_reads.session_dict(new))


def log_list(call: Call) -> Response:
    row = call.session()
    access.require_personal(call.account, call.config, row.unit_id)
    return json_answer([book.entry_dict(e, personal=True) for e in book.entries(call.engine, row.id)])


def log_add(call: Call) -> Response:
    row = call.session(change=True)
    entry_id = book.add_entry(
        call.engine, call.config, row.id, call.body, actor=call.account.actor, now=call.now
    )
    return json_answer(book.entry_dict(book.get_entry(call.engine, entry_id), personal=True), 201)


def _entry(call: Call) -> book.LogEntry:
    """The log row of the path, through its session (404 or 403 as for the session)."""
    entry_id = parse_id(call.request.path_params["entry_id"])
    try:
        entry = book.get_entry(call.engine, entry_id) if entry_id is not None else None
    except TiepdanError:
        entry = None
    if entry is None:
        raise access.NotVisible("không có dòng sổ này")
    access.session_for(call.engine, call.account, call.config, entry.session_id, change=True)
    return entry


def log_edit(call: Call) -> Response:
    entry = _entry(call)
    book.update_entry(call.engine, call.config, entry.id, call.body, actor=call.account.actor, now=call.now)
    return json_answer(book.entry_dict(book.get_entry(call.engine, entry.id), personal=True))


def log_delete(call: Call) -> Response:
    entry = _entry(call)
    book.delete_entry(call.engine, call.config, entry.id, actor=call.account.actor, now=call.now)
    return Response(status_code=204)


def adhoc(call: Call) -> Response:
    unit_id = call.request.path_params["unit_id"]
    access.require_unit(call.account, call.config, unit_id, change=True)
    on = call.day("date")
    assert on is not None
    time_range = parse_time_range(call.text("time"))
    new = move_adhoc.add_adhoc(
        call.engine,
        call.config,
        unit_id,
        on=on,
        reason=call.text("reason", ""),
        actor=call.account.actor,
        now=call.now,
        time_range=time_range,
        venue=call.text("venue"),
    ).session
    return json_answer(session_reads.session_dict(new), 201)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/me", api_route(me), methods=["GET"]),
        Route("/api/sessions", api_route(list_sessions), methods=["GET"]),
        Route("/api/sessions/{session_id}", api_route(get_session), methods=["GET"]),
        Route("/api/sessions/{session_id}/cancel", api_route(cancel, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/makeup", api_route(makeup, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/move", api_route(move, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/record", api_route(record, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/undo", api_route(undo_record, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/log", api_route(log_list), methods=["GET"]),
        Route("/api/sessions/{session_id}/log", api_route(log_add, body=True), methods=["POST"]),
        Route("/api/log/{entry_id}", api_route(log_edit, body=True), methods=["PUT"]),
        Route("/api/log/{entry_id}", api_route(log_delete), methods=["DELETE"]),
        Route("/api/units/{unit_id}/adhoc", api_route(adhoc, body=True), methods=["POST"]),
    ]
