"""Hostile values at every web door (issue 13): every desk form and every API route.

The routes come from the app itself (``create_app``): every desk form is found by reading the
desk's own pages (each ``<form method=post>`` and its fields, with their defaults), and every API
route must have a plausible body below, so a new route or a new field fails here until it is
tried. An administrator (allowed to act everywhere) sends first the plausible request, which must
succeed, so that each hostile value then reaches the parser of its own field; then each hostile
value in each field, each path parameter, and each query parameter of the reads. Every answer is
a 4xx with one clear Vietnamese line and the database as it was, or a success whose stored text
carries no control character (and whose URLs are http/https); after a success the database is put
back, so that the next value meets the same state.

Opt-in for now (TIEPDAN_HOSTILE_WEB=1): on the shared two-core machine a full run takes minutes,
not the ~60 s asked, and it is not yet green end to end: the route check, the reads' query and
path values, and the API routes up to POST .../log passed; the rest did not finish in time, and
the desk's dialogue pages (landed meanwhile) still need a page to read their forms from.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from desk_support import Server, page_csrf, serve
from sqlalchemy import MetaData, select
from starlette.routing import Route

from scheduler.usecases import accounts, cancel_makeup, record_outcome
from scheduler.usecases import dialogues as dg
from scheduler.usecases import followup as fu
from scheduler.usecases import reception_log as book
from scheduler.usecases import sessions as uc
from scheduler.usecases.sessions import Actor

pytestmark = pytest.mark.skipif(
    not os.environ.get("TIEPDAN_HOSTILE_WEB"), reason="opt-in: TIEPDAN_HOSTILE_WEB=1 (minutes long)"
)

SETUP = Actor("test-setup")
SRC = Path(__file__).resolve().parent.parent / "scheduler" / "web"

LONE_SURROGATE = "a\ud800b"
# What people and attackers type, as text (forms, JSON strings, paths, queries).
CORPUS = [
    "٠٧:٣٠-١١:٠٠",
    "０７:３０-１１:００",
    "07:٣٠",
    "8_3",
    "٨٣",
    str(2**63),
    str(10**20),
    "-1",
    "",
    " ",
    "a\x00b",
    "a\x0bb",
    "\x1b[2J\x1b]0;x\x07",
    "a\r\nb",
    "a\rb",
    LONE_SURROGATE,
    "x" * 10_000,
    "javascript:alert(1)",
    "http://a b/\r\nX-Injected: 1",
    "=cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "25:00-26:00",
]
# And as JSON values that are not strings.
JSON_ONLY: list[Any] = [2**63, -1, 1.5, True, None, [], {"a": 1}]
# Each field of each route meets these (the whole CORPUS costs minutes on a shared machine; each
# class of value is here once: other digits, 8_3, overflow, sign, empty, each control, surrogate,
# length, a script link, a formula).
FIELD = [
    "٠٧:٣٠-١١:٠٠",
    "０７:３０-１１:００",
    "8_3",
    str(2**63),
    "-1",
    "",
    "a\x00b",
    "a\x0bb",
    "\x1b[2J",
    "a\r\nb",
    LONE_SURROGATE,
    "x" * 10_000,
    "javascript:alert(1)",
    "=cmd|' /C calc'!A0",
]
# Path and query values: the ones a parser of ids, dates and names meets.
SHORT = ["8_3", str(2**63), "", "a\x00b", LONE_SURROGATE, "../../etc/passwd", "x" * 300]

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
ERROR_P = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)
# Columns a read may touch (a token's last use) are not the state a refusal must keep.
VOLATILE = {"last_used_at", "last_seen_at", "seen_at"}


# --- the world every request is tried on ---------------------------------------------------------


class World:
    def __init__(self, server: Server, ids: dict[str, Any]) -> None:
        self.server = server
        self.ids = ids
        self.meta = MetaData()
        self.meta.reflect(server.engine)
        self.pristine: sqlite3.Connection | None = None
        self.db_file: str | None = None
        self.columns: dict[str, list[str]] = {}
        self.stores = 0
        self.refusals = 0

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        out = {}
        with self.server.engine.connect() as conn:
            for name, table in self.meta.tables.items():
                cols = [c for c in table.c if c.name not in VOLATILE]
                self.columns[name] = [c.name for c in cols]
                order = list(table.primary_key.columns) or cols
                out[name] = [tuple(r) for r in conn.execute(select(*cols).order_by(*order))]
        return out

    def keep(self) -> None:
        """The state to go back to after each success (SQLite: an in-memory copy)."""
        url = self.server.engine.url
        if url.get_backend_name() != "sqlite":
            return
        self.db_file = url.database
        self.server.engine.dispose()
        src = sqlite3.connect(self.db_file)
        self.pristine = sqlite3.connect(":memory:")
        src.backup(self.pristine)
        src.close()

    def restore(self) -> None:
        assert self.pristine is not None, "a store on a backend that cannot be put back"
        dst = sqlite3.connect(self.db_file, timeout=30)
        self.pristine.backup(dst)
        dst.close()


def seed(server: Server) -> dict[str, Any]:
    """One unit's objects in every state a route acts on."""
    unit, now, today = "xa-a", server.now(), server.today()
    e, c = server.engine, server.config
    planned = server.future_planned(unit, 1)
    cancelled = server.future_planned(unit, 2)
    cancel_makeup.cancel(e, c, cancelled.id, reason="Thiết lập", actor=SETUP, now=now, today=today)
    proposal = uc.make_up_proposals(e, c, cancelled.id, today)[0].date
    to_record = server.past_planned(unit, 0)
    logged = server.past_planned(unit, 1)
    held = server.past_planned(unit, 2)
    held_bare = server.past_planned(unit, 3)

    def row(session_id: int, name: str) -> int:
        data = {"full_name": name, "id_number": "001234567890", "content": "Tranh chấp đất"}
        return book.add_entry(e, c, session_id, data, actor=SETUP, now=now)

    entry = row(logged.id, "Công dân Một")
    held_entries = [row(held.id, "Công dân Hai"), row(held.id, "Công dân Ba")]
    record_outcome.record(e, c, held.id, held=True, actor=SETUP, now=now)
    record_outcome.record(e, c, held_bare.id, held=True, actor=SETUP, now=now)
    direction = fu.add_direction(
        e, c, held_entries[0], content="Kiểm tra, xác minh", agency="Phòng Kinh tế",
        actor=SETUP, now=now, today=today,
    )  # fmt: skip
    # An account disabled and one locked, so that the users page offers "enable" and "unlock".
    accounts.set_disabled(e, "staff_b", True, now=now, actor=SETUP)
    for _ in range(accounts.LOCK_AFTER):
        with contextlib.suppress(accounts.LoginError):
            accounts.authenticate(e, "sup", "sai", now=now)
    taken = {r.date for r in server.sessions(unit)} | {proposal}
    free: list[date] = []
    d = today + timedelta(days=1)
    while len(free) < 2:
        if d not in taken and c.calendar.is_working_day(d):
            free.append(d)
        d += timedelta(days=1)
    # A dialogue already held (planned on its day, as a clerk would have), to announce, record and
    # conclude; planned "today" of its own day because the plan refuses past days.
    held_on = today - timedelta(days=20)
    dialogue = dg.plan_dialogue(
        e, c, unit, held_on=held_on, topic="Đất đai", actor=dg.Actor("test-setup"),
        now=now, today=held_on,
    )  # fmt: skip
    return {
        "unit": unit,
        "planned": planned.id,
        "cancelled": cancelled.id,
        "makeup_day": proposal.isoformat(),
        "to_record": to_record.id,
        "logged": logged.id,
        "entry": entry,
        "held": held.id,
        "held_bare": held_bare.id,
        "held_entry": held_entries[1],
        "direction": direction.id,
        "dialogue": dialogue.id,
        "free_day": free[0].isoformat(),
        "adhoc_day": free[1].isoformat(),
        "dialogue_day": held_on.isoformat(),
        "year": str(today.year),
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with serve(tmp_path_factory.mktemp("hostile-web")) as server:
        w = World(server, seed(server))
        w.admin = server.signed_in("admin")  # type: ignore[attr-defined]
        w.csrf = page_csrf(w.admin)  # type: ignore[attr-defined]
        w.forms = discover_forms(w)  # type: ignore[attr-defined]
        w.api = server.client()  # type: ignore[attr-defined]
        w.keep()
        yield w


# --- the API: every route, a plausible body, and which fields it reads ---------------------------


def api_table(ids: dict[str, Any]) -> dict[tuple[str, str], tuple[dict[str, str], dict[str, Any], list[str]]]:
    """(method, route path) -> (path params, plausible body or query, optional fields also tried)."""
    s = {"session_id": str(ids["planned"])}
    return {
        ("GET", "/api/me"): ({}, {}, []),
        ("GET", "/api/sessions"): ({}, {"unit": "xa-a", "from": "2026-03-01", "to": "2026-03-31"}, []),
        ("GET", "/api/sessions/{session_id}"): (s, {}, []),
        ("GET", "/api/sessions/{session_id}/log"): ({"session_id": str(ids["logged"])}, {}, []),
        ("POST", "/api/sessions/{session_id}/cancel"): (s, {"reason": "Trùng lịch họp"}, ["version"]),
        ("POST", "/api/sessions/{session_id}/makeup"): (
            {"session_id": str(ids["cancelled"])},
            {"date": ids["makeup_day"]},
            ["version"],
        ),
        ("POST", "/api/sessions/{session_id}/move"): (
            s,
            {"date": ids["free_day"], "reason": "Trùng lịch họp"},
            ["version"],
        ),
        ("POST", "/api/sessions/{session_id}/record"): (
            {"session_id": str(ids["to_record"])},
            {"held": True, "visits": 2, "people": 3, "cases": 1, "petitions": 1, "groups": 0},
            ["in_person", "received_by", "received_title", "form", "conclusion", "reason", "version"],
        ),
        ("POST", "/api/sessions/{session_id}/undo"): (
            {"session_id": str(ids["held_bare"])},
            {"reason": "Ghi nhầm"},
            ["version"],
        ),
        ("POST", "/api/sessions/{session_id}/log"): (
            {"session_id": str(ids["logged"])},
            {"full_name": "Nguyễn Văn A", "address": "thôn 1", "id_number": "001", "content": "Đất"},
            [*book.TEXT_FIELDS, "people", "petitions", "is_group", "new_case", "handling"],
        ),
        ("PUT", "/api/log/{entry_id}"): (
            {"entry_id": str(ids["entry"])},
            {"full_name": "Nguyễn Văn B", "content": "Đất đai"},
            [*book.TEXT_FIELDS, "people", "petitions", "is_group", "new_case", "handling"],
        ),
        ("DELETE", "/api/log/{entry_id}"): ({"entry_id": str(ids["entry"])}, {}, []),
        ("POST", "/api/units/{unit_id}/adhoc"): (
            {"unit_id": "xa-a"},
            {"date": ids["adhoc_day"], "reason": "Vụ việc bức xúc", "time": "07:30-09:00"},
            ["venue"],
        ),
        ("GET", "/api/followup"): ({}, {"unit": "xa-a", "state": "not_due", "agency": "Phòng Kinh tế"}, []),
        ("GET", "/api/sessions/{session_id}/directions"): ({"session_id": str(ids["held"])}, {}, []),
        ("POST", "/api/sessions/{session_id}/conclusion"): (
            {"session_id": str(ids["held"])},
            {"number": "03", "date": "2026-03-02", "format": "docx"},
            [],
        ),
        ("POST", "/api/entries/{entry_id}/directions"): (
            {"entry_id": str(ids["held_entry"])},
            {"content": "Trả lời công dân", "agency": "Văn phòng", "days": 5},
            ["limit", "due", "accepted_on"],
        ),
        ("GET", "/api/directions/{direction_id}"): ({"direction_id": str(ids["direction"])}, {}, []),
        ("POST", "/api/directions/{direction_id}"): (
            {"direction_id": str(ids["direction"])},
            {"agency": "Phòng Nông nghiệp", "content": "Kiểm tra lại"},
            ["version", "limit", "days", "due", "accepted_on"],
        ),
        ("DELETE", "/api/directions/{direction_id}"): ({"direction_id": str(ids["direction"])}, {}, []),
        ("POST", "/api/directions/{direction_id}/result"): (
            {"direction_id": str(ids["direction"])},
            {"notified_on": "2026-03-02", "result": "Đã giải quyết", "resolved_on": "2026-03-01"},
            ["answered_on", "version"],
        ),
        ("GET", "/api/dialogues"): ({}, {"unit": "xa-a", "year": ids["year"]}, []),
        ("GET", "/api/dialogues/{dialogue_id}"): ({"dialogue_id": str(ids["dialogue"])}, {}, []),
        ("POST", "/api/units/{unit_id}/dialogues"): (
            {"unit_id": "xa-a"},
            {
                "date": ids["free_day"],
                "topic": "Đất đai",
                "kind": "periodic",
                "form": "in_person",
                "time": "08:00-11:00",
                "place": "Hội trường",
                "lead_agency": "UBND xã",
                "coordinating": ["Hội Nông dân"],
            },
            ["co_organisers"],
        ),
        ("POST", "/api/dialogues/{dialogue_id}/announce"): (
            {"dialogue_id": str(ids["dialogue"])},
            {"date": ids["dialogue_day"], "mttq_opinions": 2, "mttq_summary": "Ý kiến cử tri"},
            ["version"],
        ),
        ("POST", "/api/dialogues/{dialogue_id}/record"): (
            {"dialogue_id": str(ids["dialogue"])},
            {"held": True, "attendance": 50, "opinions_raised": 3, "opinions_answered": 2},
            ["reason", "version"],
        ),
        ("POST", "/api/dialogues/{dialogue_id}/conclude"): (
            {"dialogue_id": str(ids["dialogue"])},
            {"date": ids["dialogue_day"], "number": "12/TB"},
            ["version"],
        ),
    }


# Reads of the desk and the public pages, with their query parameters.
def read_table(ids: dict[str, Any]) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    s = str(ids["held"])
    return {
        "/healthz": ({}, {}),
        "/board/{unit_id}": ({"unit_id": "xa-a"}, {"tu-lam-moi": "0"}),
        "/lich/{unit_id}": ({"unit_id": "xa-a"}, {}),
        "/ics/{unit_id}.ics": ({"unit_id": "xa-a"}, {}),
        "/desk": ({}, {}),
        "/desk/": ({}, {"q": "An", "page": "1", "ok": "logged"}),
        "/desk/users": ({}, {"ok": "user"}),
        "/desk/units/{unit_id}": ({"unit_id": "xa-a"}, {"year": ids["year"], "ok": "adhoc"}),
        "/desk/sessions/{session_id}": ({"session_id": s}, {"ok": "recorded"}),
        "/desk/log/{entry_id}/edit": ({"entry_id": str(ids["entry"])}, {}),
        "/desk/units/{unit_id}/log.xlsx": ({"unit_id": "xa-a"}, {"from": "2026-01-01", "to": "2026-03-31"}),
        "/desk/notice/{unit_id}/{year}.docx": (
            {"unit_id": "xa-a", "year": ids["year"]},
            {"ngay": "2026-03-02"},
        ),
        "/desk/sessions/{session_id}/notice.docx": (
            {"session_id": str(ids["cancelled"])},
            {"ngay": "2026-03-02"},
        ),
        "/desk/followup/{unit_id}": (
            {"unit_id": "xa-a"},
            {"state": "not_due", "agency": "Phòng", "ok": "added"},
        ),
        "/desk/sessions/{session_id}/directions": ({"session_id": s}, {"ok": "added"}),
        "/desk/directions/{direction_id}": ({"direction_id": str(ids["direction"])}, {"ok": "edited"}),
    }


def app_routes(world: World) -> list[tuple[str, str]]:
    out = []
    for r in world.server.app.routes:
        if isinstance(r, Route):
            for m in sorted((r.methods or set()) - {"HEAD"}):
                out.append((m, r.path))
    return out


def fill(template: str, params: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _encode(params[m.group(1)]), template)


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


# --- the desk's forms, read from its own pages ---------------------------------------------------


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._radios: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "fields": {},
            }
            self._radios = set()
            return
        f = self._form
        if f is None or (not a.get("name") and tag != "option"):
            return
        fields = f["fields"]
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind == "checkbox":
                fields.setdefault(name, a.get("value", "on") if "checked" in a else None)
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind == "radio":
                if name not in self._radios or "checked" in a:
                    fields[name] = a.get("value", "on")
                    self._radios.add(name)
            else:
                fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, None)
        elif tag == "option" and self._select:
            if fields.get(self._select) is None or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""
        elif tag == "button" and a.get("value"):
            fields[name] = a["value"]

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(page: str) -> list[dict[str, Any]]:
    p = _Forms()
    p.feed(page)
    return p.forms


