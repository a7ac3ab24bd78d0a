"""Use cases on the reception log (Sổ tiếp công dân, Mẫu số 03, Thông tư 04/2021/TT-TTCP).

One row per citizen or delegation received at a session. The rows are the source of the
session's outcome: visits = rows, people = sum of people, groups = rows that are delegations
(đoàn đông người), cases = rows, petitions = sum of petitions. The outcome itself is written only
through ``scheduler.usecases.record_outcome.record`` (which reads them from here), so it keeps its
version check and audit row, whichever door the record came through.

Rows hold personal data (Nghị định 13/2023/NĐ-CP): the audit trail records that a row was added,
changed (which fields) or removed, never the name or ID number in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from rules import ConflictError, ServiceError
from rules.vietnamese import nfc
from rules.vocabulary import STATUS_VI
from scheduler.infra.audit import write_audit
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import LogEntryRow, SessionRow
from scheduler.infra.jsontype import JsonObject
from scheduler.usecases import record_outcome
from scheduler.usecases import sessions as uc
from scheduler.usecases.direction_changes import refuse_if_directions

_L = LogEntryRow.__table__
_S = SessionRow.__table__

HANDLINGS = ("accepted", "guided", "forwarded")
HANDLING_VI = {
    "accepted": "Thụ lý để giải quyết",
    "guided": "Trả lại đơn và hướng dẫn",
    "forwarded": "Chuyển đơn đến cơ quan có thẩm quyền",
}
# Field: (label for errors, longest accepted text). Long enough for a real complaint's summary,
# short enough that one request cannot fill the disk.
TEXT_FIELDS = {
    "full_name": ("họ và tên", 200),
    "address": ("địa chỉ", 500),
    "id_number": ("giấy tờ tùy thân", 50),
    "content": ("nội dung vụ việc", 5000),
    "classification": ("phân loại đơn", 200),
    "handled_by": ("cơ quan đã giải quyết", 500),
    "follow_up": ("theo dõi kết quả", 2000),
    "notes": ("ghi chú", 2000),
}
OPEN_STATUSES = ("planned", "held")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A row of the reception log as stored (its columns under their own names)."""

    id: int
    session_id: int
    unit_id: str
    full_name: str
    address: str
    id_number: str
    content: str
    classification: str
    people: int
    is_group: bool
    handled_by: str
    handling: str
    follow_up: str
    notes: str
    petitions: int
    new_case: bool
    created_at: datetime

    @classmethod
    def of(cls, row: Sequence[object]) -> LogEntry:
        """From a row of ``select(log_entries)`` (its columns are this class's fields, in order)."""
        v = list(row[: len(_ENTRY_FIELDS)])
        v[_IS_GROUP], v[_NEW_CASE] = bool(v[_IS_GROUP]), bool(v[_NEW_CASE])
        return cls(*v)  # type: ignore[arg-type]  # the columns' types, as the model declares them

    def values(self) -> dict[str, object]:
        """The stored values by column name (what the log's edit form starts from)."""
        return asdict(self)


_ENTRY_FIELDS = tuple(f.name for f in fields(LogEntry))
if tuple(c.name for c in _L.columns) != _ENTRY_FIELDS:  # pragma: no cover
    raise ImportError("LogEntry's fields must be the columns of log_entries, in the table's order")
_IS_GROUP, _NEW_CASE = _ENTRY_FIELDS.index("is_group"), _ENTRY_FIELDS.index("new_case")


@dataclass(frozen=True, slots=True)
class DatedEntry:
    """A row of the log with its session's day, as the unit's book lists it."""

    entry: LogEntry
    session_date: date


@dataclass(frozen=True, slots=True)
class LogCounts:
    visits: int
    people: int
    cases: int
    petitions: int
    groups: int

    def as_dict(self) -> dict[str, int | None]:
        return {
            "visits": self.visits,
            "people": self.people,
            "cases": self.cases,
            "petitions": self.petitions,
            "groups": self.groups,
        }


def _clean_text(value: object, key: str) -> str:
    label, longest = TEXT_FIELDS[key]
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceError(f"{label} phải là chữ")
    # NFC: a name typed on a phone (decomposed marks) must match the same name typed on a PC.
    text = nfc(value.replace("\r\n", "\n").replace("\x00", "").strip())
    if len(text) > longest:
        raise ServiceError(f"{label} dài quá {longest} ký tự")
    return text


