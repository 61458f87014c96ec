"""The hours ledger over RPC: corrections kept as new entries, certificates by the organiser
that recorded the hours, star levels and exemplar proposals, and the figures."""
from datetime import timedelta

import pytest

from shared import clock
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from tests.integration.volunteer.conftest import (ADMIN, JUNHE_STAFF, TIANBAO_STAFF,
                                                  as_volunteer)


def served_shift(rpc, people, title="背街小巷清洁", hours_ago=3, length=3, staff=JUNHE_STAFF,
                 community="浚河社区", skills=()):
    """A shift that began `hours_ago`, everyone in `people` checked in at its start and out
    now, completed by the organiser."""
    started = clock.now() - timedelta(hours=hours_ago)
    shift = rpc.volunteer.open_shift(staff, title=title, community=community, place="新宇巷",
                                     starts_at=clock.iso(started),
                                     ends_at=clock.iso(started + timedelta(hours=length)),
                                     needed=len(people), skills=list(skills))
    for person in people:
        rpc.volunteer.sign_up(shift["id"], staff, volunteer_id=person["id"])
        rpc.volunteer.check_in(shift["id"], staff, volunteer_id=person["id"],
                               at=clock.iso(started))
        rpc.volunteer.check_out(shift["id"], staff, volunteer_id=person["id"])
    return rpc.volunteer.complete_shift(shift["id"], staff)


def test_a_correction_is_a_new_entry_and_keeps_old_and_new_values(
        volunteer_service, rpc, enrol, service_db, event_tap):
    tap = event_tap("volunteer")
    chen = enrol("陈晓")
    shift = served_shift(rpc, [chen], hours_ago=2, length=4)
    original = rpc.volunteer.list_ledger_entries(volunteer_id=chen["id"])["items"][0]
    assert original["hours"] == 2.0
    me = as_volunteer(chen)

    with pytest.raises(ValidationFailed) as failed:  # no new value
        rpc.volunteer.request_correction(me, volunteer_id=chen["id"], shift_id=shift["id"],
                                         reason="签到晚了")
    assert "hours" in failed.value.fields
    requested = rpc.volunteer.request_correction(
        me, volunteer_id=chen["id"], shift_id=shift["id"], hours=3.5,
        reason="提前一个半小时到场布置,签到晚了")
    assert (requested["state"], requested["old"]["hours"], requested["new"]["hours"]) == (
        "requested", 2.0, 3.5)
    with pytest.raises(Conflict) as refused:
        rpc.volunteer.request_correction(me, volunteer_id=chen["id"], shift_id=shift["id"],
                                         hours=3.0, reason="再申请一次")
    assert refused.value.code == "CORRECTION_PENDING"
    with pytest.raises(Forbidden):  # the volunteer cannot approve it
        rpc.volunteer.approve_correction(requested["id"], me)
    with pytest.raises(Forbidden):  # nor staff of another community
        rpc.volunteer.approve_correction(requested["id"], TIANBAO_STAFF)
    approved = rpc.volunteer.approve_correction(requested["id"], JUNHE_STAFF, note="属实")
    assert approved["state"] == "approved" and approved["entry_id"]

    entries = rpc.volunteer.list_ledger_entries(volunteer_id=chen["id"])["items"]
    assert sorted(e["hours"] for e in entries) == [1.5, 2.0]
    correction = rpc.volunteer.get_ledger_entry(approved["entry_id"])
    assert (correction["corrects"], correction["source"]["kind"], correction["date"]) == (
        original["id"], "correction", original["date"])
    # The original entry is exactly as it was written.
    assert rpc.volunteer.get_ledger_entry(original["id"]) == original
    assert rpc.volunteer.get_volunteer(chen["id"])["total_hours"] == 3.5
    assert rpc.volunteer.volunteer_hours(chen["id"])["services"] == 1
    attendance = rpc.volunteer.get_shift(shift["id"])["assignments"][0]
    assert attendance["credited_hours"] == 3.5
    assert attendance["corrections"][0]["old"]["hours"] == 2.0

    # A second correction, through the entry this time, is rejected with its reason.
    second = rpc.volunteer.request_correction(me, volunteer_id=chen["id"],
                                              entry_id=approved["entry_id"], hours=4,
                                              reason="还应再加半小时")
    assert second["target"] == {"kind": "shift", "shift_id": shift["id"]}
    assert second["old"]["hours"] == 3.5
    rejected = rpc.volunteer.reject_correction(second["id"], JUNHE_STAFF, reason="没有依据")
    assert rejected["state"] == "rejected" and rejected["entry_id"] is None
    with pytest.raises(IllegalTransition):
        rpc.volunteer.approve_correction(second["id"], JUNHE_STAFF)
    assert rpc.volunteer.get_volunteer(chen["id"])["total_hours"] == 3.5
    assert [c["state"] for c in rpc.volunteer.list_corrections(
        volunteer_id=chen["id"])["items"]] == ["rejected", "approved"]
    tap.wait_for("volunteer_hours_correction_decided", lambda d: d["state"] == "rejected")
    assert service_db("volunteer").hours_ledger.count_documents({}) == 2


