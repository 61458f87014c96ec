"""The job service's handler functions on an in-memory unit of work: the service layer's rules
without a broker or a database."""
from datetime import timedelta

import pytest

from services.job.handlers import (applications, batch_import, employers, figures, matches,
                                   placements, postings, problems, seekers, visits)
from services.job.summary_views import PostingMatchView, StatisticsView
from services.job.views import (ApplicationView, EmployerView, JobPostingView, JobSeekerView,
                                NotificationView, PlacementView, VisitView)
from shared import clock
from shared.envelope import Envelope
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from shared.events.repair import WORK_ORDER_CLOSED, WORK_ORDER_REJECTED
from shared.events.volunteer import PLACEMENT_FOLLOW_UP_RECORDED
from tests.unit.fakes import run
from tests.unit.job.fakes import FakeJobUnitOfWork
from tests.unit.job.factories import JUBAO_ROAD, T0, north_of_home

STAFF = {"id": "u-li", "name": "李伟", "role": "community_staff", "community": "天宝社区"}
OTHER_STAFF = {**STAFF, "id": "u-zhang", "community": "浚河社区"}
ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
RESIDENT = {"id": "r-1", "name": "胡明英", "role": "resident", "community": "天宝社区"}
WORKSHOP = {"name": "聚宝路毛绒玩具加工点", "community": "天宝社区", "address": "聚宝路12号",
            "location": north_of_home(0.3), "sector": "handicraft", "size": "micro",
            "contact": {"name": "周老板", "phone": "13900000001"}}
GRANDMOTHER = {"name": "胡明英", "community": "天宝社区", "phone": "13812345678",
               "id_number": "341181196503120021", "home_location": JUBAO_ROAD,
               "skills": ["手工", "缝纫"], "hours_preset": "school_hours",
               "expected_monthly_pay": 2000, "consent": True}


@pytest.fixture
def uow():
    return FakeJobUnitOfWork(now=T0)


def in_days(days):
    return clock.iso(T0 + timedelta(days=days))


def day(days_from_now):
    return clock.local_date(T0 + timedelta(days=days_from_now)).isoformat()


def stored_state(uow):
    """Everything the fake repositories hold, to compare before and after a refusal."""
    return [(store, dict(store.stored)) for store in uow.stores], list(uow.events)


def workshop(uow, **extra):
    return run(employers.register, uow, STAFF, {**WORKSHOP, **extra})


def toy_job(uow, employer_id, **extra):
    return run(postings.publish, uow, STAFF, {
        "employer_id": employer_id, "title": "毛绒玩具手工缝制", "description": "计件",
        "employment_type": "PART_TIME", "hours_flexible": True, "openings": 1,
        "salary": {"min": 1800, "max": 2200, "piece_rate": True}, "skills": ["手工缝纫"],
        "valid_through": in_days(30), **extra})


def test_an_employer_is_numbered_by_day_its_phone_sealed_and_one_name_per_community(uow):
    employer = workshop(uow)
    assert EmployerView().validate(employer) == {}
    assert employer["employer_id"] == "EM202603020001"
    assert employer["contact"] == {"name": "周老板", "phone_masked": "139****0001"}
    assert "13900000001" not in str(uow.employers.get(employer["employer_id"]).contact)
    before = stored_state(uow)
    with pytest.raises(Conflict) as again:
        workshop(uow, name="聚宝路 毛绒玩具加工点")
    assert again.value.code == "EMPLOYER_EXISTS" and employer["employer_id"] in \
        again.value.message
    assert stored_state(uow) == before
    assert workshop(uow, community="浚河社区")["employer_id"] != employer["employer_id"]


