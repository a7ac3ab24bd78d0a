"""Hostile values at every web door (issue 13): every desk form and every API route, in the suite.

The routes come from the app itself (``create_app``): every API route needs a row in ``api_table``
(its path parameters, a plausible body, the optional fields also tried), every desk or public read
a row in ``read_table``, and every desk POST a form found on one of those pages (read from the
page's own HTML, with its fields and defaults), so that a new route, a new form or a new field
fails ``test_every_route_is_tried`` until it is tried here. An administrator (allowed to act
everywhere) first sends the plausible request, which must succeed, so that each hostile value then
reaches the parser of its own field; then each hostile value in each field, each path parameter
and each query parameter. Every answer is a 4xx with one clear Vietnamese line and the database as
it was, or a success whose stored text carries no control character (and whose URLs are
http/https); after a success the database is put back, so that the next value meets the same
state.

Fast on purpose (the suite's budget): the app runs in this process (httpx's ASGI transport, one
event loop), the database is watched by SQLite triggers that log every row a request inserts,
deletes or changes (so "nothing changed" is one query, not a snapshot of every table), and it is
put back table by table from a copy attached beside it. The values are typed: a field read as an
id, a count, a date, a time or a choice meets other digits, int()'s forms, overflow and shapes; a
text field meets a formula, a line break, length and a script link; every field meets the
controls, each control alone the first field of each route.

On PostgreSQL (``test_a_nul_anywhere_...``) a NUL, which SQLite stores and PostgreSQL refuses, is
sent in every path and query parameter, the first field of every body and form, and the command
line: one line, never a 500.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from argon2 import PasswordHasher
from desk_support import PASSWORD, PINNED, InProcess, csrf_of, write_config
from sqlalchemy import update
from sqlalchemy.pool import QueuePool
from starlette.routing import Route

from scheduler.infra.clock import local_today
from scheduler.infra.config import load_config
from scheduler.infra.db import open_database
from scheduler.infra.db.models import UserRow
from scheduler.usecases import account_common, accounts, cancel_makeup, record_outcome
from scheduler.usecases import dialogues as dg
from scheduler.usecases import followup as fu
from scheduler.usecases import reception_log as book
from scheduler.usecases import sessions as uc
from scheduler.usecases.planning import plan_year
from scheduler.usecases.session_reads import list_sessions
from scheduler.usecases.sessions import Actor
from scheduler.web import create_app

SETUP = Actor("test-setup")
SRC = Path(__file__).resolve().parent.parent / "scheduler" / "web"

LONE_SURROGATE = "a\ud800b"
# Every control the body reader must refuse, in one value (each field meets it) ...
CONTROLS = "a\x00\x0b\x1b[2J\x7fb"
# ... and each one alone, with a lone CR and a lone surrogate, in the first field of each route.
EACH_CONTROL = ["a\x00b", "a\x0bb", "\x1b[2J\x1b]0;x\x07", "a\rb", LONE_SURROGATE]
# A field read as an id, a count, a date, a time, a flag or a choice meets other digits (Arabic-
# Indic, fullwidth), int()'s forms, overflow, a sign, nothing; as JSON, numbers and shapes that are
# not its own.
PARSED = ["٠٧:٣٠-١١:٠٠", "８３", "8_3", str(2**63), "-1", "", CONTROLS]
PARSED_JSON: list[Any] = [10**20, 1.5, True, []]
# A field kept as text meets nothing, a formula with a line break as a browser sends it, length,
# a script link (stored safely or refused), and shapes that are not text.
TEXT = ["", "=cmd|' /C calc'!A0\r\nb", "x" * 10_000, "javascript:alert(1)", CONTROLS]
TEXT_JSON: list[Any] = [2**63, [], {"a": 1}]
# Path and query values: the ones a parser of ids, dates and names meets.
SHORT = ["٨٣", "８３", "8_3", str(2**63), "a\x00b", "../../etc/passwd", "x" * 300]
# Names of the fields read as typed values (the others are text).
PARSED_NAMES = re.compile(
    r"(version|limit|days|people|petitions|visits|cases|groups|attendance|opinions_\w+|mttq_opinions"
    r"|is_group|new_case|held|in_person|year|page|from|to|date|due|\w+_on|time|ngay|format|form|kind"
    r"|state|handling|role|unit|csrf|confirm|tu-lam-moi|ok|login)"
)


def values_for(name: str, plausible: Any, *, json_body: bool) -> list[Any]:
    typed = (
        PARSED_NAMES.fullmatch(name) is not None
        or isinstance(plausible, (bool, int))
        or (isinstance(plausible, str) and re.fullmatch(r"[0-9:/. -]+", plausible) is not None)
    )
    if typed:
        return PARSED + (PARSED_JSON if json_body else [])
    return TEXT + (TEXT_JSON if json_body else [])


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
VIETNAMESE = re.compile(r"[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", re.I)
ERROR_P = re.compile(r'<p class="error" role="alert">(.*?)</p>', re.S)
# Columns a read may touch (a token's last use) are not the state a refusal must keep.
VOLATILE = {"last_used_at", "last_seen_at", "seen_at"}
WATCH = "_hostile_changes"


# --- the world every request is tried on ---------------------------------------------------------


@dataclass
class World:
    app: Any
    engine: Any
    config: Any
    db_file: str
    ids: dict[str, Any]
    desk: InProcess
    api: InProcess
    token: str
    csrf: str = ""
    forms: list[dict[str, Any]] = field(default_factory=list)
    watch: sqlite3.Connection | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    stores: int = 0
    refusals: int = 0
    sent: int = 0

    def keep(self) -> None:
        """Watch every table (triggers log what a request changes) and keep a copy of the state
        to go back to after each success (a file beside the database, attached)."""
        self.watch = sqlite3.connect(self.db_file, timeout=30, isolation_level=None)
        install_watch(self.watch)
        copy = self.db_file + ".pristine"
        with contextlib.closing(sqlite3.connect(copy)) as dst:
            self.watch.backup(dst)
        self.watch.execute("ATTACH DATABASE ? AS pristine", (copy,))
        self.cookies = dict(self.desk.cookies)

    def changes(self) -> list[tuple[str, str, int]]:
        assert self.watch is not None
        return list(self.watch.execute(f"SELECT tbl, op, rid FROM {WATCH}"))

    def restore(self) -> None:
        """Put back the tables a request changed (only those: a copy of the whole file through
        the WAL costs more than the request), and the desk's cookie."""
        assert self.watch is not None
        tables = {t for t, _, _ in self.changes()}
        w = self.watch
        w.execute("BEGIN IMMEDIATE")
        for t in sorted(tables):
            w.execute(f'DELETE FROM main."{t}"')
            w.execute(f'INSERT INTO main."{t}" SELECT * FROM pristine."{t}"')
        if w.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
            w.execute("DELETE FROM main.sqlite_sequence")
            w.execute("INSERT INTO main.sqlite_sequence SELECT * FROM pristine.sqlite_sequence")
        w.execute(f"DELETE FROM main.{WATCH}")
        w.execute("COMMIT")
        self.desk.cookies.clear()
        for k, v in self.cookies.items():
            self.desk.cookies.set(k, v, path="/desk")
        self.app.state.login_limiter = None

    def row(self, table: str, rid: int) -> dict[str, Any]:
        assert self.watch is not None
        cur = self.watch.execute(f'SELECT * FROM "{table}" WHERE rowid = ?', (rid,))
        names = [d[0] for d in cur.description]
        found = cur.fetchone()
        return dict(zip(names, found, strict=True)) if found else {}


