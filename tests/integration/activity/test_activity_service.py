"""The activity service running in a container against the real broker and SecantusDB, called
over RPC as the gateway and other services call it."""
from datetime import date, timedelta

import pytest
from nameko.testing.services import entrypoint_hook

from shared import clock
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from tests.conftest import wait_until
from tests.integration.activity.conftest import ADMIN, STAFF, soon
from tests.payloads import fields_holding

RESIDENT = {"id": "u-res", "name": "全国华", "role": "resident"}
DOOR = {"id": "u-vol", "name": "志愿者小陈", "role": "volunteer"}
TALK = {"title": "一刻钟宣讲:反对浪费·提倡光盘", "theme": "anti_waste", "organiser": "浚河社区",
        "community": "浚河社区", "target_groups": ["all_residents", "youth"],
        "volunteer_slots": {"count": 2, "skills": ["publicity"]},
        "description": "社区文艺爱好者以快板形式宣讲"}


def create(rpc, place, actor=STAFF, starts_in=30, minutes=90, **extra):
    venue_id, room_id = place
    return rpc.activity.create_activity(actor, **{
        **TALK, "venue_id": venue_id, "room_id": room_id, "starts_at": soon(starts_in),
        "ends_at": soon(starts_in + minutes), **extra})


def resident(i):
    return {"name": f"居民{i}", "phone": f"1381234{i:04d}"}


def test_an_activity_from_draft_to_finished_with_its_door_and_its_events(
        activity_service, place, rpc, event_tap, shift_into_past):
    tap = event_tap("activity")
    draft = create(rpc, place)
    activity_id = draft["activity_id"]
    assert (draft["state"], draft["capacity"], draft["place"]) == (
        "draft", 3, "浚河社区综合文化服务中心 · 书画室")
    published = rpc.activity.publish_activity(activity_id, STAFF)
    assert published["registration"] == {"open": True, "capacity": 3, "registered": 0,
                                         "waitlisted": 0, "places_left": 3}

    first, second, third, fourth = (rpc.activity.register(activity_id, RESIDENT, **resident(i))
                                    for i in range(4))
    assert [r["status"] for r in (first, second, third, fourth)] == [
        "registered", "registered", "registered", "waitlisted"]
    assert fourth["waitlist_position"] == 1 and first["phone_masked"] == "138****0000"
    assert len(first["code"]) == 6 and "13812340000" not in str(first)
    cancelled = rpc.activity.cancel_registration(second["registration_id"], RESIDENT,
                                                 reason="临时有事")
    assert cancelled["status"] == "cancelled"
    promoted = rpc.activity.get_registration(fourth["registration_id"])
    assert promoted["status"] == "registered" and promoted["promoted_at"]

    # At the door, half an hour before: codes, a walk-in who finds the room held, a volunteer.
    checked = rpc.activity.check_in(activity_id, DOOR, code=first["code"])
    assert checked["checked_in_at"] and checked["checked_in_by"]["name"] == "志愿者小陈"
    with pytest.raises(Conflict) as twice:
        rpc.activity.check_in(activity_id, DOOR, code=first["code"])
    assert twice.value.code == "ALREADY_CHECKED_IN"
    with pytest.raises(Conflict) as full:
        rpc.activity.check_in(activity_id, DOOR, name="路过的居民")
    assert full.value.code == "PLACE_FULL"
    rpc.activity.check_in(activity_id, DOOR, name="志愿者小陈", role="volunteer",
                          volunteer_id="vol-1")
    # A registered resident who forgot the code is found by phone.
    by_phone = rpc.activity.check_in(activity_id, DOOR, name="居民2", phone="13812340002")
    assert by_phone["registration_id"] == third["registration_id"]

    shift_into_past(activity_id, started_minutes_ago=10)
    with pytest.raises(IllegalTransition) as late:
        rpc.activity.cancel_registration(fourth["registration_id"], RESIDENT)
    assert late.value.code == "ACTIVITY_ALREADY_STARTED"
    walked_in = rpc.activity.check_in(activity_id, DOOR, name="路过的居民")  # a no-show's seat
    assert walked_in["walk_in"] and walked_in["status"] == "registered"
    finished = rpc.activity.finish_activity(activity_id, STAFF, minutes="快板宣讲,居民踊跃参与",
                                            photo_urls=["https://img.example/talk.jpg"])
    assert (finished["state"], finished["attendance"], finished["hours"]) == ("finished", 3, 2.0)
    assert [h["action"] for h in finished["history"]] == ["create", "publish", "start", "finish"]

    done = tap.wait_for("activity_finished")
    assert tap.types() == ["activity_published", "registration_promoted", "activity_finished"]
    announced = tap.seen[0]["data"]
    assert announced["volunteer_slots"] == {"count": 2, "skills": ["publicity"]}
    assert (announced["venue"], announced["room"], announced["organiser"]) == (
        "浚河社区综合文化服务中心", "书画室", "浚河社区")
    assert tap.seen[1]["data"]["name"] == "居民3"
    assert announced["activity_version"] == 2  # stored at creation, then as published
    assert done["data"]["activity_version"] == finished["version"]
    assert sorted((p["name"], p["role"], p["volunteer_id"])
                  for p in done["data"]["checked_in"]) == [
        ("居民0", "participant", None), ("居民2", "participant", None),
        ("志愿者小陈", "volunteer", "vol-1"), ("路过的居民", "participant", None)]
    assert (done["data"]["attendance"], done["data"]["hours"]) == (3, 2.0)
    for i in range(4):  # phones never travel in events
        assert fields_holding([seen["data"] for seen in tap.seen], resident(i)["phone"]) == []
    totals = rpc.activity.activity_statistics()["totals"]
    assert (totals["held"], totals["attendance"], totals["walk_ins"], totals["volunteers"]) == (
        1, 3, 1, 1)


