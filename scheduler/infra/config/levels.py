"""A level of ``config.toml`` (``[levels.<id>]``): its reception mandate (``min_days`` per month
or week, with the ``earlier`` mandates it replaced), its notice basis and its dialogue mandate."""

from __future__ import annotations

from datetime import date
from typing import Any

from rules import (
    Level,
)
from rules.dialogues import PRESETS as DIALOGUE_PRESETS
from rules.dialogues import DialogueMandate
from scheduler.infra.config.fields import Where, read_date, read_int, read_lines, read_per, read_str

LEVEL_KEYS = {"name", "min_days", "per", "basis", "earlier", "remind", "notice_basis", "dialogue"}


def parse_level(w: Where, level_id: str, raw: dict[str, Any], key: str) -> Level:
    name = read_str(w, raw, "name", level_id, f"{key}.name")
    min_days = read_int(w, raw, "min_days", None, f"{key}.min_days", 0, 31)
    per = read_per(w, raw.get("per"), f"{key}.per")
    basis = read_str(w, raw, "basis", "", f"{key}.basis")
    earlier_raw = raw.get("earlier", [])
    if not isinstance(earlier_raw, list):
        raise w.error(f"{key}.earlier", "phải là danh sách các bảng {until, min_days, per}")
    earlier = []
    untils: set[date] = set()
    for j, e in enumerate(earlier_raw):
        ek = f"{key}.earlier[{j}]"
        if not isinstance(e, dict):
            raise w.error(ek, "phải là bảng {until, min_days, per, basis}")
        until = read_date(w, e.get("until"), f"{ek}.until")
        if until in untils:
            raise w.error(f"{ek}.until", f"ngày {until.isoformat()} đã dùng cho một mức khác")
        untils.add(until)
        earlier.append(
            (
                until,
                read_int(w, e, "min_days", None, f"{ek}.min_days", 0, 31),
                read_per(w, e.get("per"), f"{ek}.per"),
                read_str(w, e, "basis", "", f"{ek}.basis"),
            )
        )
    notice_basis = read_lines(w.error, raw.get("notice_basis"), f"{key}.notice_basis")
    dialogue = parse_dialogue(w, raw.get("dialogue"), f"{key}.dialogue")
    return Level.from_history(level_id, name, (min_days, per, basis), earlier, notice_basis, dialogue)


def parse_dialogue(w: Where, raw: object, key: str) -> DialogueMandate | None:
    """``dialogue``: a preset's name (``"law-72-2025"``) or ``{ min, per = "year", basis }``."""
    if raw is None:
        return None
    if isinstance(raw, str):
        preset = DIALOGUE_PRESETS.get(raw)
        if preset is None:
            names = ", ".join(DIALOGUE_PRESETS)
            raise w.error(key, f"không có mức đối thoại {raw!r}; dùng {names} hoặc bảng {{min, per, basis}}")
        return preset
    if not isinstance(raw, dict):
        raise w.error(key, 'phải là "law-72-2025" hoặc bảng { min = 1, per = "year", basis = "..." }')
    unknown = sorted(set(raw) - {"min", "per", "basis"})
    if unknown:
        raise w.error(f"{key}.{unknown[0]}", "khóa không có; dùng min, per, basis")
    per = raw.get("per", "year")
    if per != "year":
        raise w.error(f"{key}.per", f'phải là "year", không phải {per!r}')
    n = read_int(w, raw, "min", None, f"{key}.min", 0, 52)
    return DialogueMandate(n, "year", read_str(w, raw, "basis", "", f"{key}.basis"))