def install_watch(conn: sqlite3.Connection) -> None:
    conn.execute(f"CREATE TABLE {WATCH} (tbl TEXT, op TEXT, rid INTEGER)")
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        if r[0] != WATCH
    ]
    for t in tables:
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{t}")') if r[1] not in VOLATILE]
        changed = " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in cols)
        conn.executescript(
            f"""
            CREATE TRIGGER "_hw_i_{t}" AFTER INSERT ON "{t}"
              BEGIN INSERT INTO {WATCH} VALUES ('{t}', 'insert', NEW.rowid); END;
            CREATE TRIGGER "_hw_d_{t}" AFTER DELETE ON "{t}"
              BEGIN INSERT INTO {WATCH} VALUES ('{t}', 'delete', OLD.rowid); END;
            CREATE TRIGGER "_hw_u_{t}" AFTER UPDATE ON "{t}" WHEN {changed}
              BEGIN INSERT INTO {WATCH} VALUES ('{t}', 'update', NEW.rowid); END;
            """
        )


def _free_days(config: Any, taken: set[date], start: date, n: int) -> list[date]:
    free: list[date] = []
    d = start + timedelta(days=1)
    while len(free) < n:
        if d not in taken and config.calendar.is_working_day(d):
            free.append(d)
        d += timedelta(days=1)
    return free


