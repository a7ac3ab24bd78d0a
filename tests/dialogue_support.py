"""Helpers for the dialogue tests: the service tests' configuration with dialogue mandates — the
commune People's Committee chair by the law's preset, the provincial party secretary by the
province's own rule — and the clock of a use case."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from service_support import write_config

from scheduler.usecases.sessions import Actor

CLERK = Actor("van-thu")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PROVINCE_RULE = "Quyết định 218-QĐ/TW; Quy chế 07-QC/TU"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def dialogue_config(directory: Path, db_url: str) -> Path:
    path = write_config(directory, db_url)
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        'basis    = "Luật Tiếp công dân, sửa đổi bởi Luật số 136/2025/QH15"\n',
        'basis    = "Luật Tiếp công dân, sửa đổi bởi Luật số 136/2025/QH15"\ndialogue = "law-72-2025"\n',
    )
    text = text.replace(
        "[levels.province]\n",
        f'[levels.province]\ndialogue = {{ min = 1, per = "year", basis = "{PROVINCE_RULE}" }}\n',
    )
    path.write_text(text, encoding="utf-8")
    return path
