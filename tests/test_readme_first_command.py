"""The README's first command succeeds at any hour (issue 11.1): in a fresh copy of the sample
``config.toml``, its tiepdan commands exit 0 at 03:00 and at 09:00 local time, and ``tick`` says
what it planned (sessions per unit), queued, sent, and when and where the rest will go."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _first_command() -> list[list[str]]:
    """The tiepdan commands of the README's first shell line, without the ``.venv/bin/``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)\n", readme)
    assert block, "the README opens with a sh block"
    steps = [shlex.split(part) for part in block.group(1).split("&&")]
    assert steps[0][:3] == ["python3", "-m", "venv"] and "pip" in steps[1][0]
    commands = [s for s in steps[2:]]
    assert commands and all(c[0] == ".venv/bin/tiepdan" for c in commands), commands
    assert commands[0][1] == "tick"
    return [c[1:] for c in commands]


@pytest.mark.parametrize(
    ("now", "night"), [("2026-12-01T03:00", True), ("2026-12-01T09:00", False)], ids=["03h00", "09h00"]
)
def test_the_first_command_exits_0_and_tells_what_it_did(tmp_path, now, night):
    shutil.copy(ROOT / "config.toml", tmp_path / "config.toml")
    outputs = []
    for args in _first_command():
        proc = subprocess.run(
            [sys.executable, "-m", "scheduler", *args, "--now", now],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=180,
            check=False,
        )
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        outputs.append(proc.stdout)
    tick = outputs[0]
    # The years planned, with the sessions of each unit.
    assert "Đã lập lịch năm 2026" in tick and "Đã lập lịch năm 2027" in tick
    assert re.search(r"Tỉnh ủy Cao Bằng \(cao-bang\): 12 buổi", tick), tick
    assert re.search(r"Đảng ủy phường Thục Phán \(thuc-phan\): 24 buổi", tick), tick
    queued = int(re.search(r"Xếp (\d+) tin mới", tick).group(1))  # type: ignore[union-attr]
    assert queued > 0
    if night:
        assert "gửi 0," in tick
        assert re.search(
            r"thư điện tử sẽ gửi lúc 07h00 ngày 01/12/2026, ghi thành tệp \.eml vào thư mục outbox/email/",
            tick,
        ), tick
        assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").rglob("*.eml"))
    else:
        assert f"gửi {queued}," in tick and "outbox/email/" in tick
        assert any((tmp_path / "outbox" / "email").glob("*.eml"))
    # A second run at the same instant plans nothing again and says so.
    again = subprocess.run(
        [sys.executable, "-m", "scheduler", "tick", "--config", "config.toml", "--now", now],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
        check=False,
    )
    assert again.returncode == 0 and "Lịch đã có năm 2026" in again.stdout and "Xếp 0 tin mới" in again.stdout
