"""The one place that reads the clock. Everything else is handed ``now`` or ``today``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def now_utc() -> datetime:
    return datetime.now(UTC)


def as_utc(dt: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def local_today(now: datetime, tz: ZoneInfo = VN) -> date:
    return as_utc(now).astimezone(tz).date()


def parse_now(text: str | None, tz: ZoneInfo = VN) -> datetime:
    """``--now`` as given (ISO 8601; a time without zone is local time), else the clock."""
    if not text:
        return now_utc()
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        from rules import TiepdanError

        raise TiepdanError(f"--now: thời điểm phải theo ISO 8601, không phải {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(UTC)
