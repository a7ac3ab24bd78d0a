"""Every desk route, as every role, on every unit's ids: what may be seen, what may be changed.

Staff of xa-a sees and changes xa-a only; whatever id she types for another unit is "not found"
(404), like an id that does not exist. The supervisor of the province reads the province and its
communes (200) but changes nothing (403) and never sees a citizen's name or ID number. The admin
does everything. Anonymous requests are sent to the sign-in page. Every refused request leaves
the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from desk_support import PASSWORD, Server, Target, page_csrf, serve, snapshot, targets

SECRET_NAME = "Nguyễn Thị Bí Mật"
SECRET_ID = "001234567890"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with serve(tmp_path_factory.mktemp("desk-access")) as server:
        ts = targets(server)
        clients: dict[str, httpx.Client] = {"anon": server.client()}
        csrf = {"anon": "no-session"}
        for login in ("staff_a", "staff_b", "sup", "admin"):
            clients[login] = server.signed_in(login)
            csrf[login] = page_csrf(clients[login])
        yield {"server": server, "targets": ts, "clients": clients, "csrf": csrf}
        for c in clients.values():
            c.close()


def requests_for(t: Target) -> list[tuple[str, str, str, dict[str, str] | None]]:
    """(name, method, path, form) of every desk route that takes a unit's id."""
    u = t.unit
    return [
        ("unit", "GET", f"/desk/units/{u}", None),
        ("xlsx", "GET", f"/desk/units/{u}/log.xlsx", None),
        ("session", "GET", f"/desk/sessions/{t.planned}", None),
        ("past", "GET", f"/desk/sessions/{t.past}", None),
        ("notice", "GET", f"/desk/notice/{u}/2026.docx", None),
        ("change_notice", "GET", f"/desk/sessions/{t.cancelled}/notice.docx", None),
        (
            "cancel",
            "POST",
            f"/desk/sessions/{t.planned}/cancel",
            {"reason": "Bí thư đi công tác", "confirm": "1"},
        ),
        ("makeup", "POST", f"/desk/sessions/{t.cancelled}/makeup", {"date": t.makeup_day.isoformat()}),
        (
            "move",
            "POST",
            f"/desk/sessions/{t.planned}/move",
            {"date": t.free_day.isoformat(), "reason": "Trùng hội nghị"},
        ),
        ("record", "POST", f"/desk/sessions/{t.past}/record", {"outcome": "held"}),
        ("not_held", "POST", f"/desk/sessions/{t.planned}/record", {"outcome": "not_held", "reason": "Ốm"}),
        ("log", "POST", f"/desk/sessions/{t.past}/log", {"full_name": "Trần Văn Khách", "people": "1"}),
        ("log_edit_page", "GET", f"/desk/log/{t.entry}/edit", None),
        (
            "log_edit",
            "POST",
            f"/desk/log/{t.entry}/edit",
            {"full_name": "Trần Văn Sửa", "people": "1", "follow_up": "Đã trả lời bằng văn bản"},
        ),
        ("unlog", "POST", f"/desk/log/{t.entry}/delete", {"confirm": "1"}),
        (
            "adhoc",
            "POST",
            f"/desk/units/{u}/adhoc",
            {"date": t.adhoc_day.isoformat(), "reason": "Vụ việc gấp"},
        ),
    ]


READS = {"unit", "session", "past", "notice", "change_notice"}


def expected(role: str, unit: str, name: str) -> int:
    if role == "anon":
        return 303
    if role in ("staff_a", "staff_b"):
        own = {"staff_a": "xa-a", "staff_b": "xa-b"}[role]
        assert unit != own, "own unit's changes are tested in test_desk_flows"
        return 404
    if role == "sup":
        if unit == "tinh-khac":
            return 404
        return 200 if name in READS else 403
    raise AssertionError(role)


CASES = [
    (role, unit, i)
    for role, units in {
        "anon": ("xa-a", "xa-b", "tinh", "tinh-khac"),
        "staff_a": ("xa-b", "tinh", "tinh-khac"),
        "staff_b": ("xa-a", "tinh", "tinh-khac"),
        "sup": ("xa-a", "xa-b", "tinh", "tinh-khac"),
    }.items()
    for unit in units
    for i in range(14)
]


