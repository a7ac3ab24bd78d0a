"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeAlias, TypeVar

from rules import ConfigError
from rules.parsing import parse_date, parse_id
from scheduler.infra.clock import parse_now
from scheduler.infra.config import Config, load_config

T = TypeVar("T")

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


def strict_arg(parse: Callable[[str], T], what: str = "") -> Callable[[str], T]:
    """An argparse type from one of the strict parsers (rules/parsing.py): its refusal, with
    ``what`` in front, is argparse's one line."""

    def convert(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{what}: {exc}" if what else str(exc)) from None

    return convert


# ``--if-version N`` and a row's id: the strict parser of ids (ASCII digits, 1 .. 2^63-1; int()
# took "٨").
version_arg = strict_arg(parse_id, "phiên bản")
id_arg = strict_arg(parse_id)
session_id_arg = strict_arg(parse_id, "mã buổi tiếp")


def add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", default="config.toml", help="tệp cấu hình (mặc định: config.toml)")


def add_now(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--now",
        metavar="ISO-8601",
        help="làm như vào thời điểm này (ví dụ 2027-01-18T08:00; mặc định: bây giờ)",
    )


def add_actor(p: argparse.ArgumentParser) -> None:
    """What a command on dialogues or directions takes beside its own arguments: the
    configuration, who acts (``--by``), the instant (``--now``, for tests) and ``--format``."""
    add_config(p)
    p.add_argument("--by", help="người thực hiện (mặc định: tài khoản hệ điều hành)")
    p.add_argument("--now", help=argparse.SUPPRESS)
    p.add_argument("--format", choices=("text", "json"), default="text")


def add_session_options(p: argparse.ArgumentParser) -> None:
    """What every command on stored sessions takes: the configuration, who acts (``--by``), the
    instant (``--now``) and ``--if-version N`` (change only if the session is still at version N)."""
    add_config(p)
    p.add_argument("--by", help="người thực hiện (mặc định: tài khoản hệ điều hành)")
    add_now(p)
    p.add_argument(
        "--if-version",
        type=version_arg,
        dest="if_version",
        metavar="N",
        help="chỉ thay đổi nếu buổi tiếp vẫn ở phiên bản N (tránh ghi đè thao tác của người khác)",
    )


def now_from(args: argparse.Namespace, config: Config) -> datetime:
    """``--now`` (a time without zone is the configuration's local time), else the clock."""
    return parse_now(getattr(args, "now", None), config.timezone)


def config_from(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    for line in config.warnings:
        print(f"cảnh báo: {line}", file=sys.stderr)
    return config


def recipients_of(text: str | None) -> tuple[str, ...]:
    """``--recipients "A; B"``: the list of a document's recipients (nơi nhận), in order."""
    return tuple(r.strip() for r in (text or "").split(";") if r.strip())


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
        self.now: datetime = now_from(args, self.config)
        self.today: date = local_today(self.now, self.config.timezone)
        self.engine = open_database(self.config.database_url)
        self.actor = Actor(getattr(args, "by", None) or default_actor())
