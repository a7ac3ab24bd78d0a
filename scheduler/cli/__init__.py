"""``tiepdan``: the command line. Thin: parse, call a use case, print.

Errors a person can fix arrive as one line on standard error and a non-zero exit; no traceback
reaches the user (set TIEPDAN_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from rules import TiepdanError
from rules.text import clean_text
from scheduler.cli.registry import modules_for
from scheduler.cli.usage_errors import vietnamese

EXIT_USAGE = 2
EXIT_ERROR = 1
EXIT_INTERNAL = 70
EXIT_BUSY = 75  # EX_TEMPFAIL: try again later


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "cách dùng: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse's parser with its own words in Vietnamese: the help's headings and ``-h``
    (``usage_errors`` does its refusals)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "đối số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {vietnamese(message)}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="tiepdan", description="Lịch tiếp công dân: lập lịch, nhắc lịch, báo cáo.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in modules_for(command):
        module.add_parser(sub)
    return parser


def _one_line(exc: BaseException | str) -> str:
    # Drivers (psycopg, sqlite3) put newlines in their messages; a person gets one line, with no
    # secret and no control character in it.
    from notifiers.safe import redact, terminal

    return terminal(redact(" ".join(str(exc).split())))


def main(argv: Sequence[str] | None = None) -> int:
    # Vietnamese must survive a C locale and a pipe.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
    for i, arg in enumerate(argv):
        # Every text typed on the command line goes through the one check (rules.text): no
        # control character reaches the database, a notice or the terminal.
        try:
            argv[i] = clean_text(arg)
        except ValueError as exc:
            print(f"lỗi: đối số {_one_line(arg[:40])!r}: {exc}", file=sys.stderr)
            return EXIT_USAGE
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TiepdanError as exc:
        print(f"lỗi: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("đã dừng theo yêu cầu", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as exc:
        if type(exc).__name__ == "OperationalError":
            from scheduler.infra.db import BUSY, is_busy  # only when it happened: keeps start-up light

            if is_busy(exc):
                print(f"lỗi: {BUSY}", file=sys.stderr)
                return EXIT_BUSY
        if os.environ.get("TIEPDAN_DEBUG"):
            raise
        print(f"lỗi nội bộ ({type(exc).__name__}): {_one_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