def _send(c: httpx.Client, method: str, path: str, form: dict[str, str] | None, csrf: str) -> httpx.Response:
    if method == "GET":
        return c.get(path)
    return c.post(path, data={"csrf": csrf, **(form or {})})


@pytest.mark.parametrize(("role", "unit", "i"), CASES, ids=[f"{r}-{u}-{i}" for r, u, i in CASES])
def test_route_as_role_on_unit(world: dict[str, Any], role: str, unit: str, i: int) -> None:
    server: Server = world["server"]
    name, method, path, form = requests_for(world["targets"][unit])[i]
    before = snapshot(server.engine)
    r = _send(world["clients"][role], method, path, form, world["csrf"][role])
    want = expected(role, unit, name)
    assert r.status_code == want, (role, unit, name, r.status_code, r.text[:300])
    if want == 303:
        assert r.headers["location"] == "/desk/"
    if method != "GET" or want != 200:
        assert snapshot(server.engine) == before, f"{role} {name} on {unit} changed something"
    # Personal data of the reception log never reaches anyone but the unit's staff (and admin).
    assert SECRET_NAME not in r.text
    assert SECRET_ID not in r.text


@pytest.mark.parametrize("role", ["staff_a", "staff_b", "sup", "admin"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/desk/sessions/999999"),
        ("GET", "/desk/sessions/0"),
        ("GET", "/desk/sessions/abc"),
        ("GET", "/desk/sessions/99999999999999999999999999"),
        ("GET", "/desk/units/khong-co"),
        ("GET", "/desk/units/khong-co/log.xlsx"),
        ("GET", "/desk/notice/khong-co/2026.docx"),
        ("GET", "/desk/notice/xa-a/1066.docx"),
        ("GET", "/desk/sessions/999999/notice.docx"),
        ("POST", "/desk/sessions/999999/cancel"),
        ("POST", "/desk/sessions/99999999999999999999999999/move"),
        ("POST", "/desk/sessions/-1/record"),
        ("POST", "/desk/sessions/999999/log"),
        ("POST", "/desk/log/999999/delete"),
        ("POST", "/desk/log/x/delete"),
        ("POST", "/desk/units/khong-co/adhoc"),
    ],
)
def test_unknown_ids_are_not_found(world: dict[str, Any], role: str, method: str, path: str) -> None:
    server: Server = world["server"]
    before = snapshot(server.engine)
    form = {"reason": "x", "date": "2026-03-20", "full_name": "x", "outcome": "held"}
    r = _send(world["clients"][role], method, path, form, world["csrf"][role])
    assert r.status_code == 404, (path, r.status_code)
    assert snapshot(server.engine) == before


@pytest.mark.parametrize("role", ["staff_a", "staff_b", "sup", "admin"])
def test_pages_a_role_may_read(world: dict[str, Any], role: str) -> None:
    """The units list shows exactly the units of the role, with counts."""
    r = world["clients"][role].get("/desk/")
    assert r.status_code == 200
    links = {u for u in ("xa-a", "xa-b", "tinh", "tinh-khac") if f'href="/desk/units/{u}?' in r.text}
    assert (
        links
        == {
            "staff_a": {"xa-a"},
            "staff_b": {"xa-b"},
            "sup": {"tinh", "xa-a", "xa-b"},
            "admin": {"tinh", "xa-a", "xa-b", "tinh-khac"},
        }[role]
    )


def test_supervisor_sees_counts_but_no_forms_and_no_names(world: dict[str, Any]) -> None:
    c = world["clients"]["sup"]
    t: Target = world["targets"]["xa-a"]
    page = c.get(f"/desk/sessions/{t.past}").text
    assert "Sổ tiếp công dân" not in page  # the log section is not there at all
    assert SECRET_NAME not in page and SECRET_ID not in page
    for action in ("cancel", "move", "record", "log", "makeup"):
        assert f"/desk/sessions/{t.past}/{action}" not in page
    unit = c.get("/desk/units/xa-a").text
    assert "Tổng hợp năm" in unit and "/adhoc" not in unit and "log.xlsx" not in unit
    assert "Chỉ xem" in unit


