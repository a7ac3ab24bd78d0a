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

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, overload

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from rules import TiepdanError
from rules.vocabulary import COUNTS
from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.jsontype import Json
from scheduler.reads.session_views import replacements
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import access, cancel_makeup, move_adhoc, record_outcome, session_reads
from scheduler.usecases import reception_log as book
from scheduler.usecases import sessions as uc
from scheduler.usecases.accounts import Account
from scheduler.web import auth, pipeline
from scheduler.web.inputs import (
    BadInput,
    parse_count,
    parse_date,
    parse_id,
    parse_time_range,
    text_field,
)
from scheduler.web.pagecache import page_cache, unit_state

MAX_SPAN_DAYS = 92


@dataclass(slots=True)
class Call:
    request: Request
    account: Account
    body: dict[str, Any]
    config: Config
    engine: Engine
    now: datetime
    today: date

    def session(self, *, change: bool = False) -> StoredSession:
        session_id = parse_id(self.request.path_params["session_id"])
        if session_id is None:
            raise access.NotVisible("không có buổi tiếp này")
        return access.session_for(self.engine, self.account, self.config, session_id, change=change)

    def dialogue(self, *, change: bool = False) -> StoredDialogue:
        """The dialogue of the path ``{dialogue_id}`` as the account may see (or change) it."""
        dialogue_id = parse_id(self.request.path_params["dialogue_id"])
        if dialogue_id is None:
            raise access.NotVisible("không có hội nghị đối thoại này")
        return access.dialogue_for(self.engine, self.account, self.config, dialogue_id, change=change)

    # The body's fields, each named once: its key is the name a refusal gives (400).

    @overload
    def text(self, key: str) -> str | None: ...
    @overload
    def text(self, key: str, default: str) -> str: ...
    def text(self, key: str, default: str | None = None) -> str | None:
        """A text field; ``default`` when it is absent or empty (if one is given)."""
        value = text_field(self.body.get(key), key)
        return (value or default) if default is not None else value

    def day(self, key: str, *, required: bool = True) -> date | None:
        """A day, YYYY-MM-DD."""
        return parse_date(self.body.get(key), key, required=required)

    def lines(self, key: str) -> list[str] | None:
        """A list of texts (co-organisers, agencies)."""
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise BadInput(f"{key} phải là danh sách chữ")
        return value

    def count(self, key: str) -> int | None:
        return parse_count(self.body.get(key), key)

    def version(self) -> int | None:
        return self.count("version")


def _json(data: Json, status: int = 200) -> Response:
    response = JSONResponse(data, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def _problem(status: int, message: str) -> Response:
    response = _json({"error": message, "status": status}, status)
    if status == 401:
        response.headers["www-authenticate"] = 'Bearer realm="tiepdan"'
    return response


def _api(
    handler: Callable[[Call], Response], *, body: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """An API route through the one pipeline (scheduler.web.pipeline): a valid token first (401,
    even before a bad body, so that a bad body cannot probe tokens), errors as JSON problems."""

    async def endpoint(request: Request) -> Response:
        token = auth.bearer_token(request)
        if token is None:
            return _problem(401, "cần mã truy cập: Authorization: Bearer <token>")

        def who(now: datetime) -> Account | None:
            return auth.token_account(request, token, now)

        def refused(_: dict[str, Any], account: Account | None) -> Response | None:
            return _problem(401, "mã truy cập không hợp lệ") if account is None else None

        def run(account: Account, data: dict[str, Any], now: datetime) -> Response:
            state = request.app.state
            today = local_today(now, state.config.timezone)
            return handler(Call(request, account, data, state.config, state.engine, now, today))

        return await pipeline.run(
            request,
            answer=_problem,
            body="json" if body else None,
            who=who,
            refused=refused,
            handler=run,
            bad_body_first=False,
        )

    return endpoint


def me(call: Call) -> Response:
    a = call.account
    return _json({"login": a.login, "role": a.role, "unit": a.unit_id})


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
        return _json(_sessions_json(call, unit_ids, first, last))
    # One unit: the same answer for every account that may see it, while its sessions are
    # unchanged (see pagecache).
    cache = page_cache(call.request)
    name = ("api-sessions", f"{unit}\x00{first}\x00{last}")
    key = unit_state(call.engine, unit)
    body = cache.get(name, key)
    if body is None:
        body = bytes(_json(_sessions_json(call, unit_ids, first, last)).body)
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
    return _json(out)


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
    return _json(session_reads.session_dict(change.session) | {"proposals": proposals})


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
    return _json(session_reads.session_dict(new), 201)


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
    return _json(session_reads.session_dict(new))


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
    return _json(session_reads.session_dict(new))


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
    return _json(session_reads.session_dict(new))


def log_list(call: Call) -> Response:
    row = call.session()
    access.require_personal(call.account, call.config, row.unit_id)
    return _json([book.entry_dict(e, personal=True) for e in book.entries(call.engine, row.id)])


def log_add(call: Call) -> Response:
    row = call.session(change=True)
    entry_id = book.add_entry(
        call.engine, call.config, row.id, call.body, actor=call.account.actor, now=call.now
    )
    return _json(book.entry_dict(book.get_entry(call.engine, entry_id), personal=True), 201)


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
    return _json(book.entry_dict(book.get_entry(call.engine, entry.id), personal=True))


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
    return _json(session_reads.session_dict(new), 201)


def routes() -> list[BaseRoute]:
    return [
        Route("/api/me", _api(me), methods=["GET"]),
        Route("/api/sessions", _api(list_sessions), methods=["GET"]),
        Route("/api/sessions/{session_id}", _api(get_session), methods=["GET"]),
        Route("/api/sessions/{session_id}/cancel", _api(cancel, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/makeup", _api(makeup, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/move", _api(move, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/record", _api(record, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/undo", _api(undo_record, body=True), methods=["POST"]),
        Route("/api/sessions/{session_id}/log", _api(log_list), methods=["GET"]),
        Route("/api/sessions/{session_id}/log", _api(log_add, body=True), methods=["POST"]),
        Route("/api/log/{entry_id}", _api(log_edit, body=True), methods=["PUT"]),
        Route("/api/log/{entry_id}", _api(log_delete), methods=["DELETE"]),
        Route("/api/units/{unit_id}/adhoc", _api(adhoc, body=True), methods=["POST"]),
    ]
