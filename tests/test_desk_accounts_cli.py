"""``tiepdan user add / user list / token create``: one clear line on bad input, passwords hashed
with argon2, tokens shown once and stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import cli_runner
import pytest
from desk_support import Server, serve
from sqlalchemy import select

from scheduler.infra.db.models import ApiTokenRow, UserRow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("desk-cli")) as s:
        yield s


def tiepdan(server: Server, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return cli_runner.run([*args, "--config", str(server.config.path)], cwd=ROOT, stdin=stdin)


def _users(server: Server) -> dict[str, tuple[str, str | None, str]]:
    with server.engine.connect() as conn:
        t = UserRow.__table__
        return {r.login: (r.role, r.unit_id, r.password_hash) for r in conn.execute(select(t))}


def test_add_staff_supervisor_and_admin(server: Server) -> None:
    r = tiepdan(
        server,
        "user",
        "add",
        "can-bo-xa-b",
        "--role",
        "staff",
        "--unit",
        "xa-b",
        "--password-stdin",
        stdin="mật khẩu rất dài\n",
    )
    assert r.returncode == 0, r.stderr
    assert "can-bo-xa-b" in r.stdout
    r = tiepdan(
        server,
        "user",
        "add",
        "thanh-tra",
        "--role",
        "supervisor",
        "--unit",
        "tinh",
        "--password-stdin",
        stdin="mat-khau-thanh-tra",
    )
    assert r.returncode == 0, r.stderr
    r = tiepdan(
        server,
        "user",
        "add",
        "quan-tri-2",
        "--role",
        "admin",
        "--password-stdin",
        stdin="mat-khau-quan-tri\n",
    )
    assert r.returncode == 0, r.stderr
    users = _users(server)
    assert users["can-bo-xa-b"][:2] == ("staff", "xa-b")
    assert users["thanh-tra"][:2] == ("supervisor", "tinh")
    assert users["quan-tri-2"][:2] == ("admin", None)
    assert users["can-bo-xa-b"][2].startswith("$argon2id$")
    assert "mật khẩu rất dài" not in server.config.path.with_name("desk.db").read_bytes().decode(
        "utf-8", "replace"
    )
    listing = tiepdan(server, "user", "list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert "can-bo-xa-b\tstaff\txa-b\thoạt động\t0 mã truy cập" in lines
    assert "quan-tri-2\tadmin\t-\thoạt động\t0 mã truy cập" in lines
    with server.client() as c:
        from desk_support import sign_in

        assert sign_in(c, "can-bo-xa-b", "mật khẩu rất dài").status_code == 303


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["x1", "--role", "staff", "--password-stdin"], "mat-khau-dai-du\n", 1, "cần --unit"),
        (
            ["x2", "--role", "supervisor", "--unit", "khong-co", "--password-stdin"],
            "mat-khau-dai-du\n",
            1,
            "không có đơn vị 'khong-co'",
        ),
        (
            ["x3", "--role", "admin", "--unit", "tinh", "--password-stdin"],
            "mat-khau-dai-du\n",
            1,
            "không gắn với đơn vị",
        ),
        (["x4", "--role", "boss", "--password-stdin"], "mat-khau-dai-du\n", 2, "giá trị 'boss' không hợp lệ"),
        (["x5", "--role", "staff", "--unit", "xa-a", "--password-stdin"], "", 1, "dòng đầu trống"),
        (["x6", "--role", "staff", "--unit", "xa-a", "--password-stdin"], "ngan\n", 1, "ít nhất 8 ký tự"),
        (["x7", "--role", "staff", "--unit", "xa-a"], "mat-khau-dai-du\n", 2, "--password-stdin"),
        (
            ["staff_a", "--role", "staff", "--unit", "xa-a", "--password-stdin"],
            "mat-khau-dai-du\n",
            1,
            "đã có",
        ),
        (
            ["Tên Có Dấu", "--role", "staff", "--unit", "xa-a", "--password-stdin"],
            "mat-khau-dai-du\n",
            1,
            "chữ không dấu",
        ),
    ],
)
def test_bad_input_gives_one_line_and_changes_nothing(
    server: Server, args: list[str], stdin: str, code: int, message: str
) -> None:
    before = _users(server)
    r = tiepdan(server, "user", "add", *args, stdin=stdin)
    assert r.returncode == code, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 or code == 2, r.stderr  # argparse adds its usage line
    assert message in r.stderr
    assert "Traceback" not in r.stderr
    assert _users(server) == before


def test_token_is_shown_once_and_stored_hashed(server: Server) -> None:
    first = tiepdan(server, "token", "create", "sup")
    second = tiepdan(server, "token", "create", "sup")
    assert first.returncode == second.returncode == 0
    token, other = first.stdout.strip(), second.stdout.strip()
    assert len(first.stdout.strip().splitlines()) == 1 and token.startswith("tdn_") and len(token) > 40
    assert token != other
    assert "chỉ hiện một lần" in first.stderr
    with server.engine.connect() as conn:
        hashes = set(conn.execute(select(ApiTokenRow.__table__.c.token_hash)).scalars())
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    for path in server.config.path.parent.glob("desk.db*"):
        assert token.encode() not in path.read_bytes()
    with server.api(None, token=token) as c:
        assert c.get("/api/me").json()["login"] == "sup"
    # There is no way to read it back: listing accounts shows no token.
    assert token not in tiepdan(server, "user", "list").stdout


def test_token_for_an_unknown_account_is_refused(server: Server) -> None:
    r = tiepdan(server, "token", "create", "khong-ai")
    assert r.returncode == 1 and r.stderr.strip() == "lỗi: không có tài khoản 'khong-ai'"
    assert r.stdout == ""