# What a clerk would type in the fields the page leaves empty, by name.
PLAUSIBLE_FORM = {
    "reason": "Trùng lịch họp",
    "full_name": "Nguyễn Văn A",
    "content": "Tranh chấp đất đai",
    "agency": "Phòng Kinh tế",
    "login": "nguoi_moi",
    "password": "mật-khẩu-mới-đủ-dài-1",
    "number": "03/TB",
    "result": "Đã giải quyết",
    "visits": "1",
    "people": "1",
    "days": "5",
}


def discover_forms(world: World) -> list[dict[str, Any]]:
    ids, c = world.ids, world.admin  # type: ignore[attr-defined]
    pages = [
        "/desk/",
        "/desk/users",
        "/desk/units/xa-a",
        f"/desk/sessions/{ids['planned']}",
        f"/desk/sessions/{ids['cancelled']}",
        f"/desk/sessions/{ids['to_record']}",
        f"/desk/sessions/{ids['logged']}",
        f"/desk/sessions/{ids['held_bare']}",
        f"/desk/log/{ids['entry']}/edit",
        f"/desk/sessions/{ids['held']}/directions",
        f"/desk/directions/{ids['direction']}",
        "/desk/followup/xa-a",
    ]
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for page in pages:
        r = c.get(page)
        assert r.status_code == 200, (page, r.status_code)
        for f in forms_of(r.text):
            key = (f["method"], f["action"], tuple(sorted(f["fields"])))
            if key in seen:
                continue
            seen.add(key)
            fields = {k: ("" if v is None else v) for k, v in f["fields"].items()}
            for k, v in fields.items():
                if not v and k in PLAUSIBLE_FORM:
                    fields[k] = PLAUSIBLE_FORM[k]
                if not v and k in ("date", "other") and f["action"].endswith(("/move", "/adhoc")):
                    fields[k] = ids["free_day"] if f["action"].endswith("/move") else ids["adhoc_day"]
            if f["action"].endswith("/users") and f["method"] == "post":
                fields["role"], fields["unit"] = "staff", "xa-a"
            found.append({**f, "fields": fields, "page": page})
    return found