def test_a_visit_opens_work_orders_and_training_and_a_refused_one_changes_nothing(uow):
    employer_id = workshop(uow)["employer_id"]
    before = stored_state(uow)
    with pytest.raises(ValidationFailed) as refused:
        run(visits.record, uow, STAFF, {"employer_id": employer_id, "visited_on": day(0),
                                        "findings": "走访", "deliveries": [{"kind": "policy"}]})
    assert refused.value.fields == {"deliveries": {0: {"policy_name": ["必填项。"]}}}
    assert stored_state(uow) == before
    visit = run(visits.record, uow, STAFF, {
        "employer_id": employer_id, "visited_on": day(-1), "findings": "门前路灯不亮",
        "deliveries": [{"kind": "training", "topic": "缝纫技能培训",
                        "expected_participants": 12}],
        "problems": [{"category": "street_light", "description": "门前路灯不亮"}],
        "follow_up_actions": [{"description": "推荐两名缝纫工"}]})
    assert VisitView().validate(visit) == {}
    assert visit["problems"][0]["state_name"] == "已转工单办理"
    assert uow.published_types() == ["employer_visited", "employer_problem_reported",
                                     "training_requested"]
    assert uow.employers.get(employer_id).visits == 1
    done = run(visits.complete_action, uow, visit["visit_id"], f"{visit['visit_id']}-A1",
               STAFF, {"note": "已推荐"})
    assert done["follow_up_actions"][0]["done_by"]["id"] == "u-li"
    with pytest.raises(IllegalTransition):
        run(visits.complete_action, uow, visit["visit_id"], f"{visit['visit_id']}-A1", STAFF,
            {})


def test_a_stopped_employer_is_not_visited_and_gets_no_postings(uow):
    employer_id = workshop(uow)["employer_id"]
    run(employers.update, uow, employer_id, STAFF, {"active": False})
    with pytest.raises(IllegalTransition) as refused:
        toy_job(uow, employer_id)
    assert refused.value.message.startswith(f"用工单位 {employer_id} 当前状态为“已停用”")
    assert uow.postings.all() == []


def test_reveals_are_for_the_office_and_the_records_community_and_audited_first(uow):
    employer_id = workshop(uow)["employer_id"]
    seeker_id = run(seekers.register, uow, STAFF, GRANDMOTHER)["seeker_id"]
    for who in (RESIDENT, OTHER_STAFF):
        with pytest.raises(Forbidden):
            run(employers.reveal_contact, uow, employer_id, who, {"purpose": "联系企业推荐人员"})
        with pytest.raises(Forbidden):
            run(seekers.reveal_contact, uow, seeker_id, who, {"purpose": "推荐岗位需联系本人"})
    assert uow.employers.reveals == [] and uow.seekers.reveals == []
    assert run(employers.reveal_contact, uow, employer_id, ADMIN,
               {"purpose": "联系企业推荐人员"})["phone"] == "13900000001"
    person = run(seekers.reveal_contact, uow, seeker_id, STAFF, {"purpose": "推荐岗位需联系本人"})
    assert (person["phone"], person["id_number"]) == ("13812345678", "341181196503120021")
    assert uow.seekers.reveals == [("u-li", seeker_id, ("phone", "id_number"),
                                    "推荐岗位需联系本人")]
    assert not employers.reveal_contact.remember and not seekers.reveal_contact.remember


def test_one_registration_per_id_number_and_the_person_is_found_by_phone(uow):
    seeker = run(seekers.register, uow, STAFF, GRANDMOTHER)
    assert JobSeekerView().validate(seeker) == {}
    assert (seeker["phone_masked"], seeker["available_hours_text"]) == (
        "138****5678", "周一至周五 8:30–16:00")
    with pytest.raises(Conflict) as again:
        run(seekers.register, uow, STAFF, {**GRANDMOTHER, "phone": "13700001111"})
    assert again.value.code == "SEEKER_ALREADY_REGISTERED"
    found = run(seekers.page, uow, {"phone": "13812345678"})
    assert [s["seeker_id"] for s in found["items"]] == [seeker["seeker_id"]]


def test_a_posting_needs_hours_a_visit_of_its_own_employer_and_expires_once(uow):
    employer_id = workshop(uow)["employer_id"]
    other_id = workshop(uow, name="天宝超市")["employer_id"]
    visit_id = run(visits.record, uow, STAFF, {"employer_id": other_id, "visited_on": day(0),
                                               "findings": "走访"})["visit_id"]
    with pytest.raises(ValidationFailed) as refused:
        toy_job(uow, employer_id, visit_id=visit_id)
    assert refused.value.fields == {"visit_id": ["该走访记录不属于此用工单位。"]}
    posting = toy_job(uow, employer_id)
    assert JobPostingView().validate(posting) == {}
    assert [a["action"] for a in posting["allowed_actions"]] == [
        "update", "withdraw", "mark_filled", "renew"]
    pid = posting["posting_id"]
    before = uow.postings.get(pid)
    with pytest.raises(ValidationFailed):
        run(postings.update, uow, pid, STAFF, {"hours_flexible": False})
    assert uow.postings.get(pid) == before

    later = FakeJobUnitOfWork(now=T0 + timedelta(days=31))
    later.postings.stored = uow.postings.stored
    assert run(postings.past_deadline, later) == [pid]
    assert run(postings.expire, later, pid) is True
    assert run(postings.expire, later, pid) is False
    assert later.published_types() == ["job_posting_closed"]
    assert run(postings.get, later, pid)["state_name"] == "已过期"


