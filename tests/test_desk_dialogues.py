"""The dialogue conferences on the desk: a clerk plans, announces, records and concludes one
through the forms (CSRF on every POST), and the stored result is the same as the API's for the
same steps (one use case behind both); the MTTQ account and the supervisor read the pages
without a form, and a change from them is refused."""

from __future__ import annotations

import re
from datetime import timedelta

from desk_support import add_mttq, page_csrf, serve

from scheduler.usecases import dialogues as dg

STEPS = ("announce", "record", "conclude")


def _stored(server, dialogue_id):
    d = dg.dialogue_dict(dg.get_dialogue(server.engine, dialogue_id))
    return {k: v for k, v in d.items() if k not in ("id",)}


def test_a_clerk_runs_a_dialogue_through_the_desk_as_through_the_api(tmp_path):
    with serve(tmp_path) as server:
        add_mttq(server)
        today, now = server.today(), server.now()
        day = today + timedelta(days=20)
        form = {"date": day.isoformat(), "time": "08:00-11:00", "topic": "Đất đai, giải phóng mặt bằng",
                "kind": "thematic", "form": "in_person", "place": "Hội trường xã"}  # fmt: skip
        c = server.signed_in("staff_a")
        # Without the form's token, nothing is written.
        r = c.post("/desk/units/xa-a/dialogues", data=form)
        assert r.status_code == 403 and dg.list_dialogues(server.engine) == []
        csrf = page_csrf(c)
        r = c.post("/desk/units/xa-a/dialogues", data=form | {"csrf": csrf})
        assert r.status_code == 303, r.text[:500]
        desk_id = int(re.search(r"/desk/dialogues/(\d+)", r.headers["location"]).group(1))
        page = c.get(r.headers["location"]).text
        assert "Đã đưa hội nghị đối thoại vào kế hoạch." in page and "Ghi thông báo công khai" in page
        api = server.api("staff_a")
        body = {"date": day.isoformat(), "time": "08:00-11:00", "topic": "Đất đai, giải phóng mặt bằng",
                "kind": "thematic", "form": "in_person", "place": "Hội trường xã"}  # fmt: skip
        r = api.post("/api/units/xa-a/dialogues", json=body)
        assert r.status_code == 201, r.text
        api_id = r.json()["id"]
        # Announce today, with what the MTTQ gathered.
        r = c.post(f"/desk/dialogues/{desk_id}/announce",
                   data={"csrf": csrf, "version": "1", "date": today.isoformat(), "mttq_opinions": "14",
                         "mttq_summary": "Bồi thường, tái định cư"})  # fmt: skip
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/dialogues/"), r.text[:500]
        announced = {"date": today.isoformat(), "mttq_opinions": 14}
        announced["mttq_summary"] = "Bồi thường, tái định cư"
        r = api.post(f"/api/dialogues/{api_id}/announce", json=announced)
        assert r.status_code == 200, r.text
        # A refusal shows the page again with why, and changes nothing.
        before = _stored(server, desk_id)
        r = c.post(f"/desk/dialogues/{desk_id}/record", data={"csrf": csrf, "held": "1", "attendance": "5"})
        assert r.status_code == 400 and "chưa diễn ra" in r.text and _stored(server, desk_id) == before
        # On the day: held, then its results announced.
        server.set_clock(lambda: now + timedelta(days=20))
        c = server.signed_in("staff_a")  # a desk sign-in does not last 20 days
        csrf = page_csrf(c)
        r = c.post(f"/desk/dialogues/{desk_id}/record",
                   data={"csrf": csrf, "held": "1", "attendance": "180", "opinions_raised": "25",
                         "opinions_answered": "19"})  # fmt: skip
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/dialogues/"), r.text[:500]
        r = api.post(f"/api/dialogues/{api_id}/record",
                     json={"held": True, "attendance": 180, "opinions_raised": 25, "opinions_answered": 19})
        assert r.status_code == 200, r.text
        r = c.post(f"/desk/dialogues/{desk_id}/conclude", data={"csrf": csrf, "number": "12/TB-UBND"})
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/dialogues/"), r.text[:500]
        r = api.post(f"/api/dialogues/{api_id}/conclude", json={"number": "12/TB-UBND"})
        assert r.status_code == 200, r.text
        assert _stored(server, desk_id) == _stored(server, api_id)
        d = _stored(server, desk_id)
        assert (d["status"], d["attendance"], d["opinions_answered"], d["conclusion_number"]) == (
            "held", 180, 19, "12/TB-UBND",
        )  # fmt: skip
        page = c.get(f"/desk/dialogues/{desk_id}").text
        assert "25" in page and "19 ý kiến được trả lời tại hội nghị" in page and "12/TB-UBND" in page
        listing = c.get(f"/desk/units/xa-a/dialogues?year={day.year}").text
        assert f"/desk/dialogues/{desk_id}" in listing and "chuyên đề" in listing
        # A direction given at the dialogue: its desk page leads back to the dialogue, not a session.
        given = {"content": "Rà soát bồi thường", "agency": "Phòng Kinh tế"}
        r = api.post(f"/api/dialogues/{desk_id}/directions", json=given)
        assert r.status_code == 201, r.text
        page = c.get(f"/desk/directions/{r.json()['id']}")
        assert page.status_code == 200 and f'href="/desk/dialogues/{desk_id}"' in page.text
        assert "/desk/sessions/None" not in page.text and "Hội nghị đối thoại ngày" in page.text
        # The MTTQ of the province and the supervisor read, without a form; a change is refused.
        for login in ("mttq", "sup"):
            other = server.signed_in(login)
            page = other.get(f"/desk/dialogues/{desk_id}")
            assert page.status_code == 200 and "Bồi thường, tái định cư" in page.text
            assert "<form method=\"post\" action=\"/desk/dialogues" not in page.text
            listing = other.get(f"/desk/units/tinh/dialogues?year={day.year}")
            assert listing.status_code == 200 and f"/desk/dialogues/{desk_id}" in listing.text
            assert "Đưa vào kế hoạch" not in listing.text
            r = other.post("/desk/units/xa-a/dialogues", data=form | {"csrf": page_csrf(other)})
            assert r.status_code == 403
        # Another unit's clerk does not see it at all.
        assert server.signed_in("staff_b").get(f"/desk/dialogues/{desk_id}").status_code == 404