def route_of(world: World, method: str, path: str) -> str:
    for r in world.server.app.routes:
        if isinstance(r, Route) and method in (r.methods or ()):
            match, _ = r.matches({"type": "http", "path": path, "method": method})
            if match.name == "FULL":
                return r.path
    raise AssertionError(f"no route for {method} {path}")


# --- one request, judged ---------------------------------------------------------------------------


def judge(world: World, label: str, send: Any, *, desk: bool | None) -> None:
    """``desk``: True for the desk's pages, False for the API's JSON, None for the public pages."""
    before = world.snapshot()
    r: httpx.Response = send()
    assert r.status_code < 500, (label, r.status_code, r.text[:800])
    body = r.text
    assert "Traceback" not in body and "nội bộ" not in body, (label, body[:800])
    after = world.snapshot()
    if r.status_code >= 400:
        world.refusals += 1
        assert after == before, (label, r.status_code, "a refusal changed the database", _diff(before, after))
        message = _message(r, desk=desk)
        if message is not None:
            assert message.strip() and "\n" not in message.strip(), (label, message)
            assert not CONTROL.search(message), (label, message)
            assert VIETNAMESE.search(message), (label, "not a Vietnamese line", message)
        return
    if after != before:
        world.stores += 1
        unsafe = _unsafe(world, before, after)
        assert not unsafe, (label, unsafe)
        world.restore()


