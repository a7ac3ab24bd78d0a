"""The dialogue rules: the 7-day notice and 10-day results deadlines of Luật 72/2025/QH15 Điều
43, the voters' 10 % trigger, the yearly findings and the at-risk alerts before the year ends."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rules import Person
from rules.dialogues import (
    DEFAULT_CO_ORGANISERS,
    DIALOGUE_LIMITS,
    PRESETS,
    DialogueFact,
    DialogueMandate,
    co_organiser_contacts,
    dialogue_findings,
    dialogue_risks,
    judged_years,
    notice_due,
    notice_late,
    results_due,
    voters_request_binding,
    voters_threshold,
)

LAW = PRESETS["law-72-2025"]
D = date.fromisoformat


def test_a_dialogue_on_20_june_2027_is_announced_by_13_june_and_its_results_by_30_june():
    assert notice_due(D("2027-06-20")) == D("2027-06-13")  # a Sunday: not moved, the law counts days
    assert results_due(D("2027-06-20")) == D("2027-06-30")
    assert not notice_late(D("2027-06-20"), D("2027-06-13"))
    assert notice_late(D("2027-06-20"), D("2027-06-14"))


def test_the_deadlines_are_dated_data_with_their_basis():
    for lim in DIALOGUE_LIMITS:
        assert "72/2025/QH15" in lim.basis and "Điều 43" in lim.basis
        assert lim.since == D("2025-06-16") and lim.in_force(D("2027-06-20"))
    assert DialogueMandate(1, "year", LAW.basis) == LAW and "Điều 43" in LAW.basis


@given(st.dates(min_value=D("2025-07-01"), max_value=D("2099-12-31")))
def test_notice_is_seven_days_before_and_results_ten_days_after(d):
    assert (d - notice_due(d)).days == 7 and (results_due(d) - d).days == 10


@given(st.integers(1, 10**7), st.data())
def test_ten_percent_of_voters_binds_and_one_fewer_does_not(voters, data):
    need = voters_threshold(voters)
    assert need * 10 >= voters and (need - 1) * 10 < voters  # 10 %, rounded up
    asked = data.draw(st.integers(0, voters))
    assert voters_request_binding(asked, voters) == (asked >= need)


def test_a_commune_with_no_dialogue_in_2027_is_a_finding_and_a_planned_one_is_not():
    mandates = {"xa-a": LAW, "xa-b": LAW}
    facts = [DialogueFact("xa-b", D("2027-06-20"), "planned"), DialogueFact("xa-a", D("2026-06-20"), "held")]
    (f,) = dialogue_findings(mandates, facts, D("2027-01-01"), D("2027-12-31"))
    assert (f.unit, f.period, f.required, f.scheduled, f.held) == ("xa-a", "2027", 1, 0, 0)
    assert f.as_json()["kind"] == "dialogue" and "0/1 hội nghị đối thoại" in f.message


def test_postponed_and_not_held_dialogues_do_not_count():
    mandates = {"xa-a": LAW}
    for status in ("postponed", "not_held"):
        facts = [DialogueFact("xa-a", D("2027-06-20"), status)]
        assert len(dialogue_findings(mandates, facts, D("2027-01-01"), D("2027-12-31"))) == 1
    facts = [DialogueFact("xa-a", D("2027-06-20"), "held")]
    assert dialogue_findings(mandates, facts, D("2027-01-01"), D("2027-12-31")) == []


def test_only_whole_years_are_judged_and_a_province_may_ask_for_more():
    assert judged_years(D("2027-01-02"), D("2028-12-31")) == [2028]
    assert judged_years(D("2027-01-01"), D("2027-12-30")) == []
    two = {"tinh": DialogueMandate(2, "year", "Quy chế của Tỉnh ủy")}
    facts = [DialogueFact("tinh", D("2027-03-01"), "held")]
    (f,) = dialogue_findings(two, facts, D("2027-01-01"), D("2027-12-31"))
    assert (f.required, f.scheduled, f.held) == (2, 1, 1)


@given(st.dates(min_value=D("2027-01-01"), max_value=D("2027-12-31")))
def test_at_risk_only_in_the_last_quarter_and_only_when_short(today):
    risks = dialogue_risks({"xa-a": LAW}, [], today)
    left = (D("2027-12-31") - today).days
    assert bool(risks) == (left <= 92)
    held = [DialogueFact("xa-a", today - timedelta(days=0), "held")]
    assert dialogue_risks({"xa-a": LAW}, held, today) == []


def test_the_risk_key_changes_with_the_stage_not_with_each_day():
    keys = {
        dialogue_risks({"xa-a": LAW}, [], D("2027-12-31") - timedelta(days=n))[0].key for n in range(0, 93)
    }
    assert len(keys) == 3  # a quarter, a month, a fortnight before the year's end


def test_the_default_co_organisers_name_the_configured_ones_by_their_first_words():
    mttq = Person("Ủy ban Mặt trận Tổ quốc Việt Nam phường Thục Phán", email="mttq@tp.vn")
    hdnd = Person("Thường trực Hội đồng nhân dân phường Thục Phán", phone="+84912000111")
    other = Person("Hội Nông dân phường Thục Phán", email="hnd@tp.vn")
    people = (mttq, hdnd, other)
    assert co_organiser_contacts(DEFAULT_CO_ORGANISERS, people) == (mttq, hdnd)
    assert co_organiser_contacts(["ủy ban mặt trận tổ quốc việt nam phường thục phán"], people) == (mttq,)
    assert co_organiser_contacts(["Ủy ban Mặt trận"], people) == (mttq,)  # its first words
    assert co_organiser_contacts(["Mặt trận Tổ quốc"], people) == ()  # not a prefix: no guess
    assert co_organiser_contacts([], people) == ()