def test_hiring_fills_the_posting_places_the_person_and_a_refusal_changes_none_of_them(uow):
    employer_id = workshop(uow)["employer_id"]
    pid = toy_job(uow, employer_id)["posting_id"]
    hu = run(seekers.register, uow, STAFF, GRANDMOTHER)["seeker_id"]
    application = run(applications.apply, uow, RESIDENT, {"posting_id": pid, "seeker_id": hu,
                                                          "channel": "screen"})
    assert ApplicationView().validate(application) == {}
    with pytest.raises(Conflict):
        run(applications.apply, uow, STAFF, {"posting_id": pid, "seeker_id": hu})
    before = stored_state(uow)
    with pytest.raises(ValidationFailed) as refused:
        run(applications.hire, uow, application["application_id"], STAFF,
            {"started_on": day(200)})
    assert "started_on" in refused.value.fields
    assert stored_state(uow) == before
    uow.events.clear()
    placement = run(applications.hire, uow, application["application_id"], STAFF,
                    {"started_on": day(-40), "monthly_pay": 2000})
    assert PlacementView().validate(placement) == {}
    assert placement["started_on"] == "2026-01-21"
    assert [f["due_on"] for f in placement["follow_ups"]] == [
        "2026-02-21", "2026-04-21", "2026-07-21"]
    assert uow.published_types() == ["job_posting_closed", "placement_made"]
    assert uow.postings.get(pid).state == "filled"
    assert uow.seekers.get(hu).state == "placed"
    assert run(applications.get, uow, application["application_id"])["placement_id"] == \
        placement["placement_id"]


def hired(uow, started_days_ago):
    employer_id = workshop(uow)["employer_id"]
    pid = toy_job(uow, employer_id)["posting_id"]
    hu = run(seekers.register, uow, STAFF, GRANDMOTHER)["seeker_id"]
    app_id = run(applications.apply, uow, STAFF, {"posting_id": pid, "seeker_id": hu})[
        "application_id"]
    return run(applications.hire, uow, app_id, STAFF, {"started_on": day(-started_days_ago)})


def test_leaving_at_a_follow_up_ends_the_placement_and_the_person_seeks_work_again(uow):
    placement = hired(uow, 40)
    with pytest.raises(IllegalTransition) as early:
        run(placements.record_follow_up, uow, placement["placement_id"], STAFF,
            {"month": 3, "result": "employed"})
    assert early.value.code == "FOLLOW_UP_NOT_DUE"
    ended = run(placements.record_follow_up, uow, placement["placement_id"], STAFF,
                {"month": 1, "result": "left", "note": "孙女转学"})
    assert (ended["state"], ended["end_reason"]) == ("ended", "孙女转学")
    assert uow.seekers.get(placement["seeker_id"]).state == "seeking"
    assert uow.published_types()[-1] == "placement_ended"


def test_due_follow_ups_are_announced_once_and_a_volunteers_visit_records_one(uow):
    placement = hired(uow, 200)
    pid = placement["placement_id"]
    assert run(placements.with_follow_ups_to_announce, uow) == [pid]
    assert run(placements.announce_due, uow, pid) == [f"{pid}-M1", f"{pid}-M3", f"{pid}-M6"]
    assert run(placements.with_follow_ups_to_announce, uow) == []
    assert uow.published_types().count("placement_follow_up_due") == 3

    def visited(month, result, placement_id=pid):
        return Envelope.new(PLACEMENT_FOLLOW_UP_RECORDED, {
            "follow_up_id": f"{placement_id}-M{month}", "placement_id": placement_id,
            "result": result, "note": "上门回访", "visited_at": clock.iso(T0),
            "visitor_id": "v-7", "visitor_name": "志愿者小陈"})
    run(placements.apply_volunteer_follow_up, uow, visited(6, "changed_job"))
    run(placements.apply_volunteer_follow_up, uow, visited(1, "not_employed"))  # too late
    run(placements.apply_volunteer_follow_up, uow, visited(1, "employed", "PL0"))  # unknown
    stable = run(placements.get, uow, pid)
    assert stable["state"] == "stable" and stable["follow_ups"][2]["by"]["name"] == "志愿者小陈"
    assert [f["state"] for f in stable["follow_ups"]] == ["skipped", "skipped", "done"]


