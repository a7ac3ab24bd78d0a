"""``tiepdan plan YEAR`` of a year in use, as an office does it after the Government made a
Saturday a working day: it says what moves, from when to when and why (citing the decision's
``source``), says so when a session moves earlier than announced, and moves a session inside
the posting window (5 working days, Luật Tiếp công dân, Điều 24) only with ``--yes``; the
change messages name the old date, the new date and the reason. ``tick`` never re-plans."""

from __future__ import annotations

from pathlib import Path

from test_outbox_support import (
    TP_HEAD_EMAIL,
    TP_STAFF_EMAIL,
    TP_STAFF_PHONE,
    cli,
    emails_in,
    outbox,
    session_on,
    sessions,
    sms_in,
    write_config,
)

SOURCE = "Công văn 9999/VPCP-KGVX ngày 25/03/2027"
WORKDAY = f'{{ date = "2027-05-15", name = "Làm bù cho thứ Hai 03/05/2027", source = "{SOURCE}" }}'


def _configured(tmp_path: Path) -> Path:
    config = write_config(tmp_path)
    cli(config, "plan", "2027", now="2026-12-20T08:00")
    return config


def _government_adds_the_saturday(config: Path) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("workdays = []", f"workdays = [ {WORKDAY} ]", 1), encoding="utf-8")


def _dates(config: Path) -> dict[int, str]:
    return {s["id"]: s["date"] for s in sessions(config, "thuc-phan")}


def test_a_move_outside_the_window_is_listed_with_its_reason_and_told_with_both_dates(tmp_path):
    config = _configured(tmp_path)
    # Saturday 15/05 rolled to Monday 17/05 when planned.
    sid = session_on(config, "thuc-phan", "2027-05-17")["id"]
    _government_adds_the_saturday(config)

    out = cli(config, "plan", "2027", now="2027-04-01T08:00").out
    assert "dời 1 buổi" in out
    line = next(x for x in out.splitlines() if f"#{sid}" in x)
    assert line == (
        f"- Dời #{sid} Đảng ủy phường Thục Phán: Thứ Hai, ngày 17/05/2027 → Thứ Bảy, ngày 15/05/2027. "
        f"Lý do: thứ Bảy, ngày 15/05/2027 là ngày làm việc: Làm bù cho thứ Hai 03/05/2027 ({SOURCE}) "
        "(sớm hơn ngày đã thông báo)"
    )
    assert _dates(config)[sid] == "2027-05-15"
    assert "cấu hình" not in out

    cli(config, "tick", now="2027-04-01T09:00")
    changed = outbox(config, purpose="changed", session_id=sid)
    assert {(r.channel, r.recipient) for r in changed} >= {
        ("email", TP_HEAD_EMAIL),
        ("email", TP_STAFF_EMAIL),
        ("sms", TP_STAFF_PHONE),
    }
    mails = [m for m in emails_in(tmp_path).values() if m["Subject"].startswith("[Thay đổi lịch]")]
    assert mails
    for m in mails:
        body = m.get_body(("plain",)).get_content()
        assert "thứ Hai, ngày 17/05/2027" in body and "thứ Bảy, ngày 15/05/2027" in body, body
        assert "sớm hơn lịch đã thông báo" in body
        assert SOURCE in body and "cấu hình" not in body
    (text,) = {t for phone, t in sms_in(tmp_path).values() if phone == TP_STAFF_PHONE and "Thay doi" in t}
    assert "17/05/2027" in text and "15/05/2027" in text and "som hon" in text, text

    assert "không thay đổi" in cli(config, "plan", "2027", now="2027-04-01T10:00").out


def test_a_session_inside_the_posting_window_moves_only_with_yes(tmp_path):
    config = _configured(tmp_path)
    sid = session_on(config, "thuc-phan", "2027-05-17")["id"]
    _government_adds_the_saturday(config)
    before = _dates(config)

    # Tuesday 11/05: 17/05 is less than 5 working days away, and so is 15/05.
    dry = cli(config, "plan", "2027", "--dry-run", now="2027-05-11T08:00").out
    assert "chạy thử" in dry and f"#{sid}" in dry
    out = cli(config, "plan", "2027", now="2027-05-11T08:00").out
    line = next(x for x in out.splitlines() if f"#{sid}" in x)
    assert line.startswith(f"- Sẽ dời #{sid} Đảng ủy phường Thục Phán: Thứ Hai, ngày 17/05/2027 → Thứ Bảy")
    assert "(sớm hơn ngày đã thông báo)" in line and "cần --yes" in line
    assert "chạy lại với --yes" in out
    assert _dates(config) == before

    # tick plans ahead only years not planned: it never moves an announced session.
    cli(config, "tick", now="2027-05-11T09:00")
    assert _dates(config) == before
    assert not outbox(config, purpose="changed")

    out = cli(config, "plan", "2027", "--yes", now="2027-05-11T10:00").out
    assert "dời 1 buổi" in out and f"- Dời #{sid}" in out and "sớm hơn ngày đã thông báo" in out
    assert _dates(config)[sid] == "2027-05-15"


def test_plan_takes_the_year_once(tmp_path):
    config = write_config(tmp_path)
    bad = cli(config, "plan", "2027", "--year", "2028", now="2026-12-20T08:00", check=False)
    assert bad.code != 0 and len(bad.err.strip().splitlines()) == 1 and "Traceback" not in bad.err
    assert "thêm" in cli(config, "plan", "--year", "2027", now="2026-12-20T08:00").out
