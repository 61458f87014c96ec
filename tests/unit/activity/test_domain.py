"""The activity rules, without I/O: lifecycle, places, registration, the door, the figures."""
from datetime import datetime, timedelta, timezone

import pytest

from services.activity import catalogue, domain, exemplars, permissions, registrations
from shared.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed

STAFF = {"id": "s1", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
RESIDENT = {"id": "r1", "name": "全国华", "role": "resident"}
SYSTEM = {"id": "activity", "name": "系统", "role": "system"}
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)       # Monday 09:00 in the office
SATURDAY_9 = datetime(2026, 3, 7, 1, 0, tzinfo=timezone.utc)  # Saturday 09:00 in the office
VENUE = {"id": "V001", "name": "浚河社区综合文化服务中心", "community": "浚河社区",
         "address": "新宇巷1号", "capacity": None,
         "opening_hours": [{"weekdays": [1, 2, 3, 4, 5, 6], "opens": "08:30",
                            "closes": "17:30"}]}
ROOM = {"id": "V001-R01", "venue_id": "V001", "name": "书画室", "kind": "calligraphy",
        "capacity": 3, "opening_hours": []}
PLACE = {"venue": VENUE, "room": ROOM}


def hours(n):
    return SATURDAY_9 + timedelta(hours=n)


def draft(place=PLACE, starts=SATURDAY_9, ends=hours(2), **extra):
    details = {"title": "书画进社区", "theme": "culture_and_sports", "organiser": "浚河社区",
               "community": "浚河社区", "starts_at": starts, "ends_at": ends,
               "volunteer_slots": {"count": 2, "skills": ["arts"]}, **extra}
    return domain.Activity.create("AC202603020001", details, place, STAFF, T0)


def published(**extra):
    activity = draft(**extra)
    activity.publish(STAFF, T0)
    activity.events.clear()
    activity.stat_changes.clear()
    return activity


def person(activity, name="张清松", phone_fp="fp1", role=registrations.PARTICIPANT, volunteer_id=None):
    return registrations.Registration(
        registration_id=activity.next_registration_id(), activity_id=activity.activity_id,
        name=name, code="123456", registered_at=T0, registered_by=RESIDENT, role=role,
        phone={"masked": "138****5678", "fingerprint": phone_fp, "sealed": "x"},
        volunteer_id=volunteer_id)


def types(activity):
    return [event_type.name for event_type, _ in activity.events]


def test_a_draft_books_its_place_and_takes_the_rooms_capacity():
    activity = draft()
    assert activity.state == catalogue.DRAFT and activity.capacity == 3
    assert activity.place_capacity == 3 and activity.place_name == "浚河社区综合文化服务中心 · 书画室"
    assert activity.room == {"id": "V001-R01", "name": "书画室", "kind": "calligraphy"}
    assert [h["action"] for h in activity.history] == ["create"]
    assert activity.events == [] and activity.stat_changes == []


@pytest.mark.parametrize("change, field, words", [
    ({"starts_at": hours(24), "ends_at": hours(26)}, "starts_at", "周日不开放"),
    ({"starts_at": hours(8), "ends_at": hours(10)}, "starts_at", "08:30–17:30"),
    ({"capacity": 4}, "capacity", "容量 3 人"),
    ({"starts_at": T0 - timedelta(hours=1), "ends_at": T0}, "starts_at", "晚于现在"),
    ({"ends_at": SATURDAY_9}, "ends_at", "晚于开始时间"),
    ({"place": None, "ends_at": hours(24 * 8)}, "ends_at", "最长 7 天"),
    ({"theme": "our_festivals"}, "festival", "选择节日"),
])
def test_a_schedule_outside_the_rules_is_refused(change, field, words):
    with pytest.raises(ValidationFailed) as refused:
        draft(**{"starts": change.pop("starts_at", SATURDAY_9),
                 "ends": change.pop("ends_at", hours(2)), **change})
    assert words in refused.value.fields[field][0]


