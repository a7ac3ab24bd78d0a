"""Where part 1's gap goes: ``bench_delivery.py``'s part 1 with the delivery's bookkeeping changed
underneath, to tell its SQL from its thread from the rest of the outbox. A diagnostic, not the
product: each variant patches the recorder's transaction (``scheduler.outbox.recorder.commit``).

    --variant full        as shipped; prints each transaction's CPU and wall time
    --variant no-sql      the transaction writes nothing (its rows taken as ours), the thread hop kept
    --variant no-thread   writes nothing and runs on the event loop: the outbox's structure alone
    --variant checkpoint  SQLite's WAL checkpoints off the transactions, in a thread of their own
                          (autocheckpoint off, a PASSIVE checkpoint every 32 transactions)

Rows stay pending in the no-SQL variants, so every round resets the whole outbox. Usage:
``python bench/diag_bookkeeping.py --variant no-sql --messages 3000 --rounds 4 --skip-national``
(the other arguments are ``bench_delivery.py``'s).
"""

from __future__ import annotations

import argparse
import atexit
import concurrent.futures
import functools
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

import bench_delivery as bd  # noqa: E402

VARIANTS = ("full", "no-sql", "no-thread", "checkpoint")
TIMES: list[tuple[int, float, float]] = []  # (messages started, CPU s, wall s) a transaction


def _report() -> None:
    if not TIMES:
        return
    cpu = sorted(t[1] for t in TIMES)
    wall = sorted(t[2] for t in TIMES)

    def q(xs: list[float], p: float) -> float:
        return xs[int(p * (len(xs) - 1))] * 1000

    slow = [w for w in wall if w > 0.003]
    print(
        f"transactions {len(TIMES)}, {statistics.mean(t[0] for t in TIMES):.1f} messages each; "
        f"CPU {sum(cpu):.3f} s (median {q(cpu, 0.5):.2f} ms, p99 {q(cpu, 0.99):.2f}, "
        f"max {cpu[-1] * 1000:.2f}); "
        f"wall {sum(wall):.3f} s (median {q(wall, 0.5):.2f} ms, p99 {q(wall, 0.99):.2f}, "
        f"max {wall[-1] * 1000:.2f}); over 3 ms: {len(slow)}, {sum(slow):.3f} s"
    )


def patch(variant: str) -> None:
    import scheduler.outbox.recorder as rec

    shipped = rec.commit
    if variant in ("no-sql", "no-thread"):

        def nothing(
            conn: Any, config: Any, me: str, now: Any, moment: Any, starts: list[Any], *rest: Any
        ) -> set[int]:
            return {r.id for r in starts}

        rec.commit = nothing  # type: ignore[assignment]
        bd.reset_outbox = functools.partial(bd.reset_outbox, every_row=True)
        if variant == "no-thread":
            init = rec.Recorder.__init__

            def on_the_loop(self: Any, db: Any, *args: Any, **kw: Any) -> None:
                async def direct(fn: Any, *a: Any) -> Any:
                    return fn(None, *a)

                init(self, direct, *args, **kw)

            rec.Recorder.__init__ = on_the_loop  # type: ignore[method-assign]
        return
    checkpoints = concurrent.futures.ThreadPoolExecutor(1)
    transactions = 0

    @functools.cache
    def own(path: str) -> sqlite3.Connection:  # the checkpointer's connection, in its thread
        return sqlite3.connect(path, isolation_level=None)

    def checkpoint(path: str) -> None:
        own(path).execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def timed(
        conn: Any, config: Any, me: str, now: Any, moment: Any, starts: list[Any], *rest: Any
    ) -> set[int]:
        nonlocal transactions
        if variant == "checkpoint" and conn.dialect.name == "sqlite":
            info = conn.connection.info  # lives as long as the driver's connection
            if not info.get("autocheckpoint_off"):
                conn.connection.dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
                info["autocheckpoint_off"] = True
            transactions += 1
            if transactions % 32 == 0:
                checkpoints.submit(checkpoint, conn.engine.url.database)
        c0, w0 = time.thread_time(), time.perf_counter()
        owned = shipped(conn, config, me, now, moment, starts, *rest)
        TIMES.append((len(starts), time.thread_time() - c0, time.perf_counter() - w0))
        return owned

    rec.commit = timed  # type: ignore[assignment]
    atexit.register(_report)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], add_help=False)
    parser.add_argument("--variant", choices=VARIANTS, default="full")
    args, rest = parser.parse_known_args()
    print(f"variant: {args.variant}")
    patch(args.variant)
    return bd.main(rest)


if __name__ == "__main__":
    sys.exit(main())