def test_hours_recorded_by_hand_are_corrected_by_entry(volunteer_service, rpc, enrol):
    liu = enrol("刘芳")
    with pytest.raises(Forbidden):
        rpc.volunteer.record_hours(as_volunteer(liu), volunteer_id=liu["id"],
                                   date=clock.local_date(clock.now()).isoformat(),
                                   content="自己给自己记时长", hours=8, organiser="浚河社区")
    with pytest.raises(ValidationFailed):
        rpc.volunteer.record_hours(JUNHE_STAFF, volunteer_id=liu["id"], date="2026-13-01",
                                   content="孝亲文化节布展", hours=3, organiser="浚河社区")
    entry = rpc.volunteer.record_hours(
        JUNHE_STAFF, volunteer_id=liu["id"], date=(clock.local_date(clock.now()) -
                                                   timedelta(days=3)).isoformat(),
        content="孝亲文化节布展", hours=3, organiser="浚河社区新时代文明实践站", note="纸质签到表补录")
    assert entry["source"]["kind"] == "manual" and entry["recorder"]["name"] == "张永明"
    request = rpc.volunteer.request_correction(as_volunteer(liu), volunteer_id=liu["id"],
                                               entry_id=entry["id"], hours=2,
                                               reason="实际只服务了两小时")
    assert request["target"] == {"kind": "entry", "entry_id": entry["id"]}
    approved = rpc.volunteer.approve_correction(request["id"], JUNHE_STAFF)
    assert rpc.volunteer.get_ledger_entry(approved["entry_id"])["hours"] == -1.0
    assert rpc.volunteer.get_volunteer(liu["id"])["total_hours"] == 2.0


def test_certificates_are_issued_by_the_recording_body_and_verifiable(
        volunteer_service, rpc, enrol, event_tap):
    tap = event_tap("volunteer")
    chen = enrol("陈晓")
    served_shift(rpc, [chen], title="文明交通劝导", hours_ago=2, length=3)
    today = clock.local_date(clock.now())
    rpc.volunteer.record_hours(ADMIN, volunteer_id=chen["id"],
                               date=(today - timedelta(days=40)).isoformat(),
                               content="重阳节敬老活动", hours=4, organiser="浚河社区")
    rpc.volunteer.record_hours(ADMIN, volunteer_id=chen["id"], date=today.isoformat(),
                               content="天宝社区义诊", hours=5, organiser="天宝社区")
    period = {"from_date": (today - timedelta(days=30)).isoformat(),
              "to_date": today.isoformat()}

    with pytest.raises(Forbidden):
        rpc.volunteer.issue_certificate(as_volunteer(chen), volunteer_id=chen["id"],
                                        issuer="浚河社区", **period)
    with pytest.raises(Conflict) as refused:
        rpc.volunteer.issue_certificate(JUNHE_STAFF, volunteer_id=chen["id"],
                                        issuer="广陵街道", **period)
    assert refused.value.code == "NO_SERVICE_HOURS"
    cert = rpc.volunteer.issue_certificate(JUNHE_STAFF, volunteer_id=chen["id"],
                                           issuer="浚河社区", **period)
    # Only 浚河社区's own entries within the period: not 天宝社区's, not the one 40 days ago.
    assert (cert["total_hours"], cert["services"]) == (2.0, 1)
    assert [line["content"] for line in cert["lines"]] == ["文明交通劝导"]
    assert cert["number"].startswith(f"ZYFW-{today.year}-000001-")

    check = rpc.volunteer.verify_certificate(cert["number"].lower())
    assert check["valid"] and check["volunteer_name"] == "陈晓"
    assert check["total_hours"] == 2.0 and check["issuer"] == "浚河社区"
    assert "*" in check["id_number_masked"]
    with pytest.raises(NotFound) as missing:
        rpc.volunteer.verify_certificate(cert["number"][:-4] + "AAAA")
    assert missing.value.code == "CERTIFICATE_NOT_FOUND"

    page = rpc.volunteer.render_certificate(cert["number"])
    assert page["content_type"] == "text/html; charset=utf-8"
    html = page["html"]
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for text in ("志愿服务记录证明", cert["number"], "陈晓", "文明交通劝导", "浚河社区", "特此证明"):
        assert text in html
    assert "作废" not in html
    assert "<svg" not in html  # no check address given, no QR code
    checked = rpc.volunteer.render_certificate(
        cert["number"], check_url=f"https://xiuhua.example.gov.cn/public/certificates/{cert['number']}")
    assert "<svg" in checked["html"] and "扫码核验本证明" in checked["html"]
    with pytest.raises(ValidationFailed):
        rpc.volunteer.render_certificate(cert["number"], check_url="javascript:alert(1)")

    revoked = rpc.volunteer.revoke_certificate(cert["number"], ADMIN, reason="出具有误")
    assert revoked["state"] == "revoked"
    assert rpc.volunteer.verify_certificate(cert["number"])["valid"] is False
    assert "已作废" in rpc.volunteer.render_certificate(cert["number"])["html"] or \
        "作废" in rpc.volunteer.render_certificate(cert["number"])["html"]
    with pytest.raises(IllegalTransition):
        rpc.volunteer.revoke_certificate(cert["number"], ADMIN, reason="再次作废")
    listed = rpc.volunteer.list_certificates(volunteer_id=chen["id"])
    assert [c["number"] for c in listed["items"]] == [cert["number"]]
    issued = tap.wait_for("volunteer_certificate_issued")
    assert issued["data"]["total_hours"] == 2.0
    tap.wait_for("volunteer_certificate_revoked")


