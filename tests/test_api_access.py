"""Every API route, as every role, on every unit's ids (the same rules as the desk, with tokens).

No token or a wrong one: 401. A unit or session the account may not see: 404, like one that does
not exist. One it may read but not change: 403. Nothing changes on any refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from desk_support import Server, Target, add_mttq, serve, snapshot, targets

SECRET_NAME = "Nguyễn Thị Bí Mật"
SECRET_ID = "001234567890"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with serve(tmp_path_factory.mktemp("api-access")) as server:
        ts = targets(server)
        add_mttq(server)
        clients = {role: server.api(role) for role in ("staff_a", "staff_b", "sup", "admin", "mttq")}
        clients["anon"] = server.api(None)
        clients["forged"] = server.api(None, token="tdn_" + "A" * 43)
        clients["other_scheme"] = server.client(headers={"Authorization": f"Basic {server.tokens['admin']}"})
        yield {"server": server, "targets": ts, "clients": clients}
        for c in clients.values():
            c.close()


def requests_for(t: Target) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    u = t.unit
    return [
        ("list", "GET", f"/api/sessions?unit={u}&from=2026-01-01&to=2026-12-31", None),
        ("get", "GET", f"/api/sessions/{t.planned}", None),
        ("cancel", "POST", f"/api/sessions/{t.planned}/cancel", {"reason": "Bí thư đi công tác"}),
        ("makeup", "POST", f"/api/sessions/{t.cancelled}/makeup", {"date": t.makeup_day.isoformat()}),
        (
            "move",
            "POST",
            f"/api/sessions/{t.planned}/move",
            {"date": t.free_day.isoformat(), "reason": "Họp"},
        ),
        ("record", "POST", f"/api/sessions/{t.past}/record", {"held": True}),
        ("not_held", "POST", f"/api/sessions/{t.planned}/record", {"held": False, "reason": "Ốm"}),
        ("log", "GET", f"/api/sessions/{t.past}/log", None),
        ("log_add", "POST", f"/api/sessions/{t.past}/log", {"full_name": "Trần Văn Khách"}),
        ("log_delete", "DELETE", f"/api/log/{t.entry}", None),
        (
            "adhoc",
            "POST",
            f"/api/units/{u}/adhoc",
            {"date": t.adhoc_day.isoformat(), "reason": "Vụ việc gấp"},
        ),
    ]


READS = {"list", "get"}


def expected(role: str, unit: str, name: str) -> int:
    if role in ("anon", "forged", "other_scheme"):
        return 401
    if role in ("staff_a", "staff_b"):
        return 404
    if role in ("sup", "mttq"):  # the MTTQ of the province reads like its supervisor, no more
        if unit == "tinh-khac":
            return 404
        return 200 if name in READS else 403
    raise AssertionError(role)


CASES = [
    (role, unit, i)
    for role, units in {
        "anon": ("xa-a", "tinh-khac"),
        "forged": ("xa-a",),
        "other_scheme": ("xa-a",),
        "staff_a": ("xa-b", "tinh", "tinh-khac"),
        "staff_b": ("xa-a", "tinh", "tinh-khac"),
        "sup": ("xa-a", "xa-b", "tinh", "tinh-khac"),
        "mttq": ("xa-a", "xa-b", "tinh", "tinh-khac"),
    }.items()
    for unit in units
    for i in range(11)
]


def _send(c: httpx.Client, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
    return c.request(method, path, json=body) if body is not None else c.request(method, path)


@pytest.mark.parametrize(("role", "unit", "i"), CASES, ids=[f"{r}-{u}-{i}" for r, u, i in CASES])
def test_route_as_role_on_unit(world: dict[str, Any], role: str, unit: str, i: int) -> None:
    server: Server = world["server"]
    name, method, path, body = requests_for(world["targets"][unit])[i]
    before = snapshot(server.engine)
    r = _send(world["clients"][role], method, path, body)
    want = expected(role, unit, name)
    assert r.status_code == want, (role, unit, name, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    if want == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")
    if method != "GET" or want != 200:
        assert snapshot(server.engine) == before, f"{role} {name} on {unit} changed something"
    assert SECRET_NAME not in r.text and SECRET_ID not in r.text


@pytest.mark.parametrize("role", ["staff_a", "sup", "admin", "mttq"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/sessions?unit=khong-co"),
        ("GET", "/api/sessions/999999"),
        ("GET", "/api/sessions/abc"),
        ("GET", "/api/sessions/99999999999999999999999999"),
        ("POST", "/api/sessions/999999/cancel"),
        ("POST", "/api/sessions/0/makeup"),
        ("POST", "/api/sessions/999999/record"),
        ("GET", "/api/sessions/999999/log"),
        ("DELETE", "/api/log/999999"),
        ("POST", "/api/units/khong-co/adhoc"),
    ],
)
def test_unknown_ids_are_not_found(world: dict[str, Any], role: str, method: str, path: str) -> None:
    server: Server = world["server"]
    before = snapshot(server.engine)
    body = {"reason": "x", "date": "2026-03-20", "held": True} if method == "POST" else None
    r = _send(world["clients"][role], method, path, body)
    assert r.status_code == 404, (path, r.status_code, r.text)
    assert snapshot(server.engine) == before


@pytest.mark.parametrize(
    ("role", "units"),
    [
        ("staff_a", {"xa-a"}),
        ("staff_b", {"xa-b"}),
        ("sup", {"tinh", "xa-a", "xa-b"}),
        ("mttq", {"tinh", "xa-a", "xa-b"}),
        ("admin", {"tinh", "xa-a", "xa-b", "tinh-khac"}),
    ],
)
def test_list_without_unit_gives_what_the_account_may_see(
    world: dict[str, Any], role: str, units: set[str]
) -> None:
    r = world["clients"][role].get("/api/sessions", params={"from": "2026-03-01", "to": "2026-05-31"})
    assert r.status_code == 200
    assert {s["unit"] for s in r.json()} == units


def test_many_units_need_a_bounded_range(world: dict[str, Any]) -> None:
    c = world["clients"]["admin"]
    assert c.get("/api/sessions").status_code == 400
    assert c.get("/api/sessions", params={"from": "2026-01-01", "to": "2026-12-31"}).status_code == 400
    assert c.get("/api/sessions", params={"from": "2026-01-01", "to": "2026-03-31"}).status_code == 200
    # One unit: any range, or none.
    assert world["clients"]["staff_a"].get("/api/sessions").status_code == 200


def test_me(world: dict[str, Any]) -> None:
    assert world["clients"]["sup"].get("/api/me").json() == {
        "login": "sup",
        "role": "supervisor",
        "unit": "tinh",
    }


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe", "application/json"),
        (b'{"reason": 5}', "application/json"),
    ],
)
def test_bad_bodies_are_refused_whole(world: dict[str, Any], body: bytes, content_type: str) -> None:
    server: Server = world["server"]
    t: Target = world["targets"]["tinh"]
    before = snapshot(server.engine)
    r = world["clients"]["admin"].post(
        f"/api/sessions/{t.planned}/cancel", content=body, headers={"content-type": content_type}
    )
    assert r.status_code == 400, r.text
    assert snapshot(server.engine) == before


def test_bad_body_with_a_bad_token_is_still_401(world: dict[str, Any]) -> None:
    t: Target = world["targets"]["tinh"]
    r = world["clients"]["forged"].post(f"/api/sessions/{t.planned}/cancel", content=b"{not json")
    assert r.status_code == 401


def test_too_large_body_is_refused(world: dict[str, Any]) -> None:
    server: Server = world["server"]
    t: Target = world["targets"]["tinh"]
    before = snapshot(server.engine)
    r = world["clients"]["admin"].post(f"/api/sessions/{t.planned}/cancel", json={"reason": "x" * 300_000})
    assert r.status_code == 413
    assert snapshot(server.engine) == before


@pytest.mark.parametrize("query", ["from=2026-13-01", "to=hôm-nay", "from=0001-01-01"])
def test_bad_dates_in_the_list_are_400(world: dict[str, Any], query: str) -> None:
    r = world["clients"]["admin"].get(f"/api/sessions?unit=xa-a&{query}")
    assert r.status_code == 400
    assert "error" in r.json()


OWNER_ORDER = ["list", "get", "log", "log_add", "log_delete", "record", "makeup", "move", "adhoc", "cancel"]


@pytest.mark.parametrize(("role", "unit"), [("staff_a", "xa-a"), ("staff_b", "xa-b"), ("admin", "tinh-khac")])
def test_the_owner_may_use_every_route(world: dict[str, Any], role: str, unit: str) -> None:
    routes = {name: (method, path, body) for name, method, path, body in requests_for(world["targets"][unit])}
    assert set(routes) - set(OWNER_ORDER) == {"not_held"}  # tried in test_desk_flows
    want = {"makeup": 201, "adhoc": 201, "log_add": 201, "log_delete": 204}
    for name in OWNER_ORDER:
        method, path, body = routes[name]
        r = _send(world["clients"][role], method, path, body)
        assert r.status_code == want.get(name, 200), (name, r.status_code, r.text[:400])
        if name == "log":
            assert SECRET_NAME in r.text and SECRET_ID in r.text
    history = world["clients"][role].get(f"/api/sessions/{world['targets'][unit].past}").json()["history"]
    assert {"log_add", "log_delete", "record_held"} <= {h["action"] for h in history if h["actor"] == role}