def seed(engine: Any, config: Any, now: Any, today: date) -> dict[str, Any]:
    """One unit's objects in every state a route acts on."""
    unit, e, c = "xa-a", engine, config
    rows = list_sessions(e, unit_ids=[unit])
    ahead = [r for r in rows if r.status == "planned" and r.date > today]
    past = [r for r in rows if r.status == "planned" and r.date <= today][::-1]
    planned, cancelled = ahead[1], ahead[2]
    cancel_makeup.cancel(e, c, cancelled.id, reason="Thiết lập", actor=SETUP, now=now, today=today)
    proposal = uc.make_up_proposals(e, c, cancelled.id, today)[0].date
    to_record, logged, held, held_bare = past[0], past[1], past[2], past[3]

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
    free = _free_days(c, {r.date for r in rows} | {proposal}, today, 3)
    # Dialogues already past (planned "today" of their own day: the plan refuses past days): one
    # to announce and record, one held to conclude and to give directions at.
    dialogue_day, held_day = today - timedelta(days=20), today - timedelta(days=30)
    dialogue = dg.plan_dialogue(
        e, c, unit, held_on=dialogue_day, topic="Đất đai", actor=SETUP, now=now, today=dialogue_day
    )
    held_dialogue = dg.plan_dialogue(
        e, c, unit, held_on=held_day, topic="Môi trường", actor=SETUP, now=now, today=held_day
    )
    dg.record_dialogue(e, held_dialogue.id, held=True, attendance=40, actor=SETUP, now=now, today=today)
    # And one ahead, to postpone (to a day further on).
    ahead = dg.plan_dialogue(
        e, c, unit, held_on=today + timedelta(days=40), topic="Giao thông", actor=SETUP, now=now, today=today
    )
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
        "held_dialogue": held_dialogue.id,
        "dialogue_ahead": ahead.id,
        "postpone_day": (today + timedelta(days=45)).isoformat(),
        "free_day": free[0].isoformat(),
        "adhoc_day": free[1].isoformat(),
        "dialogue_free_day": free[2].isoformat(),
        "dialogue_day": dialogue_day.isoformat(),
        "year": str(today.year),
    }


def build_world(directory: Path, database: str | None = None) -> World:
    """The world on SQLite, or on ``database`` (a PostgreSQL URL from tests/pg.py)."""
    config = load_config(write_config(directory, database))
    engine = open_database(config.database_url)
    if database is None:
        _keep_connections(engine)
    now = PINNED
    today = local_today(now, config.timezone)
    plan_year(engine, config, today.year, now=now, today=today, actor="test")
    for login, role, unit in (
        ("admin", "admin", None),
        ("staff_a", "staff", "xa-a"),
        ("staff_b", "staff", "xa-b"),
        ("sup", "supervisor", "tinh"),
    ):
        accounts.add_user(
            engine, config, login, role=role, unit_id=unit, password=PASSWORD, now=now, actor=SETUP
        )
    token = accounts.create_token(engine, "admin", now=now, actor=SETUP)
    accounts.create_token(engine, "staff_a", now=now, actor=SETUP)
    # One account disabled and one waiting after failed sign-ins, so that the users page offers
    # "enable" and "unlock".
    accounts.set_disabled(engine, "staff_b", True, now=now, actor=SETUP)
    with engine.begin() as conn:
        conn.execute(
            update(UserRow)
            .where(UserRow.login == "sup")
            .values(failed_logins=accounts.LOCK_AFTER, locked_until=now + timedelta(hours=1))
        )
    ids = seed(engine, config, now, today)
    app = create_app(config, engine)
    app.state.clock = lambda: PINNED
    desk = InProcess(app, base_url="http://testserver", follow_redirects=False)
    api = InProcess(
        app,
        base_url="http://testserver",
        follow_redirects=False,
        headers={"Authorization": f"Bearer {token}"},
    )
    return World(app, engine, config, engine.url.database or "", ids, desk, api, token)


def _keep_connections(engine: Any) -> None:
    """SQLite connections kept open between requests (the service opens one per use, NullPool):
    the same connections, pragmas and BEGIN IMMEDIATE, without a third of each request spent
    opening the file again."""
    old = engine.pool
    engine.pool = QueuePool(
        old._creator, pool_size=4, max_overflow=8, _dispatch=old.dispatch, dialect=old._dialect
    )
    old.dispose()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1, "the service's pragmas"


@contextlib.contextmanager
def cheap_hashes() -> Iterator[None]:
    """argon2id at its smallest cost: what is tried here is the door, not the hash (a sign-in
    costs 0.6 s with the service's cost on a loaded two-core machine)."""
    with pytest.MonkeyPatch.context() as mp:
        cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        mp.setattr(account_common, "hasher", cheap)
        yield


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with cheap_hashes():
        yield from _world(tmp_path_factory.mktemp("hostile-web"))


def _world(directory: Path, database: str | None = None) -> Iterator[World]:
    w = build_world(directory, database)
    try:
        with w.desk, w.api:
            page = w.desk.get("/desk/")
            r = w.desk.post(
                "/desk/login", data={"csrf": csrf_of(page.text), "login": "admin", "password": PASSWORD}
            )
            assert r.status_code == 303, r.text[:500]
            w.csrf = csrf_of(w.desk.get("/desk/").text)
            w.forms = discover_forms(w)
            if database is None:
                w.keep()
            yield w
    finally:
        if w.watch is not None:
            w.watch.close()
        w.engine.dispose()


# --- every route: the API's with a plausible body, the reads with their query -------------------


Table = dict[tuple[str, str], tuple[dict[str, str], dict[str, Any], list[str]]]


