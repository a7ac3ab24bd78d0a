"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import TypeAlias

from rules import ConfigError
from rules.parsing import parse_date, parse_id
from scheduler.infra.clock import parse_now
from scheduler.infra.config import Config, load_config

# What each module's ``add_parser`` adds its subcommands to (``parser.add_subparsers()``).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # not subscriptable at run time


def iso_date(text: str) -> date:
    try:
        return parse_date(text)  # ASCII digits, YYYY-MM-DD only, a year in range
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def year_arg(text: str) -> int:
    """A year on the command line: four ASCII digits, 1901-2199 as for a date (int() took
    "٢٠٢٦" and "2_026", and year 0 ended in an internal error)."""
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 1900 < int(text) < 2200):
        raise argparse.ArgumentTypeError(
            f"năm phải có dạng YYYY (1901-2199, chữ số 0-9), không phải {text[:20]!r}"
        )
    return int(text)


def version_arg(text: str) -> int:
    """``--if-version N``: the strict parser of ids (ASCII digits, 1 .. 2^63-1; int() took "٨")."""
    try:
        return parse_id(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"phiên bản: {exc}") from None


def add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default="config.toml", help="tệp cấu hình (mặc định: config.toml)")


def add_now(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--now",
        metavar="ISO-8601",
        help="làm như vào thời điểm này (ví dụ 2027-01-18T08:00; mặc định: bây giờ)",
    )


def now_from(args: argparse.Namespace, config: Config) -> datetime:
    """``--now`` (a time without zone is the configuration's local time), else the clock."""
    return parse_now(getattr(args, "now", None), config.timezone)


def config_from(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    for line in config.warnings:
        print(f"cảnh báo: {line}", file=sys.stderr)
    return config


def require_unit(config: Config, unit_id: str | None) -> None:
    if unit_id is not None and unit_id not in config.units_by_id:
        raise ConfigError(f"không có đơn vị {unit_id!r} trong {config.path}")


class CommandContext:
    """What a command that changes the store needs: the configuration, the instant it acts as
    of (``--now``) and its local day, the database and who acts (``--by``)."""

    def __init__(self, args: argparse.Namespace) -> None:
        # Imported here: the calendar command uses this module too and must not load the database.
        from scheduler.infra.audit import default_actor
        from scheduler.infra.clock import local_today
        from scheduler.infra.db import open_database
        from scheduler.usecases.sessions import Actor

        self.config: Config = config_from(args)
        self.now: datetime = parse_now(args.now, self.config.timezone)
        self.today: date = local_today(self.now, self.config.timezone)
        self.engine = open_database(self.config.database_url)
        self.actor = Actor(getattr(args, "by", None) or default_actor())
