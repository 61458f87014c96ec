"""Job seekers and their personal data, matching, applications, interviews, placements with
their follow-ups, and the figures, over RPC against the real broker and SecantusDB."""
import pytest
from nameko.testing.services import entrypoint_hook

from services.job.service import JobService
from shared import clock
from shared.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from shared.events.volunteer import PLACEMENT_FOLLOW_UP_RECORDED
from tests.conftest import wait_until
from tests.integration.job.conftest import (ADMIN, JUBAO_ROAD, RESIDENT, STAFF, TOY_WORKSHOP,
                                            days_ago, in_days, north_of_home, window)

GRANDMOTHER = {
    "name": "胡明英", "community": "天宝社区", "phone": "13812345678",
    "id_number": "341181196503120021", "address": "聚宝路附近(租住)",
    "home_location": JUBAO_ROAD, "skills": ["手工", "缝纫"], "hours_preset": "school_hours",
    "max_distance_km": 2, "expected_monthly_pay": 2000, "consent": True,
    "note": "每天接送孙女上学"}


def employer(rpc, name, community="天宝社区", km=0.5, sector="retail", alley="聚宝路"):
    return rpc.job.register_employer(STAFF, **{
        **TOY_WORKSHOP, "name": name, "community": community, "sector": sector,
        "alley": alley, "location": north_of_home(km), "address": f"{name}门店"})["employer_id"]


def post(rpc, employer_id, title, **fields):
    return rpc.job.publish_job_posting(STAFF, employer_id=employer_id, title=title,
                                       description=title, valid_through=in_days(30),
                                       **fields)["posting_id"]


def the_days_postings(rpc):
    """What 天宝社区's screen might carry on one day; returns the toy workshop's posting."""
    toy = post(rpc, rpc.job.register_employer(STAFF, **TOY_WORKSHOP)["employer_id"],
               "毛绒玩具手工缝制", employment_type="PART_TIME", hours_flexible=True,
               salary={"min": 1800, "max": 2200, "piece_rate": True}, openings=1,
               skills=["手工缝纫"])
    post(rpc, employer(rpc, "天宝超市", km=0.8), "理货员", employment_type="FULL_TIME",
         work_schedule=[window(range(1, 8), "07:00", "14:00")],
         salary={"min": 2600, "max": 3000}, openings=2)
    # Registered where its hiring office is, in 仁和社区; the work is at the factory, 8 km off.
    post(rpc, employer(rpc, "开发区汽车零部件厂", "仁和社区", km=1, sector="manufacturing",
                       alley="仁和巷"),
         "普工", employment_type="FULL_TIME", openings=20, skills=["缝纫"],
         address="经济开发区纬一路", location=north_of_home(8),
         work_schedule=[window(range(1, 7), "08:00", "17:30")], salary={"min": 4500, "max": 5500})
    post(rpc, employer(rpc, "聚宝路小吃店", km=0.5, sector="catering"), "服务员",
         employment_type="PART_TIME", salary={"min": 2200}, openings=1,
         work_schedule=[window(range(1, 8), "10:30", "13:30"),
                        window(range(1, 8), "17:00", "20:00")])
    post(rpc, employer(rpc, "天宝便利店", km=0.2), "收银员", employment_type="PART_TIME",
         hours_flexible=True, salary={"min": 1200}, openings=1)
    post(rpc, employer(rpc, "城南快递分拨点", km=1.5, sector="logistics"), "快递分拣",
         employment_type="TEMPORARY", work_schedule=[window(range(1, 8), "20:00", "02:00")],
         salary={"min": 150, "unit": "DAY"}, openings=5)
    return toy


def test_personal_data_is_sealed_masked_and_revealed_only_with_an_audit_entry(
        job, rpc, service_db):
    seeker = rpc.job.register_seeker(STAFF, **GRANDMOTHER)
    assert (seeker["phone_masked"], seeker["id_number_masked"]) == (
        "138****5678", "341***********0021")
    assert seeker["available_hours_text"] == "周一至周五 8:30–16:00"
    db = service_db("job")
    stored = str(db.job_seekers.find_one({"_id": seeker["seeker_id"]}))
    assert "13812345678" not in stored and "341181196503120021" not in stored
    with pytest.raises(Conflict) as again:
        rpc.job.register_seeker(STAFF, **{**GRANDMOTHER, "name": "胡明英(重复)"})
    assert again.value.code == "SEEKER_ALREADY_REGISTERED"
    with pytest.raises(ValidationFailed) as failed:
        rpc.job.register_seeker(STAFF, **{**GRANDMOTHER, "id_number": "34118119650312002X",
                                          "consent": False})
    assert failed.value.fields == {"id_number": ["不是有效的身份证号码。"],
                                   "consent": ["须经本人同意,方可登记和使用其个人信息。"]}
    assert [s["seeker_id"] for s in rpc.job.list_seekers(phone="13812345678")["items"]] == [
        seeker["seeker_id"]]

    for who in (RESIDENT, {**STAFF, "community": "浚河社区"}):
        with pytest.raises(Forbidden):
            rpc.job.reveal_seeker_contact(seeker["seeker_id"], who, purpose="推荐岗位需联系本人")
    assert db.audit_log.count_documents({}) == 0
    revealed = rpc.job.reveal_seeker_contact(seeker["seeker_id"], STAFF,
                                             purpose="推荐岗位需联系本人")
    assert (revealed["phone"], revealed["id_number"]) == ("13812345678", "341181196503120021")
    audit = db.audit_log.find_one()
    assert (audit["record_type"], audit["purpose"], audit["actor"]["id"]) == (
        "job_seeker", "推荐岗位需联系本人", "u-li")


