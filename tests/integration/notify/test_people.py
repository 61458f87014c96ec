"""Registrants, volunteers, employers and job seekers are told what concerns them, through the
real services that hold their records (each address revealed, audited, at sending time), by
SMS into the development mailbox (消息记录)."""
from __future__ import annotations

from datetime import timedelta

from nameko.standalone.rpc import ClusterRpcProxy

from shared import clock
from tests.conftest import wait_until
from tests.integration.notify.conftest import ADMIN

STAFF = {"id": "u-staff", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
RESIDENT = {"id": "u-res", "name": "全国华", "role": "resident"}
TALK = {"title": "一刻钟宣讲:反对浪费·提倡光盘", "theme": "anti_waste", "organiser": "浚河社区",
        "community": "浚河社区", "target_groups": ["all_residents"],
        "volunteer_slots": {"count": 2, "skills": ["publicity"]}, "description": "快板宣讲"}


def inbox(rpc, phone: str, kind: str | None = None) -> list[dict]:
    items = rpc.notify.list_dev_messages(phone=phone, page_size=50)["items"]
    return [m for m in items if kind is None or m["kind"] == kind]


def place(rpc):
    venue = rpc.activity.save_venue(ADMIN, community="浚河社区", name="浚河社区综合文化服务中心",
                                    kind="cultural_centre", address="新宇巷1号")
    venue = rpc.activity.save_room(ADMIN, venue_id=venue["id"], name="书画室",
                                   kind="calligraphy", capacity=3)
    return venue["id"], venue["rooms"][0]["id"]


def day_at(days: int, hour: int) -> str:
    day = clock.local_date(clock.now()) + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00+08:00"


def test_registrants_are_told_when_moved_up_and_reminded_the_day_before(system):
    config = system(NOTIFY_REMINDER_TIME="00:00")  # the day before, from midnight: due now
    with ClusterRpcProxy(config, timeout=30) as rpc:
        venue_id, room_id = place(rpc)
        activity = rpc.activity.create_activity(STAFF, **{
            **TALK, "venue_id": venue_id, "room_id": room_id, "starts_at": day_at(2, 10),
            "ends_at": day_at(2, 11)})
        activity_id = activity["activity_id"]
        rpc.activity.publish_activity(activity_id, STAFF)
        people = [rpc.activity.register(activity_id, RESIDENT, name=f"居民{i}",
                                        phone=f"1381234{i:04d}") for i in range(4)]
        assert people[3]["status"] == "waitlisted"
        rpc.activity.cancel_registration(people[1]["registration_id"], RESIDENT, reason="有事")
        promoted = wait_until(lambda: inbox(rpc, "13812340003", "registration_promoted"),
                              timeout=30)
        assert "候补转为正式报名" in promoted[0]["text"] and "居民3您好" in promoted[0]["text"]
        assert promoted[0]["to_masked"] == "138****0003"
        assert rpc.notify.list_messages(kind="activity_reminder")["total"] == 0
        # Moved to tomorrow: the day before is today, so the reminder falls due now.
        rpc.activity.update_activity(activity_id, STAFF, starts_at=day_at(1, 10),
                                     ends_at=day_at(1, 11))
        for i in (0, 2, 3):  # registered now; the one who cancelled is not reminded
            reminder = wait_until(lambda i=i: inbox(rpc, f"1381234{i:04d}", "activity_reminder"),
                                  timeout=30)
            assert "反对浪费" in reminder[0]["text"] and "书画室" in reminder[0]["text"]
        assert inbox(rpc, "13812340001", "activity_reminder") == []
        assert rpc.notify.list_messages(kind="activity_reminder")["total"] == 3


def enrol(rpc, name: str, phone: str, serial: int) -> dict:
    body = f"34118119800101{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    id_number = body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]
    person = rpc.volunteer.register_volunteer(
        actor={"id": "resident", "name": name, "role": "resident"}, name=name,
        community="浚河社区", phone=phone, id_number=id_number,
        skills=["publicity", "visiting"])
    return rpc.volunteer.approve_volunteer(person["id"], ADMIN)


def test_volunteers_are_told_of_changed_and_cancelled_shifts_and_of_follow_up_visits(
        system, service_db):
    config = system()
    registry = service_db("notify")
    with ClusterRpcProxy(config, timeout=30) as rpc:
        chen = enrol(rpc, "陈晓", "13900000011", 11)
        # An activity's shift, whose time then changes.
        venue_id, room_id = place(rpc)
        activity = rpc.activity.create_activity(STAFF, **{
            **TALK, "venue_id": venue_id, "room_id": room_id,
            "starts_at": clock.iso(clock.now() + timedelta(days=3)),
            "ends_at": clock.iso(clock.now() + timedelta(days=3, hours=1))})
        rpc.activity.publish_activity(activity["activity_id"], STAFF)
        shift = wait_until(lambda: rpc.volunteer.list_shifts(
            activity_id=activity["activity_id"])["items"], timeout=30)[0]
        rpc.volunteer.sign_up(shift["id"], ADMIN, volunteer_id=chen["id"])
        wait_until(lambda: rpc.notify.list_messages()["total"] == 0 and
                   _signed_up_known(rpc, shift["id"]), timeout=10)
        # The organiser changes the time once the notification service has heard of the
        # activity, its shift and the sign-up (each by its own queue).
        wait_until(lambda: registry.activities.find_one({"_id": activity["activity_id"]})
                   and registry.shifts.find_one({"_id": shift["id"]})
                   and registry.signups.find_one({"_id": f"{shift['id']}|{chen['id']}",
                                                  "active": True}), timeout=30)
        rpc.activity.update_activity(activity["activity_id"], STAFF,
                                     starts_at=clock.iso(clock.now() + timedelta(days=4)),
                                     ends_at=clock.iso(clock.now() + timedelta(days=4, hours=1)))
        changed = wait_until(lambda: inbox(rpc, "13900000011", "shift_changed"), timeout=30)
        assert "有变更" in changed[0]["text"] and "陈晓您好" in changed[0]["text"]
        # A shift opened by hand and then cancelled.
        manual = rpc.volunteer.open_shift(ADMIN, title="文明交通劝导", community="浚河社区",
                                          place="新宇巷口", needed=2, skills=[],
                                          starts_at=clock.iso(clock.now() + timedelta(days=2)),
                                          ends_at=clock.iso(clock.now() + timedelta(days=2,
                                                                                     hours=2)))
        rpc.volunteer.sign_up(manual["id"], ADMIN, volunteer_id=chen["id"])
        rpc.volunteer.cancel_shift(manual["id"], ADMIN, reason="天气预报有暴雨")
        cancelled = wait_until(lambda: inbox(rpc, "13900000011", "shift_cancelled"), timeout=30)
        assert "天气预报有暴雨" in cancelled[0]["text"]
        # A completed work order's 回访, taken by the volunteer.
        order = rpc.repair.report_work_order(ADMIN, category="street_light", community="浚河社区",
                                             alley="新宇巷", address="新宇巷2号",
                                             description="路灯不亮", channel="grid_worker")
        for step in ("accept", "dispatch", "sign_for"):
            getattr(rpc.repair, f"{step}_work_order")(order["number"], ADMIN)
        rpc.repair.complete_work_order(order["number"], ADMIN, result_note="已修复",
                                       evidence_urls=["https://example.org/a.jpg"],
                                       quantities=[{"kind": "street_lamp", "amount": 1}])
        visit = wait_until(lambda: rpc.volunteer.list_shifts(
            work_order_number=order["number"])["items"], timeout=30)[0]
        rpc.volunteer.sign_up(visit["id"], ADMIN, volunteer_id=chen["id"])
        assigned = wait_until(lambda: inbox(rpc, "13900000011", "follow_up_assigned"),
                              timeout=30)
        assert order["number"] in assigned[0]["text"]
        kinds = sorted(m["kind"] for m in inbox(rpc, "13900000011"))
        assert kinds == ["follow_up_assigned", "shift_cancelled", "shift_changed"]


def _signed_up_known(rpc, shift_id) -> bool:
    return bool(rpc.volunteer.get_shift(shift_id)["signed_up"])


def test_employers_hear_their_problem_is_solved_and_seekers_of_a_matching_posting(system):
    from tests.integration.job.conftest import JUBAO_ROAD, TOY_WORKSHOP
    tianbao = {"id": "u-li", "name": "李伟", "role": "community_staff", "community": "天宝社区"}
    config = system()
    with ClusterRpcProxy(config, timeout=30) as rpc:
        employer_id = rpc.job.register_employer(tianbao, **TOY_WORKSHOP)["employer_id"]
        rpc.job.record_visit(tianbao, employer_id=employer_id,
                             visited_on=clock.local_date(clock.now()).isoformat(),
                             findings="门前路灯不亮", problems=[{
                                 "category": "street_light", "description": "门前路灯不亮"}])
        number = wait_until(lambda: rpc.repair.list_work_orders(
            channel="employer_visit")["items"], timeout=30)[0]["number"]
        rpc.repair.accept_work_order(number, ADMIN)
        rpc.repair.answer_work_order(number, ADMIN, answer="已联系供电所当日修复")
        told = wait_until(lambda: inbox(rpc, "13900000001", "employer_problem_resolved"),
                          timeout=30)
        assert "门前路灯不亮" in told[0]["text"] and "聚宝路毛绒玩具加工点您好" in told[0]["text"]

        hu = rpc.job.register_seeker(tianbao, name="胡明英", community="天宝社区",
                                     phone="13812345678", address="聚宝路附近",
                                     home_location=JUBAO_ROAD, skills=["手工", "缝纫"],
                                     hours_preset="school_hours", max_distance_km=2,
                                     expected_monthly_pay=2000, consent=True)
        far = rpc.job.register_seeker(tianbao, name="王小军", community="天宝社区",
                                      phone="13700001111", skills=["叉车"],
                                      expected_monthly_pay=9000, consent=True,
                                      employment_types=["FULL_TIME"])
        rpc.job.publish_job_posting(
            tianbao, employer_id=employer_id, title="毛绒玩具手工缝制", description="可带回家做",
            employment_type="PART_TIME", hours_flexible=True, openings=3,
            valid_through=clock.iso(clock.now() + timedelta(days=30)),
            skills=["缝纫"],
            salary={"min": 1800, "max": 2200, "unit": "MONTH", "piece_rate": True})
        matched = wait_until(lambda: inbox(rpc, "13812345678", "posting_matched"), timeout=30)
        assert "毛绒玩具手工缝制" in matched[0]["text"] and "胡明英您好" in matched[0]["text"]
        wait_until(lambda: rpc.notify.list_messages(kind="posting_matched",
                                                    state=["sent"])["total"] >= 1, timeout=10)
        assert inbox(rpc, "13700001111") == [], far  # a poor fit is not told