def test_a_venue_of_another_community_is_refused_and_street_venues_serve_all():
    with pytest.raises(ValidationFailed) as refused:
        draft(place={"venue": {**VENUE, "community": "天宝社区"}, "room": None})
    assert "天宝社区" in refused.value.fields["venue_id"][0]
    square = draft(place={"venue": {**VENUE, "community": None, "opening_hours": [],
                                    "capacity": None}, "room": None})
    assert square.capacity is None and square.place_capacity is None


def test_publishing_announces_the_activity_with_its_volunteer_slots():
    activity = draft(festival="qingming")
    activity.publish(STAFF, T0)
    assert activity.state == catalogue.PUBLISHED and types(activity) == ["activity_published"]
    data = activity.events[0][1]
    assert data["volunteer_slots"] == {"count": 2, "skills": ["arts"]}
    assert (data["venue"], data["room"], data["starts_at"]) == (
        "浚河社区综合文化服务中心", "书画室", "2026-03-07T01:00:00.000+00:00")
    assert activity.stat_changes == [(("2026-03", "浚河社区", "V001", "culture_and_sports",
                                       "qingming"), {"published": 1})]


def test_publishing_needs_a_place_and_a_time_still_to_come():
    with pytest.raises(ValidationFailed) as refused:
        draft(place=None, starts=None, ends=None).publish(STAFF, T0)
    assert "venue_id" in refused.value.fields
    with pytest.raises(ValidationFailed) as refused:
        draft().publish(STAFF, SATURDAY_9)
    assert "已过" in refused.value.fields["starts_at"][0]
    activity = published()
    with pytest.raises(IllegalTransition) as twice:
        activity.publish(STAFF, T0)
    assert "已发布" in twice.value.message


def test_registration_fills_the_places_then_the_waitlist_and_promotes_on_cancel():
    activity = published()
    people = [person(activity, f"居民{i}", f"fp{i}") for i in range(5)]
    for p in people:
        activity.register(p, T0)
    assert [p.status for p in people] == ["registered"] * 3 + ["waitlisted"] * 2
    assert (activity.registered_count, activity.waitlist_count) == (3, 2)
    assert activity.places_to_promote() == 0
    activity.cancel_registration(people[0], RESIDENT, T0, "临时有事")
    assert people[0].status == "cancelled" and activity.places_to_promote() == 1
    activity.promote(people[3], T0)
    assert people[3].status == "registered" and people[3].promoted_at == T0
    assert (activity.registered_count, activity.waitlist_count) == (3, 1)
    assert types(activity) == ["registration_promoted"]
    assert activity.events[0][1]["name"] == "居民3"
    with pytest.raises(IllegalTransition):  # no place left for the next one
        activity.promote(people[4], T0)


def test_no_registration_or_cancelling_once_the_activity_has_started():
    activity = published()
    holder = person(activity)
    activity.register(holder, T0)
    with pytest.raises(IllegalTransition) as refused:
        activity.cancel_registration(holder, RESIDENT, SATURDAY_9, None)
    assert refused.value.code == "ACTIVITY_ALREADY_STARTED"
    assert "2026-03-07 09:00" in refused.value.message
    with pytest.raises(IllegalTransition) as closed:
        activity.register(person(activity, phone_fp="fp9"), SATURDAY_9)
    assert closed.value.code == "REGISTRATION_CLOSED"
    with pytest.raises(IllegalTransition) as not_yet:
        draft().register(person(activity), T0)
    assert "草稿" in not_yet.value.message
    assert holder.status == "registered" and activity.registered_count == 1


def test_the_door_opens_an_hour_before_and_each_person_checks_in_once():
    activity = published()
    guest = person(activity)
    activity.register(guest, T0)
    with pytest.raises(IllegalTransition) as early:
        activity.check_in(guest, STAFF, hours(-2))
    assert early.value.code == "CHECK_IN_NOT_OPEN" and "08:00" in early.value.message
    activity.check_in(guest, STAFF, hours(-0.5))
    assert guest.checked_in_at == hours(-0.5) and activity.checked_in_count == 1
    with pytest.raises(Conflict) as twice:
        activity.check_in(guest, STAFF, hours(0))
    assert twice.value.code == "ALREADY_CHECKED_IN" and "08:30" in twice.value.message