def _message(r: httpx.Response, *, desk: bool | None) -> str | None:
    if desk is None:
        return None
    if not desk:
        if r.status_code == 401 or not r.content:
            return None
        data = r.json()
        return str(data.get("error", "")) if isinstance(data, dict) else None
    found = ERROR_P.findall(r.text)
    assert len(found) == 1, ("a desk refusal shows one line of why", r.status_code, r.text[:1500])
    return html.unescape(found[0])


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        n: (set(after[n]) - set(before[n]), set(before[n]) - set(after[n]))
        for n in before
        if before[n] != after[n]
    }


def _unsafe(world: World, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    bad = []
    for name, rows in after.items():
        for row in set(rows) - set(before.get(name, [])):
            for column, v in zip(world.columns[name], row, strict=True):
                if isinstance(v, str) and CONTROL.search(v):
                    bad.append(f"{name}.{column}: {v[:80]!r}")
                if "url" in column and v and not str(v).startswith(("http://", "https://")):
                    bad.append(f"{name}.{column}: stored as a link {v[:80]!r}")
    return bad


def api_send(world: World, method: str, path: str, body: Any, query: dict[str, str] | None = None) -> Any:
    token = world.server.tokens["admin"]
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
    url = world.server.base + path
    if query:
        url += "?" + "&".join(f"{_encode(k)}={_encode(v)}" for k, v in query.items())

    def send() -> httpx.Response:
        content = None
        if method in ("POST", "PUT"):
            content = json.dumps(body).encode("ascii")  # ensure_ascii: a lone surrogate as \\ud800
            headers["Content-Type"] = "application/json"
        return world.api.request(method, url, content=content, headers=headers)  # type: ignore[attr-defined]

    return send


def desk_send(world: World, method: str, path: str, fields: dict[str, str] | None) -> Any:
    client: httpx.Client = world.admin  # type: ignore[attr-defined]

    def send() -> httpx.Response:
        if method == "GET":
            return client.get(path)
        body = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in (fields or {}).items())
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return client.post(path, content=body.encode("ascii"), headers=headers)

    return send