def api_table(ids: dict[str, Any]) -> Table:
    """(method, route path) -> (path params, plausible body or query, optional fields also tried)."""
    s = {"session_id": str(ids["planned"])}
    log_fields = [*book.TEXT_FIELDS, "people", "petitions", "is_group", "new_case", "handling"]
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
            log_fields,
        ),
        ("PUT", "/api/log/{entry_id}"): (
            {"entry_id": str(ids["entry"])},
            {"full_name": "Nguyễn Văn B", "content": "Đất đai"},
            log_fields,
        ),
        ("DELETE", "/api/log/{entry_id}"): ({"entry_id": str(ids["entry"])}, {}, []),
        ("POST", "/api/units/{unit_id}/adhoc"): (
            {"unit_id": "xa-a"},
            {"date": ids["adhoc_day"], "reason": "Vụ việc bức xúc", "time": "07:30-09:00"},
            ["venue", "online"],
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
        ("GET", "/api/dialogues/{dialogue_id}/directions"): (
            {"dialogue_id": str(ids["held_dialogue"])},
            {},
            [],
        ),
        ("POST", "/api/dialogues/{dialogue_id}/directions"): (
            {"dialogue_id": str(ids["held_dialogue"])},
            {"content": "Rà soát ý kiến cử tri", "agency": "Phòng Tài nguyên", "due": "2026-04-29"},
            ["limit", "days", "accepted_on"],
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
                "date": ids["dialogue_free_day"],
                "topic": "Đất đai",
                "kind": "periodic",
                "form": "in_person",
                "time": "08:00-11:00",
                "place": "Hội trường",
                "lead_agency": "UBND xã",
                "coordinating": ["Hội Nông dân"],
            },
            ["co_organisers", "online_url"],
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
            {"dialogue_id": str(ids["held_dialogue"])},
            {"date": ids["dialogue_day"], "number": "12/TB"},
            ["version"],
        ),
        ("POST", "/api/dialogues/{dialogue_id}/postpone"): (
            {"dialogue_id": str(ids["dialogue_ahead"])},
            {"reason": "Trùng kỳ họp", "date": ids["postpone_day"]},
            ["version"],
        ),
        ("POST", "/api/units/{unit_id}/dialogues/trigger"): (
            {"unit_id": "xa-a"},
            {"topic": "Ô nhiễm", "asked": 150, "voters": 1000, "date": ids["dialogue_free_day"]},
            ["reason", "hold_by", "time", "place", "form"],
        ),
    }