def test_walk_ins_take_free_places_before_the_start_and_no_shows_places_after_it():
    activity = published()  # room for 3
    holders = [person(activity, f"居民{i}", f"fp{i}") for i in range(2)]
    for p in holders:
        activity.register(p, T0)
    activity.walk_in(person(activity, "路过的", None), STAFF, hours(-0.5))
    with pytest.raises(Conflict) as full:  # the two registered residents keep their places
        activity.walk_in(person(activity, "又一位", None), STAFF, hours(-0.4))
    assert full.value.code == "PLACE_FULL" and "3 人" in full.value.message
    volunteer = person(activity, "志愿者小陈", None, registrations.VOLUNTEER, "vol-1")
    activity.walk_in(volunteer, STAFF, hours(-0.3))  # serving volunteers are not audience
    activity.check_in(holders[0], STAFF, hours(-0.2))
    activity.walk_in(person(activity, "迟到的", None), STAFF, hours(0.1))  # one did not come
    assert (activity.checked_in_count, activity.walk_in_count, activity.volunteer_count) == (
        3, 2, 1)
    with pytest.raises(Conflict):
        activity.walk_in(person(activity, "再一位", None), STAFF, hours(0.2))


def test_finishing_counts_attendance_from_check_ins_and_reports_who_came():
    activity = published(festival="qingming")
    came, stayed_away, waiting = (person(activity, n, f"fp{n}") for n in ("甲", "乙", "丙"))
    for p in (came, stayed_away):
        activity.register(p, T0)
    activity.register(waiting, T0)
    activity.register(extra := person(activity, "丁", "fp丁"), T0)
    assert extra.status == "waitlisted"
    activity.check_in(came, STAFF, hours(-0.5))
    walker = person(activity, "戊", None)
    volunteer = person(activity, "志愿者小陈", None, registrations.VOLUNTEER, "vol-1")
    activity.start(SYSTEM, hours(0))
    assert activity.sweeps == [(("waitlisted",), "expired")] and activity.waitlist_count == 0
    activity.walk_in(walker, STAFF, hours(0.1))
    activity.walk_in(volunteer, STAFF, hours(0.2))
    activity.finish(STAFF, hours(2.5), "书法老师现场教学,居民反响热烈", [],
                    [came, stayed_away, walker, volunteer])
    assert activity.state == catalogue.FINISHED
    assert (activity.attendance, activity.hours) == (2, 2.0)
    assert [h["action"] for h in activity.history][-2:] == ["start", "finish"]
    event_type, data = activity.events[-1]
    assert event_type.name == "activity_finished"
    assert (data["attendance"], data["hours"], data["walk_ins"], data["volunteers"]) == (
        2, 2.0, 1, 1)
    assert [(p["name"], p["role"], p["volunteer_id"]) for p in data["checked_in"]] == [
        ("甲", "participant", None), ("戊", "participant", None),
        ("志愿者小陈", "volunteer", "vol-1")]
    key, counts = activity.stat_changes[-1]
    assert key == ("2026-03", "浚河社区", "V001", "culture_and_sports", "qingming")
    assert counts == {"held": 1, "attendance": 2, "walk_ins": 1, "registered": 3,
                      "no_shows": 2, "volunteers": 1, "hours": 2.0}


def test_finishing_by_hand_starts_a_published_activity_but_not_before_its_time():
    activity = published()
    with pytest.raises(IllegalTransition) as early:
        activity.finish(STAFF, hours(-1), "提前结束", [], [])
    assert "2026-03-07 09:00" in early.value.message
    activity.finish(STAFF, hours(1), "雨天提前结束", [], [])
    assert activity.state == catalogue.FINISHED and activity.attendance == 0
    activity.record_minutes(STAFF, hours(3), "补充:共展出作品20幅", ["https://img.example/1.jpg"])
    assert activity.minutes.startswith("补充") and activity.photo_urls == [
        "https://img.example/1.jpg"]


