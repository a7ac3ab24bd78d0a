"""Rows a piece at a time on the event loop, its other tasks between the pieces: the connections'
answers are not held up by work on a whole claim (``channel_run.CHECK_PIECE``,
``builder.READ_PIECE``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import TypeVar

T = TypeVar("T")


async def in_turns(rows: Sequence[T], size: int) -> AsyncIterator[Sequence[T]]:
    """``rows`` in slices of ``size``, the event loop given a turn before each but the first."""
    for i in range(0, len(rows), size):
        if i:
            await asyncio.sleep(0)
        yield rows[i : i + size]
