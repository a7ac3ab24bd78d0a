"""``tiepdan check`` finds every configuration error ``serve`` or ``plan`` would meet, each as one
line (issue 13): the database URL, the e-mail sender, the units' ids, the cookie key; and the SQLite
files are private (names, addresses, ID numbers and password hashes live there)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from desk_support import CONFIG

from scheduler.cli import main

SQLITE = '"sqlite:///desk.db"'
CASES = {
    "not a url": (CONFIG.replace(SQLITE, '"not a url"'), "database"),
    "mysql": (CONFIG.replace(SQLITE, '"mysql://u@h/db"'), "database"),
    "postgresql port": (CONFIG.replace(SQLITE, '"postgresql+psycopg://u@h:99999/db"'), "cổng"),
    "sender with CRLF": (
        CONFIG + '\n[email]\nsender = "Tiếp dân <a@b.vn>\\r\\nBcc: x@y.z"\nsmtp_host = "localhost"\n',
        "email.sender",
    ),
    "unit id of 300": (CONFIG.replace('id     = "xa-b"', 'id     = "' + "b" * 300 + '"'), "units[2]"),
    "unit id ..": (CONFIG.replace('id     = "xa-b"', 'id     = ".."'), "mã đơn vị"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_finds_it_in_one_line(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text, word = CASES[case]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIEPDAN_SECRET", raising=False)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    code = main(["check", "--config", "config.toml"])
    err = capsys.readouterr().err
    assert code not in (0, None, 70), (case, code, err)
    assert len(err.strip().splitlines()) == 1 and word in err, (case, err)


def test_check_finds_a_short_secret_and_an_empty_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("TIEPDAN_SECRET", "ngắn")
    assert main(["check", "--config", "config.toml"]) not in (0, None, 70)
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "TIEPDAN_SECRET" in err, err
    monkeypatch.delenv("TIEPDAN_SECRET")
    (tmp_path / "tiepdan-secret.key").write_text("", encoding="utf-8")
    assert main(["check", "--config", "config.toml"]) not in (0, None, 70)
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "rỗng" in err, err


def test_the_sqlite_files_are_created_private(tmp_path: Path) -> None:
    from sqlalchemy import text

    from scheduler.infra.db import open_database

    old = os.umask(0o022)  # what a server's shell usually has
    try:
        engine = open_database(f"sqlite:///{tmp_path / 't.db'}")
        with engine.begin() as conn:  # a write: the WAL and its index exist while it is open
            conn.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
            conn.execute(text("INSERT INTO probe VALUES (1)"))
            files = sorted(p for p in tmp_path.iterdir() if p.name.startswith("t.db"))
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in files}
        engine.dispose()
    finally:
        os.umask(old)
    assert "t.db" in modes and "t.db-wal" in modes, modes
    assert all(m & 0o077 == 0 for m in modes.values()), {k: oct(v) for k, v in modes.items()}


EMAIL = '\n[email]\nhost = "127.0.0.1"\nsender = "Văn phòng <vp@example.vn>"\n'


@pytest.mark.parametrize(
    ("extra", "warned"),
    [
        (EMAIL, True),
        ('\n[sms]\nurl = "https://sms.example.vn/send"\n', True),
        ("", False),  # messages only written to files: nobody elsewhere opens them
        (EMAIL + '\n[http]\nbase_url = "https://tiepdan.example.vn"\n', False),
    ],
)
def test_messages_sent_without_a_public_address_are_warned_of_at_start(
    extra: str,
    warned: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every link in an e-mail or SMS is built from ``[http] base_url``; without it, from the
    server's own address, which opens only on that machine: said once at start, not a failure."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIEPDAN_SMS_TOKEN", "t")
    (tmp_path / "config.toml").write_text(CONFIG + extra, encoding="utf-8")
    code = main(["check", "--config", "config.toml"])
    err = capsys.readouterr().err
    assert code in (0, None), err
    lines = [line for line in err.splitlines() if "http.base_url" in line]
    if warned:
        assert lines == [
            "cảnh báo: config.toml: http.base_url: chưa đặt, liên kết trong thư và tin nhắn sẽ trỏ tới "
            "http://127.0.0.1:8080, chỉ mở được trên máy chạy tiepdan; vui lòng đặt địa chỉ công khai của "
            "trang (ví dụ https://tiepdan.example.vn)"
        ], err
    else:
        assert lines == [], err