def test_the_timer_knows_what_is_due():
    activity = published()
    assert not activity.due_to_start(hours(-0.1)) and activity.due_to_start(hours(0))
    assert not activity.due_to_finish(hours(13)) and activity.due_to_finish(hours(14))
    activity.start(SYSTEM, hours(0))
    assert not activity.due_to_start(hours(1)) and activity.due_to_finish(hours(14))


def test_a_published_activity_moved_to_another_day_tells_the_others_and_its_figures_follow():
    activity = published()
    april = datetime(2026, 4, 4, 1, 0, tzinfo=timezone.utc)  # a Saturday
    activity.update(STAFF, T0, {"starts_at": april, "ends_at": april + timedelta(hours=2)},
                    PLACE)
    assert types(activity) == ["activity_updated"]
    assert activity.events[0][1]["starts_at"] == "2026-04-04T01:00:00.000+00:00"
    assert [(k[0], c) for k, c in activity.stat_changes] == [
        ("2026-03", {"published": -1}), ("2026-04", {"published": 1})]
    activity.events.clear()
    activity.update(STAFF, T0, {"description": "欢迎携带作品"})
    assert activity.events == []  # nothing the others keep has changed
    activity.update(STAFF, T0, {"title": "书画进社区·迎春"})
    assert types(activity) == ["activity_updated"]
    assert activity.events[0][1]["title"] == "书画进社区·迎春"


def test_capacity_cannot_fall_below_the_registered_and_growth_frees_places():
    activity = published(capacity=1)
    for i in range(3):
        activity.register(person(activity, f"居民{i}", f"fp{i}"), T0)
    with pytest.raises(ValidationFailed):
        activity.update(STAFF, T0, {"capacity": 4}, PLACE)  # the room holds 3
    activity.update(STAFF, T0, {"capacity": 3}, PLACE)
    assert activity.places_to_promote() == 2
    full = published(capacity=2)
    for i in range(2):
        full.register(person(full, f"居民{i}", f"fp{i}"), T0)
    with pytest.raises(ValidationFailed) as refused:
        full.update(STAFF, T0, {"capacity": 1}, PLACE)
    assert refused.value.fields == {"capacity": ["已有 2 人报名,名额不能少于 2。"]}
    assert full.capacity == 2


def test_cancelling_tells_the_others_only_once_they_knew_of_it():
    quiet = draft()
    quiet.cancel(STAFF, T0, "场地维修")
    assert quiet.state == catalogue.CANCELLED and quiet.events == [] and quiet.stat_changes == []
    activity = published()
    activity.version = 2  # as stored: created, then published
    activity.cancel(STAFF, T0, "暴雨预警,活动取消")
    assert types(activity) == ["activity_cancelled"]
    assert activity.events[0][1]["activity_version"] == 3
    assert activity.events[0][1]["reason"] == "暴雨预警,活动取消"
    assert activity.sweeps == [(("registered", "waitlisted", "expired"), "activity_cancelled")]
    assert activity.stat_changes[0][1] == {"cancelled": 1}
    with pytest.raises(IllegalTransition):
        activity.cancel(STAFF, T0, "再取消一次")


def exemplar(state=exemplars.PUBLISHED):
    found = exemplars.Exemplar.nominate("EX20260001", {
        "name": "王秀英", "category": "good_in_laws", "community": "浚河社区",
        "title": "孝老爱亲好媳妇", "story": "照顾瘫痪婆婆十余年,从无怨言。"}, STAFF, T0)
    found.state = state
    return found


def test_only_published_exemplars_are_featured_at_activities():
    activity = draft()
    with pytest.raises(ValidationFailed) as refused:
        activity.feature(STAFF, T0, exemplar(exemplars.APPROVED), "display_board")
    assert "审核通过" in refused.value.fields["exemplar_id"][0]
    activity.feature(STAFF, T0, exemplar(), "display_board")
    activity.feature(STAFF, T0, exemplar(), "story_sharing", "本人到场讲述")
    assert [(f["exemplar_id"], f["form"]) for f in activity.featured_exemplars] == [
        ("EX20260001", "story_sharing")]
    activity.unfeature(STAFF, T0, "EX20260001")
    assert activity.featured_exemplars == []
    with pytest.raises(ValidationFailed):
        activity.unfeature(STAFF, T0, "EX20260001")