def test_bad_input_and_illegal_steps_change_nothing(activity_service, place, rpc, service_db):
    with pytest.raises(ValidationFailed) as failed:
        rpc.activity.create_activity(STAFF, **{**TALK, "theme": "our_festivals",
                                               "colour": "red", "starts_at": soon(60)})
    assert failed.value.fields == {"colour": ["未知字段。"]}
    with pytest.raises(ValidationFailed) as failed:
        rpc.activity.create_activity(STAFF, **{**TALK, "theme": "our_festivals"})
    assert failed.value.fields == {"festival": ["“我们的节日”活动请选择节日。"]}
    with pytest.raises(ValidationFailed) as failed:
        create(rpc, place, capacity=30, volunteer_slots={"count": 1, "skills": ["juggling"]})
    assert set(failed.value.fields) == {"volunteer_slots"}
    with pytest.raises(ValidationFailed) as failed:
        create(rpc, place, capacity=30)
    assert failed.value.fields == {"capacity": ["超过浚河社区综合文化服务中心 · 书画室的容量 3 人。"]}
    with pytest.raises(Forbidden) as refused:
        create(rpc, place, actor={**STAFF, "community": "天宝社区"})
    assert refused.value.code == "FORBIDDEN" and "浚河社区" in refused.value.message
    with pytest.raises(NotFound) as missing:
        create(rpc, (place[0], "V999-R01"))
    assert missing.value.code == "ROOM_NOT_FOUND"
    assert service_db("activity").activities.count_documents({}) == 0
    assert service_db("activity").bookings.count_documents({}) == 0

    activity_id = create(rpc, place)["activity_id"]
    with pytest.raises(IllegalTransition) as refused:
        rpc.activity.register(activity_id, RESIDENT, **resident(1))
    assert refused.value.code == "REGISTRATION_CLOSED" and "草稿" in refused.value.message
    with pytest.raises(IllegalTransition) as refused:
        rpc.activity.finish_activity(activity_id, STAFF, minutes="还没开始")
    assert "草稿" in refused.value.message
    with pytest.raises(ValidationFailed) as failed:
        rpc.activity.cancel_activity(activity_id, STAFF)
    assert failed.value.fields == {"reason": ["必填项。"]}
    with pytest.raises(NotFound) as missing:
        rpc.activity.publish_activity("AC000", STAFF)
    assert missing.value.code == "ACTIVITY_NOT_FOUND"
    stored = service_db("activity").activities.find_one({"_id": activity_id})
    assert (stored["state"], stored["version"]) == ("draft", 1)


def test_a_room_is_never_booked_twice_and_the_refusal_names_the_clash(
        activity_service, place, rpc):
    venue_id, room_id = place
    first = create(rpc, place, starts_in=60, minutes=120)
    with pytest.raises(Conflict) as clash:
        create(rpc, place, starts_in=150, minutes=60, title="书画培训班")
    assert clash.value.code == "ROOM_BOOKED"
    assert clash.value.message.startswith("浚河社区综合文化服务中心 · 书画室")
    assert f"“{TALK['title']}”({first['activity_id']})" in clash.value.message
    back_to_back = create(rpc, place, starts_in=180, minutes=60, title="书画培训班")
    other_room = rpc.activity.save_room(ADMIN, venue_id=venue_id, name="科普室",
                                        kind="science", capacity=20)["rooms"][1]["id"]
    create(rpc, (venue_id, other_room), starts_in=60, minutes=120, title="科普讲座")
    with pytest.raises(Conflict):  # moving onto the first one is refused too
        rpc.activity.update_activity(back_to_back["activity_id"], STAFF,
                                     starts_at=soon(100), ends_at=soon(160))
    rpc.activity.cancel_activity(first["activity_id"], STAFF, reason="改期")
    rpc.activity.update_activity(back_to_back["activity_id"], STAFF,
                                 starts_at=soon(100), ends_at=soon(160))
    booked = rpc.activity.list_bookings(venue_id=venue_id, **{"from": soon(0), "to": soon(600)})
    assert [(b["title"], b["place"]) for b in booked] == [
        ("科普讲座", "浚河社区综合文化服务中心 · 科普室"),
        ("书画培训班", "浚河社区综合文化服务中心 · 书画室")]


