"""Signing in to the desk: cookies, CSRF, lockout per account and per address, security headers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from typing import Any

import pytest
from desk_support import PASSWORD, Server, csrf_of, page_csrf, serve, sign_in, snapshot
from sqlalchemy import select

from rules import ConfigError
from scheduler.infra.clock import as_utc
from scheduler.infra.db.models import UserRow
from scheduler.web.auth import COOKIE, AddressLimiter


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("desk-auth")) as s:
        yield s


@pytest.fixture(autouse=True)
def fresh_limits(server: Server) -> Iterator[None]:
    """Each test starts with no failures remembered, on a pinned clock."""
    from desk_support import PINNED

    server.app.state.login_limiter = AddressLimiter()
    server.set_clock(lambda: PINNED)
    yield
    server.app.state.login_limiter = AddressLimiter()
    server.set_clock(lambda: PINNED)


def _user(server: Server, login: str) -> Any:
    with server.engine.connect() as conn:
        return conn.execute(select(UserRow.__table__).where(UserRow.__table__.c.login == login)).one()


def test_sign_in_page_when_not_signed_in(server: Server) -> None:
    with server.client() as c:
        r = c.get("/desk/")
        assert r.status_code == 200
        assert 'name="login"' in r.text and 'name="password"' in r.text and "Đăng nhập" in r.text
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/desk" in cookie
        assert r.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert c.get("/desk", follow_redirects=True).url.path == "/desk/"


def test_sign_in_and_out(server: Server) -> None:
    with server.client() as c:
        r = sign_in(c, "staff_a", PASSWORD)
        assert r.status_code == 303 and r.headers["location"] == "/desk/"
        assert "HttpOnly" in r.headers["set-cookie"]
        assert c.get("/desk/units/xa-a").status_code == 200
        r = c.post("/desk/logout", data={"csrf": page_csrf(c)})
        assert r.status_code == 303
        assert c.get("/desk/units/xa-a").status_code == 303


def test_wrong_password_and_unknown_account_look_the_same(server: Server) -> None:
    with server.client() as c:
        wrong = sign_in(c, "staff_a", "sai-mat-khau")
        unknown = sign_in(c, "khong-ai", "sai-mat-khau")
        assert wrong.status_code == unknown.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in wrong.text
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in unknown.text
        assert c.get("/desk/units/xa-a").status_code == 303
    assert _user(server, "staff_a").failed_logins == 1
    with server.client() as c:
        assert sign_in(c, "staff_a", PASSWORD).status_code == 303
    assert _user(server, "staff_a").failed_logins == 0


def test_login_names_are_case_and_space_insensitive(server: Server) -> None:
    with server.client() as c:
        assert sign_in(c, "  Staff_A ", PASSWORD).status_code == 303


def test_sign_in_needs_the_csrf_token_of_its_own_page(server: Server) -> None:
    with server.client() as c, server.client() as other:
        c.get("/desk/")
        r = c.post("/desk/login", data={"login": "staff_a", "password": PASSWORD})
        assert r.status_code == 403
        foreign = csrf_of(other.get("/desk/").text)
        r = c.post("/desk/login", data={"csrf": foreign, "login": "staff_a", "password": PASSWORD})
        assert r.status_code == 403
        assert c.get("/desk/units/xa-a").status_code == 303


def test_forms_without_the_right_csrf_token_change_nothing(server: Server) -> None:
    a = server.signed_in("staff_a")
    b = server.signed_in("staff_b")
    target = server.future_planned("xa-a")
    before = snapshot(server.engine)
    url = f"/desk/sessions/{target.id}/cancel"
    for data in (
        {"reason": "không có mã"},
        {"reason": "mã rỗng", "csrf": ""},
        {"reason": "mã của người khác", "csrf": page_csrf(b)},
        {"reason": "mã bịa", "csrf": "x" * 43},
    ):
        r = a.post(url, data=data)
        assert r.status_code == 403, data
        assert "Biểu mẫu đã hết hạn" in r.text
    # A cross-site form post carries no cookie (SameSite=Lax): it is simply not signed in.
    with server.client() as stranger:
        assert stranger.post(url, data={"reason": "x", "csrf": page_csrf(a)}).status_code == 303
    assert snapshot(server.engine) == before
    a.close()
    b.close()


def test_a_tampered_cookie_is_not_signed_in(server: Server) -> None:
    import base64
    import json

    with closing(server.signed_in("staff_a")) as c:
        value = c.cookies[COOKIE]
        payload, rest = value.split(".", 1)
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        data["u"] = 4  # the admin's id
        forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=") + "." + rest
        c.cookies.clear()
        c.cookies.set(COOKIE, forged, domain="127.0.0.1", path="/desk")
        assert c.get("/desk/units/tinh-khac").status_code == 303


def test_an_account_waits_after_many_failures_and_says_nothing_more(server: Server) -> None:
    """After LOCK_AFTER failures (from many addresses: one address is stopped before), the
    account waits LOCK_FOR between password checks; the answer is the wrong-password one, word
    for word, as for a login that does not exist; an administrator can lift the wait."""
    from desk_support import PINNED

    from scheduler.usecases.accounts import LOCK_AFTER, LOCK_FOR, unlock
    from scheduler.usecases.sessions import Actor

    server.app.state.login_limiter = AddressLimiter(limit=1000)
    with server.client() as c:
        for i in range(LOCK_AFTER):
            assert sign_in(c, "staff_b", f"sai-{i}-mat-khau").status_code == 401
        unknown = sign_in(c, "khong-co-ai", "sai-mat-khau")
        waiting = sign_in(c, "staff_b", PASSWORD)  # the right password, while waiting
        assert waiting.status_code == unknown.status_code == 401
        assert _error_text(waiting.text) == _error_text(unknown.text)
        locked_until = as_utc(_user(server, "staff_b").locked_until)
        assert locked_until == PINNED + LOCK_FOR
        assert c.get("/desk/units/xa-b").status_code == 303
    server.set_clock(lambda: PINNED + LOCK_FOR + timedelta(seconds=1))
    with server.client() as c:
        assert sign_in(c, "staff_b", PASSWORD).status_code == 303
    user = _user(server, "staff_b")
    assert user.failed_logins == 0 and user.locked_until is None
    # An administrator lifts a wait at once.
    with server.client() as c:
        for i in range(LOCK_AFTER):
            sign_in(c, "staff_b", f"sai-{i}")
        assert _user(server, "staff_b").locked_until is not None
        unlock(server.engine, "staff_b", now=server.now(), actor=Actor("admin"))
        assert sign_in(c, "staff_b", PASSWORD).status_code == 303


def _error_text(html: str) -> str:
    import re

    m = re.search(r'<p class="error"[^>]*>(.*?)</p>', html, re.S)
    assert m, html[:300]
    return m.group(1)


def test_one_address_cannot_make_an_account_wait(server: Server) -> None:
    """A stranger at one address is stopped by the address limit before the account's count
    reaches the point where its owner would have to wait."""
    from scheduler.usecases.accounts import LOCK_AFTER

    limiter = server.app.state.login_limiter
    assert limiter.limit < LOCK_AFTER
    with server.client() as c:
        for i in range(limiter.limit):
            assert sign_in(c, "staff_b", f"sai-{i}").status_code == 401
        assert sign_in(c, "staff_b", "sai-nua").status_code == 429
    assert _user(server, "staff_b").locked_until is None
    server.app.state.login_limiter = AddressLimiter()  # the clerk signs in from her own desk
    with server.client() as c:
        assert sign_in(c, "staff_b", PASSWORD).status_code == 303


def test_address_is_blocked_after_many_failures_across_accounts(server: Server) -> None:
    limiter = server.app.state.login_limiter
    with server.client() as c:
        for i in range(limiter.limit):
            assert sign_in(c, f"doan-mo-{i}", "sai-mat-khau").status_code == 401
        r = sign_in(c, "admin", PASSWORD)
        assert r.status_code == 429 and "Máy này đăng nhập sai quá nhiều lần" in r.text
        assert c.get("/desk/users").status_code == 303
    # The account itself was never tried, so it is not locked.
    assert _user(server, "admin").failed_logins == 0


def test_the_address_limit_counts_attempts_before_they_finish() -> None:
    lim = AddressLimiter(limit=3, window=900)
    assert [lim.begin("10.0.0.1", now=0.0) for _ in range(3)] == [None, None, None]
    assert lim.begin("10.0.0.1", now=1.0) == 900.0  # three guesses in flight: the fourth waits
    lim.succeeded("10.0.0.1")
    assert lim.begin("10.0.0.1", now=2.0) is None
    assert lim.begin("10.0.0.2", now=2.0) is None  # another address is not affected
    assert lim.begin("10.0.0.1", now=901.5) is None  # the window has passed


def test_the_address_limiter_forgets_the_oldest_addresses() -> None:
    lim = AddressLimiter(limit=1, window=900, max_addresses=2)
    for a in ("a", "b", "c"):
        lim.begin(a, now=0.0)
    assert lim.begin("a", now=1.0) is None  # "a" was forgotten to keep memory bounded
    assert lim.begin("c", now=1.0) == 900.0


def test_secret_key_file_is_created_once_and_private(server: Server) -> None:
    from scheduler.web.auth import key_file_path, load_secret

    path = key_file_path(server.config)
    assert path.parent == server.config.path.parent  # beside desk.db
    assert path.stat().st_mode & 0o077 == 0
    assert load_secret(server.config) == load_secret(server.config) == path.read_text().strip()


def test_secret_from_the_environment_wins(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler.web.auth import load_secret

    monkeypatch.setenv("TIEPDAN_SECRET", "k" * 40)
    assert load_secret(server.config) == "k" * 40
    monkeypatch.setenv("TIEPDAN_SECRET", "short")
    with pytest.raises(ConfigError, match="TIEPDAN_SECRET"):
        load_secret(server.config)


def test_the_cookie_of_a_changed_password_no_longer_works(server: Server) -> None:
    from sqlalchemy import update

    from scheduler.usecases.account_common import hasher

    c = server.signed_in("sup")
    assert c.get("/desk/").status_code == 200
    with server.engine.begin() as conn:
        t = UserRow.__table__
        conn.execute(
            update(t).where(t.c.login == "sup").values(password_hash=hasher.hash("mat-khau-moi-123"))
        )
    assert c.get("/desk/units/tinh").status_code == 303
    c.close()
    with server.client() as again:
        assert sign_in(again, "sup", "mat-khau-moi-123").status_code == 303