def _clean_int(value: object, label: str, *, low: int, high: int = 100_000) -> int:
    if isinstance(value, bool):
        raise ServiceError(f"{label} phải là số nguyên")
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 9:
            raise ServiceError(f"{label} phải là số nguyên, không phải {value[:20]!r}")
        value = int(value)
    if not isinstance(value, int):
        raise ServiceError(f"{label} phải là số nguyên")
    if not low <= value <= high:
        raise ServiceError(f"{label} phải từ {low} đến {high}")
    return value


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "on", "yes")
    return bool(value)


def clean_entry(data: Mapping[str, object]) -> dict[str, Any]:
    """A log row's fields from a form or JSON: NFC text within limits, counts in range."""
    out: dict[str, Any] = {k: _clean_text(data.get(k), k) for k in TEXT_FIELDS}
    if not out["full_name"]:
        raise ServiceError("cần ghi họ và tên (người đại diện nếu là đoàn)")
    handling = data.get("handling") or ""
    if handling not in ("", *HANDLINGS):
        raise ServiceError(f"hướng xử lý phải là một trong {', '.join(HANDLINGS)}")
    out["handling"] = handling
    out["is_group"] = _flag(data.get("is_group"))
    people = data.get("people")
    out["people"] = 1 if people in (None, "") else _clean_int(people, "số người", low=1)
    if out["is_group"] and out["people"] < 2:
        raise ServiceError("đoàn đông người phải có từ 2 người trở lên")
    petitions = data.get("petitions")
    out["petitions"] = 0 if petitions in (None, "") else _clean_int(petitions, "số đơn", low=0)
    new_case = data.get("new_case")
    out["new_case"] = True if new_case is None else _flag(new_case)
    return out


def entries(engine: Engine, session_id: int) -> list[LogEntry]:
    with reading(engine) as conn:
        q = select(_L).where(_L.c.session_id == session_id).order_by(_L.c.id)
        return [LogEntry.of(r) for r in conn.execute(q)]


def get_entry(engine: Engine, entry_id: int) -> LogEntry:
    with reading(engine) as conn:
        row = conn.execute(select(_L).where(_L.c.id == entry_id)).first()
    if row is None:
        raise ServiceError(f"không có dòng sổ số {entry_id}")
    return LogEntry.of(row)


def unit_entries(engine: Engine, unit_id: str, first: date, last: date) -> list[DatedEntry]:
    """The unit's log rows with their session's date, in the order of the book."""
    with reading(engine) as conn:
        rows = conn.execute(
            select(_L, _S.c.date.label("session_date"))
            .join(_S, _S.c.id == _L.c.session_id)
            .where(_L.c.unit_id == unit_id, _S.c.date.between(first, last))
            .order_by(_S.c.date, _L.c.id)
        )
        return [DatedEntry(LogEntry.of(r), r.session_date) for r in rows]


def counts_of(rows: Sequence[LogEntry]) -> LogCounts:
    return LogCounts(
        visits=len(rows),
        people=sum(r.people for r in rows),
        cases=len(rows),
        petitions=sum(r.petitions for r in rows),
        groups=sum(1 for r in rows if r.is_group),
    )


def add_entry(
    engine: Engine,
    config: Config,
    session_id: int,
    data: Mapping[str, object],
    *,
    actor: uc.Actor,
    now: datetime,
) -> int:
    """Add a row to the log of a session that is planned or held; returns the row's id.

    A session already recorded as held gets its outcome recounted from the log.
    """
    values = clean_entry(data)
    with engine.begin() as conn:
        session = conn.execute(
            select(_S.c.id, _S.c.unit_id, _S.c.status).where(_S.c.id == session_id)
        ).first()
        if session is None:
            raise ServiceError(f"không có buổi tiếp số {session_id}")
        if session.status not in OPEN_STATUSES:
            raise ServiceError(f"buổi tiếp số {session_id} {STATUS_VI[session.status]}, không ghi sổ được")
        entry_id = conn.execute(
            insert(_L).returning(_L.c.id),
            values | {"session_id": session_id, "unit_id": session.unit_id, "created_at": now},
        ).scalar_one()
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="log_add",
            session_id=session_id,
            unit_id=session.unit_id,
            entry=entry_id,
            people=values["people"],
            group=values["is_group"],
        )
    if session.status == "held":
        _recount(engine, config, session_id, actor=actor, now=now)
    return int(entry_id)


