"""The rules of visits, postings, applications and placements, without I/O."""
from datetime import date, timedelta

import pytest

from services.job import domain
from shared.errors import IllegalTransition, ValidationFailed
from tests.unit.job.factories import STAFF, T0, employer, grandmother

SYSTEM = {"id": "job", "name": "系统", "role": "system"}


def at(hours):
    return T0 + timedelta(hours=hours)


def types(aggregate):
    return [event_type.name for event_type, _ in aggregate.events]


def counts(aggregate):
    merged = {}
    for (month, community), changes in aggregate.stat_changes:
        for name, value in changes.items():
            key = (month, community, name)
            merged[key] = merged.get(key, 0) + value
    return merged


VISIT = {
    "visited_on": "2026-03-01", "findings": "用工稳定,缺缝纫工;门前路灯不亮,货车停放困难",
    "deliveries": [
        {"kind": "policy", "policy_name": "小微企业吸纳就业社保补贴", "note": None},
        {"kind": "policy", "policy_name": "一次性吸纳就业补贴", "note": None},
        {"kind": "training", "topic": "缝纫技能培训", "expected_participants": 12,
         "preferred_date": "2026-03-20", "request_activity": True, "note": None},
        {"kind": "training", "topic": "消防安全", "expected_participants": 5,
         "preferred_date": None, "request_activity": False, "note": "企业自行组织"},
        {"kind": "job", "openings_collected": 3, "note": None},
    ],
    "problems": [{"category": "street_light", "description": "门前路灯不亮", "address": None,
                  "alley": None, "location": None},
                 {"category": "parking", "description": "门前车辆乱停,货车进不来",
                  "address": "聚宝路12号门前", "alley": "聚宝路", "location": None}],
    "follow_up_actions": [{"description": "下周推荐两名缝纫工", "due_on": "2026-03-08",
                           "owner": "李伟"}],
}


def visit():
    return domain.Visit.record("VS1", employer(), VISIT, STAFF, at(0))


def test_a_visit_emits_what_other_services_act_on_and_counts_deliveries_by_kind():
    recorded = visit()
    assert types(recorded) == ["employer_visited", "employer_problem_reported",
                               "employer_problem_reported", "training_requested"]
    visited = recorded.events[0][1]
    assert visited["deliveries"] == [{"kind": "policy", "count": 2},
                                     {"kind": "training", "count": 2},
                                     {"kind": "job", "count": 1}]
    lamp = recorded.events[1][1]
    assert (lamp["problem_id"], lamp["category"], lamp["address"]) == (
        "VS1-P1", "street_light", "聚宝路12号")  # the employer's address when none is given
    training = recorded.events[3][1]
    assert (training["request_id"], training["topic"], training["preferred_date"]) == (
        "VS1-T3", "缝纫技能培训", "2026-03-20")
    assert counts(recorded) == {
        ("2026-03", "天宝社区", "visits"): 1, ("2026-03", "天宝社区", "problems_reported"): 2,
        ("2026-03", "天宝社区", "training_requests"): 1,
        ("2026-03", "天宝社区", "delivery.policy"): 2,
        ("2026-03", "天宝社区", "delivery.training"): 2,
        ("2026-03", "天宝社区", "delivery.job"): 1}
    assert recorded.follow_up_actions[0]["action_id"] == "VS1-A1"


def test_a_closed_work_order_resolves_the_problem_once_and_tells_the_employer():
    recorded = visit()
    assert recorded.work_order_opened("VS1-P1", "WO202603020001", at(1))
    assert not recorded.work_order_opened("VS1-P1", "WO202603020001", at(1))
    note = recorded.close_problem("VS1-P1", "WO202603020001", domain.PROBLEM_RESOLVED,
                                  "satisfied", at(30))
    problem = recorded.problem("VS1-P1")
    assert (problem["state"], problem["resolution"]) == ("resolved", "已办结,回访满意")
    assert note["kind"] == "problem_resolved"
    assert note["title"] == "您反映的“路灯故障”问题已解决"
    assert "WO202603020001" in note["body"] and "门前路灯不亮" in note["body"]
    assert recorded.close_problem("VS1-P1", "WO202603020001", domain.PROBLEM_RESOLVED,
                                  "satisfied", at(40)) is None


def test_a_rejected_work_order_ends_the_problem_with_the_reason():
    recorded = visit()
    note = recorded.close_problem("VS1-P2", "WO2", "rejected", "属小区内部道路,由物业处理", at(2))
    problem = recorded.problem("VS1-P2")
    assert (problem["state"], problem["end_reason"]) == ("ended", "属小区内部道路,由物业处理")
    assert note["title"] == "您反映的“车辆乱停”问题未予办理"
    assert "不予受理" in note["body"] and "由物业处理" in note["body"]


def test_follow_up_actions_are_completed_once():
    recorded = visit()
    recorded.complete_action("VS1-A1", STAFF, at(5), "已推荐胡明英")
    with pytest.raises(IllegalTransition):
        recorded.complete_action("VS1-A1", STAFF, at(6), None)


