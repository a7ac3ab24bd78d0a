"""The dialogue conferences through their three doors — ``tiepdan dialogue``, the desk (forms, CSRF
on every POST) and the API — one use case behind each: every step (plan, announce, postpone to a
new day, record, conclude, trigger by voters, postpone with no day) gives the same stored
dialogue and queues the same messages. The co-organisers are told by their own name; a
postponement tells the people told before, and the deadlines and the feed follow the new day.
The desk hands out the two notices as the CLI writes them; the MTTQ account and the supervisor
read the pages and download the notices as issued, without a form, and a change from them is
refused; another commune's clerk sees nothing.

One served app over SQLite (tests/desk_support.py), the CLI in-process on its configuration."""

from __future__ import annotations

import io
import json
import re
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from desk_support import add_mttq, page_csrf, serve
from sqlalchemy import select

from scheduler import cli
from scheduler.infra.db.models import OutboxRow
from scheduler.usecases import dialogues as dg

MTTQ = 'name = "Ủy ban Mặt trận Tổ quốc Việt Nam xã An Khánh", email = "mttq@ankhanh.example.vn"'
CO_ORGANISERS = f"""co_organisers = [
  {{ {MTTQ}, phone = "0912000111" }},
  {{ name = "Thường trực Hội đồng nhân dân xã An Khánh", email = "hdnd@ankhanh.example.vn" }},
]
head   = {{ name = "Lê Văn H", title = "Bí thư Đảng ủy xã", email = "bt@ankhanh.example.vn" }}
staff  = [ {{ name = "Vũ Thị S", email = "vp@ankhanh.example.vn" }} ]
"""


def _edit(text: str) -> str:
    anchor = 'venue  = "Trụ sở Đảng ủy xã An Khánh"\n'
    return text.replace(anchor, anchor + CO_ORGANISERS, 1)


def _stored(server: Any, dialogue_id: int) -> dict[str, Any]:
    d = dg.dialogue_dict(dg.get_dialogue(server.engine, dialogue_id))
    return {k: v for k, v in d.items() if k != "id"}


def _told(server: Any, dialogue_id: int) -> list[tuple[Any, ...]]:
    """The dialogue's queued messages, their words with the dialogue's own id taken out."""
    with server.engine.connect() as conn:
        rows = conn.execute(select(OutboxRow).where(OutboxRow.subject == f"dialogue:{dialogue_id}")).all()
    out = []
    for r in rows:
        payload = json.loads(r.payload)
        words = re.sub(rf"/desk/dialogues/{dialogue_id}\b", "/desk/dialogues/N", payload.get("text", ""))
        out.append((r.purpose, r.version, r.lead, r.channel, r.recipient, payload.get("subject"), words))
    return sorted(out)