def delete_entry(engine: Engine, config: Config, entry_id: int, *, actor: uc.Actor, now: datetime) -> int:
    """Remove a row entered by mistake; returns its session's id."""
    with engine.begin() as conn:
        row = conn.execute(
            select(_L.c.id, _L.c.session_id, _L.c.unit_id, _S.c.status)
            .join(_S, _S.c.id == _L.c.session_id)
            .where(_L.c.id == entry_id)
        ).first()
        if row is None:
            raise ServiceError(f"không có dòng sổ số {entry_id}")
        if row.status not in OPEN_STATUSES:
            raise ServiceError(f"buổi tiếp số {row.session_id} {STATUS_VI[row.status]}, không sửa sổ được")
        refuse_if_directions(conn, entry_id=entry_id)
        conn.execute(delete(_L).where(_L.c.id == entry_id))
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="log_delete",
            session_id=row.session_id,
            unit_id=row.unit_id,
            entry=entry_id,
        )
    if row.status == "held":
        _recount(engine, config, row.session_id, actor=actor, now=now)
    return int(row.session_id)


def update_entry(
    engine: Engine,
    config: Config,
    entry_id: int,
    data: Mapping[str, object],
    *,
    actor: uc.Actor,
    now: datetime,
) -> int:
    """Correct a row, or fill in what is known later (the follow-up of the result is written
    weeks after the session); returns its session's id.

    The whole row is given again and checked as a new one. The audit row names the fields that
    changed, never their values (personal data); a held session's outcome follows the log.
    """
    values = clean_entry(data)
    with engine.begin() as conn:
        row = conn.execute(
            select(_L, _S.c.status.label("session_status"))
            .join(_S, _S.c.id == _L.c.session_id)
            .where(_L.c.id == entry_id)
        ).first()
        if row is None:
            raise ServiceError(f"không có dòng sổ số {entry_id}")
        if row.session_status not in OPEN_STATUSES:
            raise ServiceError(
                f"buổi tiếp số {row.session_id} {STATUS_VI[row.session_status]}, không sửa sổ được"
            )
        changed = sorted(k for k, v in values.items() if getattr(row, k) != v)
        if not changed:
            return int(row.session_id)
        conn.execute(update(_L).where(_L.c.id == entry_id).values(**{k: values[k] for k in changed}))
        write_audit(
            conn,
            at=now,
            actor=actor.name,
            action="log_edit",
            session_id=row.session_id,
            unit_id=row.unit_id,
            entry=entry_id,
            fields=changed,
        )
    counted = {"people", "petitions", "is_group"}
    if row.session_status == "held" and counted.intersection(changed):
        _recount(engine, config, row.session_id, actor=actor, now=now)
    return int(row.session_id)


def _recount(engine: Engine, config: Config, session_id: int, *, actor: uc.Actor, now: datetime) -> None:
    # The log changed under a held session: its outcome follows (``record`` reads the counts from
    # the log). A concurrent change of the session wins the version race; we retry once.
    for attempt in range(2):
        try:
            record_outcome.record(engine, config, session_id, held=True, actor=actor, now=now)
            return
        except ConflictError:
            if attempt:
                raise


def entry_dict(row: LogEntry, *, personal: bool) -> JsonObject:
    """JSON of a log row; without ``personal`` the name, address and ID number are left out."""
    out: JsonObject = {
        "id": row.id,
        "session": row.session_id,
        "unit": row.unit_id,
        "content": row.content,
        "classification": row.classification,
        "people": row.people,
        "is_group": row.is_group,
        "handled_by": row.handled_by,
        "handling": row.handling or None,
        "follow_up": row.follow_up,
        "notes": row.notes,
        "petitions": row.petitions,
        "new_case": row.new_case,
    }
    if personal:
        out |= {"full_name": row.full_name, "address": row.address, "id_number": row.id_number}
    return out