def test_the_grandmother_is_matched_to_the_flexible_toy_workshop_job_first(job, rpc):
    toy = the_days_postings(rpc)
    hu = rpc.job.register_seeker(STAFF, **GRANDMOTHER)["seeker_id"]
    young = rpc.job.register_seeker(STAFF, **{
        **GRANDMOTHER, "name": "王小军", "phone": "13700001111", "id_number": None,
        "skills": ["叉车"], "hours_preset": None, "expected_monthly_pay": 5000,
        "employment_types": ["FULL_TIME"], "home_location": north_of_home(6)})["seeker_id"]

    matches = rpc.job.match_postings_for_seeker(hu, limit=3)
    assert [m["posting"]["title"] for m in matches][0] == "毛绒玩具手工缝制"
    best = matches[0]
    assert best["posting"]["posting_id"] == toy and best["score"] > matches[1]["score"] + 15
    assert best["reasons"] == ["工作时间灵活,可按个人时间安排", "距家约 300 米,同在天宝社区",
                               "技能相符:手工缝纫", "月收入约 1800–2200 元,与期望的 2000 元相当"]
    assert [m["posting"]["title"] for m in rpc.job.match_postings_for_seeker(young)][0] == "普工"

    people = rpc.job.match_seekers_for_posting(toy)
    assert [p["seeker"]["name"] for p in people] == ["胡明英", "王小军"]
    assert people[0]["seeker"]["phone_masked"] == "138****5678"
    assert "13812345678" not in str(people)


def test_from_application_to_stable_employment_with_follow_ups_and_figures(
        job, rpc, event_tap, service_db):
    tap = event_tap("job")
    toy = the_days_postings(rpc)
    hu = rpc.job.register_seeker(STAFF, **GRANDMOTHER)["seeker_id"]
    application = rpc.job.apply_for_job(RESIDENT, posting_id=toy, seeker_id=hu, channel="screen")
    assert (application["state_name"], application["channel_name"]) == ("已报名", "电子屏看到")
    with pytest.raises(Conflict):
        rpc.job.apply_for_job(STAFF, posting_id=toy, seeker_id=hu)
    assert rpc.job.match_postings_for_seeker(hu, limit=1)[0]["application_id"] == \
        application["application_id"]
    app_id = application["application_id"]
    rpc.job.schedule_interview(app_id, STAFF, scheduled_at=in_days(1), place="聚宝路12号加工点")
    with pytest.raises(IllegalTransition):
        rpc.job.hire_applicant(app_id, STAFF, started_on=days_ago(200))
    rpc.job.record_interview_result(app_id, STAFF, result="passed", note="手工细致")
    # She started some 200 days ago: all three follow-ups have fallen due.
    placement = rpc.job.hire_applicant(app_id, STAFF, started_on=days_ago(200), monthly_pay=2000)
    assert placement["state_name"] == "在岗" and len(placement["follow_ups"]) == 3
    assert rpc.job.get_seeker(hu)["state"] == "placed"
    assert rpc.job.get_job_posting(toy)["state"] == "filled"  # its one opening is taken
    assert rpc.job.get_application(app_id)["placement_id"] == placement["placement_id"]

    with entrypoint_hook(job, "announce_due_follow_ups") as announce:
        assert len(announce()) == 3
        assert announce() == []
    due = tap.wait_for("placement_follow_up_due", lambda d: d["month"] == 6)["data"]
    assert (due["seeker_name"], due["employer_address"]) == ("胡明英", "聚宝路12号")
    assert "13812345678" not in str(tap.seen)
    due_list = rpc.job.list_placements(follow_up_due=True)
    assert [p["placement_id"] for p in due_list["items"]] == [placement["placement_id"]]
    assert due_list["total"] is None and due_list["has_more"] is False  # not a counted filter
    assert [p["placement_id"] for p in rpc.job.list_placements(
        follow_up_due=True, sort="open_follow_up_on")["items"]] == [placement["placement_id"]]
    assert rpc.job.list_placements(follow_up_due=False)["items"] == []

    pid = placement["placement_id"]
    for month in (1, 3):
        rpc.job.record_placement_follow_up(pid, STAFF, month=month, result="employed")
    stable = rpc.job.record_placement_follow_up(pid, STAFF, month=6, result="employed",
                                                note="能兼顾接送孙女,月收入近2000元")
    assert stable["state_name"] == "稳定就业" and stable["allowed_actions"] == []
    assert rpc.job.list_placements(follow_up_due=True)["items"] == []
    assert [p["placement_id"] for p in rpc.job.list_placements(follow_up_due=False)[
        "items"]] == [pid]
    assert rpc.job.list_placements(state=["stable"])["total"] == 1
    tap.wait_for("placement_stable")
    assert tap.types().count("placement_follow_up_due") == 3

    totals = rpc.job.job_statistics(community="天宝社区")["totals"]
    assert (totals["postings_provided"], totals["applications"], totals["interviews"]) == (
        5, 1, 1)
    assert (totals["placements"], totals["stable_placements"], totals["stable_rate"]) == (
        1, 1, 1.0)
    assert totals["placement_outcomes"] == {"active": 0, "stable": 1, "ended": 0}
    grouped = rpc.job.job_statistics(group_by=["community"])["groups"]
    assert {g["community"]: g["postings_provided"] for g in grouped} == {
        "天宝社区": 5, "仁和社区": 1}


