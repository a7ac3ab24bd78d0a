"""Accounts and tokens have a life cycle, on the CLI and the desk: revoke, expire, disable,
enable, remove, new password, unlock; sign-out ends the sign-in on the server. What is cut off
stops at the very next request."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from desk_support import PASSWORD, Server, csrf_of, page_csrf, serve, sign_in
from sqlalchemy import select

from scheduler.infra.db.models import UserRow
from scheduler.usecases import accounts
from scheduler.usecases.sessions import Actor
from scheduler.web.auth import AddressLimiter

ROOT = Path(__file__).resolve().parent.parent
ADMIN = Actor("test")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("lifecycle")) as s:
        yield s


@pytest.fixture(autouse=True)
def fresh(server: Server) -> Iterator[None]:
    server.app.state.login_limiter = AddressLimiter(limit=1000)
    yield


def tiepdan(server: Server, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command line, run in this process (a fresh interpreter per call costs seconds here),
    as of the server's pinned clock."""
    import contextlib
    import io

    from scheduler.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = [*args, "--config", str(server.config.path), "--now", server.now().isoformat()]
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def _new_user(server: Server, login: str, role: str = "staff", unit: str | None = "xa-a") -> str:
    accounts.add_user(
        server.engine,
        server.config,
        login,
        role=role,
        unit_id=unit,
        password=PASSWORD,
        now=server.now(),
        actor=ADMIN,
    )
    return accounts.create_token(server.engine, login, now=server.now(), actor=ADMIN)


def test_a_revoked_token_gets_401_at_once_from_the_cli(server: Server) -> None:
    token = _new_user(server, "rv1")
    with server.api(None, token) as c:
        assert c.get("/api/me").status_code == 200
        listed = tiepdan(server, "token", "list", "rv1")
        assert listed.returncode == 0, listed.stderr
        token_id = listed.stdout.split("\t")[0]
        assert "đang dùng" in listed.stdout and token not in listed.stdout
        r = tiepdan(server, "token", "revoke", token_id)
        assert r.returncode == 0 and "Đã thu hồi 1 mã" in r.stdout, r.stderr
        assert c.get("/api/me").status_code == 401
        assert "đã thu hồi" in tiepdan(server, "token", "list", "rv1").stdout
    other = accounts.create_token(server.engine, "rv1", now=server.now(), actor=ADMIN)
    r = tiepdan(server, "token", "revoke", "--login", "rv1")
    assert r.returncode == 0 and "Đã thu hồi 1 mã" in r.stdout
    with server.api(None, other) as c:
        assert c.get("/api/me").status_code == 401


def test_revoking_an_unknown_token_is_one_line(server: Server) -> None:
    for args in (("999999",), ("abc",), ("--login", "khong-co"), ()):
        r = tiepdan(server, "token", "revoke", *args)
        assert r.returncode != 0 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_a_token_expires(server: Server) -> None:
    _new_user(server, "exp1")
    r = tiepdan(
        server, "token", "create", "exp1", "--expires", (server.today() + timedelta(days=2)).isoformat()
    )
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    with server.api(None, token) as c:
        assert c.get("/api/me").status_code == 200
        later = server.now() + timedelta(days=3)
        server.set_clock(lambda: later)
        try:
            assert c.get("/api/me").status_code == 401
        finally:
            from desk_support import PINNED

            server.set_clock(lambda: PINNED)
    r = tiepdan(server, "token", "create", "exp1", "--expires", "2000-01-01")
    assert r.returncode == 1 and "hết hạn" in r.stderr


def test_a_disabled_account_is_cut_off_at_once_and_can_come_back(server: Server) -> None:
    token = _new_user(server, "dis1")
    desk = server.signed_in("dis1")
    api = server.api(None, token)
    assert desk.get("/desk/units/xa-a").status_code == 200 and api.get("/api/me").status_code == 200
    r = tiepdan(server, "user", "disable", "dis1")
    assert r.returncode == 0, r.stderr
    assert desk.get("/desk/units/xa-a").status_code == 303  # to the sign-in page
    assert api.get("/api/me").status_code == 401
    with server.client() as c:
        assert sign_in(c, "dis1", PASSWORD).status_code == 401  # the same answer as a wrong password
    assert "đã khóa" in tiepdan(server, "user", "list").stdout
    assert tiepdan(server, "user", "enable", "dis1").returncode == 0
    assert api.get("/api/me").status_code == 200  # its tokens work again; its old sign-in does not
    assert desk.get("/desk/units/xa-a").status_code == 303
    desk.close()
    api.close()


def test_sign_out_ends_the_sign_in_everywhere(server: Server) -> None:
    c = server.signed_in("staff_a")
    copied = dict(c.cookies)
    r = c.post("/desk/logout", data={"csrf": page_csrf(c)})
    assert r.status_code == 303
    c.close()
    with server.client() as thief:
        for name, value in copied.items():
            thief.cookies.set(name, value, domain="127.0.0.1", path="/desk")
        assert thief.get("/desk/units/xa-a").status_code == 303
        page = thief.get("/desk/")
        assert 'name="password"' in page.text  # the sign-in page, nothing read
        s = server.future_planned("xa-a")
        r = thief.post(f"/desk/sessions/{s.id}/cancel", data={"csrf": "x", "reason": "thử"})
        assert r.status_code == 303
    assert server.sessions("xa-a", status="planned")[0].status == "planned"