def test_allowed_actions_follow_the_state_and_the_clock():
    activity = published()
    assert activity.allowed_actions(T0) == ["update", "cancel", "feature_exemplar", "register"]
    assert activity.allowed_actions(hours(-0.5)) == [
        "update", "cancel", "feature_exemplar", "register", "check_in"]
    assert activity.allowed_actions(hours(0.5)) == [
        "update", "cancel", "finish", "feature_exemplar", "check_in"]
    activity.finish(STAFF, hours(3), "圆满结束", [], [])
    assert activity.allowed_actions(hours(3)) == ["record_minutes"]


@pytest.mark.parametrize("actor, permission, community, allowed", [
    ({"role": "street_admin"}, "review", "浚河社区", True),
    ({"role": "system"}, "manage", None, True),
    (STAFF, "manage", "浚河社区", True),
    (STAFF, "manage", "天宝社区", False),
    (STAFF, "manage", None, False),          # street-level venues are the street's
    (STAFF, "review", "浚河社区", False),
    ({"role": "volunteer"}, "check_in", "浚河社区", True),
    ({"role": "resident"}, "check_in", "浚河社区", False),
    ({"role": "resident"}, "register", "浚河社区", True),
    ({"role": "viewer"}, "register", "浚河社区", False),
    ({"role": "grid_worker"}, "manage", "浚河社区", False),
])
def test_who_may_do_what(actor, permission, community, allowed):
    actor = {"id": "x", "name": "某人", **actor}
    if allowed:
        permissions.authorise(actor, permission, community, "做这件事")
    else:
        with pytest.raises(Forbidden) as refused:
            permissions.authorise(actor, permission, community, "做这件事")
        assert refused.value.code == "FORBIDDEN" and "做这件事" in refused.value.message


def test_residents_cancel_their_own_registrations_only():
    activity = published()
    mine = person(activity)
    permissions.may_cancel_registration(RESIDENT, mine, "浚河社区")
    permissions.may_cancel_registration(STAFF, mine, "浚河社区")
    with pytest.raises(Forbidden):
        permissions.may_cancel_registration({"id": "r2", "name": "别人", "role": "resident"},
                                            mine, "浚河社区")
    # Registered by staff, cancelled on the resident site by the one whose phone it is.
    theirs = {"id": "r3", "name": "居民", "role": "resident",
              "resident": mine.phone["fingerprint"]}
    permissions.may_cancel_registration(theirs, mine, "浚河社区")
    with pytest.raises(Forbidden):
        permissions.may_cancel_registration({**theirs, "resident": "fp-of-someone-else"},
                                            mine, "浚河社区")


def test_the_figures_show_the_articles_210_festival_activities():
    def bucket(month, festival, held, attendance, community="浚河社区"):
        return {"month": month, "community": community, "venue_id": "V001",
                "theme": "our_festivals", "festival": festival,
                "counts": {"published": held + 1, "held": held, "cancelled": 1,
                           "attendance": attendance, "walk_ins": 10, "registered": attendance}}
    result = domain.roll_up([
        bucket("2026-02", "spring_festival", 80, 2400),
        bucket("2026-09", "mid_autumn", 70, 2100, community="天宝社区"),
        bucket("2026-10", "double_ninth", 62, 1860),
    ], group_by=("festival",))
    totals = result["totals"]
    assert totals["held"] == 212 and totals["held"] > 210
    assert totals["attendance"] == 6360 and totals["average_attendance"] == 30.0
    assert totals["cancelled"] == 3 and totals["show_up_rate"] == round(6330 / 6360, 4)
    assert [(g["festival"], g["festival_name"], g["held"]) for g in result["groups"]] == [
        ("double_ninth", "重阳节", 62), ("mid_autumn", "中秋节", 70),
        ("spring_festival", "春节", 80)]
    by_venue = domain.roll_up([bucket("2026-02", "", 3, 90)], ("venue", "theme"))["groups"]
    assert by_venue[0]["venue_id"] == "V001" and by_venue[0]["theme_name"] == "我们的节日"
    assert domain.figures({})["average_attendance"] is None
