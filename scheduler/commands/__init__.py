"""One module per group of ``tiepdan`` subcommands; each has ``add_parser(subparsers)``."""

from scheduler.commands import calendar, service

COMMAND_MODULES = [calendar, service]