def test_passwd_reset_remove_and_unlock_on_the_cli(server: Server) -> None:
    _new_user(server, "pw1")
    desk = server.signed_in("pw1")
    r = tiepdan(server, "user", "passwd", "pw1", "--password-stdin", stdin="mat-khau-moi-dai\n")
    assert r.returncode == 0, r.stderr
    assert desk.get("/desk/units/xa-a").status_code == 303  # signed out by the new password
    desk.close()
    with server.client() as c:
        assert sign_in(c, "pw1", PASSWORD).status_code == 401
        assert sign_in(c, "pw1", "mat-khau-moi-dai").status_code == 303
    r = tiepdan(server, "user", "reset", "pw1")
    assert r.returncode == 0, r.stderr
    fresh = r.stdout.strip()
    with server.client() as c:
        assert sign_in(c, "pw1", fresh).status_code == 303
    for _ in range(accounts.LOCK_AFTER):
        with server.client() as c:
            sign_in(c, "pw1", "sai-sai-sai")
    with server.client() as c:
        assert sign_in(c, "pw1", fresh).status_code == 401  # waiting
    assert "chờ đến" in tiepdan(server, "user", "list").stdout
    assert tiepdan(server, "user", "unlock", "pw1").returncode == 0
    with server.client() as c:
        assert sign_in(c, "pw1", fresh).status_code == 303
    assert tiepdan(server, "user", "remove", "pw1").returncode == 0
    assert "pw1" not in tiepdan(server, "user", "list").stdout
    for cmd in ("disable", "enable", "remove", "unlock", "reset"):
        r = tiepdan(server, "user", cmd, "pw1")
        assert r.returncode == 1 and r.stderr.strip() == "lỗi: không có tài khoản 'pw1'"


def test_the_last_administrator_cannot_be_disabled_or_removed(server: Server) -> None:
    for cmd in ("disable", "remove"):
        r = tiepdan(server, "user", cmd, "admin")
        assert r.returncode == 1 and "quản trị cuối cùng" in r.stderr


def _users_page(c: object) -> str:
    r = c.get("/desk/users")  # type: ignore[attr-defined]
    assert r.status_code == 200
    return str(r.text)


def test_the_desk_users_page_disables_resets_and_names_units(server: Server) -> None:
    token = _new_user(server, "dk1", unit="xa-b")
    victim = server.signed_in("dk1")
    admin = server.signed_in("admin")
    page = _users_page(admin)
    # The unit is chosen from a list of full names; no free-text id.
    assert '<select id="u-unit" name="unit">' in page and ">Đảng ủy xã Bình Minh</option>" in page
    assert 'name="unit" type="text"' not in page
    csrf = csrf_of(page)
    r = admin.post("/desk/users/dk1/disable", data={"csrf": csrf})
    assert r.status_code == 303
    assert victim.get("/desk/units/xa-b").status_code == 303
    with server.api(None, token) as c:
        assert c.get("/api/me").status_code == 401
    assert "đã khóa" in _users_page(admin)
    assert admin.post("/desk/users/dk1/enable", data={"csrf": csrf}).status_code == 303
    r = admin.post("/desk/users/dk1/reset", data={"csrf": csrf})
    assert r.status_code == 200 and "chỉ hiện một lần" in r.text
    import re

    new = re.search(r"<code>([^<]+)</code>", r.text)
    assert new
    with server.client() as c:
        assert sign_in(c, "dk1", PASSWORD).status_code == 401
        assert sign_in(c, "dk1", new.group(1)).status_code == 303
    assert admin.post("/desk/users/dk1/revoke", data={"csrf": csrf}).status_code == 303
    assert admin.post("/desk/users/khong-co/disable", data={"csrf": csrf}).status_code == 400
    assert admin.post("/desk/users/admin/disable", data={"csrf": csrf}).status_code == 400  # oneself
    assert admin.post("/desk/users/dk1/disable", data={"csrf": "sai"}).status_code == 403
    staff = server.signed_in("staff_a")
    assert staff.post("/desk/users/dk1/disable", data={"csrf": page_csrf(staff)}).status_code == 403
    staff.close()
    victim.close()
    admin.close()


def test_thirty_parallel_wrong_sign_ins_check_at_most_the_limit(pg_url: str, tmp_path: Path) -> None:
    """The per-account count is one atomic statement: of 30 parallel guesses, at most LOCK_AFTER
    passwords are checked (each checked guess raised the count by one; the others did not)."""
    from desk_support import write_config

    from scheduler.infra.config import load_config
    from scheduler.infra.db import open_database

    path = write_config(tmp_path)
    path.write_text(path.read_text().replace('database = "sqlite:///desk.db"', f'database = "{pg_url}"'))
    config = load_config(path)
    engine = open_database(config.database_url)
    now = __import__("desk_support").PINNED
    accounts.add_user(
        engine, config, "p1", role="staff", unit_id="xa-a", password=PASSWORD, now=now, actor=ADMIN
    )
    from scheduler.usecases import account_common

    checked = []
    real = account_common.hasher_verify

    def counting(h: str, p: str) -> bool:
        # Count the checks against the account's hash; skip argon2's cost (all guesses are wrong).
        if h != account_common.dummy_hash():
            checked.append(1)
        return False

    account_common.hasher_verify = counting  # type: ignore[assignment]
    try:
        barrier = threading.Barrier(30)

        def guess(i: int) -> None:
            barrier.wait()
            with contextlib.suppress(accounts.LoginError):
                accounts.authenticate(engine, "p1", f"sai-{i}", now=now)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        account_common.hasher_verify = real  # type: ignore[assignment]
    with engine.connect() as conn:
        row = conn.execute(select(UserRow.__table__).where(UserRow.__table__.c.login == "p1")).one()
    engine.dispose()
    assert len(checked) <= accounts.LOCK_AFTER
    assert row.failed_logins == len(checked) and row.locked_until is not None
