"""One module per group of ``tiepdan`` subcommands; each has ``add_parser(subparsers)``."""

from scheduler.commands import calendar, jobs, service

COMMAND_MODULES = [calendar, service, jobs]
