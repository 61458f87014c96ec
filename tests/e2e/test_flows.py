"""The flows between services (domain notes, "Flows between services"), end to end: every
service runs as its own `nameko run` process, and the test only calls RPC methods, as the
gateway and other systems do, and waits for what the other services did with the events.

Follow-ups of a placement fall due by the calendar: the placements here started long enough ago
(recording a placement that began earlier is an ordinary operation, allowed up to a year back)
and the job service's follow-up timer runs every second in these tests
(`FOLLOW_UP_TIMER_SECONDS`, an operator's setting; the default is a minute).
"""
from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

import pytest

from shared import clock
from tests.e2e.harness import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(400)]

ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
JUNHE = {"id": "u-junhe", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
TIANBAO = {"id": "u-tianbao", "name": "李伟", "role": "community_staff", "community": "天宝社区"}
DEPT = {"id": "u-dept", "name": "供电班组", "role": "department"}
GRID = {"id": "u-grid", "name": "刘网格", "role": "grid_worker", "community": "浚河社区"}
SERIALS = itertools.count(int(uuid.uuid4().int % 500) * 1000 + 1)


def id_number(serial: int, birth: str = "19800101") -> str:
    """A valid (GB 11643) ID-card number of a person born in 天长市."""
    body = f"341181{birth}{serial % 1000:03d}"
    body = body[:6] + f"{1950 + serial // 1000 % 50}" + body[10:]
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def iso_in(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def days_ago(days: int) -> str:
    return clock.local_date(clock.now() - timedelta(days=days)).isoformat()


def as_volunteer(person: dict) -> dict:
    return {"id": person["id"], "name": person["name"], "role": "volunteer",
            "community": person["community"]}


def enrol(rpc, name, community="浚河社区", skills=()):
    serial = next(SERIALS)
    person = rpc.volunteer.register_volunteer(
        actor={"id": "resident", "name": name, "role": "resident"}, name=name,
        community=community, phone=f"139{serial:08d}", id_number=id_number(serial),
        skills=list(skills))
    return rpc.volunteer.approve_volunteer(person["id"], ADMIN)


def one_shift(rpc, **query):
    def found():
        items = rpc.volunteer.list_shifts(**query)["items"]
        return items[0] if items else None
    return wait_until(found, message=f"a volunteer shift for {query}")


def walk_to_completed(rpc, number):
    rpc.repair.accept_work_order(number, ADMIN)
    rpc.repair.dispatch_work_order(number, ADMIN)
    rpc.repair.sign_for_work_order(number, DEPT)
    return rpc.repair.complete_work_order(
        number, DEPT, result_note="更换LED灯头", quantities=[{"kind": "street_lamp",
                                                            "amount": 1}],
        evidence_urls=["https://img.example/after.jpg"])


def test_every_service_answers_health_with_broker_database_outbox_and_dead_letters(system):
    for name in system.names:
        report = system.health(name)
        assert report["service"] == name and report["status"] == "ok", report
        assert report["database"]["ok"] and isinstance(report["database"]["outbox_backlog"],
                                                       int)
        assert report["broker"]["ok"] and report["broker"]["dead_letters"] == 0


def test_an_activity_with_volunteer_slots_opens_a_shift_and_its_end_credits_hours(
        system, rpc):
    venue = rpc.activity.save_venue(ADMIN, community="浚河社区",
                                    name=f"浚河社区综合文化服务中心{next(SERIALS)}",
                                    kind="cultural_centre", address="新宇巷1号")
    venue = rpc.activity.save_room(ADMIN, venue_id=venue["id"], name="书画室",
                                   kind="calligraphy", capacity=30)
    chen, wang, zhao = (enrol(rpc, name, skills=["publicity"]) for name in ("陈晓", "王芳", "赵磊"))
    activity = rpc.activity.create_activity(
        JUNHE, title="一刻钟宣讲:文明交通", theme="civilised_traffic", organiser="浚河社区",
        community="浚河社区", target_groups=["all_residents"],
        volunteer_slots={"count": 2, "skills": ["publicity"]}, description="文明交通宣讲",
        venue_id=venue["id"], room_id=venue["rooms"][0]["id"], starts_at=iso_in(minutes=30),
        ends_at=iso_in(minutes=150))
    activity_id = activity["activity_id"]
    with pytest.raises(AssertionError):  # a draft opens no shift
        wait_until(lambda: rpc.volunteer.list_shifts(activity_id=activity_id)["items"],
                   timeout=1.5)
    rpc.activity.publish_activity(activity_id, JUNHE)

    shift = one_shift(rpc, activity_id=activity_id)
    assert (shift["kind"], shift["needed"], shift["organiser"], shift["state"]) == (
        "activity", 2, "浚河社区", "open")
    assert [s["code"] for s in shift["skills"]] == ["publicity"]
    assert shift["starts_at"] == activity["starts_at"]

    for person in (chen, wang):
        rpc.volunteer.sign_up(shift["id"], as_volunteer(person), volunteer_id=person["id"])
    rpc.volunteer.check_in(shift["id"], as_volunteer(chen), volunteer_id=chen["id"])
    # 赵磊 did not sign up but came to serve: checked in at the door with his volunteer id.
    rpc.activity.check_in(activity_id, JUNHE, name="赵磊", role="volunteer",
                          volunteer_id=zhao["id"])

    # What the clock would do: the activity started two hours ago and has just ended.
    starts = clock.now() - timedelta(minutes=125)
    system.db("activity").activities.update_one(
        {"_id": activity_id}, {"$set": {"starts_at": starts,
                                        "ends_at": starts + timedelta(minutes=120)}})
    finished = rpc.activity.finish_activity(activity_id, JUNHE, minutes="宣讲顺利", photo_urls=[])
    assert finished["hours"] == 2.0

    wait_until(lambda: rpc.volunteer.get_shift(shift["id"])["state"] == "completed",
               message="the activity's shift completed")
    hours = {p["id"]: rpc.volunteer.get_volunteer(p["id"])["total_hours"]
             for p in (chen, wang, zhao)}
    assert hours == {chen["id"]: 2.0, wang["id"]: 0.0, zhao["id"]: 2.0}
    statuses = {a["volunteer_id"]: a["status"]
                for a in rpc.volunteer.get_shift(shift["id"])["assignments"]}
    assert statuses == {chen["id"]: "attended", wang["id"]: "absent"}
    entries = rpc.volunteer.list_ledger_entries(volunteer_id=zhao["id"])["items"]
    assert [(e["hours"], e["organiser"]) for e in entries] == [(2.0, "浚河社区")]


def test_a_completed_work_order_gets_a_volunteer_visit_whose_answer_closes_or_reopens_it(
        system, rpc):
    visitor = enrol(rpc, "刘回访")
    numbers = [rpc.repair.report_work_order(actor=GRID, **{
        "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "address": f"新宇巷{n}号", "description": "路灯晚上不亮", "channel": "grid_worker",
        "reporter": {"name": "张清松", "phone": "13812345678"}})["number"] for n in (3, 5)]
    for number in numbers:
        walk_to_completed(rpc, number)

    satisfied, dissatisfied = numbers
    for number, result in ((satisfied, "satisfied"), (dissatisfied, "dissatisfied")):
        visit = one_shift(rpc, work_order_number=number, state=["open"])
        assert (visit["kind"], visit["community"], visit["community_only"]) == (
            "follow_up_visit", "浚河社区", True)
        rpc.volunteer.sign_up(visit["id"], as_volunteer(visitor), volunteer_id=visitor["id"])
        rpc.volunteer.record_follow_up_visit(visit["id"], as_volunteer(visitor),
                                             volunteer_id=visitor["id"], result=result,
                                             note="电话回访")

    closed = wait_until(lambda: (lambda o: o if o["state"] == "closed" else None)(
        rpc.repair.get_work_order(satisfied)), message="the satisfied order closed")
    assert (closed["follow_up"]["result"], closed["resolution"]) == ("satisfied", "satisfied")
    assert closed["follow_up"]["by"]["id"] == f"volunteer:{visitor['id']}"
    reopened = wait_until(lambda: (lambda o: o if o["reopen_count"] == 1 else None)(
        rpc.repair.get_work_order(dissatisfied)), message="the dissatisfied order reopened")
    # The answer and the completion it judged are kept in the record, cleared from the order.
    assert (reopened["state"], reopened["follow_up"]) == ("in_progress", None)
    assert reopened["previous_completions"][0]["follow_up"]["result"] == "dissatisfied"
    assert reopened["history"][-1]["details"] == {"reopened": True, "result": "dissatisfied",
                                                  "superseded_completion": 1}
    # The visitor is credited one hour per visit.
    assert rpc.volunteer.get_volunteer(visitor["id"])["total_hours"] == 2.0

    # Completed again, the reopened order asks for a new visit.
    rpc.repair.complete_work_order(
        dissatisfied, DEPT, result_note="重新更换灯头",
        quantities=[{"kind": "street_lamp", "amount": 1}],
        evidence_urls=["https://img.example/after2.jpg"])
    again = one_shift(rpc, work_order_number=dissatisfied, state=["open"])
    assert again["source"]["completed_at"] != reopened["completed_at"]


def test_a_problem_found_on_an_employer_visit_becomes_a_work_order_and_the_employer_is_told(
        system, rpc):
    employer_id = rpc.job.register_employer(TIANBAO, **{
        "name": f"聚宝路毛绒玩具加工点{next(SERIALS)}", "community": "天宝社区",
        "address": "聚宝路12号", "alley": "聚宝路", "location": {"lat": 32.689, "long": 119.024},
        "sector": "handicraft", "size": "micro",
        "contact": {"name": "周老板", "phone": "13900000001"}, "employees": 8})["employer_id"]
    visit_id = rpc.job.record_visit(
        TIANBAO, employer_id=employer_id, visited_on=days_ago(0), findings="门前路灯不亮",
        problems=[{"category": "street_light", "description": "门前路灯不亮,晚上收工不安全"}]
    )["visit_id"]

    orders = wait_until(lambda: [o for o in rpc.repair.list_work_orders(
        channel="employer_visit", community="天宝社区")["items"]
        if o["source_ref"] == {"service": "job", "ref": f"{visit_id}-P1"}],
        message="repair opened a work order")
    number = orders[0]["number"]
    wait_until(lambda: rpc.job.get_visit(visit_id)["problems"][0]["work_order_number"] == number,
               message="job learned the work order number")
    walk_to_completed(rpc, number)
    rpc.repair.record_follow_up(number, TIANBAO, result="satisfied")

    notes = wait_until(lambda: rpc.job.list_employer_notifications(
        employer_id=employer_id)["items"], message="the employer's notification")
    assert len(notes) == 1 and number in notes[0]["body"]
    assert rpc.job.get_visit(visit_id)["problems"][0]["state_name"] == "已解决"


def test_training_agreed_on_a_visit_becomes_an_activity_at_the_citizen_school(system, rpc):
    venue = rpc.activity.save_venue(ADMIN, community="天宝社区",
                                    name=f"天宝社区新时代文明实践站{next(SERIALS)}",
                                    kind="cultural_centre", address="天宝路8号")
    venue = rpc.activity.save_room(ADMIN, venue_id=venue["id"], name="市民学校",
                                   kind="citizen_school", capacity=40)
    employer_id = rpc.job.register_employer(TIANBAO, **{
        "name": f"天宝服装厂{next(SERIALS)}", "community": "天宝社区", "address": "天宝路20号",
        "location": {"lat": 32.69, "long": 119.02}, "sector": "manufacturing",
        "size": "small", "contact": {"name": "孙厂长", "phone": "13900000002"},
        "employees": 30})["employer_id"]
    topic = f"缝纫技能培训{uuid.uuid4().hex[:4]}"
    visit = rpc.job.record_visit(
        TIANBAO, employer_id=employer_id, visited_on=days_ago(0), findings="缺熟练缝纫工",
        deliveries=[{"kind": "training", "topic": topic, "expected_participants": 12}])
    request_id = visit["deliveries"][0]["request_id"]

    found = wait_until(lambda: rpc.activity.list_activities(q=topic)["items"],
                       message="the training activity")
    activity = rpc.activity.get_activity(found[0]["activity_id"])
    assert activity["state"] == "draft" and activity["community"] == "天宝社区"
    assert activity["source_ref"] == {"service": "job", "ref": request_id}
    assert (activity["venue"]["id"], activity["room"]["name"]) == (venue["id"], "市民学校")
    assert activity["capacity"] == 12 and activity["theme"] == "skills_training"


def test_a_placement_is_followed_up_at_one_three_and_six_months_then_stable(system, rpc):
    visitor = enrol(rpc, "孙走访", community="天宝社区")
    employer_id = rpc.job.register_employer(TIANBAO, **{
        "name": f"天宝超市{next(SERIALS)}", "community": "天宝社区", "address": "天宝路1号",
        "location": {"lat": 32.689, "long": 119.024}, "sector": "retail", "size": "small",
        "contact": {"name": "钱经理", "phone": "13900000003"}, "employees": 12})["employer_id"]
    posting = rpc.job.publish_job_posting(
        TIANBAO, employer_id=employer_id, title="理货员", description="理货员",
        valid_through=iso_in(days=30), employment_type="PART_TIME", openings=3,
        hours_flexible=True,
        salary={"min": 2600, "max": 3000})["posting_id"]

    def placed(name, started_days_ago):
        serial = next(SERIALS)
        seeker = rpc.job.register_seeker(TIANBAO, **{
            "name": name, "community": "天宝社区", "phone": f"137{serial:08d}",
            "id_number": id_number(serial, "19650312"), "address": "天宝路附近",
            "home_location": {"lat": 32.689, "long": 119.024}, "consent": True})["seeker_id"]
        application = rpc.job.apply_for_job(TIANBAO, posting_id=posting, seeker_id=seeker)
        return rpc.job.hire_applicant(application["application_id"], TIANBAO,
                                      started_on=days_ago(started_days_ago))["placement_id"]

    six_months = placed("胡明英", 200)  # every follow-up has fallen due
    one_month = placed("王小军", 40)    # only the first

    def visits(placement_id, expected):
        def found():
            shifts = rpc.volunteer.list_shifts(kind="placement_follow_up",
                                               community="天宝社区")["items"]
            mine = [s for s in shifts if s["source"]["placement_id"] == placement_id]
            return mine if len(mine) >= expected else None
        return sorted(wait_until(found, message=f"{expected} visits of {placement_id}"),
                      key=lambda s: s["source"]["month"])

    assert [v["source"]["month"] for v in visits(six_months, 3)] == [1, 3, 6]
    assert [v["source"]["month"] for v in visits(one_month, 1)] == [1]
    for visit in visits(six_months, 3):
        rpc.volunteer.sign_up(visit["id"], as_volunteer(visitor), volunteer_id=visitor["id"])
        rpc.volunteer.record_placement_visit(visit["id"], as_volunteer(visitor),
                                             volunteer_id=visitor["id"], result="employed",
                                             note="仍在岗")
        month = visit["source"]["month"]
        wait_until(lambda month=month: next(
            f for f in rpc.job.get_placement(six_months)["follow_ups"]
            if f["month"] == month)["state"] == "done",
            message=f"the {month}-month follow-up recorded in job")

    stable = wait_until(lambda: (lambda p: p if p["state"] == "stable" else None)(
        rpc.job.get_placement(six_months)), message="the placement stable")
    assert stable["state_name"] == "稳定就业"
    [m1, m3, m6] = stable["follow_ups"]
    assert [m["result"] for m in (m1, m3, m6)] == ["employed"] * 3
    early = rpc.job.get_placement(one_month)
    assert early["state"] == "active"
    assert [f["state"] for f in early["follow_ups"]][1:] == ["pending", "pending"]
    assert len(visits(one_month, 1)) == 1  # months 3 and 6 are not announced early


def test_commendations_or_a_star_level_propose_the_volunteer_as_an_exemplar(system, rpc):
    praised = enrol(rpc, "周热心")
    for n in range(5):
        rpc.volunteer.commend_volunteer(praised["id"], JUNHE, reason=f"第{n + 1}次表扬:助老服务")
    nominated = wait_until(lambda: rpc.activity.list_exemplars(
        volunteer_id=praised["id"])["items"], message="an exemplar nomination")
    assert (nominated[0]["state"], nominated[0]["category"]) == ("nominated", "volunteer_model")

    # A star level: the office's thresholds make one recorded service reach the first star.
    rules = rpc.volunteer.get_recognition_rules()
    starred = enrol(rpc, "吴星星")
    try:
        rpc.volunteer.set_recognition_rules(ADMIN, star_thresholds=[1, 300, 600, 1000, 1500])
        rpc.volunteer.record_hours(JUNHE, volunteer_id=starred["id"], date=days_ago(1),
                                   content="环境整治", hours=2.0, organiser="浚河社区")
    finally:
        rpc.volunteer.set_recognition_rules(ADMIN, star_thresholds=rules["star_thresholds"])
    assert rpc.volunteer.get_volunteer(starred["id"])["star_level"] == 1
    by_star = wait_until(lambda: rpc.activity.list_exemplars(
        volunteer_id=starred["id"])["items"], message="an exemplar nomination by star level")
    assert by_star[0]["category"] == "volunteer_model"
    assert [(p["star_level"], p["total_hours"]) for p in by_star[0]["proposals"]] == [(1, 2.0)]
    assert [p["commendations"] for p in nominated[0]["proposals"]] == [5]
