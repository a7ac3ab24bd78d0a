"""One module per group of ``tiepdan`` subcommands; each has ``add_parser(subparsers)``.

Only the module of the command being run is imported: ``tiepdan calendar`` on a national
registry should not pay for the database, the web server and the document libraries.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

# command -> module that defines it; the order is the order of ``tiepdan --help``
COMMANDS = {
    "calendar": "calendar", "holidays": "calendar", "check": "calendar",
    "plan": "plan", "sessions": "session_reads", "history": "session_reads",
    "cancel": "session_changes", "makeup": "session_changes", "move": "session_changes",
    "adhoc": "session_changes", "record": "session_changes", "db": "db",
    "tick": "jobs", "serve": "jobs", "outbox": "jobs",
    "report": "report", "user": "users", "token": "users", "notice": "notice",
    "direction": "followup", "followup": "followup", "limits": "followup",
    "dialogue": "dialogue",
}  # fmt: skip


def modules_for(command: str | None) -> list[ModuleType]:
    """The module of ``command``, or every module when it is unknown (for help and errors)."""
    names = [COMMANDS[command]] if command in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    return [import_module(f"scheduler.cli.{name}") for name in names]