# --- the tests ---------------------------------------------------------------------------------------


def test_every_route_is_tried(world: World) -> None:
    """A route not in the tables (or a desk POST no page offers a form for) fails here."""
    api, reads = api_table(world.ids), read_table(world.ids)
    desk_posts = {
        (("POST", route_of(world, "POST", urlsplit(f["action"]).path)))
        for f in world.forms
        if f["method"] == "post"
    }  # type: ignore[attr-defined]
    untried = [
        (m, p)
        for m, p in app_routes(world)
        if (m, p) not in api and p not in reads and (m, p) not in desk_posts and p != "/desk/login"
    ]
    assert not untried, untried
    # Every name the web code reads from a query or a JSON body is tried somewhere.
    names = set()
    for f in SRC.glob("*.py"):
        text = f.read_text(encoding="utf-8")
        names |= set(re.findall(r'(?:query_params|\bq|body|\bb|data)\.get\("([^"]+)"', text))
    tried = {k for _, b, extra in api.values() for k in (*b, *extra)} | {
        k for _, q in reads.values() for k in q
    }
    tried |= {k for f in world.forms for k in f["fields"]}  # type: ignore[attr-defined]
    assert not names - tried, sorted(names - tried)


def _api_cases(ids: dict[str, Any]) -> list[Any]:
    return [pytest.param(m, p, id=f"{m} {p}") for (m, p) in api_table(ids)]