def closed_order(number, ref, service="job"):
    return {"number": number, "state": "closed", "category": "street_light",
            "community": "天宝社区", "alley": None, "actor_name": "王主任",
            "source_ref": {"service": service, "ref": ref}, "resolution": "satisfied",
            "closed_at": clock.iso(T0)}


def test_a_closed_work_order_tells_the_employer_once_and_other_orders_are_not_ours(uow):
    employer_id = workshop(uow)["employer_id"]
    visit_id = run(visits.record, uow, STAFF, {
        "employer_id": employer_id, "visited_on": day(0), "findings": "两个问题",
        "problems": [{"category": "street_light", "description": "门前路灯不亮"},
                     {"category": "parking", "description": "车辆乱停"}]})["visit_id"]
    run(problems.resolve, uow, Envelope.new(WORK_ORDER_CLOSED,
                                            closed_order("WO9", f"{visit_id}-P1", "hotline")))
    assert run(problems.notifications, uow, {})["total"] == 0
    run(problems.resolve, uow, Envelope.new(WORK_ORDER_CLOSED,
                                            closed_order("WO1", f"{visit_id}-P1")))
    run(problems.resolve, uow, Envelope.new(WORK_ORDER_CLOSED,  # reopened, closed again
                                            closed_order("WO1", f"{visit_id}-P1")))
    rejected = {**closed_order("WO2", f"{visit_id}-P2"), "reason": "由物业处理",
                "duplicate_of": None}
    del rejected["resolution"], rejected["closed_at"]
    run(problems.end_rejected, uow, Envelope.new(WORK_ORDER_REJECTED, rejected))
    notes = run(problems.notifications, uow, {"employer_id": employer_id})
    assert notes["total"] == 2
    assert all(NotificationView().validate(n) == {} for n in notes["items"])
    by_order = {n["work_order_number"]: n for n in notes["items"]}
    assert by_order["WO1"]["title"] == "您反映的“路灯故障”问题已解决"
    assert "由物业处理" in by_order["WO2"]["body"]
    read = run(problems.mark_read, uow, by_order["WO1"]["notification_id"], STAFF)
    assert read["read_by"] == {"id": "u-li", "name": "李伟"}
    again = run(problems.mark_read, uow, by_order["WO1"]["notification_id"], ADMIN)
    assert again["read_by"] == {"id": "u-li", "name": "李伟"}
    with pytest.raises(NotFound):
        run(problems.mark_read, uow, "nosuch", STAFF)


def test_an_import_with_a_bad_row_stores_nothing_and_names_every_bad_row(uow):
    workshop(uow)
    rows = [{**WORKSHOP, "name": "新宇巷早餐店", "community": "浚河社区"},
            {**WORKSHOP, "name": "聚宝路毛绒玩具加工点 "},               # already registered
            {**WORKSHOP, "name": "胜利巷家政", "sector": "space"},     # unknown sector
            {**WORKSHOP, "name": "新宇巷早餐店", "community": "浚河社区"}]  # twice in the file
    before = stored_state(uow)
    with pytest.raises(ValidationFailed) as refused:
        run(batch_import.employers, uow, ADMIN, {"rows": rows})
    assert refused.value.code == "IMPORT_REJECTED"
    assert set(refused.value.fields["rows"]) == {"1", "2", "3"}
    assert stored_state(uow) == before
    checked = run(batch_import.employers, uow, ADMIN, {"rows": rows[:1], "dry_run": True})
    assert checked["created"] == 0 and stored_state(uow) == before
    with pytest.raises(ValidationFailed) as outside:
        run(batch_import.employers, uow, STAFF, {"rows": rows[:1]})
    assert "community" in outside.value.fields["rows"]["0"]
    done = run(batch_import.employers, uow, ADMIN, {"rows": rows[:1]})
    posted = run(batch_import.job_postings, uow, ADMIN, {"rows": [{
        "employer_name": "新宇巷 早餐店", "title": "早点师傅", "description": "包子",
        "employment_type": "PART_TIME", "openings": 1, "valid_through": in_days(30),
        "work_hours": "早上5点到9点"}]})
    assert (done["created"], posted["created"]) == (1, 1)
    assert uow.postings.get(posted["ids"][0]).community == "浚河社区"


