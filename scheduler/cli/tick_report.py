"""What ``tiepdan tick`` did and will do, in Vietnamese (báo cáo sau mỗi lần chạy): the years
planned with their sessions per unit, what was queued and sent, and when and where each waiting
message will be delivered. Read from the database after the tick, so it says what is stored."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, select

from rules.vietnamese import dmy
from scheduler.infra.clock import as_utc
from scheduler.infra.config import Config
from scheduler.infra.db import reading
from scheduler.infra.db.models import OutboxRow, SessionRow

CHANNEL_VI = {"email": "thư điện tử", "sms": "tin nhắn SMS"}


@dataclass(frozen=True, slots=True)
class Waiting:
    """Messages waiting in the outbox: how many, on which channel, from when."""

    channel: str
    at: datetime  # local
    count: int


def where(config: Config, channel: str) -> str:
    """Where a channel delivers: the SMTP server, the SMS gateway, or the folder of files."""
    if channel == "email" and config.email is not None:
        return f"qua máy chủ thư {config.email.host}:{config.email.port}"
    if channel == "sms" and config.sms is not None:
        return f"qua cổng SMS {config.sms.url}"
    folder = config.outbox_dir / ("email" if channel == "email" else "sms")
    try:
        shown = os.path.relpath(folder)
    except ValueError:  # another drive (Windows)
        shown = str(folder)
    kind = "tệp .eml" if channel == "email" else "tệp .txt"
    return f"ghi thành {kind} vào thư mục {shown}/"


def sessions_per_unit(engine: Engine, years: list[int]) -> dict[int, Counter[str]]:
    """The active sessions (planned or held) of each year, per unit."""
    out: dict[int, Counter[str]] = {}
    with reading(engine) as conn:
        for y in years:
            rows = conn.execute(
                select(SessionRow.unit_id, func.count())
                .where(
                    SessionRow.date.between(date(y, 1, 1), date(y, 12, 31)),
                    SessionRow.status.in_(("planned", "held")),
                )
                .group_by(SessionRow.unit_id)
            ).all()
            out[y] = Counter({unit: n for unit, n in rows})
    return out


def waiting(engine: Engine, config: Config) -> list[Waiting]:
    with reading(engine) as conn:
        rows = conn.execute(
            select(OutboxRow.channel, OutboxRow.next_attempt_at, func.count())
            .where(OutboxRow.status == "pending")
            .group_by(OutboxRow.channel, OutboxRow.next_attempt_at)
        ).all()
    grouped: Counter[tuple[str, datetime]] = Counter()
    for channel, at, n in rows:
        local = as_utc(at).astimezone(config.timezone).replace(second=0, microsecond=0)
        grouped[(channel, local)] += n
    ordered = sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    return [Waiting(channel, at, n) for (channel, at), n in ordered]


def tick_lines(
    engine: Engine,
    config: Config,
    now: datetime,
    *,
    planned: dict[int, bool],
    queued: int,
    sent: int,
    retried: int,
    failed: int,
    dropped: int,
) -> list[str]:
    """The tick's report, line by line. ``planned``: year -> planned by this tick (else earlier)."""
    lines = []
    names = {u.id: u.name for u in config.units}
    counts = sessions_per_unit(engine, sorted(planned))
    for year in sorted(planned):
        per_unit = counts[year]
        how = "Đã lập lịch" if planned[year] else "Lịch đã có"
        lines.append(f"{how} năm {year}: {sum(per_unit.values())} buổi tiếp của {len(per_unit)} đơn vị.")
        for unit in sorted(per_unit):
            lines.append(f"  {names.get(unit, unit)} ({unit}): {per_unit[unit]} buổi")
    # The counts line, in the form scripts (and the tests) read.
    lines.append(f"Xếp {queued} tin mới; gửi {sent}, thử lại sau {retried}, lỗi {failed}, bỏ {dropped}.")
    if sent:
        dest = "; ".join(f"{CHANNEL_VI[c]} {where(config, c)}" for c in ("email", "sms"))
        lines.append(f"Đã gửi {sent} tin: {dest}.")
    if failed:
        lines.append(f"{failed} tin không gửi được: xem tiepdan outbox --status failed.")
    local_now = as_utc(now).astimezone(config.timezone)
    pending = waiting(engine, config)
    if not pending:
        lines.append("Không còn tin nào chờ gửi.")
    else:
        lines.append(f"Còn {sum(w.count for w in pending)} tin chờ gửi:")
        for w in pending:
            when = "ở lần chạy tới" if w.at <= local_now else f"lúc {w.at:%Hh%M} ngày {dmy(w.at.date())}"
            channel = CHANNEL_VI.get(w.channel, w.channel)
            lines.append(f"  {w.count} {channel} sẽ gửi {when}, {where(config, w.channel)}")
    return lines
