"""Who may see and change what: the one place every desk page and API route asks.

- staff of a unit: sees and changes that unit only, with its reception log (personal data);
- supervisor of a unit: reads that unit and every unit under it, never changes anything, and
  sees counts only, never citizens' names or ID numbers (Nghị định 13/2023/NĐ-CP);
- admin: everything, and manages accounts;
- mttq (Ủy ban Mặt trận Tổ quốc) of a unit: reads, like a supervisor, that unit and every unit
  under it, never changes anything and sees no citizen's personal data; its own business is the
  dialogue conferences (their opinions and results), which it reads in full.

A unit or session the account may not see is reported exactly like one that does not exist
(``NotVisible`` → 404), so that typing ids reveals nothing. A unit it may see but not change
gives ``ReadOnly`` (→ 403).
"""

from __future__ import annotations

from threading import Lock

from sqlalchemy import Engine

from rules import ServiceError
from scheduler.infra.config import Config
from scheduler.reads.stored_dialogue import StoredDialogue
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases.accounts import Account
from scheduler.usecases.sessions import get_session


class NotVisible(ServiceError):
    """The unit, session or log row does not exist for this account (404)."""


class ReadOnly(ServiceError):
    """The account may read this unit but not change it (403)."""


# Subtrees per (config, unit): a national configuration has ten thousand units, and a
# supervisor's subtree is asked for on every request. Configurations are kept alive in the key
# so that an id() is never reused for another one.
_subtrees: dict[tuple[int, str], tuple[Config, frozenset[str]]] = {}
_subtrees_lock = Lock()


def _subtree(config: Config, unit_id: str) -> frozenset[str]:
    key = (id(config), unit_id)
    hit = _subtrees.get(key)
    if hit is not None and hit[0] is config:
        return hit[1]
    ids = frozenset(u.id for u in config.subtree(unit_id))
    with _subtrees_lock:
        if len(_subtrees) > 10_000:
            _subtrees.clear()
        _subtrees[key] = (config, ids)
    return ids


def visible_units(user: Account, config: Config) -> frozenset[str]:
    """Ids of the units whose sessions ``user`` may read."""
    if user.role == "admin":
        return frozenset(config.units_by_id)
    if user.unit_id is None or user.unit_id not in config.units_by_id:
        return frozenset()  # an account whose unit left the configuration sees nothing
    if user.role == "staff":
        return frozenset((user.unit_id,))
    if user.role in ("supervisor", "mttq"):
        return _subtree(config, user.unit_id)
    return frozenset()


def can_see(user: Account, config: Config, unit_id: str) -> bool:
    if user.role == "admin":
        return unit_id in config.units_by_id
    if user.role == "staff":
        return unit_id == user.unit_id and unit_id in config.units_by_id
    return unit_id in visible_units(user, config)


def can_change(user: Account, unit_id: str) -> bool:
    """Change sessions and the reception log of ``unit_id``."""
    return user.role == "admin" or (user.role == "staff" and user.unit_id == unit_id)


def can_see_personal(user: Account, unit_id: str) -> bool:
    """Read citizens' names and ID numbers in the reception log of ``unit_id``."""
    return can_change(user, unit_id)


def require_dialogue(user: Account, config: Config, unit_id: str, *, change: bool = False) -> None:
    """The dialogues of ``unit_id``: read by whoever may see the unit (a dialogue holds no
    citizen's personal data), changed by its staff and administrators."""
    require_unit(user, config, unit_id, change=change)


def dialogue_for(
    engine: Engine, user: Account, config: Config, dialogue_id: int, *, change: bool = False
) -> StoredDialogue:
    """The stored dialogue if ``user`` may see it (and change it, with ``change``)."""
    from scheduler.usecases.dialogues import get_dialogue

    if not 0 < dialogue_id < 2**63:
        raise NotVisible(f"không có hội nghị đối thoại số {dialogue_id}")
    try:
        row = get_dialogue(engine, dialogue_id)
    except ServiceError:
        raise NotVisible(f"không có hội nghị đối thoại số {dialogue_id}") from None
    if not can_see(user, config, row.unit_id):
        raise NotVisible(f"không có hội nghị đối thoại số {dialogue_id}")
    if change and not can_change(user, row.unit_id):
        raise ReadOnly(f"tài khoản {user.login} chỉ được xem hội nghị đối thoại số {dialogue_id}")
    return row


def can_manage_accounts(user: Account) -> bool:
    return user.role == "admin"


def require_unit(user: Account, config: Config, unit_id: str, *, change: bool = False) -> None:
    if not can_see(user, config, unit_id):
        raise NotVisible(f"không có đơn vị {unit_id!r}")
    if change and not can_change(user, unit_id):
        raise ReadOnly(f"tài khoản {user.login} chỉ được xem đơn vị {unit_id}, không được thay đổi")


def require_personal(user: Account, config: Config, unit_id: str) -> None:
    require_unit(user, config, unit_id)
    if not can_see_personal(user, unit_id):
        raise ReadOnly("sổ tiếp công dân chỉ đơn vị tiếp nhận được xem (Nghị định 13/2023/NĐ-CP)")


def session_for(
    engine: Engine, user: Account, config: Config, session_id: int, *, change: bool = False
) -> StoredSession:
    """The stored session if ``user`` may see it (and change it, with ``change``)."""
    if not 0 < session_id < 2**63:  # a typed id beyond what the database holds: simply unknown
        raise NotVisible(f"không có buổi tiếp số {session_id}")
    try:
        row = get_session(engine, session_id)
    except ServiceError:
        raise NotVisible(f"không có buổi tiếp số {session_id}") from None
    if not can_see(user, config, row.unit_id):
        raise NotVisible(f"không có buổi tiếp số {session_id}")
    if change and not can_change(user, row.unit_id):
        raise ReadOnly(f"tài khoản {user.login} chỉ được xem buổi tiếp số {session_id}")
    return row
