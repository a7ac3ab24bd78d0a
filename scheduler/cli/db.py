"""``tiepdan db upgrade``: bring the database's schema to the newest (Alembic, ``migrations/``)."""

from __future__ import annotations

import argparse

from scheduler.cli.common import Subparsers, add_config, add_now, config_from, now_from
from scheduler.infra.db import open_database, upgrade_schema


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("db", help="cơ sở dữ liệu")
    add_config(p)
    add_now(p)
    p.add_argument("action", choices=("upgrade",))
    p.set_defaults(func=run_db)


def run_db(args: argparse.Namespace) -> int:
    config = config_from(args)
    now_from(args, config)  # checked; a schema upgrade is the same at any instant
    engine = open_database(config.database_url, upgrade=False)
    applied = upgrade_schema(engine)
    print("Đã cập nhật cấu trúc cơ sở dữ liệu." if applied else "Cơ sở dữ liệu đã ở phiên bản mới nhất.")
    return 0
