"""One module per group of ``tiepdan`` subcommands; each has ``add_parser(subparsers)``."""

from scheduler.commands import calendar, jobs, notice, report, service, users

COMMAND_MODULES = [calendar, service, jobs, report, users, notice]