def test_opening_hours_are_kept_and_a_weekly_series_is_created_all_or_nothing(
        activity_service, rpc, service_db, event_tap):
    tap = event_tap("activity")
    venue = rpc.activity.save_venue(
        ADMIN, community="浚河社区", name="新时代文明实践站", kind="civilisation_station",
        opening_hours=[{"weekdays": [1, 2, 3, 4, 5, 6], "opens": "08:30", "closes": "17:30"}])
    room_id = rpc.activity.save_room(ADMIN, venue_id=venue["id"], name="市民学校",
                                     kind="citizen_school", capacity=40)["rooms"][0]["id"]
    today = clock.local_date(clock.now())
    saturday = today + timedelta(days=(6 - today.isoweekday()) % 7 + 7)
    series = {**TALK, "title": "急救培训班", "theme": "first_aid_training",
              "venue_id": venue["id"], "room_id": room_id,
              "recurrence": {"start_date": saturday.isoformat(), "start_time": "09:00",
                             "end_time": "11:00", "weekdays": [6], "count": 4}}
    with pytest.raises(ValidationFailed) as closed:
        rpc.activity.create_activity_series(STAFF, **{**series, "recurrence": {
            **series["recurrence"], "weekdays": [7]}})
    assert "周日不开放" in str(closed.value.fields["recurrence"])
    third_saturday = saturday + timedelta(days=14)
    blocker = rpc.activity.create_activity(STAFF, **{
        **TALK, "venue_id": venue["id"], "room_id": room_id,
        "starts_at": f"{third_saturday}T10:00:00+08:00",
        "ends_at": f"{third_saturday}T12:00:00+08:00"})
    with pytest.raises(Conflict) as clash:
        rpc.activity.create_activity_series(STAFF, **series)
    assert clash.value.code == "ROOM_BOOKED" and blocker["activity_id"] in clash.value.message
    assert f"{third_saturday} 10:00–12:00" in clash.value.message
    assert service_db("activity").activities.count_documents({}) == 1  # all or nothing
    assert service_db("activity").series.count_documents({}) == 0

    rpc.activity.cancel_activity(blocker["activity_id"], STAFF, reason="让给急救培训")
    created = rpc.activity.create_activity_series(STAFF, **series)
    dates = [a["starts_at"] for a in created["activities"]]
    assert len(dates) == 4 and {a["state"] for a in created["activities"]} == {"draft"}
    assert [clock.local_date(clock.parse_iso(d)) for d in dates] == [
        saturday + timedelta(days=7 * i) for i in range(4)]
    published = rpc.activity.publish_series(created["series_id"], STAFF)
    assert {a["state"] for a in published["activities"]} == {"published"}
    listed = rpc.activity.list_activities(series_id=created["series_id"], sort="starts_at")
    assert [a["starts_at"] for a in listed["items"]] == dates and not listed["has_more"]
    assert listed["total"] is None  # a series is not counted: only community and state are
    cancelled = rpc.activity.cancel_series(created["series_id"], STAFF, reason="培训老师调走")
    assert {a["state"] for a in cancelled["activities"]} == {"cancelled"}
    tap.wait_for("activity_cancelled")
    assert sorted(set(tap.types())) == ["activity_cancelled", "activity_published"]
    assert len([t for t in tap.seen if t["type"] == "activity_published"]) == 4
    assert date.fromisoformat(rpc.activity.get_series(created["series_id"])["recurrence"][
        "start_date"]) == saturday