# The ids are only known once the world is built; the cases are the table's keys, which do not
# depend on them.
_KEYS = list(
    api_table(
        {
            k: "1"
            for k in (
                "planned",
                "cancelled",
                "makeup_day",
                "to_record",
                "logged",
                "entry",
                "held",
                "held_bare",
                "held_entry",
                "direction",
                "dialogue",
                "free_day",
                "adhoc_day",
                "dialogue_day",
                "year",
            )
        }
    )
)


@pytest.mark.parametrize(("method", "template"), _KEYS, ids=[f"{m} {p}" for m, p in _KEYS])
def test_every_api_route_refuses_hostile_values_in_one_line(world: World, method: str, template: str) -> None:
    params, plausible, extra = api_table(world.ids)[(method, template)]
    read = method == "GET"
    path = fill(template, params)

    def send(p: dict[str, str], b: dict[str, Any]) -> Any:
        return api_send(world, method, fill(template, p), None if read else b, b if read else None)

    r = send(params, plausible)()
    assert r.status_code < 300, ("the plausible request must succeed", path, r.status_code, r.text[:500])
    if method != "GET":
        world.restore()
    for field in [*plausible, *extra]:
        values: list[Any] = list(FIELD) + ([] if read else JSON_ONLY)
        for value in values:
            judge(
                world,
                f"{method} {path} {field}={str(value)[:40]!r}",
                send(params, plausible | {field: value}),
                desk=False,
            )
    for name in params:
        for value in SHORT:
            judge(
                world,
                f"{method} {template} {name}={value[:40]!r}",
                send(params | {name: value}, plausible),
                desk=False,
            )
    if not read:  # a body that is not an object, or not JSON at all
        for raw in (b"[]", b'"x"', b"{", b'{"reason": "\\ud800"}', b"\xff\xfe", b"{" * 5000):

            def bad(raw: bytes = raw) -> httpx.Response:
                headers = {
                    "Authorization": f"Bearer {world.server.tokens['admin']}",
                    "Content-Type": "application/json",
                }
                return httpx.request(
                    method, world.server.base + path, content=raw, headers=headers, timeout=30
                )

            judge(world, f"{method} {path} body={raw[:20]!r}", bad, desk=False)


