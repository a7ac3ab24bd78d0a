"""Nominal dates (ngày định kỳ danh nghĩa): where an office's fixed days fall before any roll."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, datetime
from functools import lru_cache

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from rules.errors import RuleError
from rules.units import Pattern

_DAY_FREQS = {DAILY, WEEKLY, MONTHLY, YEARLY}


def parse_rrule(text: str, dtstart: date) -> rrule:
    """Parse an RRULE; raises RuleError with dateutil's complaint for anything else."""
    body = text.strip()
    start = None if "DTSTART" in body.upper() else datetime.combine(dtstart, datetime.min.time())
    try:
        rule = rrulestr(body, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise RuleError(f"RRULE không hợp lệ {text!r}: {exc}") from exc
    if not isinstance(rule, rrule):
        raise RuleError(f"RRULE {text!r}: chỉ dùng một quy tắc RRULE, không dùng RRULESET")
    if rule._freq not in _DAY_FREQS:  # type: ignore[attr-defined]  # dateutil keeps FREQ private
        raise RuleError(f"RRULE {text!r}: FREQ phải là DAILY, WEEKLY, MONTHLY hoặc YEARLY")
    return rule


@lru_cache(maxsize=4096)
def nominal_dates(pattern: Pattern, first: date, last: date) -> tuple[date, ...]:
    """Every nominal date of ``pattern`` in [first, last], ascending.

    Days past a month's end are clamped to its last day; two days that clamp to the same date
    still give two nominal dates (and so two sessions).
    """
    out: list[date] = []
    if pattern.days is not None:
        days = sorted(pattern.days)
        y, m = first.year, first.month
        while (y, m) <= (last.year, last.month):
            month_len = _calendar.monthrange(y, m)[1]
            for day in days:
                d = date(y, m, min(day, month_len))
                if first <= d <= last:
                    out.append(d)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)
    assert pattern.rrule is not None
    rule = parse_rrule(pattern.rrule, first)
    lo = datetime.combine(first, datetime.min.time())
    hi = datetime.combine(last, datetime.max.time())
    for occurrence in rule.between(lo, hi, inc=True):
        out.append(occurrence.date())
    out.sort()
    return tuple(out)