def read_table(ids: dict[str, Any]) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Reads of the desk and the public pages -> (path params, query). The desk's HTML pages
    among them are where its forms are found."""
    s = str(ids["held"])
    return {
        "/healthz": ({}, {}),
        "/board/{unit_id}": ({"unit_id": "xa-a"}, {"tu-lam-moi": "0"}),
        "/lich/{unit_id}": ({"unit_id": "xa-a"}, {}),
        "/ics/{unit_id}.ics": ({"unit_id": "xa-a"}, {}),
        "/desk": ({}, {}),
        "/desk/": ({}, {"q": "An", "page": "1", "ok": "logged"}),
        "/desk/password": ({}, {"ok": "password"}),
        "/desk/users": ({}, {"ok": "user", "login": "admin"}),
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
        "/desk/units/{unit_id}/dialogues": ({"unit_id": "xa-a"}, {"year": ids["year"], "ok": "planned"}),
        "/desk/dialogues/{dialogue_id}": ({"dialogue_id": str(ids["dialogue"])}, {"ok": "announced"}),
        "/desk/dialogues/{dialogue_id}/{which}.docx": (
            {"dialogue_id": str(ids["dialogue"]), "which": "notice"},
            {},
        ),
    }


def form_pages(ids: dict[str, Any]) -> list[str]:
    """The desk's pages whose forms are tried: every desk HTML read, and the pages of objects in
    the other states (a session to cancel, to record, to make up, to undo; a dialogue held)."""
    pages = [
        fill(t, p)
        for t, (p, _) in read_table(ids).items()
        if t.startswith("/desk/") and not t.endswith((".xlsx", ".docx"))
    ]
    return [
        *(f"/desk/sessions/{ids[k]}" for k in ("planned", "cancelled", "to_record", "logged", "held_bare")),
        f"/desk/dialogues/{ids['held_dialogue']}",
        f"/desk/dialogues/{ids['dialogue_ahead']}",
        *pages,
    ]


def app_routes(world: World) -> list[tuple[str, str]]:
    out = []
    for r in world.app.routes:
        if isinstance(r, Route):
            for m in sorted((r.methods or set()) - {"HEAD"}):
                out.append((m, r.path))
    return out


def fill(template: str, params: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: _encode(params[m.group(1)]), template)


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def route_of(world: World, method: str, path: str) -> str:
    for r in world.app.routes:
        if isinstance(r, Route) and method in (r.methods or ()):
            match, _ = r.matches({"type": "http", "path": path, "method": method})
            if match.name == "FULL":
                return r.path
    raise AssertionError(f"no route for {method} {path}")


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
    "new": "mật-khẩu-mới-đủ-dài-1",
    "again": "mật-khẩu-mới-đủ-dài-1",
    "number": "03/TB",
    "result": "Đã giải quyết",
    "visits": "1",
    "people": "1",
    "days": "5",
    "topic": "Đất đai",
    "attendance": "40",
    "resolved_on": "2026-03-01",
}


def discover_forms(world: World) -> list[dict[str, Any]]:
    ids = world.ids
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    with InProcess(world.app) as stranger:  # the sign-in form, on the page of nobody signed in
        pages = [("/desk/", stranger.get("/desk/"))]
    pages += [(page, world.desk.get(page)) for page in form_pages(ids)]
    for page, r in pages:
        assert r.status_code == 200, (page, r.status_code)
        for f in forms_of(r.text):
            if f["method"] != "post":
                continue
            # One form of each route and set of fields: the first page's (its object is in the
            # state the form acts on; the same form on the held session's page would be refused
            # for the directions it has).
            key = (
                f["method"],
                route_of(world, "POST", urlsplit(f["action"]).path),
                tuple(sorted(f["fields"])),
            )
            if f["method"] != "post" or key in seen:
                continue
            seen.add(key)
            fields = {k: ("" if v is None else v) for k, v in f["fields"].items()}
            for k, v in fields.items():
                if not v and k in PLAUSIBLE_FORM:
                    fields[k] = PLAUSIBLE_FORM[k]
            action = urlsplit(f["action"]).path
            if action.endswith(("/move", "/adhoc", "/dialogues")) and not fields.get("date"):
                day = {"/move": "free_day", "/adhoc": "adhoc_day", "/dialogues": "dialogue_free_day"}
                fields["date"] = ids[next(v for k, v in day.items() if action.endswith(k))]
            if action.endswith("/announce"):
                fields["date"] = ids["dialogue_day"]  # announced before the dialogue, not today
            if action == "/desk/users":
                fields["role"], fields["unit"] = "staff", "xa-a"
            if action == "/desk/password":
                fields["current"] = PASSWORD
            found.append({**f, "fields": fields, "page": page})
    return found


# --- one request, judged ---------------------------------------------------------------------------


def judge(world: World, label: str, send: Callable[[], httpx.Response], *, desk: bool | None) -> None:
    """``desk``: True for the desk's pages, False for the API's JSON, None for the public pages."""
    world.sent += 1
    try:
        r = send()
    except Exception as exc:  # the app raised: what a client would get as a 500
        raise AssertionError(f"{label}: 500 ({type(exc).__name__}: {exc})"[:1500]) from exc
    assert r.status_code < 500, (label, r.status_code, r.text[:800])
    # The security headers on every answer of every route, refusals included.
    h = r.headers
    assert h.get("x-content-type-options") == "nosniff", (label, "no nosniff")
    assert "frame-ancestors 'none'" in h.get("content-security-policy", ""), (label, "no CSP")
    body = (
        r.text
        if "text" in r.headers.get("content-type", "") or "json" in r.headers.get("content-type", "")
        else ""
    )
    assert "Traceback" not in body and "nội bộ" not in body, (label, body[:800])
    changes = world.changes()
    if r.status_code >= 400:
        world.refusals += 1
        if changes:
            world.restore()
        assert not changes, (label, r.status_code, "a refusal changed the database", changes[:10])
        message = _message(r, desk=desk)
        if message is not None:
            assert message.strip() and "\n" not in message.strip(), (label, message)
            assert not CONTROL.search(message), (label, message)
            assert VIETNAMESE.search(message), (label, "not a Vietnamese line", message)
        return
    if changes:
        world.stores += 1
        unsafe = _unsafe(world, changes)
        world.restore()
        assert not unsafe, (label, unsafe)


def why(r: httpx.Response) -> str:
    found = ERROR_P.findall(r.text)
    return html.unescape(found[0]) if found else r.text[:800]


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


def _unsafe(world: World, changes: list[tuple[str, str, int]]) -> list[str]:
    bad = []
    for table, op, rid in set(changes):
        if op == "delete":
            continue
        for column, v in world.row(table, rid).items():
            if isinstance(v, str) and CONTROL.search(v):
                bad.append(f"{table}.{column}: {v[:80]!r}")
            if "url" in column and v and not str(v).startswith(("http://", "https://")):
                bad.append(f"{table}.{column}: stored as a link {v[:80]!r}")
    return bad


def api_send(world: World, method: str, path: str, body: Any, query: dict[str, str] | None = None) -> Any:
    url = path
    if query:
        url += "?" + "&".join(f"{_encode(k)}={_encode(v)}" for k, v in query.items())

    def send() -> httpx.Response:
        if method in ("POST", "PUT"):
            content = json.dumps(body).encode("ascii")  # ensure_ascii: a lone surrogate as \\ud800
            return world.api.request(
                method, url, content=content, headers={"Content-Type": "application/json"}
            )
        return world.api.request(method, url)

    return send


def raw_send(world: World, method: str, path: str, raw: bytes) -> Any:
    def send() -> httpx.Response:
        return world.api.request(method, path, content=raw, headers={"Content-Type": "application/json"})

    return send


def desk_send(world: World, method: str, path: str, fields: dict[str, str] | None) -> Any:
    def send() -> httpx.Response:
        if method == "GET":
            return world.desk.get(path)
        body = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in (fields or {}).items())
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return world.desk.post(path, content=body.encode("ascii"), headers=headers)

    return send


def public_send(world: World, path: str) -> Any:
    return lambda: world.api.get(path, headers={"Authorization": ""})


# --- the tests ---------------------------------------------------------------------------------------


def test_every_route_is_tried(world: World) -> None:
    """A route not in the tables (or a desk POST no page offers a form for) fails here, and so
    does a name the web code reads from a query, a form or a JSON body that nothing tries."""
    api, reads = api_table(world.ids), read_table(world.ids)
    desk_posts = {("POST", route_of(world, "POST", urlsplit(f["action"]).path)) for f in world.forms}
    untried = [
        (m, p)
        for m, p in app_routes(world)
        if (m, p) not in api and not (m == "GET" and p in reads) and (m, p) not in desk_posts
    ]
    assert not untried, untried
    # ... and every desk form is in one of the groups the form test goes through.
    groups = [re.compile(re.escape(g).replace(r"\*", r"[^/]+") + "$") for g in _DESK_POSTS]
    ungrouped = sorted({t for t in _forms_of_route(world) if not any(g.match(t) for g in groups)})
    assert not ungrouped, ungrouped
    names = set()
    for f in SRC.glob("*.py"):
        text = f.read_text(encoding="utf-8")
        names |= set(re.findall(r'(?:query_params|\bq|body|\bb|data|\bf|form)\.get\("([^"]+)"', text))
    tried = {k for _, b, extra in api.values() for k in (*b, *extra)} | {
        k for _, q in reads.values() for k in q
    }
    tried |= {k for f in world.forms for k in f["fields"]}
    tried.add("confirm")  # sent back by a confirmation page: try_form sends that page's own form
    assert not names - tried, sorted(names - tried)


_KEYS = list(api_table({k: "1" for k in re.findall(r'ids\["(\w+)"\]', Path(__file__).read_text("utf-8"))}))


@pytest.mark.parametrize(("method", "template"), _KEYS, ids=[f"{m} {p}" for m, p in _KEYS])
def test_every_api_route_refuses_hostile_values_in_one_line(world: World, method: str, template: str) -> None:
    params, plausible, extra = api_table(world.ids)[(method, template)]
    read = method == "GET"
    path = fill(template, params)

    def send(p: dict[str, str], b: dict[str, Any]) -> Any:
        return api_send(world, method, fill(template, p), None if read else b, b if read else None)

    r = send(params, plausible)()
    assert r.status_code < 300, ("the plausible request must succeed", path, r.status_code, r.text[:500])
    if world.changes():
        world.restore()
    names = [*plausible, *extra]
    tries = [(n, v) for n in names for v in values_for(n, plausible.get(n), json_body=not read)]
    tries += [(names[0] if names else "unknown", v) for v in EACH_CONTROL]
    tries += [("unknown", CONTROLS)]
    for name, value in tries:
        label = f"{method} {path} {name}={str(value)[:40]!r}"
        judge(world, label, send(params, plausible | {name: value}), desk=False)
    for name in params:
        for value in SHORT:
            label = f"{method} {template} {name}={value[:40]!r}"
            judge(world, label, send(params | {name: value}, plausible), desk=False)
    if not read:  # a body that is not an object, or not JSON at all
        for raw in (b"[]", b"{", b"\xff\xfe", b"{" * 5000):
            judge(world, f"{method} {path} body={raw[:20]!r}", raw_send(world, method, path, raw), desk=False)


def _forms_of_route(world: World) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in world.forms:
        out.setdefault(route_of(world, "POST", urlsplit(f["action"]).path), []).append(f)
    return out


_DESK_POSTS = [
    "/desk/login", "/desk/logout", "/desk/password", "/desk/users", "/desk/users/{login}/*",
    "/desk/units/{unit_id}/adhoc", "/desk/sessions/{session_id}/*", "/desk/log/{entry_id}/*",
    "/desk/entries/{entry_id}/directions", "/desk/directions/{direction_id}/*",
    "/desk/units/{unit_id}/dialogues", "/desk/units/{unit_id}/dialogues/*", "/desk/dialogues/{dialogue_id}/*",
]  # fmt: skip


@pytest.mark.parametrize("group", _DESK_POSTS)
def test_every_desk_form_refuses_hostile_values_in_one_line(world: World, group: str) -> None:
    pattern = re.compile(re.escape(group).replace(r"\*", r"[^/]+") + "$")
    forms = [f for t, fs in _forms_of_route(world).items() if pattern.match(t) for f in fs]
    assert forms, group
    for form in forms:
        if form["action"] == "/desk/login":
            try_login(world, form)
        else:
            try_form(world, form)


def try_form(world: World, form: dict[str, Any]) -> None:
    action, fields = form["action"], dict(form["fields"])
    fields["csrf"] = world.csrf
    r = desk_send(world, "POST", action, fields)()
    assert r.status_code in (200, 303), (
        "the plausible form must be taken",
        action,
        r.status_code,
        why(r),
        fields,
    )
    confirm = [f for f in forms_of(r.text) if f["action"] == action] if r.status_code == 200 else []
    if confirm:  # a confirmation page: its own form carries what to send
        fields = {k: v or "" for k, v in confirm[0]["fields"].items()}
        r = desk_send(world, "POST", action, fields)()
        assert r.status_code == 303, (action, r.status_code, why(r), fields)
    else:  # done, shown on a page (a password reset shows the new password once)
        assert r.status_code == 303 or not ERROR_P.search(r.text), (action, why(r))
    world.restore()
    names = list(fields)
    tries = [(n, v) for n in names for v in values_for(n, fields[n], json_body=False)]
    tries += [(names[0], v) for v in EACH_CONTROL]
    for name, value in tries:
        label = f"POST {action} {name}={value[:40]!r}"
        judge(world, label, desk_send(world, "POST", action, fields | {name: value}), desk=True)
    path = urlsplit(action).path
    template = route_of(world, "POST", path)
    names = re.findall(r"\{(\w+)\}", template)
    m = re.fullmatch(re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template)), path)
    assert m is not None
    real = dict(zip(names, m.groups(), strict=True))
    for name in names:
        for value in SHORT:
            label = f"POST {template} {name}={value[:40]!r}"
            judge(
                world,
                label,
                desk_send(world, "POST", fill(template, real | {name: value}), fields),
                desk=True,
            )


def try_login(world: World, form: dict[str, Any]) -> None:
    """Sign-in with each hostile login (the right password) and each hostile password (a login
    nobody has, so that no account's failures are counted): 401, 400 or 429, one line."""
    with InProcess(world.app, base_url="http://testserver", follow_redirects=False) as c:
        csrf = csrf_of(c.get("/desk/").text)
        fields = {"csrf": csrf, "login": "admin", "password": PASSWORD}
        r = c.post("/desk/login", data=fields)
        assert r.status_code == 303, r.text[:500]
        world.restore()
        c.cookies.clear()
        csrf = csrf_of(c.get("/desk/").text)
        plausible = {"csrf": csrf, "login": "khong-co-ai", "password": PASSWORD}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        for name in plausible:
            for value in values_for(name, plausible[name], json_body=False):
                world.app.state.login_limiter = None
                body = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in (plausible | {name: value}).items())
                judge(
                    world,
                    f"POST /desk/login {name}={value[:40]!r}",
                    lambda body=body: c.post("/desk/login", content=body.encode("ascii"), headers=headers),
                    desk=True,
                )