def publish(openings=2, **extra):
    details = {"title": "毛绒玩具手工缝制", "description": "手工缝制毛绒玩具,计件",
               "employment_type": "PART_TIME", "work_schedule": [], "hours_flexible": True,
               "salary": {"min": 1800, "max": 2200, "unit": "MONTH", "piece_rate": True},
               "openings": openings, "valid_through": at(24 * 30), "skills": ["手工缝纫"],
               **extra}
    return domain.JobPosting.publish("JP1", employer(), details, STAFF, at(0))


def test_a_posting_is_counted_when_published_and_fills_up_by_hiring():
    posting = publish(visit_id="VS1")
    assert posting.state == domain.OPEN and posting.address == "聚宝路12号"
    assert counts(posting)[("2026-03", "天宝社区", "postings_via_visits")] == 1
    assert posting.events[0][1]["summary"] == (
        "聚宝路毛绒玩具加工点招毛绒玩具手工缝制2人|兼职|时间灵活|计件,月均约1800–2200元|聚宝路12号")
    posting.hire_one(STAFF, at(1))
    assert posting.state == domain.OPEN
    posting.hire_one(STAFF, at(2))
    assert posting.state == domain.FILLED and types(posting)[-1] == "job_posting_closed"
    with pytest.raises(IllegalTransition) as refused:
        posting.withdraw(STAFF, at(3), "不招了")
    assert "已招满" in refused.value.message


def test_a_deadline_must_be_ahead_and_expiry_happens_once():
    with pytest.raises(ValidationFailed):
        publish(valid_through=at(-1))
    posting = publish()
    assert not posting.expire(SYSTEM, at(24 * 29))
    assert posting.expire(SYSTEM, at(24 * 31))
    assert not posting.expire(SYSTEM, at(24 * 32))  # a second process finds nothing to do
    assert types(posting).count("job_posting_closed") == 1
    posting.renew(STAFF, at(24 * 32), at(24 * 60), None)
    assert posting.state == domain.OPEN and types(posting)[-1] == "job_posting_opened"
    assert posting.events[-1][1]["renewed"] is True


def test_openings_cannot_drop_below_those_hired():
    posting = publish(openings=3)
    posting.hire_one(STAFF, at(1))
    with pytest.raises(ValidationFailed):
        posting.update({"openings": 0}, STAFF, at(2))
    posting.update({"openings": 1}, STAFF, at(2))
    assert posting.state == domain.FILLED


def hired(started_on="2026-01-31"):
    posting = publish()
    seeker = grandmother()
    application = domain.Application.submit("AP1", posting, seeker, "screen", None, STAFF,
                                            at(0))
    placement = domain.hire("PL1", application, posting, seeker, started_on, 2000, None,
                            STAFF, at(1))
    return application, posting, seeker, placement


def test_hiring_places_the_person_and_schedules_follow_ups_at_1_3_and_6_months():
    application, posting, seeker, placement = hired("2026-01-31")
    assert (application.state, seeker.state, posting.filled) == ("hired", "placed", 1)
    assert [f["due_on"] for f in placement.follow_ups] == [
        "2026-02-28", "2026-04-30", "2026-07-31"]
    assert types(placement) == ["placement_made"]
    assert counts(placement) == {("2026-01", "天宝社区", "placements"): 1,
                                 ("2026-01", "天宝社区", "placement_state.active"): 1}


def test_a_person_not_seeking_work_cannot_apply_and_nothing_changes():
    seeker = grandmother()
    seeker.pause(STAFF, at(0))
    with pytest.raises(IllegalTransition) as refused:
        domain.Application.submit("AP1", publish(), seeker, "self", None, STAFF, at(1))
    assert "暂停求职" in refused.value.message


def test_interviews_no_show_returns_to_applied_and_failed_ends_it():
    posting, seeker = publish(), grandmother()
    application = domain.Application.submit("AP1", posting, seeker, "self", None, STAFF, at(0))
    application.schedule_interview(STAFF, at(1), at(20), "聚宝路12号", None)
    application.record_interview(STAFF, at(21), "no_show", "孙女生病")
    assert application.state == domain.APPLIED
    application.schedule_interview(STAFF, at(22), at(40), "聚宝路12号", None)
    application.record_interview(STAFF, at(41), "failed", "手速不够")
    assert (application.state, application.outcome_reason) == ("not_hired", "手速不够")
    assert application.allowed_actions() == []
    assert counts(application)[("2026-03", "天宝社区", "interviews")] == 2