def test_star_levels_and_commendations_propose_an_exemplar_once(
        volunteer_service, rpc, enrol, event_tap):
    tap = event_tap("volunteer")
    with pytest.raises(ValidationFailed):
        rpc.volunteer.set_recognition_rules(ADMIN, star_thresholds=[5, 2])
    with pytest.raises(Forbidden):
        rpc.volunteer.set_recognition_rules(JUNHE_STAFF, star_thresholds=[2, 5])
    rules = rpc.volunteer.set_recognition_rules(ADMIN, star_thresholds=[2, 5],
                                                exemplar_from_star=2,
                                                commendations_for_exemplar=2)
    assert rules["levels"] == [{"level": 1, "name": "一星级志愿者", "hours": 2.0},
                               {"level": 2, "name": "二星级志愿者", "hours": 5.0}]
    chen = enrol("陈晓")
    today = clock.local_date(clock.now()).isoformat()

    def record(hours):
        rpc.volunteer.record_hours(ADMIN, volunteer_id=chen["id"], date=today,
                                   content="环境整治", hours=hours, organiser="浚河社区")
    record(3)
    assert rpc.volunteer.get_volunteer(chen["id"])["star_name"] == "一星级志愿者"
    record(3)
    record(1)
    person = rpc.volunteer.get_volunteer(chen["id"])
    assert (person["star_level"], person["total_hours"]) == (2, 7.0)
    assert [p["reason"] for p in person["exemplar_proposals"]] == [
        "成为二星级志愿者,累计志愿服务 6 小时"]

    rpc.volunteer.commend_volunteer(chen["id"], JUNHE_STAFF, reason="雨夜帮助疏通积水")
    commended = rpc.volunteer.commend_volunteer(chen["id"], ADMIN, reason="获评身边好人")
    assert len(commended["commendations"]) == 2
    rpc.volunteer.commend_volunteer(chen["id"], ADMIN, reason="再次获表扬")

    proposal = tap.wait_for("volunteer_exemplar_proposed",
                            lambda d: d["trigger"] == "commendations")
    assert proposal["data"]["commendations"] == 2 and proposal["data"]["star_level"] == 2
    tap.types()
    stars = [b["data"]["star_level"] for b in tap.seen
             if b["type"] == "volunteer_star_level_reached"]
    assert stars == [1, 2]
    proposals = [b["data"] for b in tap.seen if b["type"] == "volunteer_exemplar_proposed"]
    assert [(p["trigger"], p["name"], p["community"]) for p in proposals] == [
        ("star_level", "陈晓", "浚河社区"), ("commendations", "陈晓", "浚河社区")]


