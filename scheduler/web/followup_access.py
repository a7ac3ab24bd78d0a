"""Who may see and change directions: the rules of ``scheduler.usecases.access``, applied to directions.

A direction on a case of the reception log carries what a citizen raised (Nghị định
13/2023/NĐ-CP): only the receiving unit's staff (and administrators) read and change it; a
supervisor sees counts, in the report, and gets 403 here; anyone else gets 404, as for a
direction that does not exist.

A direction given at a dialogue conference holds no citizen's personal data (an opinion raised in
public): it is read like its dialogue, by whoever may see the unit (the MTTQ's account among
them, whose business is following the dialogues' conclusions), and changed by the unit's staff.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TypedDict

from sqlalchemy import Engine

from rules import ServiceError
from scheduler.infra.config import Config
from scheduler.reads.stored_direction import StoredDirection
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import access
from scheduler.usecases import followup as fu
from scheduler.usecases import reception_log as book
from scheduler.usecases.accounts import Account
from scheduler.usecases.reception_log import LogEntry

COUNTS_ONLY = "cấp trên chỉ xem số liệu tổng hợp theo dõi giải quyết trong báo cáo (Nghị định 13/2023/NĐ-CP)"


def _check(user: Account, config: Config, unit_id: str, change: bool, what: str) -> None:
    if not access.can_see(user, config, unit_id):
        raise access.NotVisible(f"không có {what}")
    if not access.can_see_personal(user, unit_id):
        raise access.ReadOnly(COUNTS_ONLY)
    if change and not access.can_change(user, unit_id):
        raise access.ReadOnly(f"tài khoản {user.login} không được thay đổi {what}")


def require_followup(user: Account, config: Config, unit_id: str, *, change: bool = False) -> None:
    """The follow-up list of a unit: its own staff and administrators."""
    _check(user, config, unit_id, change, f"đơn vị {unit_id!r}")


def followup_scope(user: Account, config: Config, unit_id: str) -> bool:
    """Whether ``user`` reads the unit's follow-up list, and of which directions: False for all
    of them (its staff, administrators), True for the dialogues' alone (the MTTQ's account);
    anyone else is refused as by ``require_followup``."""
    if user.role == "mttq" and access.can_see(user, config, unit_id):
        return True
    require_followup(user, config, unit_id)
    return False


def direction_for(
    engine: Engine, user: Account, config: Config, direction_id: int | None, *, change: bool = False
) -> StoredDirection:
    if direction_id is None or not 0 < direction_id < 2**63:
        raise access.NotVisible("không có chỉ đạo này")
    try:
        row = fu.get_direction(engine, direction_id)
    except ServiceError:
        raise access.NotVisible(f"không có chỉ đạo số {direction_id}") from None
    if row.dialogue_id is not None:
        if not access.can_see(user, config, row.unit_id):
            raise access.NotVisible(f"không có chỉ đạo số {direction_id}")
        if change and not access.can_change(user, row.unit_id):
            raise access.ReadOnly(f"tài khoản {user.login} chỉ được xem chỉ đạo số {direction_id}")
        return row
    _check(user, config, row.unit_id, change, f"chỉ đạo số {direction_id}")
    return row


def entry_for(
    engine: Engine, user: Account, config: Config, entry_id: int | None, *, change: bool = False
) -> LogEntry:
    if entry_id is None or not 0 < entry_id < 2**63:
        raise access.NotVisible("không có dòng sổ này")
    try:
        row = book.get_entry(engine, entry_id)
    except ServiceError:
        raise access.NotVisible(f"không có dòng sổ số {entry_id}") from None
    _check(user, config, row.unit_id, change, f"dòng sổ số {entry_id}")
    return row


def session_for(
    engine: Engine, user: Account, config: Config, session_id: int | None, *, change: bool = False
) -> StoredSession:
    if session_id is None:
        raise access.NotVisible("không có buổi tiếp này")
    row = access.session_for(engine, user, config, session_id)
    _check(user, config, row.unit_id, change, f"buổi tiếp số {session_id}")
    return row


class DeadlineArgs(TypedDict):
    """How a door asks for a direction's deadline (``add_direction``, ``edit_direction``)."""

    limit: str | None
    days: int | None
    due: date | None
    accepted_on: date | None


def deadline_args(data: Mapping[str, object]) -> DeadlineArgs:
    """``limit``/``days``/``due``/``accepted_on`` of a form or JSON body, checked; a desk form's
    ``limit`` may also say "office" (then ``days``) or "office-date" (then ``due``)."""
    from scheduler.web.inputs import BadInput, parse_count, parse_date, text_field

    limit = text_field(data.get("limit"), "limit") or None
    days = parse_count(data.get("days"), "days")
    due = parse_date(data.get("due"), "due", required=False)
    if limit == "office":
        if days is None:
            raise BadInput("cần số ngày làm việc của thời hạn do người đứng đầu giao")
        limit, due = None, None
    elif limit == fu.OFFICE_DATE:
        if due is None:
            raise BadInput("cần hạn giải quyết cụ thể (YYYY-MM-DD)")
        limit, days = None, None
    elif limit is not None and (days is not None or due is not None) and "office" not in str(limit):
        # A form sends every field; a legal limit chosen wins over the unused boxes.
        days, due = (None, None) if data.get("form") else (days, due)
    return {
        "limit": limit,
        "days": days,
        "due": due,
        "accepted_on": parse_date(data.get("accepted_on"), "accepted_on", required=False),
    }