def test_leaving_ends_the_placement_and_the_person_looks_for_work_again(job, rpc):
    toy = the_days_postings(rpc)
    hu = rpc.job.register_seeker(STAFF, **GRANDMOTHER)["seeker_id"]
    app_id = rpc.job.apply_for_job(STAFF, posting_id=toy, seeker_id=hu)["application_id"]
    placement = rpc.job.hire_applicant(app_id, ADMIN, started_on=days_ago(40))
    with pytest.raises(IllegalTransition) as early:
        rpc.job.record_placement_follow_up(placement["placement_id"], STAFF, month=3,
                                           result="employed")
    assert early.value.code == "FOLLOW_UP_NOT_DUE"
    ended = rpc.job.end_placement(placement["placement_id"], STAFF, reason="孙女转学,无法兼顾")
    assert (ended["state"], ended["end_reason"]) == ("ended", "孙女转学,无法兼顾")
    assert [f["state"] for f in ended["follow_ups"]] == ["skipped"] * 3
    assert rpc.job.get_seeker(hu)["state"] == "seeking"
    totals = rpc.job.job_statistics()["totals"]
    assert (totals["placements"], totals["placements_ended"], totals["stable_rate"]) == (
        1, 1, 0.0)


def test_a_volunteers_follow_up_visit_is_recorded_once(start_service, rpc, publish_event,
                                                       service_db):
    start_service(JobService, max_workers=1)  # one message at a time, in order
    toy = the_days_postings(rpc)
    rpc.job.renew_job_posting(toy, STAFF, valid_through=in_days(30), openings=2)
    placed = []
    for person in (GRANDMOTHER, {**GRANDMOTHER, "name": "陈桂兰", "phone": "13600002222",
                                 "id_number": None}):
        seeker_id = rpc.job.register_seeker(STAFF, **person)["seeker_id"]
        app_id = rpc.job.apply_for_job(STAFF, posting_id=toy, seeker_id=seeker_id)[
            "application_id"]
        placed.append(rpc.job.hire_applicant(app_id, STAFF, started_on=days_ago(200))[
            "placement_id"])
    hu, chen = placed

    def visited(placement_id, month, result):
        return {"follow_up_id": f"{placement_id}-M{month}", "placement_id": placement_id,
                "result": result, "note": "上门回访", "visited_at": clock.iso(clock.now()),
                "visitor_id": "v-7", "visitor_name": "志愿者小陈"}
    six = publish_event(PLACEMENT_FOLLOW_UP_RECORDED, visited(hu, 6, "changed_job"))
    publish_event(PLACEMENT_FOLLOW_UP_RECORDED, None, envelope=six)   # delivered twice
    publish_event(PLACEMENT_FOLLOW_UP_RECORDED, visited(hu, 1, "not_employed"))  # too late
    publish_event(PLACEMENT_FOLLOW_UP_RECORDED, visited(chen, 3, "not_employed"))
    marker = publish_event(PLACEMENT_FOLLOW_UP_RECORDED, visited("PL0", 1, "employed"))
    wait_until(lambda: service_db("job").inbox.count_documents(
        {"_id": {"$regex": f"\\|{marker.event_id}$"}}), message="events applied")

    stable = rpc.job.get_placement(hu)
    assert (stable["state"], stable["follow_ups"][2]["result"]) == ("stable",
                                                                    "employed_elsewhere")
    assert stable["follow_ups"][2]["by"]["name"] == "志愿者小陈"
    assert [f["state"] for f in stable["follow_ups"]] == ["skipped", "skipped", "done"]
    ended = rpc.job.get_placement(chen)
    assert (ended["state"], ended["end_reason"]) == ("ended", "上门回访")
    assert rpc.job.get_seeker(ended["seeker_id"])["state"] == "seeking"
    totals = rpc.job.job_statistics()["totals"]
    assert (totals["follow_ups_done"], totals["stable_placements"],
            totals["placements_ended"]) == (2, 1, 1)


def test_health_reports_database_outbox_and_dead_letters(job, rpc):
    health = rpc.job.health()
    assert health["service"] == "job" and health["status"] == "ok"
    assert health["broker"] == {"ok": True, "dead_letters": 0}
    reference = rpc.job.reference_data()
    assert {"code": "training", "name": "送培训"} in reference["delivery_kinds"]
