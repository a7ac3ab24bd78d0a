"""``--now ISO-8601`` on every command (contracts/service.md): each acts as of that instant, and a
bad value is one line on standard error, with no change made and no internal error."""

from __future__ import annotations

import argparse

import pytest

from scheduler.cli import build_parser, main
from scheduler.cli.registry import COMMANDS

# The arguments each command needs besides --config and --now.
ARGS = {
    "calendar": ["--from", "2026-01-01", "--to", "2026-01-31"],
    "holidays": ["--year", "2026"],
    "check": [],
    "plan": ["--year", "2026"],
    "sessions": [],
    "cancel": ["1", "--reason", "x"],
    "makeup": ["1"],
    "move": ["1", "--date", "2026-01-05", "--reason", "x"],
    "adhoc": ["--unit", "a", "--date", "2026-01-05", "--reason", "x"],
    "record": ["1", "--held"],
    "history": ["1"],
    "db": ["upgrade"],
    "tick": [],
    "serve": [],
    "outbox": [],
    "report": ["--period", "2026"],
    "notice": ["--unit", "a", "--year", "2026", "--out", "n.docx"],
    "user": ["list"],
    "token": ["create", "lan"],
    "direction": ["show", "1"],
    "followup": ["--unit", "a"],
    "limits": [],
    "dialogue": ["show", "1"],
}


def _leaf_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for name, sub in subs[0].choices.items():
        yield from _leaf_parsers(sub, (*path, name))


def test_every_command_takes_now():
    leaves = list(_leaf_parsers(build_parser()))
    assert {p[0] for p, _ in leaves} == set(COMMANDS) == set(ARGS)
    for path, parser in leaves:
        assert any("--now" in a.option_strings for a in parser._actions), path


@pytest.mark.parametrize("command", sorted(ARGS))
@pytest.mark.parametrize("value", ["0001-01-01", "garbage", "2026-13-40T25:00"])
def test_a_bad_now_is_one_line_and_changes_nothing(command, value, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(
        '[levels.p]\nmin_days = 1\nper = "month"\n\n[[units]]\nid = "a"\nlevel = "p"\ndays = [10]\n',
        encoding="utf-8",
    )
    code = main([command, *ARGS[command], "--config", "config.toml", "--now", value])
    err = capsys.readouterr().err
    assert code == 1, err
    assert len(err.splitlines()) == 1 and "--now" in err and "nội bộ" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]  # no database, no file


def test_a_good_now_is_local_time_unless_it_says_otherwise(tmp_path, monkeypatch, capsys):
    from datetime import UTC, datetime

    from scheduler.infra.clock import VN, parse_now

    assert parse_now("2026-12-01T03:00", VN) == datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    assert parse_now("2026-12-01T03:00+00:00", VN) == datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    assert parse_now("2026-12-01", VN) == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
