"""PostgreSQL arrays written in their own text form (``{1,2,NULL}``, ``{"a","b \\"c\\""}``), sent
as one string and cast in the statement.

psycopg dumps a Python list element by element in Python, with a regular expression on each one
to decide its quoting: two fifths of the bookkeeping thread's CPU on the PostgreSQL part 1 of
``bench/bench_delivery.py``, with the interpreter's lock held that the sending loop waits for. A
string it sends as it is."""

from __future__ import annotations

from collections.abc import Iterable


def _element(value: int | str | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"an array of integers or strings, not {type(value).__name__}")
    if isinstance(value, int):
        return f"{value:d}"
    # Quoted, always: a quote or a backslash escaped, anything else (commas, braces, spaces,
    # the word NULL) taken as it is inside the quotes.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pg_array(values: Iterable[int | str | None]) -> str:
    """``values`` (integers, strings or None) as a PostgreSQL array literal, to be cast in the
    statement (``%(ids)s::int[]``, ``CAST(:names AS VARCHAR(300)[])``); raises ``TypeError``
    on anything else."""
    return "{" + ",".join([_element(v) for v in values]) + "}"


def is_plain(values: list[object]) -> bool:
    """Whether ``pg_array`` writes ``values``: integers (not booleans) or strings, all of one kind."""
    if not values:
        return True
    kind = int if isinstance(values[0], int) and not isinstance(values[0], bool) else str
    return all(type(v) is kind for v in values)