def _parts(docx: bytes) -> dict[str, bytes]:
    """A DOCX's parts (the zip's own timestamps are the moment it was written)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _event(server: Any, dialogue_id: int) -> str:
    feed = server.client().get("/ics/xa-a.ics").text.replace("\r\n ", "")
    return next(e for e in feed.split("BEGIN:VEVENT") if f"UID:dialogue-{dialogue_id}@tiepdan" in e)


class Doors:
    """The three doors, each driving its own dialogue through the same steps."""

    def __init__(self, server: Any, directory: Path) -> None:
        self.server, self.config = server, str(directory / "config.toml")
        self.refresh()

    def refresh(self) -> None:
        self.desk = self.server.signed_in("staff_a")
        self.csrf = page_csrf(self.desk)
        self.api = self.server.api("staff_a")

    def cli(self, *args: str) -> str:
        now = self.server.now().astimezone(self.server.config.timezone).replace(tzinfo=None)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(
                ["dialogue", *args, "--config", self.config, "--now", now.isoformat(), "--by", "staff_a"]
            )
        assert code == 0, err.getvalue()
        return out.getvalue()

    def cli_json(self, *args: str) -> dict[str, Any]:
        return json.loads(self.cli(*args, "--format", "json"))

    def post(self, path: str, form: dict[str, str]) -> Any:
        r = self.desk.post(path, data=form | {"csrf": self.csrf})
        assert r.status_code == 303, r.text[:800]
        return r

    def api_post(self, path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
        r = self.api.post(path, json=body)
        assert r.status_code == status, r.text
        return r.json()


def test_each_dialogue_use_case_through_cli_desk_and_api(tmp_path: Path) -> None:
    with serve(tmp_path, edit=_edit) as server:
        add_mttq(server)
        doors = Doors(server, tmp_path)
        today, now = server.today(), server.now()
        day, new_day = today + timedelta(days=20), today + timedelta(days=30)

        # Plan: the co-organisers default to the unit's configured ones. Without the form's
        # token, nothing is written.
        r = doors.desk.post("/desk/units/xa-a/dialogues", data={"date": day.isoformat(), "topic": "Đất đai"})
        assert r.status_code == 403 and dg.list_dialogues(server.engine) == []
        planned = {"date": day.isoformat(), "topic": "Đất đai", "time": "08:00-11:00",
                   "place": "Hội trường xã", "kind": "thematic"}  # fmt: skip
        flags = [x for k, v in planned.items() for x in (f"--{k}", v)]
        a = doors.cli_json("plan", "--unit", "xa-a", *flags)["id"]
        r = doors.post("/desk/units/xa-a/dialogues", planned)
        b = int(re.search(r"/desk/dialogues/(\d+)", r.headers["location"]).group(1))
        c = doors.api_post("/api/units/xa-a/dialogues", planned, 201)["id"]
        ids = (a, b, c)
        page = doors.desk.get(r.headers["location"]).text
        assert "Đã đưa hội nghị đối thoại vào kế hoạch." in page and "Ghi thông báo công khai" in page

        def same(step: str) -> dict[str, Any]:
            stored = [_stored(server, i) for i in ids]
            told = [_told(server, i) for i in ids]
            assert stored[0] == stored[1] == stored[2], step
            assert told[0] == told[1] == told[2], step
            return stored[0]

        d = same("plan")
        assert d["co_organisers"] == ["Ủy ban Mặt trận Tổ quốc Việt Nam xã An Khánh",
                                      "Thường trực Hội đồng nhân dân xã An Khánh"]  # fmt: skip

        # Announce: each co-organiser told at once, by its own name, with the public schedule.
        doors.cli("announce", str(a), "--mttq-opinions", "14", "--mttq-summary", "Bồi thường")
        doors.post(f"/desk/dialogues/{b}/announce", {"date": today.isoformat(), "mttq_opinions": "14",
                   "mttq_summary": "Bồi thường", "version": "1"})  # fmt: skip
        doors.api_post(f"/api/dialogues/{c}/announce", {"mttq_opinions": 14, "mttq_summary": "Bồi thường"})
        same("announce")
        # A refusal shows the page again with why, and changes nothing.
        before = _stored(server, b)
        r = doors.desk.post(f"/desk/dialogues/{b}/record", data={"csrf": doors.csrf, "held": "1"})
        assert r.status_code == 400 and "chưa diễn ra" in r.text and _stored(server, b) == before
        told = _told(server, a)
        assert {(t[0], t[3], t[4]) for t in told} == {
            ("dlg_announced", "email", "mttq@ankhanh.example.vn"),
            ("dlg_announced", "sms", "+84912000111"),
            ("dlg_announced", "email", "hdnd@ankhanh.example.vn"),
        }
        mttq = next(t for t in told if t[4] == "mttq@ankhanh.example.vn")
        assert mttq[6].startswith("Kính gửi Ủy ban Mặt trận Tổ quốc Việt Nam xã An Khánh,")
        assert "Đề nghị Quý cơ quan phối hợp tổ chức" in mttq[6] and "/lich/xa-a" in mttq[6]
        assert "/desk/" not in mttq[6] and "Hội trường xã" in mttq[6] and "từ 08h00 đến 11h00" in mttq[6]

        # Postpone to a new day: told to the office and to the co-organisers, who were told.
        why = "Trùng kỳ họp Hội đồng nhân dân"
        doors.cli("postpone", str(a), "--reason", why, "--date", new_day.isoformat())
        doors.post(
            f"/desk/dialogues/{b}/postpone", {"reason": why, "date": new_day.isoformat(), "version": "2"}
        )
        doors.api_post(f"/api/dialogues/{c}/postpone", {"reason": why, "date": new_day.isoformat()})
        d = same("postpone")
        assert (d["status"], d["date"], d["postponed_from"], d["reason"]) == (
            "planned", new_day.isoformat(), day.isoformat(), why,
        )  # fmt: skip
        assert d["notice_due"] == (new_day - timedelta(days=7)).isoformat()
        assert d["results_due"] == (new_day + timedelta(days=10)).isoformat()
        moved = [t for t in _told(server, a) if t[0] == "dlg_postponed"]
        assert {t[4] for t in moved} >= {"bt@ankhanh.example.vn", "vp@ankhanh.example.vn",
                                         "mttq@ankhanh.example.vn", "hdnd@ankhanh.example.vn"}  # fmt: skip
        subject = moved[0][5]
        assert subject.startswith("[Hoãn hội nghị đối thoại] Đảng ủy xã An Khánh")
        assert f"{day:%d/%m/%Y}" in subject and f"{new_day:%d/%m/%Y}" in subject
        assert f"Lý do: {why}" in moved[0][6]
        event = _event(server, a)
        assert f"DTSTART;TZID=Asia/Ho_Chi_Minh:{new_day:%Y%m%d}T080000" in event
        assert "SEQUENCE:3" in event and "STATUS:CONFIRMED" in event

        # On the new day: held, then its results announced.
        server.set_clock(lambda: now + timedelta(days=30))
        doors.refresh()  # a desk sign-in does not last a month
        doors.cli("record", str(a), "--attendance", "180", "--raised", "25", "--answered", "19")
        doors.post(f"/desk/dialogues/{b}/record", {"held": "1", "attendance": "180", "opinions_raised": "25",
                   "opinions_answered": "19"})  # fmt: skip
        doors.api_post(f"/api/dialogues/{c}/record", {"held": True, "attendance": 180, "opinions_raised": 25,
                       "opinions_answered": 19})  # fmt: skip
        same("record")
        doors.cli("conclude", str(a), "--number", "12/TB-UBND")
        doors.post(f"/desk/dialogues/{b}/conclude", {"number": "12/TB-UBND"})
        doors.api_post(f"/api/dialogues/{c}/conclude", {"number": "12/TB-UBND"})
        d = same("conclude")
        assert (d["status"], d["conclusion_number"], d["results_late"]) == ("held", "12/TB-UBND", False)
        page = doors.desk.get(f"/desk/dialogues/{b}").text
        assert "19 ý kiến được trả lời tại hội nghị" in page and "12/TB-UBND" in page
        listing = doors.desk.get(f"/desk/units/xa-a/dialogues?year={new_day.year}").text
        assert f"/desk/dialogues/{b}" in listing and "chuyên đề" in listing
        # A direction given at the dialogue: its desk page leads back to the dialogue, not a session.
        given = {"content": "Rà soát bồi thường", "agency": "Phòng Kinh tế"}
        direction = doors.api_post(f"/api/dialogues/{b}/directions", given, 201)["id"]
        page = doors.desk.get(f"/desk/directions/{direction}").text
        assert f'href="/desk/dialogues/{b}"' in page and "/desk/sessions/None" not in page

        # The two notices: the desk's bytes are the CLI's; the MTTQ and the supervisor download
        # them as issued; they issue nothing, and another commune's clerk does not see them.
        desks = {"staff_a": doors.desk} | {
            login: server.signed_in(login) for login in ("mttq", "sup", "staff_b")
        }
        for which in ("notice", "conclusion"):
            out = tmp_path / f"{which}.docx"
            doors.cli("document", str(a), f"--{which}", "--out", str(out))
            for login in ("staff_a", "mttq", "sup"):
                r = desks[login].get(f"/desk/dialogues/{a}/{which}.docx")
                assert r.status_code == 200 and _parts(r.content) == _parts(out.read_bytes()), (login, which)
                assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
            for login in ("mttq", "sup"):
                r = desks[login].post(
                    f"/desk/dialogues/{a}/{which}.docx", data={"csrf": page_csrf(desks[login])}
                )
                assert r.status_code == 403
            assert desks["staff_b"].get(f"/desk/dialogues/{a}/{which}.docx").status_code == 404
        # The MTTQ of the province and the supervisor read, without a form; a change is refused.
        for login in ("mttq", "sup"):
            page = desks[login].get(f"/desk/dialogues/{a}")
            assert page.status_code == 200 and "Bồi thường" in page.text
            assert f'href="/desk/dialogues/{a}/notice.docx"' in page.text
            assert '<form method="post" action="/desk/dialogues' not in page.text
            listing = desks[login].get(f"/desk/units/tinh/dialogues?year={new_day.year}")
            assert listing.status_code == 200 and f"/desk/dialogues/{a}" in listing.text
            assert (
                "Đưa vào kế hoạch" not in listing.text
                and "Mở hội nghị đối thoại đột xuất" not in listing.text
            )
            form = {"date": new_day.isoformat(), "topic": "Đất đai", "csrf": page_csrf(desks[login])}
            assert desks[login].post("/desk/units/xa-a/dialogues", data=form).status_code == 403
            r = desks[login].post(f"/desk/dialogues/{a}/postpone", data=form | {"reason": "x"})
            assert r.status_code == 403
        assert desks["staff_b"].get(f"/desk/dialogues/{a}").status_code == 404
        r = doors.desk.post(f"/desk/dialogues/{b}/conclusion.docx", data={"csrf": doors.csrf})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        assert _stored(server, b) == _stored(server, a)  # issued again as stored: nothing changed

        # Triggered by voters (150 of 1000), then postponed with no day yet: CANCELLED in the feed.
        t1 = doors.cli_json("trigger", "--unit", "xa-a", "--topic", "Ô nhiễm", "--asked", "150",
                            "--voters", "1000")["id"]  # fmt: skip
        r = doors.post(
            "/desk/units/xa-a/dialogues/trigger", {"topic": "Ô nhiễm", "asked": "150", "voters": "1000"}
        )
        t2 = int(re.search(r"/desk/dialogues/(\d+)", r.headers["location"]).group(1))
        t3 = doors.api_post("/api/units/xa-a/dialogues/trigger",
                            {"topic": "Ô nhiễm", "asked": 150, "voters": 1000}, 201)["id"]  # fmt: skip
        ids = (t1, t2, t3)
        d = same("trigger")
        assert (d["kind"], d["trigger"], d["voters_asked"], d["voters_total"]) == (
            "adhoc",
            "voters",
            150,
            1000,
        )
        for i, door in zip(ids, ("cli", "desk", "api"), strict=True):
            if door == "cli":
                doors.cli("announce", str(i))
            elif door == "desk":
                doors.post(f"/desk/dialogues/{i}/announce", {"version": "1"})
            else:
                doors.api_post(f"/api/dialogues/{i}/announce", {})
        same("announce triggered")
        doors.cli("postpone", str(t1), "--reason", "Chờ kết quả quan trắc")
        doors.post(f"/desk/dialogues/{t2}/postpone", {"reason": "Chờ kết quả quan trắc", "version": "2"})
        doors.api_post(f"/api/dialogues/{t3}/postpone", {"reason": "Chờ kết quả quan trắc"})
        d = same("postpone, no day")
        assert d["status"] == "postponed"
        moved = next(t for t in _told(server, t1) if t[0] == "dlg_postponed" and t[4].startswith("mttq@"))
        assert "Thời gian tổ chức hội nghị sẽ được thông báo sau." in moved[6]
        event = _event(server, t1)
        assert "STATUS:CANCELLED" in event and "SUMMARY:Hoãn: " in event


def test_a_count_past_the_bound_is_refused_alike_by_every_door(tmp_path: Path) -> None:
    """1,000,000 voters is the most any door takes (rules.parsing.COUNT_MAX): one more is
    refused by the CLI, the desk and the API with the same words, and nothing is written."""
    with serve(tmp_path, edit=_edit) as server:
        doors = Doors(server, tmp_path)
        now = server.now().astimezone(server.config.timezone).replace(tzinfo=None)
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err), pytest.raises(SystemExit) as stopped:
            cli.main(
                ["dialogue", "trigger", "--unit", "xa-a", "--topic", "Ô nhiễm", "--asked", "150",
                 "--voters", "1000001", "--config", doors.config, "--now", now.isoformat(), "--by", "staff_a"]
            )  # fmt: skip
        assert stopped.value.code == 2 and len(err.getvalue().strip().splitlines()) == 1, err.getvalue()
        assert "--voters" in err.getvalue() and "không được quá 1.000.000" in err.getvalue()
        form = {"topic": "Ô nhiễm", "asked": "150", "voters": "1000001", "csrf": doors.csrf}
        r = doors.desk.post("/desk/units/xa-a/dialogues/trigger", data=form)
        assert r.status_code in (400, 422) and "không được quá 1.000.000" in r.text, r.text[:600]
        r = doors.api.post(
            "/api/units/xa-a/dialogues/trigger", json={"topic": "Ô nhiễm", "asked": 150, "voters": 1000001}
        )
        assert r.status_code in (400, 422) and "không được quá 1.000.000" in r.text, r.text
        assert dg.list_dialogues(server.engine) == []
        # The bound itself is taken by each.
        doors.cli_json(
            "trigger", "--unit", "xa-a", "--topic", "Ô nhiễm", "--asked", "150000", "--voters", "1000000"
        )
        doors.post(
            "/desk/units/xa-a/dialogues/trigger", {"topic": "Ô nhiễm", "asked": "150000", "voters": "1000000"}
        )
        doors.api_post(
            "/api/units/xa-a/dialogues/trigger", {"topic": "Ô nhiễm", "asked": 150000, "voters": 1000000}, 201
        )
        assert [d.voters_total for d in dg.list_dialogues(server.engine)] == [1_000_000] * 3
