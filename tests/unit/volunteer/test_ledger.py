"""The hours ledger, certificates, the printable page and the figures, without I/O."""
from datetime import date, datetime, timezone

import pytest

from services.volunteer import certificate, figures, ledger
from services.volunteer.domain import Volunteer
from shared.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed

AT = datetime(2026, 6, 30, 8, 0, tzinfo=timezone.utc)
STAFF = {"id": "s1", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
CHEN = Volunteer(id="V1", name="陈晓", community="浚河社区", registered_at=AT, team="red_vest",
                 id_number={"sealed": "x", "masked": "341***********0012", "fingerprint": "f"})


def entry(entry_id, day, hours, organiser="浚河社区", corrects=None, content="环境整治",
          skills=()):
    made = ledger.ledger_entry(entry_id, f"k-{entry_id}", CHEN, day, content, hours, organiser,
                               STAFF, AT, {"kind": "manual"}, skills, corrects=corrects)
    return made


def test_an_entry_names_everything_the_rules_ask_for():
    made = entry("E1", "2026-03-07", 2.5, skills=["medical"])
    assert {k: made[k] for k in ("volunteer_id", "volunteer_name", "date", "month", "content",
                                 "hours", "organiser")} == {
        "volunteer_id": "V1", "volunteer_name": "陈晓", "date": "2026-03-07",
        "month": "2026-03", "content": "环境整治", "hours": 2.5, "organiser": "浚河社区"}
    assert made["recorder"] == {"id": "s1", "name": "张永明", "role": "community_staff"}
    assert ledger.entry_stat_changes(made) == {"hours": 2.5, "services": 1,
                                               "skill_hours.medical": 2.5,
                                               "skill_services.medical": 1}
    for hours in (0, -1, 25):
        with pytest.raises(ValidationFailed):
            entry("E2", "2026-03-07", hours)
    correction = entry("E3", "2026-03-07", -0.5, corrects="E1")
    assert ledger.entry_stat_changes(correction) == {"hours": -0.5, "services": 0}
    event_type, data = ledger.credited_event(correction, 2.0)
    assert event_type.name == "volunteer_hours_credited"
    assert (data["corrects"], data["total_hours"], data["recorder_name"]) == ("E1", 2.0, "张永明")


def test_corrections_fold_into_the_entry_they_correct():
    lines = ledger.net_lines([entry("E1", "2026-03-07", 2), entry("E2", "2026-04-01", 3),
                              entry("E3", "2026-03-07", 1.5, corrects="E1"),
                              entry("E4", "2026-04-01", -3, corrects="E2")])
    assert [(line["entry_id"], line["hours"]) for line in lines] == [("E1", 3.5)]


def test_a_certificate_counts_only_the_issuers_entries_in_the_period():
    entries = [entry("E1", "2026-03-07", 2), entry("E2", "2026-05-01", 3),
               entry("E3", "2026-05-02", 4, organiser="天宝社区"),
               entry("E4", "2025-12-31", 6), entry("E5", "2026-05-01", -1, corrects="E2")]
    cert = ledger.certificate("ZYFW-2026-000001-ABCD", CHEN, "浚河社区", date(2026, 1, 1),
                              date(2026, 6, 30), entries, STAFF, AT)
    assert (cert["total_hours"], cert["services"]) == (4.0, 2)
    assert [line["date"] for line in cert["lines"]] == ["2026-03-07", "2026-05-01"]
    assert cert["id_number_masked"] == "341***********0012" and cert["state"] == "valid"
    with pytest.raises(Conflict):
        ledger.certificate("n", CHEN, "广陵街道", date(2026, 1, 1), date(2026, 6, 30),
                           entries, STAFF, AT)
    with pytest.raises(ValidationFailed):
        ledger.certificate("n", CHEN, "浚河社区", date(2026, 6, 30), date(2026, 1, 1),
                           entries, STAFF, AT)
    with pytest.raises(Forbidden):
        ledger.certificate("n", CHEN, "浚河社区", date(2026, 1, 1), date(2026, 6, 30),
                           entries, {"id": "V1", "name": "陈晓", "role": "volunteer"}, AT)
    event_type, data = ledger.revoke_certificate(cert, STAFF, AT, "出具有误")
    assert event_type.name == "volunteer_certificate_revoked" and cert["state"] == "revoked"
    with pytest.raises(IllegalTransition):
        ledger.revoke_certificate(cert, STAFF, AT, "再次作废")


def test_numbers_and_periods():
    assert ledger.certificate_number(2026, 123, "K7QF") == "ZYFW-2026-000123-K7QF"
    assert ledger.period_keys("2026-08") == ["2026-08", "2026-Q3", "2026", "all"]


def present(**extra):
    return {"number": "ZYFW-2026-000001-ABCD", "volunteer_id": "V1", "volunteer_name": "陈晓",
            "id_number_masked": "341***********0012", "community": "浚河社区",
            "issuer": "浚河社区", "from_date": "2026-01-01", "to_date": "2026-06-30",
            "total_hours": 12.5, "services": 2,
            "lines": [{"entry_id": "E1", "date": "2026-03-07", "content": "背街小巷清洁",
                       "hours": 2.5, "organiser": "浚河社区"},
                      {"entry_id": "E2", "date": "2026-05-01", "content": "孝亲文化节",
                       "hours": 10.0, "organiser": "浚河社区"}],
            "issued_by": {"id": "s1", "name": "张永明", "role": "community_staff"},
            "issued_at": "2026-06-30T08:00:00.000+00:00", "state": "valid",
            "state_name": "有效", "revoked_at": None, "revoked_by": None,
            "revoke_reason": None, **extra}


def test_the_printable_certificate_is_a_whole_page_in_chinese():
    html = certificate.render(present())
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert html.rstrip().endswith("</html>") and '<meta charset="utf-8">' in html
    assert "@page { size: A4" in html
    for text in ("志愿服务记录证明", "证明编号:ZYFW-2026-000001-ABCD", "兹证明 <strong>陈晓</strong>",
                 "2026年1月1日 至 2026年6月30日", "志愿服务活动 2 次", "<strong>12.5 小时</strong>",
                 "2026年3月7日", "背街小巷清洁", "<td class=\"hours\">10</td>", "特此证明",
                 "出具单位:浚河社区", "出具日期:2026年6月30日", "谁组织谁记录、谁记录谁证明"):
        assert text in html, text
    assert "作废" not in html


def test_the_certificate_page_escapes_what_people_typed_and_shows_revocation():
    html = certificate.render(present(
        volunteer_name="<script>alert(1)</script>", state="revoked", state_name="已作废",
        revoked_at="2026-07-01T02:00:00.000+00:00", revoke_reason="出具有误 & 重开",
        lines=[{"entry_id": "E1", "date": "2026-03-07", "content": "<b>清洁</b>",
                "hours": 2.5, "organiser": "浚河社区"}]))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>清洁</b>" not in html and "&lt;b&gt;清洁&lt;/b&gt;" in html
    assert "本证明已于2026年7月1日作废(出具有误 &amp; 重开)" in html


def snapshot(community, team="", **counts):
    return {"community": community, "team": team, "counts": counts}


def monthly(month, community, team="", **counts):
    return {"month": month, "community": community, "team": team, "counts": counts}


def test_figures_sum_counters_into_totals_and_groups():
    snap = [snapshot("浚河社区", **{"state.active": 3, "state.pending": 1, "state.rejected": 2,
                                  "star.0": 2, "star.1": 1, "skill.medical": 2}),
            snapshot("天宝社区", "red", **{"state.active": 1, "star.0": 1, "skill.legal": 1})]
    hours = [monthly("2026-03", "浚河社区", hours=10, services=4, registered=2,
                     **{"skill_hours.medical": 6, "skill_services.medical": 2}),
             monthly("2026-04", "浚河社区", hours=2.5, services=1),
             monthly("2026-04", "天宝社区", "red", hours=3, services=1, registered=1)]
    result = figures.roll_up(snap, hours, 3, {("浚河社区",): 2, ("天宝社区",): 1},
                             ("community",))
    totals = result["totals"]
    assert totals["volunteers"] == {"registered": 5, "active": 4, "by_state": {
        "pending": 1, "active": 4, "suspended": 0, "rejected": 2, "withdrawn": 0},
        "by_star": {"0": 3, "1": 1}}
    assert (totals["hours"], totals["services"], totals["new_registrations"],
            totals["serving_volunteers"]) == (15.5, 6, 3, 3)
    assert [(g["community"], g["hours"], g["serving_volunteers"], g["volunteers"]["active"])
            for g in result["groups"]] == [("天宝社区", 3, 1, 1), ("浚河社区", 12.5, 2, 3)]

    by_month = figures.roll_up(snap, hours, 3, None, ("month",))
    assert [(g["month"], g["hours"], g["volunteers"]) for g in by_month["groups"]] == [
        ("2026-03", 10, None), ("2026-04", 5.5, None)]
    by_skill = figures.roll_up(snap, hours, None, None, ("skill",))
    assert [(g["skill"], g["skill_name"], g["volunteers"], g["hours"], g["services"])
            for g in by_skill["groups"]] == [("legal", "法律服务", {"active": 1}, 0, 0),
                                             ("medical", "医疗卫生", {"active": 2}, 6, 2)]
    medical = figures.roll_up(snap, hours, None, skill="medical")["totals"]
    assert (medical["volunteers"], medical["hours"], medical["new_registrations"]) == (
        {"active": 2}, 6, None)
    assert figures.roll_up([], [], 0)["totals"]["hours"] == 0