def test_every_read_refuses_hostile_query_and_path_values(world: World) -> None:
    for template, (params, query) in read_table(world.ids).items():
        desk = True if template.startswith("/desk") else None
        tries = [(params, query | {n: v}) for n in query for v in SHORT] + [
            (params, query | {"unknown": CONTROLS})
        ]
        tries += [(params | {n: v}, query) for n in params for v in SHORT]
        for p, q in tries:
            path = fill(template, p)
            if q:
                path += "?" + "&".join(f"{_encode(k)}={_encode(v)}" for k, v in q.items())
            send = desk_send(world, "GET", path, None) if desk else public_send(world, path)
            judge(world, f"GET {path[:120]}", send, desk=desk)


@pytest.mark.skipif(
    "PYTEST_XDIST_WORKER" in os.environ,
    reason="a parallel run may share the module's tests between fixture instances; counted serially",
)
def test_the_corpus_was_sent(world: World) -> None:
    """Last in the module: the corpus reached the doors (a refactor that skips them all fails)."""
    assert world.sent > 2500 and world.refusals > 1500 and world.stores > 200, (
        world.sent,
        world.refusals,
        world.stores,
    )


# --- PostgreSQL: a NUL where SQLite keeps it and PostgreSQL refuses it -----------------------------

NUL = "a\x00b"
STATE_PROBE = """SELECT
  (SELECT count(*) FROM audit), (SELECT count(*) FROM outbox), (SELECT count(*) FROM log_entries),
  (SELECT coalesce(sum(version), 0) FROM sessions), (SELECT count(*) FROM sessions),
  (SELECT coalesce(sum(version), 0) + count(*) FROM directions),
  (SELECT coalesce(sum(version), 0) + count(*) FROM dialogues),
  (SELECT count(*) FROM users), (SELECT count(disabled_at) + sum(failed_logins) FROM users),
  (SELECT count(revoked_at) + count(*) FROM api_tokens), (SELECT count(*) FROM desk_sessions),
  (SELECT count(*) FROM notices), (SELECT count(*) FROM conclusion_notices)"""


