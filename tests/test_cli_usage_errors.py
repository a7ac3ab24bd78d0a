"""A mistake on the command line (an option missing, a value not among the choices, a command
that does not exist) is one Vietnamese line on stderr and exit status 2, as every other refusal of
tiepdan: none of argparse's English reaches the clerk."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from scheduler import cli
from scheduler.cli.usage_errors import vietnamese

ENGLISH = ("argument", "invalid", "required", "expected", "unrecognized", "choose from", "allowed")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["frobnicate"], "không có lệnh 'frobnicate' (các lệnh: 'calendar'"),
        (["sessions", "--bogus"], "đối số không dùng được: --bogus"),
        (["dialogue", "trigger", "--topic", "Ô nhiễm"], "thiếu đối số bắt buộc: --unit"),
        (["dialogue", "trigger", "--unit"], "đối số --unit: cần một giá trị"),
        (
            ["user", "add", "x4", "--role", "boss"],
            "đối số --role: giá trị 'boss' không hợp lệ (chọn một trong:",
        ),
        (
            ["direction", "add", "--limit", "a", "--days", "3"],
            "đối số --days: không dùng cùng với --limit",
        ),
    ],
)
def test_usage_error_is_one_vietnamese_line(argv: list[str], said: str, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as stopped:
        cli.main([*argv, "--config", str(tmp_path / "config.toml")])
    assert stopped.value.code == 2 and out.getvalue() == ""
    (line,) = err.getvalue().splitlines()
    assert ": lỗi: " in line and said in line, line
    assert not any(word in line for word in ENGLISH), line


def test_a_message_it_does_not_know_is_left_as_it_is() -> None:
    assert vietnamese("đối số --year: năm phải có dạng YYYY") == "đối số --year: năm phải có dạng YYYY"
    assert vietnamese("argument --x: something new") == "đối số --x: something new"


@pytest.mark.parametrize("argv", [["--help"], ["dialogue", "trigger", "-h"], ["plan", "--help"]])
def test_help_speaks_vietnamese_around_the_options(argv: list[str]) -> None:
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as stopped:
        cli.main(argv)
    text = out.getvalue()
    assert stopped.value.code == 0
    assert text.startswith("cách dùng: tiepdan") and "tùy chọn:" in text
    assert "-h, --help" in text and "in hướng dẫn này rồi thoát" in text
    assert not any(w in text for w in ("usage:", "options:", "positional arguments", "show this help"))
