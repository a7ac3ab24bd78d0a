"""Where the desk and the API run their synchronous work (SQLite, Jinja): a few worker threads.

Under a burst, anyio's default pool of 40 threads all compete for the GIL and every request waits
for all the others; a few threads keep each request short and let the rest queue in order.
Sign-in (argon2) stays on the default pool, so that slow hashes never hold up pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio
import anyio.to_thread
from starlette.requests import HTTPConnection

T = TypeVar("T")
Ts = TypeVarTuple("Ts")
WORKERS = 8


async def in_worker(request: HTTPConnection, func: Callable[[*Ts], T], *args: *Ts) -> T:
    state = request.app.state
    limiter = getattr(state, "desk_limiter", None)
    if limiter is None:
        # Made on first use: a limiter belongs to the running event loop.
        limiter = state.desk_limiter = anyio.CapacityLimiter(WORKERS)
    return await anyio.to_thread.run_sync(functools.partial(func, *args), limiter=limiter)
