"""Rolls (quy ước chuyển ngày): where a nominal date that is a day off, or already taken, goes.

- ``modified-following`` (default): the first free working day on or after it in its period,
  else the last free working day before it in its period;
- ``following``: the first free working day on or after it, even past the period ("chuyển sang
  ngày làm việc tiếp theo" read literally);
- ``nearest``: the free working day of its period nearest to it, the later of two ties ("ngày
  gần nhất").

"Its period" is the month or ISO week of the mandate in force on the nominal date. With no such
day, the nominal date gets no session.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from rules.mandates import Level
from rules.units import Roll


def assign_dates(
    nominals: Sequence[date],
    *,
    roll: Roll,
    level: Level,
    is_working: Callable[[int], bool],
) -> list[tuple[date, date | None]]:
    """Pair each nominal date (ascending) with its session date, or None when it gets none."""
    taken: set[int] = set()
    out: list[tuple[date, date | None]] = []
    for nominal in nominals:
        period = level.period_of(nominal)
        n = nominal.toordinal()
        lo, hi = period.start.toordinal(), period.end.toordinal()
        chosen: int | None = None
        if roll == "nearest":
            for k in range(0, hi - lo + 1):
                after, before = n + k, n - k
                if after <= hi and after not in taken and is_working(after):
                    chosen = after
                    break
                if k and before >= lo and before not in taken and is_working(before):
                    chosen = before
                    break
                if after > hi and before < lo:
                    break
        else:
            for o in range(n, hi + 1):
                if o not in taken and is_working(o):
                    chosen = o
                    break
            if chosen is None and roll == "modified-following":
                for o in range(n - 1, lo - 1, -1):
                    if o not in taken and is_working(o):
                        chosen = o
                        break
            elif chosen is None and roll == "following":
                o = hi + 1
                while o in taken or not is_working(o):
                    o += 1
                chosen = o
        if chosen is None:
            out.append((nominal, None))
        else:
            taken.add(chosen)
            out.append((nominal, date.fromordinal(chosen)))
    return out