def test_a_nul_anywhere_is_one_line_on_postgresql_never_a_500(
    pg_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PostgreSQL cannot hold a NUL in text (psycopg refuses to send it): a NUL in any path or
    query parameter of every route, in the first field of every body and form, and in a reason on
    the command line, is refused with one Vietnamese line (or read as nothing), and no state
    changes."""
    from scheduler.cli import main

    def snapshot(engine: Any) -> tuple[Any, ...]:
        """What any change moves: every change writes an audit row or a version, a row or a
        stamp (one query, not every table read)."""
        with engine.connect() as conn:
            return tuple(conn.exec_driver_sql(STATE_PROBE).one())

    with cheap_hashes():
        gen = _world(tmp_path, pg_url)
        w = next(gen)
        try:
            problems: list[str] = []

            def check(label: str, send: Callable[[], httpx.Response], *, desk: bool | None) -> None:
                before = snapshot(w.engine)
                try:
                    r = send()
                except Exception as exc:
                    problems.append(f"{label}: 500 ({type(exc).__name__}: {str(exc)[:200]})")
                    return
                if r.status_code >= 500:
                    problems.append(f"{label}: {r.status_code}")
                    return
                if snapshot(w.engine) != before:
                    problems.append(f"{label}: {r.status_code} and the state changed")
                if r.status_code >= 400:
                    try:
                        message = _message(r, desk=desk)
                    except AssertionError as exc:
                        problems.append(f"{label}: {exc}")
                        return
                    if message is not None and not VIETNAMESE.search(message):
                        problems.append(f"{label}: {message!r}")

            for (method, template), (params, plausible, _) in api_table(w.ids).items():
                read = method == "GET"
                tries = [(params | {n: NUL}, plausible) for n in params]
                tries += [(params, plausible | {n: NUL}) for n in list(plausible)[: 1 if not read else None]]
                for p, b in tries:
                    send = api_send(w, method, fill(template, p), None if read else b, b if read else None)
                    check(f"{method} {fill(template, p)} {b!r}"[:160], send, desk=False)
            for template, (params, query) in read_table(w.ids).items():
                desk = True if template.startswith("/desk") else None
                for p, q in [(params | {n: NUL}, query) for n in params] + [
                    (params, query | {n: NUL}) for n in query
                ]:
                    path = (
                        fill(template, p) + "?" + "&".join(f"{_encode(k)}={_encode(v)}" for k, v in q.items())
                    )
                    send = desk_send(w, "GET", path, None) if desk else public_send(w, path)
                    check(f"GET {path}"[:160], send, desk=desk)
            for form in w.forms:
                action, fields = form["action"], form["fields"] | {"csrf": w.csrf}
                template = route_of(w, "POST", urlsplit(action).path)
                first = next(iter(form["fields"]))
                check(
                    f"POST {action} {first}=NUL",
                    desk_send(w, "POST", action, fields | {first: NUL}),
                    desk=True,
                )
                for name in re.findall(r"\{(\w+)\}", template):
                    path = template.replace("{" + name + "}", _encode(NUL))
                    path = fill(
                        path, {**w.ids, "unit_id": "xa-a", "login": "staff_a", **_params_of(action, template)}
                    )
                    check(f"POST {path}", desk_send(w, "POST", path, fields), desk=True)
            assert not problems, problems
            # The command line on PostgreSQL: a NUL in a reason, a login and a unit.
            config = tmp_path / "config.toml"
            session = str(w.ids["planned"])
            for argv in (
                ["cancel", session, "--reason", NUL],
                ["user", "disable", NUL],
                ["sessions", "--unit", NUL],
            ):
                before = snapshot(w.engine)
                code = main([*argv, "--config", str(config), "--now", "2026-03-02T09:00"])
                err = capsys.readouterr().err
                assert code not in (0, None, 70) and len(err.splitlines()) == 1, (argv, code, err)
                assert snapshot(w.engine) == before, argv
        finally:
            gen.close()


def _params_of(action: str, template: str) -> dict[str, str]:
    names = re.findall(r"\{(\w+)\}", template)
    m = re.fullmatch(re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template)), urlsplit(action).path)
    assert m is not None, (action, template)
    return dict(zip(names, m.groups(), strict=True))
