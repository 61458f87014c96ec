"""The activity service's handler functions on an in-memory unit of work: the service layer's
rules without a broker or a database."""
from datetime import datetime, timedelta, timezone

import pytest

from services.activity.handlers import (activities, exemplars, figures, places, registrations,
                                        series)
from services.activity.views import (ActivityView, ExemplarDetailView, RegistrationView,
                                     SeriesView, VenueView)
from shared import clock
from shared.envelope import Envelope
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.events.job import TRAINING_REQUESTED
from shared.events.volunteer import VOLUNTEER_EXEMPLAR_PROPOSED
from tests.unit.activity.fakes import FakeActivityUnitOfWork
from tests.unit.fakes import run

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)         # Monday 09:00 in the office
SATURDAY_9 = datetime(2026, 3, 7, 1, 0, tzinfo=timezone.utc)  # Saturday 09:00 in the office
ADMIN = {"id": "u-admin", "name": "周启春", "role": "street_admin"}
STAFF = {"id": "u-staff", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
OTHER_STAFF = {"id": "u-tb", "name": "李天宝", "role": "community_staff", "community": "天宝社区"}
RESIDENT = {"id": "u-res", "name": "全国华", "role": "resident"}
DOOR = {"id": "u-vol", "name": "志愿者小陈", "role": "volunteer"}


@pytest.fixture
def uow():
    return FakeActivityUnitOfWork(now=NOW)


@pytest.fixture
def place(uow):
    """浚河社区's cultural centre (always open) with a 书画室 for three: (venue_id, room_id)."""
    venue = run(places.save_venue, uow, ADMIN, {
        "community": "浚河社区", "name": "浚河社区综合文化服务中心", "kind": "cultural_centre",
        "address": "新宇巷1号"})
    venue = run(places.save_room, uow, ADMIN, {"venue_id": venue["id"], "name": "书画室",
                                               "kind": "calligraphy", "capacity": 3})
    assert VenueView().validate(venue) == {}
    return venue["id"], venue["rooms"][0]["id"]


def talk(place, starts=SATURDAY_9, hours=2, **extra):
    return {"title": "一刻钟宣讲:反对浪费·提倡光盘", "theme": "anti_waste",
            "organiser": "浚河社区", "community": "浚河社区", "venue_id": place[0],
            "room_id": place[1], "starts_at": clock.iso(starts),
            "ends_at": clock.iso(starts + timedelta(hours=hours)),
            "volunteer_slots": {"count": 2, "skills": ["publicity"]}, **extra}


def resident(i):
    return {"name": f"居民{i}", "phone": f"1381234{i:04d}"}


def published(uow, place, **extra) -> str:
    activity_id = run(activities.create, uow, STAFF, talk(place, **extra))["activity_id"]
    run(activities.publish, uow, activity_id, STAFF)
    return activity_id


def test_a_draft_books_its_room_and_a_clash_stores_nothing(uow, place):
    draft = run(activities.create, uow, STAFF, talk(place))
    assert ActivityView().validate(draft) == {}
    assert (draft["activity_id"], draft["state"], draft["capacity"], draft["place"]) == (
        "AC202603020001", "draft", 3, "浚河社区综合文化服务中心 · 书画室")
    assert [a["action"] for a in draft["allowed_actions"]] == [
        "update", "publish", "cancel", "feature_exemplar"]
    with pytest.raises(Conflict) as clash:
        run(activities.create, uow, STAFF, talk(place, starts=SATURDAY_9 + timedelta(hours=1)))
    assert clash.value.code == "ROOM_BOOKED" and draft["activity_id"] in clash.value.message
    assert [a.activity_id for a in uow.activities.all()] == [draft["activity_id"]]
    assert uow.events == []  # a draft is nobody else's business yet


def test_staff_of_another_community_are_refused_and_nothing_is_stored(uow, place):
    with pytest.raises(Forbidden):
        run(activities.create, uow, OTHER_STAFF, talk(place))
    with pytest.raises(ValidationFailed) as refused:
        run(activities.create, uow, STAFF, {**talk(place), "theme": "our_festivals"})
    assert "festival" in refused.value.fields
    assert uow.activities.all() == [] and uow.events == []


def test_registration_fills_the_places_then_the_waitlist_and_a_cancel_promotes(uow, place):
    activity_id = published(uow, place)
    assert uow.published_types() == ["activity_published"]
    people = [run(registrations.register, uow, activity_id, RESIDENT, resident(i))
              for i in range(4)]
    assert RegistrationView().validate(people[0]) == {}
    assert [p["status"] for p in people] == ["registered"] * 3 + ["waitlisted"]
    assert people[3]["waitlist_position"] == 1 and people[0]["phone_masked"] == "138****0000"
    assert people[0]["activity"]["title"] == "一刻钟宣讲:反对浪费·提倡光盘"
    stored = uow.registrations.get(people[0]["registration_id"])
    assert "13812340000" not in str(stored.phone)

    with pytest.raises(Conflict) as twice:
        run(registrations.register, uow, activity_id, RESIDENT, resident(0))
    assert twice.value.code == "ALREADY_REGISTERED"
    assert len(uow.registrations.stored) == 4
    assert uow.activities.get(activity_id).registered_count == 3

    cancelled = run(registrations.cancel, uow, people[1]["registration_id"], RESIDENT,
                    {"reason": "临时有事"})
    assert cancelled["status"] == "cancelled"
    promoted = run(registrations.get, uow, people[3]["registration_id"])
    assert promoted["status"] == "registered" and promoted["promoted_at"]
    assert promoted["waitlist_position"] is None
    assert uow.published_types()[-1] == "registration_promoted"


def test_someone_else_cannot_cancel_a_registration(uow, place):
    activity_id = published(uow, place)
    mine = run(registrations.register, uow, activity_id, RESIDENT, resident(1))
    stranger = {"id": "u-x", "name": "路人", "role": "resident"}
    with pytest.raises(Forbidden):
        run(registrations.cancel, uow, mine["registration_id"], stranger, {})
    assert uow.registrations.get(mine["registration_id"]).status == "registered"


def test_at_the_door_then_the_finish_counts_who_came(uow, place):
    activity_id = published(uow, place)
    people = [run(registrations.register, uow, activity_id, RESIDENT, resident(i))
              for i in range(3)]
    uow.now = SATURDAY_9 - timedelta(minutes=30)
    checked = run(registrations.check_in, uow, activity_id, DOOR, {"code": people[0]["code"]})
    assert checked["checked_in_at"] and checked["checked_in_by"]["name"] == "志愿者小陈"
    with pytest.raises(Conflict) as again:
        run(registrations.check_in, uow, activity_id, DOOR, {"code": people[0]["code"]})
    assert again.value.code == "ALREADY_CHECKED_IN"
    with pytest.raises(Conflict) as full:
        run(registrations.check_in, uow, activity_id, DOOR, {"name": "路过的居民"})
    assert full.value.code == "PLACE_FULL" and len(uow.registrations.stored) == 3
    run(registrations.check_in, uow, activity_id, DOOR,
        {"name": "志愿者小陈", "role": "volunteer", "volunteer_id": "vol-1"})
    # A registered resident who forgot the code is found by phone.
    by_phone = run(registrations.check_in, uow, activity_id, DOOR,
                   {"name": "居民2", "phone": "13812340002"})
    assert by_phone["registration_id"] == people[2]["registration_id"]

    uow.now = SATURDAY_9 + timedelta(hours=2, minutes=5)
    finished = run(activities.finish, uow, activity_id, STAFF, {"minutes": "快板宣讲,居民踊跃参与"})
    assert (finished["state"], finished["attendance"], finished["hours"]) == ("finished", 2, 2.0)
    assert [h["action_name"] for h in finished["history"]] == ["创建", "发布", "开始", "结束活动"]
    event = uow.events[-1]
    assert event.type == "activity_finished"
    assert [(p["name"], p["role"]) for p in event.data["checked_in"]] == [
        ("居民0", "participant"), ("居民2", "participant"), ("志愿者小陈", "volunteer")]
    totals = run(figures.statistics, uow, {"period": "2026-03"})["totals"]
    assert (totals["held"], totals["attendance"], totals["registered"], totals["no_shows"],
            totals["volunteers"], totals["hours"]) == (1, 2, 3, 1, 1, 2.0)


def test_cancelling_ends_the_registrations_and_frees_the_room(uow, place):
    activity_id = published(uow, place)
    people = [run(registrations.register, uow, activity_id, RESIDENT, resident(i))
              for i in range(4)]
    cancelled = run(activities.cancel, uow, activity_id, STAFF, {"reason": "暴雨预警,活动取消"})
    assert cancelled["state"] == "cancelled" and cancelled["allowed_actions"] == []
    assert {uow.registrations.get(p["registration_id"]).status for p in people} == {
        "activity_cancelled"}
    assert uow.published_types()[-1] == "activity_cancelled"
    again = run(activities.create, uow, STAFF, talk(place))
    assert again["state"] == "draft"


def test_more_places_go_to_the_waitlist_first(uow):
    square = run(places.save_venue, uow, ADMIN, {
        "community": "浚河社区", "name": "志愿服务广场", "kind": "volunteer_square"})
    activity_id = published(uow, (square["id"], None), capacity=1)
    first, second = (run(registrations.register, uow, activity_id, RESIDENT, resident(i))
                     for i in range(2))
    assert second["status"] == "waitlisted"
    updated = run(activities.update, uow, activity_id, STAFF, {"capacity": 2})
    assert updated["registration"]["registered"] == 2
    assert uow.registrations.get(second["registration_id"]).status == "registered"
    assert uow.published_types()[-2:] == ["activity_updated", "registration_promoted"]


def test_a_series_is_created_all_or_none_and_published_together(uow, place):
    second_saturday = SATURDAY_9 + timedelta(days=7)
    existing = run(activities.create, uow, STAFF, talk(place, starts=second_saturday))
    weekly = {key: value for key, value in talk(place).items()
              if key not in ("starts_at", "ends_at")}
    rule = {"start_date": "2026-03-07", "start_time": "09:00", "end_time": "11:00",
            "weekdays": [6], "count": 3}
    with pytest.raises(Conflict) as clash:
        run(series.create, uow, STAFF, {**weekly, "recurrence": rule})
    assert existing["activity_id"] in clash.value.message and clash.value.fields["recurrence"]
    assert [a.activity_id for a in uow.activities.all()] == [existing["activity_id"]]
    assert uow.series.stored == {}

    made = run(series.create, uow, STAFF, {**weekly, "recurrence": {
        **rule, "start_time": "14:00", "end_time": "16:00"}})
    assert SeriesView().validate(made) == {}
    assert [a["state"] for a in made["activities"]] == ["draft"] * 3
    again = run(series.publish, uow, made["series_id"], STAFF)
    assert [a["state"] for a in again["activities"]] == ["published"] * 3
    assert uow.published_types() == ["activity_published"] * 3
    with pytest.raises(Forbidden):
        run(series.cancel, uow, made["series_id"], OTHER_STAFF, {"reason": "场地维修"})
    assert {a.state for a in uow.activities.where(lambda a: a.series_id)} == {"published"}


def test_the_timer_starts_and_finishes_an_activity_once(uow, place):
    activity_id = published(uow, place)
    people = [run(registrations.register, uow, activity_id, RESIDENT, resident(i))
              for i in range(4)]
    uow.now = SATURDAY_9 + timedelta(minutes=1)
    assert run(activities.due, uow, 200) == [activity_id]
    assert run(activities.advance, uow, activity_id) == f"{activity_id}:ongoing"
    assert uow.registrations.get(people[3]["registration_id"]).status == "expired"
    assert run(activities.due, uow, 200) == []
    assert run(activities.advance, uow, activity_id) is None  # nothing left to do
    uow.now = SATURDAY_9 + timedelta(hours=14, minutes=1)
    assert run(activities.advance, uow, activity_id) == f"{activity_id}:finished"
    assert uow.activities.get(activity_id).attendance == 0


def test_a_training_request_becomes_one_draft_at_the_citizen_school(uow, place):
    school = run(places.save_room, uow, ADMIN, {"venue_id": place[0], "name": "市民学校",
                                                "kind": "citizen_school", "capacity": 10})
    request = Envelope.new(TRAINING_REQUESTED, {
        "request_id": "TR-1", "visit_id": "VS-1", "employer_id": "E-1",
        "employer_name": "惠民超市", "community": "浚河社区", "topic": "收银员培训",
        "expected_participants": 12, "preferred_date": "2026-03-20"})
    run(activities.schedule_requested_training, uow, request)
    run(activities.schedule_requested_training, uow, request)  # delivered again
    [activity] = uow.activities.all()
    assert activity.source_ref == {"service": "job", "ref": "TR-1"}
    assert (activity.state, activity.theme, activity.capacity) == ("draft", "skills_training", 10)
    assert activity.room["id"] == school["rooms"][-1]["id"]


def test_an_exemplar_is_reviewed_by_the_office_shown_and_withdrawn(uow, place):
    nominated = run(exemplars.nominate, uow, STAFF, {
        "name": "王秀英", "category": "good_in_laws", "community": "浚河社区",
        "title": "孝老爱亲好媳妇", "story": "照顾瘫痪在床的婆婆十余年,邻里称赞。"})
    exemplar_id = nominated["exemplar_id"]
    with pytest.raises(Forbidden):
        run(exemplars.review, uow, exemplar_id, STAFF, {"decision": "approve"})
    assert uow.exemplars.get(exemplar_id).state == "nominated"
    run(exemplars.review, uow, exemplar_id, ADMIN, {"decision": "approve"})
    run(exemplars.publish, uow, exemplar_id, ADMIN)
    assert uow.published_types() == ["exemplar_published"]

    activity_id = published(uow, place)
    run(activities.feature_exemplar, uow, activity_id, STAFF,
        {"exemplar_id": exemplar_id, "form": "story_sharing"})
    detail = run(exemplars.get, uow, exemplar_id)
    assert ExemplarDetailView().validate(detail) == {}
    assert [(a["activity_id"], a["forms"]) for a in detail["featured_at"]] == [
        (activity_id, ["story_sharing"])]
    withdrawn = run(exemplars.withdraw, uow, exemplar_id, ADMIN, {"reason": "事迹需要核实"})
    assert withdrawn["state"] == "withdrawn"
    assert uow.activities.get(activity_id).featured_exemplars == []
    assert uow.published_types()[-1] == "exemplar_withdrawn"


def test_a_volunteer_proposed_twice_has_one_nomination(uow):
    def proposal(stars):
        return Envelope.new(VOLUNTEER_EXEMPLAR_PROPOSED, {
            "volunteer_id": "VOL-7", "name": "陈志强", "community": "浚河社区",
            "reason": "服务时长达到星级", "total_hours": 300.0, "star_level": stars,
            "commendations": 2})
    run(exemplars.nominate_volunteer, uow, proposal(2))
    run(exemplars.nominate_volunteer, uow, proposal(3))
    [exemplar] = uow.exemplars.all()
    assert len(exemplar.proposals) == 2 and exemplar.title == "3星级志愿者"
    with pytest.raises(Conflict) as second:
        run(exemplars.nominate, uow, STAFF, {
            "name": "陈志强", "category": "volunteer_model", "community": "浚河社区",
            "title": "优秀志愿者", "story": "长期参加社区志愿服务,热心助人。",
            "volunteer_id": "VOL-7"})
    assert second.value.code == "ALREADY_EXISTS"
    assert len(uow.exemplars.all()) == 1


def test_a_phone_is_revealed_to_the_activitys_staff_only_and_audited(uow, place):
    activity_id = published(uow, place)
    registration_id = run(registrations.register, uow, activity_id, RESIDENT,
                          resident(5))["registration_id"]
    with pytest.raises(Forbidden):
        run(registrations.reveal_contact, uow, registration_id, OTHER_STAFF,
            {"purpose": "通知活动改期"})
    assert uow.registrations.reveals == []
    contact = run(registrations.reveal_contact, uow, registration_id, STAFF,
                  {"purpose": "通知活动改期"})
    assert contact == {"name": "居民5", "phone": "13812340005"}
    assert uow.registrations.reveals == [
        ("u-staff", registration_id, ("phone",), "通知活动改期")]
    assert registrations.reveal_contact.remember is False  # its answer is never stored


def test_names_of_venues_and_rooms_are_unique_where_they_live(uow, place):
    with pytest.raises(Conflict) as taken:
        run(places.save_venue, uow, ADMIN, {"community": "浚河社区",
                                            "name": "浚河社区综合文化服务中心",
                                            "kind": "cultural_centre"})
    assert taken.value.code == "ALREADY_EXISTS"
    with pytest.raises(Conflict):
        run(places.save_room, uow, ADMIN, {"venue_id": place[0], "name": "书画室",
                                           "kind": "calligraphy", "capacity": 5})
    assert len(uow.venues.stored["venues"]) == 1 and len(uow.venues.stored["rooms"]) == 1
    with pytest.raises(Forbidden):
        run(places.save_room, uow, OTHER_STAFF, {"venue_id": place[0], "name": "科普室",
                                                 "kind": "science", "capacity": 20})
    assert len(uow.venues.stored["rooms"]) == 1
