"""``tiepdan``: the command line. Thin: parse, call a use case, print.

Errors a person can fix arrive as one line on standard error and a non-zero exit; no traceback
reaches the user (set TIEPDAN_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from rules import TiepdanError
from scheduler.commands import modules_for

EXIT_USAGE = 2
EXIT_ERROR = 1
EXIT_INTERNAL = 70


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: lỗi: {message}\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="tiepdan", description="Lịch tiếp công dân: lập lịch, nhắc lịch, báo cáo.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in modules_for(command):
        module.add_parser(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    # Drivers (psycopg, sqlite3) put newlines in their messages; a person gets one line.
    return " ".join(str(exc).split())


def main(argv: Sequence[str] | None = None) -> int:
    # Vietnamese must survive a C locale and a pipe.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
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
        if os.environ.get("TIEPDAN_DEBUG"):
            raise
        print(f"lỗi nội bộ ({type(exc).__name__}): {_one_line(exc)}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
