"""``rows_in``: the rows whose column is one of many values, in chunks under the driver's
parameter limit, each an IN of constants or (``indexed``, on PostgreSQL) one array parameter: the
same rows either way, whatever the number of values, text or numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert, select, text

from scheduler.infra.db import IN_CHUNK, open_database, rows_in
from scheduler.infra.db.arrays import is_plain, pg_array
from scheduler.infra.db.models import DeliveryAttemptRow, RefusedRecipientRow

_R = RefusedRecipientRow.__table__
_A = DeliveryAttemptRow.__table__
AT = datetime(2027, 1, 24, 7, 1, tzinfo=UTC)


def test_rows_in_finds_exactly_the_rows_asked_for(db_url):
    engine = open_database(db_url)
    try:
        addresses = [f"cán-bộ-{i}@xã-{i % 7}.example.vn" for i in range(3 * IN_CHUNK)]
        with engine.begin() as conn:
            conn.execute(
                insert(_R),
                [{"channel": "email", "address": a, "refused_at": AT, "error": "550"} for a in addresses],
            )
            conn.execute(insert(_A), [{"outbox_id": i, "started_at": AT} for i in range(2 * IN_CHUNK)])
        wanted = [*addresses[::2], "không-có@example.vn", "o'brien@example.vn"]
        ids = list(range(1, 2 * IN_CHUNK + 50, 3))  # past the last: absent
        with engine.connect() as conn:
            for indexed in (False, True):  # an IN of constants, or an array a chunk
                found = rows_in(conn, select(_R), _R.c.address, wanted, indexed=indexed)
                attempts = rows_in(conn, select(_A), _A.c.outbox_id, ids, indexed=indexed)
                nothing = rows_in(conn, select(_R), _R.c.address, [], indexed=indexed)
                assert sorted(r.address for r in found) == sorted(addresses[::2])
                assert sorted(r.outbox_id for r in attempts) == [i for i in ids if i < 2 * IN_CHUNK]
                assert nothing == []
    finally:
        engine.dispose()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))),
    numbers=st.lists(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))),
)
def test_an_array_written_as_text_reads_back_as_the_same_values(pg_engine, names, numbers):
    # Quotes, backslashes, commas, braces, spaces, the word NULL, Vietnamese: the server reads
    # back exactly what was written, in order.
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT CAST(:a AS text[])"), {"a": pg_array(names)}).scalar() == names
        assert conn.execute(text("SELECT CAST(:a AS bigint[])"), {"a": pg_array(numbers)}).scalar() == numbers


def test_an_array_of_anything_else_is_refused():
    for wrong in ([True], [1.5], [b"x"], [datetime(2027, 1, 1)]):
        with pytest.raises(TypeError):
            pg_array(wrong)
    assert not is_plain([1, "1"]) and not is_plain([True]) and is_plain([]) and is_plain(["a"])


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Any]:
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()
