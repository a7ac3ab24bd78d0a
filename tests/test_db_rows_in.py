"""``rows_in``: the rows whose column is one of many values, on SQLite (IN, in chunks under the
driver's parameter limit) and on PostgreSQL (one array parameter): the same rows either way,
whatever the number of values, text or numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from scheduler.infra.db import IN_CHUNK, open_database, rows_in
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
            found = rows_in(conn, select(_R), _R.c.address, wanted)
            attempts = rows_in(conn, select(_A), _A.c.outbox_id, ids)
            nothing = rows_in(conn, select(_R), _R.c.address, [])
        assert sorted(r.address for r in found) == sorted(addresses[::2])
        assert sorted(r.outbox_id for r in attempts) == [i for i in ids if i < 2 * IN_CHUNK]
        assert nothing == []
    finally:
        engine.dispose()