def test_the_figures_add_up_what_the_records_counted(uow):
    placement = hired(uow, 200)
    pid = placement["placement_id"]
    for month in (1, 3, 6):
        run(placements.record_follow_up, uow, pid, STAFF, {"month": month, "result": "employed"})
    result = run(figures.statistics, uow, {"group_by": ["community"]})
    assert StatisticsView().validate(result) == {}
    totals = result["totals"]
    assert (totals["postings_provided"], totals["applications"], totals["placements"],
            totals["stable_placements"], totals["follow_ups_done"], totals["stable_rate"]) == (
        1, 1, 1, 1, 3, 1.0)
    assert [g["community"] for g in result["groups"]] == ["天宝社区"]
    assert run(figures.statistics, uow, {"period": "2020"})["totals"]["placements"] == 0


def test_matches_rank_with_reasons_and_show_an_application_in_progress(uow):
    employer_id = workshop(uow)["employer_id"]
    pid = toy_job(uow, employer_id)["posting_id"]
    hu = run(seekers.register, uow, STAFF, GRANDMOTHER)["seeker_id"]
    app_id = run(applications.apply, uow, STAFF, {"posting_id": pid, "seeker_id": hu})[
        "application_id"]
    (match,) = run(matches.postings_for_seeker, uow, hu, {})
    assert PostingMatchView().validate(match) == {}
    assert match["application_id"] == app_id and match["posting"]["posting_id"] == pid
    assert match["reasons"][0] == "工作时间灵活,可按个人时间安排"
    assert {a["aspect"]: a["weight"] for a in match["aspects"]} == {
        "hours": 35, "distance": 25, "skills": 20, "pay": 20}
    (person,) = run(matches.seekers_for_posting, uow, pid, {"limit": 5})
    assert person["seeker"]["phone_masked"] == "138****5678" and "13812345678" not in str(person)
    run(postings.withdraw, uow, pid, STAFF, {"reason": "订单取消了"})
    with pytest.raises(IllegalTransition):
        run(matches.seekers_for_posting, uow, pid, {})


def test_the_screen_page_escapes_what_employers_typed(uow):
    employer_id = workshop(uow, name="坏&人<b>")["employer_id"]
    toy_job(uow, employer_id, title='<script>alert("x")</script>')
    feed = run(postings.screen_feed, uow, {"community": "天宝社区"})
    assert feed["total"] == 1 and feed["items"][0]["employer_name"] == "坏&人<b>"
    page = run(postings.screen_page, uow, {"community": "天宝社区"})
    assert "<script>" not in page and "&lt;script&gt;" in page and "坏&amp;人&lt;b&gt;" in page


def test_a_street_admin_records_a_posting_and_a_seeker_on_their_real_dates_and_no_one_else(uow):
    employer_id = workshop(uow)["employer_id"]
    in_february = clock.iso(T0 - timedelta(days=40))
    posted = run(postings.publish, uow, ADMIN, {
        "employer_id": employer_id, "title": "毛绒玩具手工缝制", "description": "计件",
        "employment_type": "PART_TIME", "hours_flexible": True, "openings": 2,
        "valid_through": in_days(30), "recorded_at": in_february})
    assert clock.parse_iso(posted["posted_at"]) == T0 - timedelta(days=40)
    seeker = run(seekers.register, uow, ADMIN, {**GRANDMOTHER, "recorded_at": in_february})
    assert clock.parse_iso(seeker["registered_at"]) == T0 - timedelta(days=40)
    month = clock.month_key(T0 - timedelta(days=40))
    totals = run(figures.statistics, uow, {"period": month})["totals"]
    assert (totals["postings_provided"], totals["openings_provided"],
            totals["seekers_registered"]) == (1, 2, 1)

    before = stored_state(uow)
    with pytest.raises(Forbidden):   # only a street admin back-dates
        toy_job(uow, employer_id, recorded_at=in_february)
    with pytest.raises(ValidationFailed) as future:
        run(seekers.register, uow, ADMIN, {**GRANDMOTHER, "id_number": None,
                                           "recorded_at": in_days(1)})
    assert set(future.value.fields) == {"recorded_at"}
    assert stored_state(uow) == before
