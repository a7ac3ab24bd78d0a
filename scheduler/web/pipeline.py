"""One request pipeline for the desk and the API, and one mapping from errors to HTTP statuses.

Both doors do the same steps in the same order, so that a caller learns nothing it may not know:
read the body within its limits (413/400), find the account (a desk without one is sent to sign
in; the API says 401), check the desk's CSRF token (403), run the handler in a worker thread, and
turn what it raised into a status: not visible 404, read-only 403, changed meanwhile 409, bad
input 400, database busy 503. Only the shape of the answer differs (an HTML page or JSON), and
each door passes its own ``answer``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy.exc import OperationalError
from starlette.requests import Request
from starlette.responses import Response

from rules import ConflictError, TiepdanError
from scheduler.infra.clock import now_utc
from scheduler.infra.db import BUSY, is_busy
from scheduler.usecases import access
from scheduler.usecases.accounts import Account
from scheduler.web.inputs import BadInput, TooLarge, read_form, read_json
from scheduler.web.workers import in_worker

Ts = TypeVarTuple("Ts")

# (status, message) -> response, in the door's own shape.
Answer = Callable[[int, str], Response]


def now_of(request: Request) -> datetime:
    """The request's instant: tests and replays pin the clock on app.state."""
    clock = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else now_utc()


def status_for(exc: BaseException) -> int | None:
    """The HTTP status of an error a handler raised; None for a bug (500)."""
    if isinstance(exc, access.NotVisible):
        return 404
    if isinstance(exc, access.ReadOnly):
        return 403
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, TiepdanError):
        return 400
    if isinstance(exc, OperationalError) and is_busy(exc):
        return 503
    return None


def message_for(exc: BaseException) -> str:
    return BUSY if isinstance(exc, OperationalError) else str(exc)


def guarded(answer: Answer, func: Callable[[*Ts], Response], *args: *Ts) -> Response:
    """``func(*args)``, with the errors people can act on turned into ``answer(status, why)``."""
    try:
        return func(*args)
    except (TiepdanError, OperationalError) as exc:
        status = status_for(exc)
        if status is None:
            raise
        return answer(status, message_for(exc))


async def read_body(request: Request, kind: str) -> dict[str, object]:
    """The body as a form or JSON object; BadInput/TooLarge for what cannot be read."""
    if kind == "form":
        return dict[str, object](await read_form(request))
    return await read_json(request)


async def run(
    request: Request,
    *,
    answer: Answer,
    body: str | None,
    who: Callable[[datetime], Account | None],
    refused: Callable[[dict[str, object], Account | None], Response | None],
    handler: Callable[[Account, dict[str, object], datetime], Response],
    bad_body_first: bool = True,
) -> Response:
    """The pipeline (see the module's docstring). ``who`` finds the account as of now;
    ``refused`` answers when the request must go no further (no account, a bad CSRF token)."""
    data: dict[str, object] = {}
    bad: BadInput | None = None
    if body is not None:
        try:
            data = await read_body(request, body)
        except BadInput as exc:
            bad = exc
    if bad is not None and bad_body_first:
        return answer(status_for(bad) or 400, str(bad))

    def work() -> Response:
        now = now_of(request)
        account = who(now)
        stop = refused(data, account)
        if stop is not None:
            return stop
        assert account is not None
        if bad is not None:
            return answer(status_for(bad) or 400, str(bad))
        return handler(account, data, now)

    return await in_worker(request, guarded, answer, work)