def test_follow_ups_fall_due_once_and_the_six_month_one_makes_it_stable():
    _, _, _, placement = hired("2025-09-01")
    today = date(2026, 3, 2)
    assert placement.earliest_follow_up(domain.FOLLOW_UP_PENDING) == "2025-10-01"
    due = placement.announce_due(today, at(2))
    assert [f["month"] for f in due] == [1, 3, 6]
    assert placement.earliest_follow_up(domain.FOLLOW_UP_PENDING) is None
    assert placement.earliest_follow_up(domain.FOLLOW_UP_PENDING,
                                        domain.FOLLOW_UP_ANNOUNCED) == "2025-10-01"
    assert types(placement)[-3:] == ["placement_follow_up_due"] * 3
    assert placement.announce_due(today, at(3)) == []
    placement.record_follow_up(STAFF, at(4), 1, "employed", None)
    placement.record_follow_up(STAFF, at(5), 6, "employed", "做得很好")
    assert placement.state == domain.STABLE and placement.stable_on == "2026-03-02"
    assert placement.earliest_follow_up(domain.FOLLOW_UP_PENDING,
                                        domain.FOLLOW_UP_ANNOUNCED) is None
    assert placement.follow_up(3)["state"] == domain.FOLLOW_UP_SKIPPED
    assert types(placement)[-1] == "placement_stable"
    changes = counts(placement)
    assert changes[("2025-09", "天宝社区", "placement_state.stable")] == 1
    assert changes[("2025-09", "天宝社区", "placement_state.active")] == 0
    assert changes[("2026-03", "天宝社区", "stable_placements")] == 1


def test_a_follow_up_cannot_be_recorded_long_before_it_is_due():
    _, _, _, placement = hired("2026-03-01")
    with pytest.raises(IllegalTransition) as refused:
        placement.record_follow_up(STAFF, at(5), 3, "employed", None)
    assert refused.value.code == "FOLLOW_UP_NOT_DUE"


def test_leaving_ends_the_placement_and_the_person_seeks_work_again():
    _, _, seeker, placement = hired("2025-12-01")
    placement.record_follow_up(STAFF, at(5), 3, "left", None)
    domain.placement_left(placement, seeker, STAFF, at(5))
    assert (placement.state, seeker.state) == (domain.ENDED, domain.SEEKING)
    assert placement.end_reason == "3个月回访时已离职"
    assert all(f["state"] == domain.FOLLOW_UP_SKIPPED for f in placement.follow_ups
               if f["month"] != 3)
    assert types(placement)[-1] == "placement_ended"


def test_unreachable_can_be_followed_up_again():
    _, _, _, placement = hired("2025-12-01")
    placement.record_follow_up(STAFF, at(5), 3, "unreachable", None)
    assert placement.state == domain.ACTIVE
    placement.record_follow_up(STAFF, at(6), 3, "employed", None)
    assert placement.follow_up(3)["attempts"] == 2


def test_figures_roll_up_with_the_stable_rate_of_the_cohort():
    buckets = [
        {"month": "2026-01", "community": "天宝社区", "counts": {
            "visits": 3, "delivery.policy": 2, "postings": 5, "openings": 9, "placements": 4,
            "placement_state.stable": 2, "placement_state.active": 1,
            "placement_state.ended": 1}},
        {"month": "2026-02", "community": "浚河社区", "counts": {"visits": 1,
                                                                "delivery.job": 1}},
    ]
    result = domain.roll_up(buckets, ("community",))
    totals = result["totals"]
    assert (totals["visits"], totals["deliveries_total"], totals["postings_provided"]) == (
        4, 3, 5)
    assert totals["deliveries"]["policy"] == {"name": "送政策", "count": 2}
    assert totals["stable_rate"] == 0.5
    assert [g["community"] for g in result["groups"]] == ["天宝社区", "浚河社区"]
    assert domain.figures({})["stable_rate"] is None


@pytest.mark.parametrize("salary, schedule, kind, expected", [
    ({"min": 2000, "unit": "MONTH"}, [], "FULL_TIME", (2000, 2000)),
    ({"min": 20, "max": 25, "unit": "HOUR"},
     [{"days": [1, 2, 3, 4, 5], "start": "08:30", "end": "11:30"}], "PART_TIME", (1305, 1631)),
    ({"min": 150, "unit": "DAY"}, [], "TEMPORARY", (3300, 3300)),
])
def test_pay_is_compared_by_the_month(salary, schedule, kind, expected):
    assert domain.monthly_pay_range(salary, schedule, kind) == expected


def test_schedules_read_as_people_write_them():
    assert domain.schedule_text([
        {"days": [1, 2, 3, 4, 5], "start": "08:30", "end": "11:30"},
        {"days": [1, 2, 3, 4, 5], "start": "14:00", "end": "16:00"},
        {"days": [6, 7], "start": "09:00", "end": "12:00"}]) == \
        "周一至周五 8:30–11:30、14:00–16:00;周末 9:00–12:00"
    assert domain.days_text([1, 3, 5]) == "周一、三、五"
    assert domain.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_a_follow_up_awaits_a_result_only_when_due_and_not_yet_recorded():
    _, _, _, placement = hired("2025-12-01")
    assert placement.month_of("PL1-M3") == 3 and placement.month_of("PL9-M3") is None
    assert placement.awaits_follow_up(3, at(5)) and not placement.awaits_follow_up(6, at(5))
    placement.record_follow_up(STAFF, at(5), 3, "employed", None)
    assert not placement.awaits_follow_up(3, at(6))
    assert set(domain.VOLUNTEER_FOLLOW_UP_RESULTS.values()) == set(domain.FOLLOW_UP_RESULTS)
