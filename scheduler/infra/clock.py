"""The one place that reads the clock. Everything else is handed ``now`` or ``today``."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_YEARS = (1970, 2199)  # --now outside these years is a typing mistake, not an office's day

# ``tiepdan serve --now T``: the service runs as if started at T, its clock going on from there.
_offset = timedelta(0)


def now_utc() -> datetime:
    return datetime.now(UTC) + _offset


def monotonic() -> float:
    """Seconds on a clock that only goes forward (not the time of day, and not moved by
    ``serve --now``): what a throttle measures its windows with."""
    return time.monotonic()


def start_clock_at(at: datetime) -> None:
    """Make the clock read ``at`` now and go on from there (``serve --now``)."""
    global _offset
    _offset = as_utc(at) - datetime.now(UTC)


def on_the_wall(at: datetime) -> datetime:
    """What the real clock reads when ``now_utc`` reads ``at``: the time to give a timer that
    runs on the real clock (APScheduler's) so that it fires at ``at`` of the service's clock."""
    return as_utc(at) - _offset


def as_utc(dt: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def local_today(now: datetime, tz: ZoneInfo = VN) -> date:
    return as_utc(now).astimezone(tz).date()


def parse_now(text: str | None, tz: ZoneInfo = VN) -> datetime:
    """``--now`` as given (ISO 8601; a time without zone is local time), else the clock."""
    if not text:
        return now_utc()
    from rules import TiepdanError

    try:
        dt = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TiepdanError(
            f"--now: thời điểm phải theo ISO 8601 (ví dụ 2027-01-18T08:00), không phải {text!r}"
        ) from None
    if not _YEARS[0] <= dt.year <= _YEARS[1]:
        raise TiepdanError(f"--now: năm {dt.year} nằm ngoài {_YEARS[0]}-{_YEARS[1]} ({text!r})")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(UTC)
