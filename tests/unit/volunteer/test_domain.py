"""The volunteer rules without I/O: the registry, recognition, shifts and attendance,
corrections, and the shifts other services ask for."""
from datetime import datetime, timedelta, timezone

import pytest

from services.volunteer import corrections, domain, shifts, sources
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed

ADMIN = {"id": "a1", "name": "王主任", "role": "street_admin"}
STAFF = {"id": "s1", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
OTHER_STAFF = {"id": "s2", "name": "李伟", "role": "community_staff", "community": "天宝社区"}
SYSTEM = {"id": "volunteer", "name": "系统", "role": "system"}
T0 = datetime(2026, 3, 7, 1, 0, tzinfo=timezone.utc)  # Saturday 09:00 in the office


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def volunteer(vid="V1", name="陈晓", community="浚河社区", skills=("medical",), state="active",
              **extra) -> domain.Volunteer:
    person = domain.Volunteer.register(vid, {
        "name": name, "community": community, "skills": list(skills),
        "id_number": {"sealed": "x", "masked": "341***********0012", "fingerprint": f"fp-{vid}"},
        "phone": {"sealed": "y", "masked": "139****0001", "fingerprint": f"ph-{vid}"},
        **extra}, STAFF, at(-100))
    if state == "active":
        person.approve(ADMIN, at(-99))
    person.events.clear()
    return person


def me(person) -> dict:
    return {"id": person.id, "name": person.name, "role": "volunteer",
            "community": person.community}


def shift(kind="manual", starts=at(2), ends=at(5), needed=2, skills=("medical",),
          **extra) -> shifts.Shift:
    opened = shifts.Shift.open("S1", {
        "kind": kind, "title": "爱心义诊", "community": "浚河社区", "place": "文化服务中心",
        "starts_at": starts, "ends_at": ends, "needed": needed, "organiser": "浚河社区",
        "skills": list(skills), **extra}, STAFF, T0)
    opened.events.clear()
    return opened


def types(record) -> list[str]:
    return [event_type.name for event_type, _ in record.events]


# --- the registry -------------------------------------------------------------------------

def test_registration_waits_for_approval_by_staff_of_the_community():
    person = domain.Volunteer.register("V1", {
        "name": "陈晓", "community": "浚河社区", "skills": ["medical"],
        "id_number": {"sealed": "x", "masked": "m", "fingerprint": "fp"}}, STAFF, T0)
    assert person.state == domain.PENDING and types(person) == ["volunteer_registered"]
    assert person.allowed_actions() == ["approve", "reject", "withdraw", "update"]
    with pytest.raises(Forbidden):
        person.approve(OTHER_STAFF, at(1))
    with pytest.raises(Forbidden):
        person.approve(me(person), at(1))
    person.approve(STAFF, at(1), "资料齐全")
    assert (person.state, person.approved_at) == (domain.ACTIVE, at(1))
    assert [h["action"] for h in person.history] == ["register", "approve"]


def test_illegal_registry_steps_are_refused_and_change_nothing():
    person = volunteer(state="pending")
    before = (person.state, len(person.history), len(person.events))
    for step in (lambda: person.suspend(ADMIN, at(1), "测试"),
                 lambda: person.reinstate(ADMIN, at(1)),
                 lambda: person.commend(ADMIN, at(1), "好人好事", domain.RecognitionRules())):
        with pytest.raises(IllegalTransition) as refused:
            step()
        assert "待审核" in refused.value.message
    assert (person.state, len(person.history), len(person.events)) == before


def test_a_rejected_registration_frees_the_id_number_and_withdrawal_can_be_undone():
    person = volunteer(state="pending")
    assert person.registration_key == "fp-V1"
    person.reject(ADMIN, at(1), "不在本街道居住")
    assert person.registration_key is None and person.allowed_actions() == []
    other = volunteer("V2")
    other.withdraw(me(other), at(1), "搬家")
    assert other.state == domain.WITHDRAWN and other.registration_key == "fp-V2"
    other.reinstate(ADMIN, at(2))
    assert other.state == domain.ACTIVE
    assert types(other) == ["volunteer_withdrawn", "volunteer_reinstated"]


def test_profile_changes_record_old_and_new_with_phones_masked():
    person = volunteer()
    person.update(ADMIN, at(1), {
        "skills": ["medical", "legal"], "team": "red_vest",
        "phone": {"sealed": "z", "masked": "137****1111", "fingerprint": "new"}})
    details = person.history[-1]["details"]
    assert details["phone"] == {"old": "139****0001", "new": "137****1111"}
    assert details["skills"] == {"old": ["medical"], "new": ["medical", "legal"]}
    assert person.events[-1][1]["changed"] == ["phone", "skills", "team"]
    person.events.clear()
    person.update(me(person), at(2), {"team": "red_vest"})  # as it is: allowed, ignored
    assert person.events == []  # nothing changed, nothing to say
    with pytest.raises(Forbidden):
        person.update({**me(person), "id": "V9"}, at(3), {"name": "别人"})


def test_counts_follow_state_skills_and_star_level():
    person = volunteer(state="pending", skills=("medical", "legal"))
    assert person.stat_vector() == (("浚河社区", ""), {"state.pending": 1})
    person.approve(ADMIN, at(1))
    assert person.stat_vector()[1] == {"state.active": 1, "star.0": 1, "skill.medical": 1,
                                       "skill.legal": 1}
    person.suspend(ADMIN, at(2), "外出务工")
    assert person.stat_vector()[1] == {"state.suspended": 1}


# --- recognition --------------------------------------------------------------------------

RULES = domain.RecognitionRules(star_thresholds=(10, 30, 60), exemplar_from_star=2,
                                commendations_for_exemplar=3)


def test_star_levels_are_reached_by_hours_and_high_ones_propose_an_exemplar_once():
    person = volunteer()
    person.credit(12, "2026-03-07", at(1), RULES)
    assert (person.star_level, types(person)) == (1, ["volunteer_star_level_reached"])
    person.events.clear()
    person.credit(50, "2026-03-08", at(2), RULES)  # jumps from one star to three
    assert person.star_level == 3
    assert types(person) == ["volunteer_star_level_reached", "volunteer_exemplar_proposed"]
    proposal = person.events[-1][1]
    assert (proposal["star_level"], proposal["total_hours"], proposal["trigger"]) == (
        3, 62, "star_level")
    assert proposal["reason"] == "成为三星级志愿者,累计志愿服务 62 小时"
    person.events.clear()
    person.credit(-5, "2026-03-08", at(3), RULES, counts_as_service=False)  # a correction
    assert person.star_level == 2 and person.events == []
    assert person.services == 2 and person.last_served_on == "2026-03-08"
    person.credit(5, "2026-03-09", at(4), RULES)  # back to three: already proposed
    assert types(person) == ["volunteer_star_level_reached"]


def test_suspended_volunteers_are_not_proposed():
    person = volunteer()
    person.suspend(ADMIN, at(1), "暂停")
    person.events.clear()
    person.credit(40, "2026-03-07", at(2), RULES)
    assert types(person) == ["volunteer_star_level_reached"]
    assert person.proposals == []


def test_many_commendations_propose_an_exemplar_once():
    person = volunteer()
    for n in range(4):
        person.commend(STAFF, at(n), f"第{n + 1}次表扬", RULES)
    assert types(person).count("volunteer_commended") == 4
    proposals = [d for t, d in person.events if t.name == "volunteer_exemplar_proposed"]
    assert len(proposals) == 1 and proposals[0]["commendations"] == 3
    assert proposals[0]["reason"] == "累计获得表扬 3 次"
    with pytest.raises(Forbidden):
        person.commend(OTHER_STAFF, at(9), "外社区表扬", RULES)


def test_star_names_and_rules_as_data():
    assert [domain.star_name(n) for n in (0, 1, 5)] == ["未评星", "一星级志愿者", "五星级志愿者"]
    rules = domain.RecognitionRules()
    assert [rules.star_level(h) for h in (99.9, 100, 1499, 1500, 9999)] == [0, 1, 4, 5, 5]
    assert domain.rules_from(None) == rules
    assert domain.rules_from({"star_thresholds": [1, 2], "exemplar_from_star": 2,
                              "commendations_for_exemplar": 9}).star_level(1.5) == 1


# --- shifts -------------------------------------------------------------------------------

def test_opening_a_shift_checks_its_times_and_who_opens_it():
    with pytest.raises(ValidationFailed):
        shift(starts=at(5), ends=at(4))
    with pytest.raises(ValidationFailed):
        shift(starts=at(1), ends=at(30))
    with pytest.raises(ValidationFailed):  # already over
        shift(starts=at(-5), ends=at(-1))
    with pytest.raises(Forbidden):
        shifts.Shift.open("S2", {"kind": "manual", "title": "义诊", "community": "浚河社区",
                                 "place": "广场", "starts_at": at(1), "ends_at": at(2),
                                 "needed": 1, "organiser": "浚河社区"}, OTHER_STAFF, T0)
    opened = shifts.Shift.open("S3", {"kind": "manual", "title": "义诊", "community": "浚河社区",
                                      "place": "广场", "starts_at": at(1), "ends_at": at(3),
                                      "needed": 1, "organiser": "浚河社区"}, STAFF, T0)
    assert types(opened) == ["volunteer_shift_opened"] and opened.scheduled_hours() == 2.0


def test_sign_up_checks_skills_places_community_and_state():
    s = shift(needed=1, skills=("medical", "first_aid"))
    nurse = volunteer("V1", skills=("medical",))
    with pytest.raises(Conflict) as refused:
        s.sign_up(nurse, me(nurse), T0, [])
    assert refused.value.code == "SKILLS_REQUIRED" and "应急救护" in refused.value.message
    s.skill_match = "any"
    s.sign_up(nurse, me(nurse), T0, [])
    assert types(s) == ["volunteer_signed_up"] and s.places_left() == 0
    other = volunteer("V2")
    with pytest.raises(Conflict) as refused:
        s.sign_up(other, me(other), T0, [])
    assert refused.value.code == "SHIFT_FULL"
    local = shift(needed=3, skills=(), community_only=True)
    outsider = volunteer("V3", community="天宝社区")
    with pytest.raises(Conflict) as refused:
        local.sign_up(outsider, me(outsider), T0, [])
    assert refused.value.code == "COMMUNITY_ONLY"
    resting = volunteer("V4")
    resting.suspend(ADMIN, T0, "暂停")
    with pytest.raises(Conflict) as refused:
        local.sign_up(resting, ADMIN, T0, [])
    assert refused.value.code == "VOLUNTEER_NOT_ACTIVE"


def test_sign_up_refuses_overlapping_shifts_but_not_touching_ones_or_visits():
    s = shift(starts=at(2), ends=at(5))
    person = volunteer()
    overlapping = shift(starts=at(4), ends=at(6))
    overlapping.id, overlapping.title = "S2", "健康讲座"
    touching = shift(starts=at(5), ends=at(7))
    touching.id = "S3"
    with pytest.raises(Conflict) as refused:
        s.sign_up(person, me(person), T0, [touching, overlapping])
    assert refused.value.code == "SHIFT_OVERLAP" and "健康讲座" in refused.value.message
    s.sign_up(person, me(person), T0, [touching])
    visit = shift(kind="follow_up_visit", starts=at(0), ends=at(72), skills=(), needed=1)
    assert not visit.overlaps(s) and not s.overlaps(visit)


def test_sign_up_closes_when_the_shift_starts_except_for_staff():
    s = shift(starts=at(2), ends=at(5), skills=())
    person, late = volunteer("V1"), volunteer("V2")
    with pytest.raises(IllegalTransition):
        s.sign_up(person, me(person), at(2), [])
    assert not s.open_for_sign_up(at(2)) and s.open_for_sign_up(at(1))
    s.sign_up(person, STAFF, at(3), [])
    with pytest.raises(IllegalTransition):
        s.sign_up(late, STAFF, at(5), [])
    s.withdraw_sign_up(person.id, STAFF, at(4))
    s.sign_up(person, STAFF, at(4.5), [])  # signing up again after withdrawing
    assert [a["status"] for a in s.assignments] == ["signed_up"]


def test_check_in_opens_an_hour_before_and_check_out_counts_tenths_capped_at_the_length():
    s = shift(starts=at(2), ends=at(5), skills=())
    person = volunteer()
    s.sign_up(person, me(person), T0, [])
    with pytest.raises(IllegalTransition) as refused:
        s.check_in(person.id, me(person), at(0.9))
    assert refused.value.code == "NOT_ALLOWED_NOW"
    s.check_in(person.id, me(person), at(1.5))
    with pytest.raises(IllegalTransition):
        s.check_in(person.id, me(person), at(1.6))
    assert s.check_out(person.id, me(person), at(1.5) + timedelta(minutes=100)) == 1.6
    other = volunteer("V2")
    s.sign_up(other, me(other), T0, [])
    s.check_in(other.id, me(other), at(1.5))
    assert s.check_out(other.id, me(other), at(9)) == 3.0  # never more than the shift
    assert shifts.hours_between(at(0), at(0) + timedelta(minutes=5)) == 0.0
    assert shifts.hours_between(at(0), at(2)) == 2.0


def test_the_organiser_marks_attendance_in_bulk_with_walk_ins():
    s = shift(starts=at(2), ends=at(5), skills=("medical",), needed=1)
    came, checked_out, walk_in = volunteer("V1"), volunteer("V2"), volunteer("V3",
                                                                              skills=())
    s.sign_up(came, STAFF, T0, [])
    s.needed = 2
    s.sign_up(checked_out, STAFF, T0, [])
    s.check_in(checked_out.id, STAFF, at(2))
    s.check_out(checked_out.id, STAFF, at(3.5))
    with pytest.raises(Forbidden):
        s.mark_attended([came.id], None, me(came), at(4))
    with pytest.raises(NotFound):
        s.mark_attended(["V-unknown"], None, STAFF, at(4))
    marked = s.mark_attended([came.id, checked_out.id, walk_in.id], None, STAFF, at(6),
                             {walk_in.id: (walk_in, [])})
    # Walk-ins need neither a free place nor the skills, and may be added after the end.
    assert marked == [{"volunteer_id": "V1", "hours": 3.0}, {"volunteer_id": "V2", "hours": 1.5},
                      {"volunteer_id": "V3", "hours": 3.0}]
    assert s.assignment(walk_in.id)["walk_in"] is True
    with pytest.raises(ValidationFailed):
        s.mark_attended([came.id], 4, STAFF, at(6))


def test_completing_credits_who_served_and_marks_the_rest_absent():
    s = shift(starts=at(2), ends=at(5), skills=("medical",), needed=4)
    served, forgot, absent = volunteer("V1"), volunteer("V2"), volunteer("V3")
    for person in (served, forgot, absent):
        s.sign_up(person, me(person), T0, [])
    s.check_in(served.id, me(served), at(2))
    s.check_out(served.id, me(served), at(4))
    s.check_in(forgot.id, me(forgot), at(3))  # never checked out
    with pytest.raises(IllegalTransition):
        s.complete(STAFF, at(1))
    with pytest.raises(Forbidden):
        s.complete(me(served), at(6))
    s.complete(STAFF, at(30))
    assert s.state == shifts.COMPLETED
    assert [(c["volunteer_id"], c["hours"], c["key"], c["skills"]) for c in s.credits] == [
        ("V1", 2.0, "shift:S1:V1", ["medical"]), ("V2", 2.0, "shift:S1:V2", ["medical"])]
    assert s.credits[0]["date"] == "2026-03-07"
    assert s.assignment(absent.id)["status"] == shifts.ABSENT
    completed = s.events[-1][1]
    assert (completed["attended"], completed["absent"], completed["hours"]) == (2, 1, 4.0)
    assert s.allowed_actions(at(31)) == []


def test_a_finished_activity_counts_its_hours_for_those_there():
    s = shift(skills=(), needed=4, source={"service": "activity", "activity_id": "A1"},
              kind="activity")
    checked_in, on_list, checked_out, away = (volunteer(f"V{n}") for n in range(4))
    for person in (checked_in, on_list, checked_out, away):
        s.sign_up(person, me(person), T0, [])
    s.check_in(checked_in.id, me(checked_in), at(2))
    s.check_in(checked_out.id, me(checked_out), at(2))
    s.check_out(checked_out.id, me(checked_out), at(3))
    s.finish_activity({on_list.id}, 2.5, SYSTEM, at(6))
    assert {c["volunteer_id"]: c["hours"] for c in s.credits} == {"V0": 2.5, "V1": 2.5,
                                                                  "V2": 1.0}
    assert s.credits[0]["key"] == "activity:A1:V0"
    assert s.assignment(away.id)["status"] == shifts.ABSENT


def test_visits_complete_when_their_answer_is_recorded():
    data = {"number": "WO1", "category": "street_light", "community": "浚河社区",
            "alley": "新宇巷", "address": "新宇巷49号", "completed_at": "2026-03-07T01:00:00+00:00",
            "reporter_name": "张清松", "reporter_phone_masked": "138****5678"}
    details = sources.follow_up_visit_shift(data)
    assert details["source_key"] == "work_order:WO1:2026-03-07T01:00:00+00:00"
    assert details["ends_at"] - details["starts_at"] == shifts.FOLLOW_UP_WINDOW
    visit = shifts.Shift.open("S9", details, SYSTEM, T0)
    person = volunteer()
    visit.sign_up(person, me(person), at(30), [])  # any time while it is open
    with pytest.raises(IllegalTransition):
        visit.complete(STAFF, at(31))
    visit.record_visit(person.id, me(person), at(31), "basically_satisfied", "基本满意")
    assert visit.state == shifts.COMPLETED
    assert [c["hours"] for c in visit.credits] == [shifts.VISIT_HOURS]
    event_type, answer = visit.events[-2]
    assert event_type.name == "follow_up_visit_recorded"
    assert (answer["work_order_number"], answer["result"], answer["visitor_name"]) == (
        "WO1", "basically_satisfied", "陈晓")
    with pytest.raises(IllegalTransition):
        visit.record_visit(person.id, me(person), at(32), "satisfied", None)
    plain = shift(skills=())
    with pytest.raises(IllegalTransition):
        plain.record_visit(person.id, me(person), at(3), "satisfied", None)


def test_placement_follow_ups_and_activity_slots_become_shifts():
    placement = sources.placement_visit_shift({
        "follow_up_id": "F1", "placement_id": "P1", "community": "天宝社区",
        "seeker_name": "胡明英", "employer_name": "毛绒玩具加工点", "month": 6,
        "due_on": "2026-03-09"})
    assert placement["starts_at"] == datetime(2026, 3, 8, 16, tzinfo=timezone.utc)
    assert placement["kind"] == shifts.PLACEMENT_FOLLOW_UP and placement["community_only"]
    activity = sources.activity_shift({
        "activity_id": "A1", "title": "反对浪费·提倡光盘", "theme": "science_popularisation",
        "community": "浚河社区", "organiser": "浚河社区", "venue": "社区综合文化服务中心",
        "room": "市民学校", "starts_at": "2026-03-07T01:00:00+00:00",
        "ends_at": "2026-03-07T03:00:00+00:00",
        "volunteer_slots": {"count": 3, "skills": ["arts", "juggling"]}})
    # Venue and room apart, the theme by its name: people read both.
    assert activity["place"] == "社区综合文化服务中心 · 市民学校"
    assert activity["description"] == "主题:科普活动"
    assert activity["skills"] == ["arts"] and activity["skill_match"] == "any"


def test_rescheduling_keeps_sign_ups_and_records_what_changed():
    s = shift(skills=())
    person = volunteer()
    s.sign_up(person, me(person), T0, [])
    s.reschedule({"starts_at": at(3), "ends_at": at(6), "needed": 5, "title": "爱心义诊"},
                 SYSTEM, at(1))
    assert s.needed == 5 and s.holding()[0]["volunteer_id"] == person.id
    assert set(s.history[-1]["details"]) == {"starts_at", "ends_at", "needed"}
    steps = len(s.history)
    s.reschedule({"needed": 5}, SYSTEM, at(1))
    assert len(s.history) == steps


# --- corrections --------------------------------------------------------------------------

def test_a_correction_before_completion_changes_what_will_be_credited():
    s = shift(starts=at(2), ends=at(5), skills=())
    person = volunteer()
    s.sign_up(person, me(person), T0, [])
    s.check_in(person.id, me(person), at(3))
    s.check_out(person.id, me(person), at(4))
    old, new = corrections.attendance_values(s, person.id, at(2), None, None)
    assert (old["hours"], new["hours"], new["check_out_at"]) == (1.0, 2.0, at(4))
    assert s.apply_correction(person.id, "C1", old, new, STAFF, at(4.5)) == 0.0
    s.complete(STAFF, at(6))
    assert s.credits[0]["hours"] == 2.0
    with pytest.raises(ValidationFailed):
        corrections.attendance_values(s, person.id, None, None, 2.0)  # the same value
    with pytest.raises(ValidationFailed):
        corrections.attendance_values(s, person.id, None, None, 3.5)  # longer than the shift


def test_a_correction_after_completion_returns_the_difference_to_credit():
    s = shift(starts=at(2), ends=at(5), skills=())
    served, absent = volunteer("V1"), volunteer("V2")
    s.sign_up(served, me(served), T0, [])
    s.sign_up(absent, me(absent), T0, [])
    s.mark_attended([served.id], 2.0, STAFF, at(5))
    s.complete(STAFF, at(6))
    old, new = corrections.attendance_values(s, served.id, None, None, 1.5)
    assert s.apply_correction(served.id, "C1", old, new, STAFF, at(7)) == -0.5
    assert s.assignment(served.id)["credited_hours"] == 1.5
    old, new = corrections.attendance_values(s, absent.id, at(2), at(4), None)
    assert old["hours"] == 0.0 and new["hours"] == 2.0
    assert s.apply_correction(absent.id, "C2", old, new, STAFF, at(7)) == 2.0
    assert s.assignment(absent.id)["status"] == shifts.ATTENDED
    assert s.assignment(served.id)["corrections"][0]["old"]["hours"] == 2.0


def test_corrections_are_decided_once_by_staff_of_the_community():
    person = volunteer()
    correction = corrections.Correction.request("C1", {
        "volunteer_id": person.id, "volunteer_name": person.name, "community": "浚河社区",
        "organiser": "浚河社区", "target": {"kind": "shift", "shift_id": "S1"},
        "old": {"hours": 1.0}, "new": {"hours": 2.0}, "reason": "签到晚了"}, me(person), T0)
    assert correction.target_key == "shift:S1:V1"
    with pytest.raises(Forbidden):
        correction.approve(me(person), at(1))
    with pytest.raises(Forbidden):
        correction.approve(OTHER_STAFF, at(1))
    correction.reject(STAFF, at(1), "没有依据")
    with pytest.raises(IllegalTransition):
        correction.approve(STAFF, at(2))
    assert types(correction) == ["volunteer_hours_correction_requested",
                                 "volunteer_hours_correction_decided"]
    with pytest.raises(Forbidden):  # for someone else
        corrections.Correction.request("C2", {
            "volunteer_id": "V9", "volunteer_name": "别人", "community": "浚河社区",
            "organiser": "浚河社区", "target": {"kind": "entry", "entry_id": "E1"},
            "old": {"hours": 1.0}, "new": {"hours": 2.0}, "reason": "代别人申请"},
            me(person), T0)