def test_staff_sees_her_own_log(world: dict[str, Any]) -> None:
    t: Target = world["targets"]["xa-a"]
    page = world["clients"]["staff_a"].get(f"/desk/sessions/{t.past}").text
    assert SECRET_NAME in page and SECRET_ID in page
    assert f"/desk/sessions/{t.past}/log" in page


@pytest.mark.parametrize("role", ["staff_a", "sup", "anon"])
def test_only_admin_manages_accounts(world: dict[str, Any], role: str) -> None:
    server: Server = world["server"]
    c = world["clients"][role]
    users_before = _logins(server)
    assert c.get("/desk/users").status_code == (303 if role == "anon" else 403)
    r = c.post(
        "/desk/users",
        data={"csrf": world["csrf"][role], "login": "ke-gian", "role": "admin", "password": PASSWORD},
    )
    assert r.status_code == (303 if role == "anon" else 403)
    assert _logins(server) == users_before


def test_admin_lists_and_adds_accounts(world: dict[str, Any]) -> None:
    server: Server = world["server"]
    c = world["clients"]["admin"]
    page = c.get("/desk/users")
    assert page.status_code == 200 and "staff_a" in page.text and "sup" in page.text
    r = c.post(
        "/desk/users",
        data={
            "csrf": world["csrf"]["admin"],
            "login": "can-bo-moi",
            "role": "staff",
            "unit": "xa-b",
            "password": PASSWORD,
        },
    )
    assert r.status_code == 303
    assert "can-bo-moi" in _logins(server)
    bad = c.post(
        "/desk/users",
        data={"csrf": world["csrf"]["admin"], "login": "thieu-don-vi", "role": "staff", "password": PASSWORD},
    )
    assert bad.status_code == 400 and "cần --unit" in bad.text
    assert "thieu-don-vi" not in _logins(server)
    new = server.signed_in("can-bo-moi")
    assert new.get("/desk/units/xa-b").status_code == 200
    assert new.get("/desk/units/xa-a").status_code == 404


def _logins(server: Server) -> set[str]:
    from scheduler.usecases.accounts import list_users

    return {a.login for a in list_users(server.engine)}


# The owner's turn, last (it changes things): every route works, in an order where each step is
# still possible, and the audit rows carry the account's login.
OWNER_ORDER = [
    "unit",
    "xlsx",
    "session",
    "past",
    "notice",
    "change_notice",
    "log",
    "log_edit_page",
    "log_edit",
    "unlog",
    "record",
    "makeup",
    "move",
    "adhoc",
    "cancel",
]


@pytest.mark.parametrize(("role", "unit"), [("staff_a", "xa-a"), ("staff_b", "xa-b"), ("admin", "tinh-khac")])
def test_the_owner_may_use_every_route(world: dict[str, Any], role: str, unit: str) -> None:
    from sqlalchemy import select

    from scheduler.infra.db.models import AuditRow

    server: Server = world["server"]
    routes = {name: (method, path, form) for name, method, path, form in requests_for(world["targets"][unit])}
    assert set(routes) - set(OWNER_ORDER) == {"not_held"}  # tried in test_desk_flows
    for name in OWNER_ORDER:
        method, path, form = routes[name]
        r = _send(world["clients"][role], method, path, form, world["csrf"][role])
        assert r.status_code == (200 if method == "GET" else 303), (name, r.status_code, r.text[:400])
        if name == "past":
            assert SECRET_NAME in r.text  # the unit's own log, with names
    with server.engine.connect() as conn:
        t = AuditRow.__table__
        actions = set(
            conn.execute(select(t.c.action).where(t.c.actor == role, t.c.unit_id == unit)).scalars()
        )
    expected = {"log_add", "log_edit", "log_delete", "record_held", "makeup", "move", "adhoc", "cancel"}
    assert expected <= actions
