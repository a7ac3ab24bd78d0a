"""Every follow-up route of the API and the desk, tried as every role: staff of the unit and the
administrator act; staff of another unit get 404, the supervisor 403 (counts only, in the
report), no token 401 — and on every refusal nothing changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from desk_support import Server, csrf_of, page_csrf, serve
from sqlalchemy import MetaData, select

from scheduler.usecases import followup as fu
from scheduler.usecases import reception_log as book
from scheduler.usecases import record_outcome
from scheduler.usecases.sessions import Actor

SETUP = Actor("test-setup")
TABLES = ("sessions", "log_entries", "audit", "directions", "conclusion_notices", "notices", "outbox")


def state(server: Server) -> dict[str, list[tuple[Any, ...]]]:
    meta = MetaData()
    meta.reflect(server.engine, only=list(TABLES))
    with server.engine.connect() as conn:
        return {
            n: [
                tuple(r)
                for r in conn.execute(select(meta.tables[n]).order_by(*meta.tables[n].primary_key.columns))
            ]
            for n in TABLES
        }


def seed(server: Server, unit: str) -> dict[str, int]:
    past = server.past_planned(unit)
    now = server.now()
    entries = [
        book.add_entry(
            server.engine,
            server.config,
            past.id,
            {"full_name": f"Công dân {i}", "id_number": "001234567890", "content": "Tranh chấp đất"},
            actor=SETUP,
            now=now,
        )
        for i in range(2)
    ]
    record_outcome.record(server.engine, server.config, past.id, held=True, actor=SETUP, now=now)
    d = fu.add_direction(
        server.engine, server.config, entries[0], content="Kiểm tra, xác minh", agency="Phòng Kinh tế",
        actor=SETUP, now=now, today=server.today(),
    )  # fmt: skip
    return {"session": past.id, "entry": entries[1], "direction": d.id}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, int]]]:
    with serve(tmp_path_factory.mktemp("followup-web")) as server:
        yield server, seed(server, "xa-a")


def api_requests(ids: dict[str, int]) -> list[tuple[str, str, dict[str, Any] | None]]:
    today = "2026-03-02"
    return [
        ("GET", "/api/followup?unit=xa-a", None),
        ("GET", f"/api/sessions/{ids['session']}/directions", None),
        ("GET", f"/api/directions/{ids['direction']}", None),
        (
            "POST",
            f"/api/entries/{ids['entry']}/directions",
            {"content": "Trả lời công dân", "agency": "Văn phòng", "days": 5},
        ),
        ("POST", f"/api/directions/{ids['direction']}", {"agency": "Phòng Nông nghiệp"}),
        ("POST", f"/api/directions/{ids['direction']}/result", {"notified_on": today}),
        ("POST", f"/api/sessions/{ids['session']}/conclusion", {"number": "03", "format": "docx"}),
        ("DELETE", f"/api/directions/{ids['direction']}", None),
    ]


@pytest.mark.parametrize(("role", "status"), [("anon", 401), ("staff_b", 404), ("sup", 403)])
def test_api_refuses_and_changes_nothing(world, role, status):
    server, ids = world
    before = state(server)
    c = server.api(None if role == "anon" else role)
    for method, path, body in api_requests(ids):
        r = c.request(method, path, json=body) if body is not None else c.request(method, path)
        assert r.status_code == status, (role, method, path, r.status_code, r.text[:200])
        assert "Công dân 0" not in r.text and "001234567890" not in r.text
    assert state(server) == before


def test_api_as_staff_and_admin(world):
    server, ids = world
    staff = server.api("staff_a")
    listed = staff.get("/api/followup?unit=xa-a").json()
    assert listed == fu.followup_list(server.engine, server.config, "xa-a", server.today())
    added = staff.post(
        f"/api/entries/{ids['entry']}/directions",
        json={"content": "Trả lời công dân", "agency": "Văn phòng", "days": 5},
    )
    assert added.status_code == 201 and added.json()["limit"] == {
        "id": "office",
        "days": 5,
        "counting": "working",
        "basis": "",
    }
    bad = staff.post(
        f"/api/entries/{ids['entry']}/directions",
        json={"content": "X", "agency": "Y", "days": 5, "due": "2026-03-20"},
    )
    assert bad.status_code == 400 and "chỉ chọn một" in bad.json()["error"]
    r = server.api("admin").post(
        f"/api/directions/{added.json()['id']}/result", json={"notified_on": "2026-03-02"}
    )
    assert r.status_code == 200 and r.json()["notified_on"] == "2026-03-02"
    future = staff.post(
        f"/api/directions/{added.json()['id']}/result", json={"resolved_on": "2026-03-09", "result": "Xong"}
    )
    assert future.status_code == 400
    doc = staff.post(f"/api/sessions/{ids['session']}/conclusion", json={"number": "03"})
    assert doc.status_code == 200 and doc.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert staff.delete(f"/api/directions/{added.json()['id']}").status_code == 204


def test_desk_pages_by_role(world):
    server, ids = world
    for role, status in (("staff_b", 404), ("sup", 403)):
        c = server.signed_in(role)
        before = state(server)
        pages = ("/desk/followup/xa-a", f"/desk/sessions/{ids['session']}/directions")
        for path in (*pages, f"/desk/directions/{ids['direction']}"):  # fmt: skip
            assert c.get(path).status_code == status, (role, path)
        token = page_csrf(c)
        for path, form in (
            (
                f"/desk/entries/{ids['entry']}/directions",
                {"content": "X", "agency": "Y", "limit": "petition-notice"},
            ),
            (f"/desk/directions/{ids['direction']}/result", {"notified_on": "2026-03-02"}),
            (f"/desk/directions/{ids['direction']}/edit", {"agency": "Z", "limit": "petition-notice"}),
            (f"/desk/directions/{ids['direction']}/delete", {}),
            (f"/desk/sessions/{ids['session']}/conclusion", {"number": "1"}),
        ):
            assert c.post(path, data=form | {"csrf": token}).status_code == status, (role, path)
        assert state(server) == before
    c = server.signed_in("staff_a")
    page = c.get("/desk/followup/xa-a")
    assert page.status_code == 200 and "Theo dõi giải quyết" in page.text and "Phòng" in page.text
    s = c.get(f"/desk/sessions/{ids['session']}/directions")
    assert s.status_code == 200 and "Công dân 1" in s.text
    r = c.post(
        f"/desk/entries/{ids['entry']}/directions",
        data={
            "csrf": csrf_of(s.text),
            "content": "Hướng dẫn công dân",
            "agency": "Phòng Tư pháp",
            "limit": "office",
            "days": "7",
        },
    )
    assert r.status_code == 303, r.text[:300]
    made = [d for d in fu.directions_of_session(server.engine, ids["session"]) if d.agency == "Phòng Tư pháp"]
    assert len(made) == 1 and made[0].limit_days == 7
    page = c.get(f"/desk/directions/{made[0].id}")
    r = c.post(
        f"/desk/directions/{made[0].id}/result",
        data={
            "csrf": csrf_of(page.text),
            "resolved_on": "2026-03-02",
            "result": "Đã hướng dẫn",
            "version": str(made[0].version),
        },
    )
    assert r.status_code == 303 and fu.get_direction(server.engine, made[0].id).resolved_on is not None
    shown = c.get(f"/desk/directions/{made[0].id}").text
    assert "đã giải quyết" in shown and "ghi kết quả giải quyết" in shown  # the audit trail
    doc = c.post(
        f"/desk/sessions/{ids['session']}/conclusion",
        data={"csrf": csrf_of(page.text), "number": "04", "format": "docx"},
    )
    assert doc.status_code == 200 and doc.content[:2] == b"PK"
