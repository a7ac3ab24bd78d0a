"""``tiepdan sessions`` and ``tiepdan history``: the stored sessions (a line each, or the JSON
of the service contract) and who changed one, when and why; ``show_session``, how every command
on sessions prints one."""

from __future__ import annotations

import argparse
import json
import sys

from rules.vietnamese import long_date
from rules.vocabulary import KIND_VI, STATUS_VI
from scheduler.cli import output
from scheduler.cli.common import CommandContext, Subparsers, add_session_options, iso_date, require_unit
from scheduler.cli.common import session_id_arg as _session_id
from scheduler.cli.output import print_json
from scheduler.infra.jsontype import JsonObject
from scheduler.reads.session_views import replacements
from scheduler.reads.stored_session import StoredSession
from scheduler.usecases import session_reads


def add_parser(sub: Subparsers) -> None:
    p = sub.add_parser("sessions", help="các buổi tiếp đã lưu")
    add_session_options(p)
    p.add_argument("--unit")
    p.add_argument("--from", dest="first", type=iso_date)
    p.add_argument("--to", dest="last", type=iso_date)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_sessions)

    p = sub.add_parser("history", help="ai đã thay đổi gì, khi nào, vì sao")
    add_session_options(p)
    p.add_argument("session_id", type=_session_id, metavar="SESSION_ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_history)


def session_done(
    args: argparse.Namespace, row: StoredSession, text: str | list[str], extra: JsonObject | None = None
) -> int:
    """What a change of a session prints: ``text``, or with ``--format json`` the session's JSON on
    one line (the service contract), ``extra`` merged in."""
    return output.result(args, session_reads.session_dict(row) | (extra or {}), text, indent=None)


def show_session(row: StoredSession) -> None:
    """A stored session as one line: ``#id unit day start-end [kind, status] ...``."""
    kind = KIND_VI[row.kind]
    status = STATUS_VI[row.status]
    start, end = row.start_text, row.end_text
    line = f"#{row.id} {row.unit_id} {long_date(row.date)} {start or ''}-{end or ''} [{kind}, {status}]"
    if row.replaces_id:
        line += f" thay buổi #{row.replaces_id}"
    if row.reason:
        line += f" — {row.reason}"
    elif row.moved:
        line += f" — {row.moved}"
    output.line(line)


def run_sessions(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    require_unit(ctx.config, args.unit)
    rows = session_reads.list_sessions(
        ctx.engine, unit_ids=[args.unit] if args.unit else None, first=args.first, last=args.last
    )
    if args.format == "json":
        made = replacements(ctx.engine, [r.id for r in rows if r.status in ("cancelled", "not_held")])
        out = sys.stdout
        out.write("[")
        for i, r in enumerate(rows):
            out.write(
                ("\n" if i == 0 else ",\n")
                + json.dumps(session_reads.session_dict(r, made.get(r.id)), ensure_ascii=False)
            )
        out.write("\n]\n" if rows else "]\n")
        return 0
    if not rows:
        output.line("Không có buổi tiếp nào.")
    for r in rows:
        show_session(r)
    return 0


def run_history(args: argparse.Namespace) -> int:
    ctx = CommandContext(args)
    rows = session_reads.history(ctx.engine, args.session_id)
    if args.format == "json":
        print_json([session_reads.audit_dict(r) for r in rows], indent=1)
        return 0
    for r in rows:
        d = session_reads.audit_dict(r)
        local = r.at.astimezone(ctx.config.timezone)  # AuditEntry.at is in UTC
        output.line(
            f"{local:%d/%m/%Y %H:%M} {d['actor']}: {d['action']} #{d['session']} — {d['reason'] or ''}"
        )
    return 0
