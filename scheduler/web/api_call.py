"""What every API route is built on, as ``desk_page.py`` is for the desk: ``api_route`` (the
one pipeline of ``scheduler.web.pipeline``: a valid bearer token first, 401, even before a bad
body; errors as JSON problems), the ``Call`` a handler gets (the path's session or dialogue as the
account may see or change it, the body's fields read by their key), and the JSON answers. The
route modules (``api.py``, ``api_followup.py``, ``api_dialogues.py``) import this module.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import overload

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scheduler.infra.clock import local_today
from scheduler.infra.config import Config
from scheduler.infra.jsontype import Json
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import access
from scheduler.usecases.accounts import Account
from scheduler.web import auth, pipeline
from scheduler.web.inputs import (
    BadInput,
    parse_count,
    parse_date,
    parse_id,
    text_field,
)


@dataclass(slots=True)
class Call:
    request: Request
    account: Account
    body: dict[str, object]
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


def json_answer(data: Json, status: int = 200) -> Response:
    response = JSONResponse(data, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response


def problem(status: int, message: str) -> Response:
    response = json_answer({"error": message, "status": status}, status)
    if status == 401:
        response.headers["www-authenticate"] = 'Bearer realm="tiepdan"'
    return response


def api_route(
    handler: Callable[[Call], Response], *, body: bool = False
) -> Callable[[Request], Awaitable[Response]]:
    """An API route through the one pipeline (scheduler.web.pipeline): a valid token first (401,
    even before a bad body, so that a bad body cannot probe tokens), errors as JSON problems."""

    async def endpoint(request: Request) -> Response:
        token = auth.bearer_token(request)
        if token is None:
            return problem(401, "cần mã truy cập: Authorization: Bearer <token>")

        def who(now: datetime) -> Account | None:
            return auth.token_account(request, token, now)

        def refused(_: dict[str, object], account: Account | None) -> Response | None:
            return problem(401, "mã truy cập không hợp lệ") if account is None else None

        def run(account: Account, data: dict[str, object], now: datetime) -> Response:
            state = request.app.state
            today = local_today(now, state.config.timezone)
            return handler(Call(request, account, data, state.config, state.engine, now, today))

        return await pipeline.run(
            request,
            answer=problem,
            body="json" if body else None,
            who=who,
            refused=refused,
            handler=run,
            bad_body_first=False,
        )

    return endpoint