def test_figures_by_community_team_skill_and_period(volunteer_service, rpc, enrol):
    rpc.volunteer.save_team(ADMIN, code="red_vest", name="红马甲服务队", community="浚河社区")
    chen = enrol("陈晓", skills=["medical"], team="red_vest")
    zhou = enrol("周医生", skills=["medical", "first_aid"])
    wang = enrol("王律师", community="天宝社区", skills=["legal"])
    enrol("待审核", approve=False)
    rpc.volunteer.suspend_volunteer(zhou["id"], ADMIN, reason="外出务工")
    served_shift(rpc, [chen], title="义诊", hours_ago=2, length=3, skills=["medical"])
    served_shift(rpc, [wang], title="法律咨询", hours_ago=3, length=4, staff=TIANBAO_STAFF,
                 community="天宝社区")
    month = clock.month_key(clock.now())
    rpc.volunteer.record_hours(ADMIN, volunteer_id=chen["id"],
                               date=clock.local_date(clock.now()).isoformat(),
                               content="文明宣传", hours=1, organiser="浚河社区")

    stats = rpc.volunteer.volunteer_statistics(period=month)
    totals = stats["totals"]
    assert totals["volunteers"]["registered"] == 4 and totals["volunteers"]["active"] == 2
    assert totals["volunteers"]["by_state"]["suspended"] == 1
    assert totals["volunteers"]["by_state"]["pending"] == 1
    assert (totals["hours"], totals["services"], totals["serving_volunteers"]) == (6.0, 3, 2)
    assert totals["new_registrations"] == 4
    assert stats["period"] == {"from_month": month, "to_month": month}

    by_community = {g["community"]: g for g in rpc.volunteer.volunteer_statistics(
        period=month[:4], group_by=["community"])["groups"]}
    assert by_community["浚河社区"]["hours"] == 3.0
    assert by_community["浚河社区"]["serving_volunteers"] == 1
    assert by_community["天宝社区"]["volunteers"]["active"] == 1
    by_team = {g["team"]: g for g in rpc.volunteer.volunteer_statistics(
        group_by=["team"])["groups"]}
    assert by_team["red_vest"]["hours"] == 3.0 and by_team[""]["hours"] == 3.0
    by_skill = {g["skill"]: g for g in rpc.volunteer.volunteer_statistics(
        period=month, group_by=["skill"])["groups"]}
    # Active volunteers with the skill, and hours of shifts that asked for it.
    assert by_skill["medical"]["volunteers"] == {"active": 1}
    assert (by_skill["medical"]["hours"], by_skill["medical"]["skill_name"]) == (2.0, "医疗卫生")
    assert by_skill["legal"]["hours"] == 0 and by_skill["legal"]["volunteers"]["active"] == 1
    medical = rpc.volunteer.volunteer_statistics(skill="medical")["totals"]
    assert medical["hours"] == 2.0 and medical["serving_volunteers"] is None
    by_month = rpc.volunteer.volunteer_statistics(period=month[:4], group_by=["month"])
    assert [(g["month"], g["hours"], g["serving_volunteers"]) for g in by_month["groups"]] \
        == [(month, 6.0, 2)]
    ranged = rpc.volunteer.volunteer_statistics(from_month=f"{int(month[:4]) - 1}-12",
                                                to_month=month)
    assert ranged["totals"]["serving_volunteers"] == 2
    with pytest.raises(ValidationFailed):
        rpc.volunteer.volunteer_statistics(group_by=["colour"])


def test_the_queries_behind_lists_and_figures_use_indexes(volunteer_service, service_db,
                                                          enrol, rpc):
    """Fast at 100k records means no collection scans: each common query is answered from an
    index (or from a few counter documents)."""
    enrol("陈晓")
    db = service_db("volunteer")
    checks = [
        (db.volunteers, {"community": "浚河社区", "state": "active"}),
        (db.volunteers, {"registration_key": "x"}),
        (db.volunteers, {"state": "active", "slots": "1:morning"}),
        (db.volunteers, {"state": "active"}),
        (db.shifts, {"volunteers": "V1", "starts_at": {"$lt": clock.now()}}),
        (db.shifts, {"state": "open", "ends_at": {"$lte": clock.now()}}),
        (db.hours_ledger, {"volunteer_id": "V1", "organiser": "浚河社区",
                           "date": {"$gte": "2026-01-01"}}),
        (db.hours_ledger, {"key": "shift:S1:V1"}),
        (db.hours_stats, {"month": {"$gte": "2026-01", "$lte": "2026-12"}}),
        (db.served_stats, {"kind": "month", "key": {"$gte": "2026-01"}}),
        (db.served_markers, {"kind": "month", "key": {"$gte": "2026-01", "$lte": "2026-03"}}),
    ]
    for collection, query in checks:
        plan = str(collection.find(query).explain()["queryPlanner"]["winningPlan"])
        assert "IXSCAN" in plan and "COLLSCAN" not in plan, (collection.name, query, plan)
