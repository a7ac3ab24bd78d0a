"""Any signed-in account changes its own password on the desk (issue 13): the current password
first, the new one twice, with the CSRF token; then every other desk of that account is signed
out at once while this one stays in, and the new password is the one that signs in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_support import PASSWORD, Server, page_csrf, serve, sign_in

NEW = "mật-khẩu-mới-đủ-dài-2"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(Path(tmp_path_factory.mktemp("password"))) as s:
        yield s


def _change(c, csrf: str, current: str, new: str, again: str):
    return c.post("/desk/password", data={"csrf": csrf, "current": current, "new": new, "again": again})


def test_a_clerk_changes_their_password_and_every_other_desk_is_signed_out(server: Server) -> None:
    here, elsewhere = server.signed_in("staff_a"), server.signed_in("staff_a")
    page = here.get("/desk/password")
    assert page.status_code == 200 and 'name="current"' in page.text
    csrf = page_csrf(here)
    before = elsewhere.get("/desk/units/xa-a")
    assert before.status_code == 200

    refused = [
        _change(here, csrf, "sai-mật-khẩu-1", NEW, NEW),  # not the current password
        _change(here, csrf, PASSWORD, NEW, NEW + "x"),  # the two do not match
        _change(here, csrf, PASSWORD, "ngắn", "ngắn"),  # too short
        _change(here, "không-phải-csrf", PASSWORD, NEW, NEW),  # no CSRF token
    ]
    assert [r.status_code for r in refused] == [400, 400, 400, 403]
    for r in refused:
        assert 'class="error"' in r.text
    assert elsewhere.get("/desk/units/xa-a").status_code == 200  # nothing changed yet

    done = _change(here, csrf, PASSWORD, NEW, NEW)
    assert done.status_code == 303
    assert "Đã đổi mật khẩu" in here.get(done.headers["location"]).text
    assert here.get("/desk/units/xa-a").status_code == 200  # this desk stays signed in
    # The other desk of the same account is sent to sign in, at once.
    assert elsewhere.get("/desk/units/xa-a").status_code == 303

    assert sign_in(server.client(), "staff_a", PASSWORD).status_code == 401
    assert sign_in(server.client(), "staff_a", NEW).status_code == 303