def test_no_double_registration_and_concurrent_registrations_respect_capacity(
        activity_service, place, rpc, service_db):
    activity_id = create(rpc, place)["activity_id"]
    rpc.activity.publish_activity(activity_id, STAFF)
    calls = [rpc.activity.register.call_async(activity_id, RESIDENT, **resident(i))
             for i in range(8)]
    results = [call.result() for call in calls]
    assert sorted(r["status"] for r in results) == ["registered"] * 3 + ["waitlisted"] * 5
    assert len({r["code"] for r in results}) == 8
    with pytest.raises(Conflict) as twice:
        rpc.activity.register(activity_id, RESIDENT, name="另一个名字", phone="13812340001")
    assert twice.value.code == "ALREADY_REGISTERED" and "138****0001" in twice.value.message
    activity = rpc.activity.get_activity(activity_id)
    assert (activity["registration"]["registered"], activity["registration"]["waitlisted"]) == (
        3, 5)

    mine = rpc.activity.list_registrations(phone="13812340001")
    assert [r["activity"]["title"] for r in mine["items"]] == [TALK["title"]]
    stored = service_db("activity").registrations.find_one({"name": "居民1"})
    assert "13812340001" not in str(stored) and stored["phone"]["masked"] == "138****0001"
    with pytest.raises(Forbidden):
        rpc.activity.reveal_registrant_contact(stored["_id"], RESIDENT, purpose="想联系他")
    contact = rpc.activity.reveal_registrant_contact(stored["_id"], STAFF,
                                                     purpose="通知活动改期")
    assert contact == {"name": "居民1", "phone": "13812340001"}
    audit = service_db("activity").audit_log.find_one()
    assert (audit["actor"]["id"], audit["record_id"], audit["purpose"]) == (
        "u-staff", stored["_id"], "通知活动改期")
    with pytest.raises(Forbidden):  # only the person who registered, or staff
        rpc.activity.cancel_registration(stored["_id"], {**RESIDENT, "id": "someone-else"})


def test_the_timer_starts_and_finishes_activities_once_and_the_figures_add_up(
        activity_service, place, rpc, shift_into_past, event_tap):
    tap = event_tap("activity")
    square = rpc.activity.save_venue(ADMIN, community=None, name="广陵街道志愿服务广场",
                                     kind="volunteer_square")
    festival = create(rpc, place, theme="our_festivals", festival="qingming",
                      title="我们的节日·清明")["activity_id"]
    clinic = create(rpc, (square["id"], None), theme="free_clinic", title="爱心义诊进社区",
                    capacity=None)["activity_id"]
    for activity_id in (festival, clinic):
        rpc.activity.publish_activity(activity_id, STAFF)
    for i in range(4):  # three places, one waiting
        rpc.activity.register(festival, RESIDENT, **resident(i))
    first = rpc.activity.list_registrations(activity_id=festival)["items"][0]
    rpc.activity.check_in(festival, DOOR, code=first["code"])
    rpc.activity.check_in(clinic, DOOR, name="王奶奶")
    rpc.activity.check_in(clinic, DOOR, name="李大爷", phone="13900001111")

    shift_into_past(festival, started_minutes_ago=5)
    shift_into_past(clinic, started_minutes_ago=15 * 60, lasted_minutes=120)
    with entrypoint_hook(activity_service, "advance_activities") as advance:
        assert sorted(advance()) == sorted([f"{festival}:ongoing", f"{clinic}:finished"])
        assert advance() == []
    waiting = rpc.activity.list_registrations(activity_id=festival, status=["expired"])
    assert [r["name"] for r in waiting["items"]] == ["居民3"]
    finished = rpc.activity.get_activity(clinic)
    assert (finished["state"], finished["attendance"]) == ("finished", 2)
    assert finished["history"][-1]["details"] == {"automatic": True}
    rpc.activity.finish_activity(festival, STAFF, minutes="清明祭英烈,讲述家风故事")
    rpc.activity.record_minutes(clinic, STAFF, minutes="义诊 2 人,测血压、量血糖")

    tap.wait_for("activity_finished", lambda d: d["activity_id"] == festival)
    assert len([t for t in tap.types() if t == "activity_finished"]) == 2
    stats = rpc.activity.activity_statistics(group_by=["theme", "festival"])
    assert stats["totals"]["held"] == 2 and stats["totals"]["attendance"] == 3
    assert stats["totals"]["registered"] == 3 and stats["totals"]["no_shows"] == 2
    groups = {(g["theme"], g["festival"]): g for g in stats["groups"]}
    assert groups[("our_festivals", "qingming")]["festival_name"] == "清明节"
    assert groups[("free_clinic", None)]["attendance"] == 2
    by_place = rpc.activity.activity_statistics(group_by=["community", "venue"])["groups"]
    assert sorted((g["community"], g["venue_name"], g["held"]) for g in by_place) == [
        ("浚河社区", "广陵街道志愿服务广场", 1), ("浚河社区", "浚河社区综合文化服务中心", 1)]
    # By the office month each started in (the clinic began 15 hours ago, maybe last month).
    months = {"from_month": clock.month_key(clock.now() - timedelta(days=1)),
              "to_month": clock.month_key(clock.now())}
    assert rpc.activity.activity_statistics(**months, theme="free_clinic")["totals"][
        "held"] == 1
    assert rpc.activity.activity_statistics(**months, community="天宝社区")["totals"][
        "held"] == 0
    wait_until(lambda: rpc.activity.health()["database"]["outbox_backlog"] == 0)


def test_health_reports_database_outbox_and_dead_letters(activity_service, rpc):
    health = rpc.activity.health()
    assert health["status"] == "ok" and health["service"] == "activity"
    assert health["broker"] == {"ok": True, "dead_letters": 0}
