"""A direction's deadline (hạn giải quyết): from a legal time limit, the office's own working
days or the office's own date, and the limit a stored direction was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules import RuleError, ServiceError
from rules.time_limits import TimeLimit, deadline, limit_by_id, office_limit
from rules.vietnamese import dmy
from scheduler.infra.config import Config
from scheduler.reads.stored_direction import StoredDirection

OFFICE_DATE = "office-date"  # the office gave the date itself


@dataclass(frozen=True, slots=True)
class Deadline:
    """How a direction's deadline was set: a legal limit, the office's days, or its own date."""

    limit_id: str
    days: int | None
    due: date


def compute_deadline(
    config: Config,
    received_on: date,
    *,
    limit: str | None = None,
    days: int | None = None,
    due: date | None = None,
    accepted_on: date | None = None,
) -> Deadline:
    """The deadline from exactly one of ``limit`` (a legal limit's id), ``days`` (the office's
    own working days) or ``due`` (the office's own date); none: the configured default limit."""
    if sum(x is not None for x in (limit, days, due)) > 1:
        raise ServiceError("chỉ chọn một: thời hạn theo quy định, số ngày làm việc, hoặc hạn cụ thể")
    calendar = config.calendar
    if due is not None:
        if due < received_on:
            raise ServiceError(f"hạn giải quyết {dmy(due)} trước ngày tiếp nhận {dmy(received_on)}")
        if not calendar.is_working_day(due):
            raise ServiceError(
                f"hạn giải quyết {dmy(due)} không phải ngày làm việc ({calendar.why_off(due)})"
            )
        return Deadline(OFFICE_DATE, None, due)
    try:
        lim: TimeLimit = (
            office_limit(days)
            if days is not None
            else limit_by_id(limit or config.followup.default_limit, on=received_on)
        )
    except RuleError as exc:
        raise ServiceError(str(exc)) from None
    start = accepted_on if lim.runs_from == "accepted" and accepted_on is not None else received_on
    return Deadline(lim.id, lim.days if lim.id == "office" else None, deadline(calendar, start, lim))


def limit_of(row: StoredDirection) -> TimeLimit | None:
    """The time limit a stored direction was given (None: the office's own date)."""
    if row.limit_id == OFFICE_DATE:
        return None
    if row.limit_id == "office":
        return office_limit(row.limit_days or 1)
    try:
        return limit_by_id(row.limit_id)
    except RuleError:
        return None