def test_every_desk_form_refuses_hostile_values_in_one_line(world: World) -> None:
    posts = [f for f in world.forms if f["method"] == "post" and f["action"] != "/desk/login"]  # type: ignore[attr-defined]
    tried = 0
    for form in posts:
        action, fields = form["action"], dict(form["fields"])
        fields["csrf"] = world.csrf  # type: ignore[attr-defined]
        r = desk_send(world, "POST", action, fields)()
        assert r.status_code in (200, 303), (
            "the plausible form must be taken",
            action,
            r.status_code,
            r.text[:800],
        )
        if r.status_code == 200:  # a confirmation page: its own form carries what to send
            confirm = [f for f in forms_of(r.text) if f["action"] == action]
            assert confirm, (action, "neither done nor asked to confirm", r.text[:800])
            fields = {k: v or "" for k, v in confirm[0]["fields"].items()}
            r = desk_send(world, "POST", action, fields)()
            assert r.status_code == 303, (action, r.status_code, r.text[:800])
        world.restore()
        for field in fields:
            for value in FIELD:
                tried += 1
                judge(
                    world,
                    f"POST {action} {field}={value[:40]!r}",
                    desk_send(world, "POST", action, fields | {field: value}),
                    desk=True,
                )
        template = route_of(world, "POST", urlsplit(action).path)
        names = re.findall(r"\{(\w+)\}", template)
        real = dict(
            zip(
                names,
                re.fullmatch(
                    re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template)), urlsplit(action).path
                ).groups(),
                strict=True,
            )
        )  # type: ignore[union-attr]
        for name in names:
            for value in SHORT:
                judge(
                    world,
                    f"POST {template} {name}={value[:40]!r}",
                    desk_send(world, "POST", fill(template, real | {name: value}), fields),
                    desk=True,
                )
    assert tried > 1000, tried


def test_every_read_refuses_hostile_query_and_path_values(world: World) -> None:
    for template, (params, query) in read_table(world.ids).items():
        desk = True if template.startswith("/desk") else None
        for name in [*query, "unknown"]:
            for value in SHORT:
                q = query | {name: value}
                path = (
                    fill(template, params)
                    + "?"
                    + "&".join(f"{_encode(k)}={_encode(v)}" for k, v in q.items())
                )
                send = (
                    desk_send(world, "GET", path, None)
                    if desk
                    else (lambda path=path: httpx.get(world.server.base + path, timeout=30))
                )
                judge(world, f"GET {template} {name}={value[:40]!r}", send, desk=desk)
        for name in params:
            for value in SHORT:
                path = fill(template, params | {name: value})
                send = (
                    desk_send(world, "GET", path, None)
                    if desk
                    else (lambda path=path: httpx.get(world.server.base + path, timeout=30))
                )
                judge(world, f"GET {template} {name}={value[:40]!r}", send, desk=desk)
