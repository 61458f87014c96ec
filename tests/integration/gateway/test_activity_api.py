"""The activity routes through real HTTP against the running services: an activity from
draft to figures, registration with a waitlist and check-in at the door, exemplars and series,
venues, exports, and who may do what. Every answer is checked against its documented shape."""
import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from shared import clock
from tests.integration.gateway.conftest import a_volunteer
from tests.integration.gateway.answers import conforms
from tests.integration.gateway.conftest import a_volunteer

JUNHE, TIANBAO = "浚河社区", "天宝社区"


def at(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def a_place(client, community=JUNHE, capacity=2):
    venue = conforms("venues.create", client.post("/api/venues", json={
        "community": community, "name": "综合文化服务中心", "kind": "cultural_centre",
        "address": "新宇巷1号"}))
    venue = conforms("venues.add_room", client.post(f"/api/venues/{venue['id']}/rooms", json={
        "name": "书画室", "kind": "calligraphy", "capacity": capacity}))
    return venue["id"], venue["rooms"][0]["id"]


def an_activity(client, venue_id, room_id, community=JUNHE, **extra):
    return {"title": "一刻钟宣讲:反对浪费·提倡光盘", "theme": "anti_waste",
            "organiser": community, "community": community, "venue_id": venue_id,
            "room_id": room_id, "starts_at": at(minutes=30), "ends_at": at(hours=2),
            **extra}


def test_an_activity_from_draft_through_the_door_to_its_figures(admin, service_db):
    venue_id, room_id = a_place(admin)
    draft = conforms("activities.create", admin.post("/api/activities", json=an_activity(
        admin, venue_id, room_id)))
    activity_id = draft["activity_id"]
    assert draft["state"] == "draft" and draft["capacity"] == 2
    changed = conforms("activities.update", admin.patch(
        f"/api/activities/{activity_id}", json={"description": "请自带水杯", "capacity": 1}))
    assert changed["description"] == "请自带水杯" and changed["capacity"] == 1
    conforms("activities.publish", admin.post(f"/api/activities/{activity_id}/publish",
                                              json={}))

    first = conforms("activities.register", admin.post(
        f"/api/activities/{activity_id}/registrations",
        json={"name": "王秀英", "phone": "13955550001"}), 201)
    second = conforms("activities.register", admin.post(
        f"/api/activities/{activity_id}/registrations",
        json={"name": "李桂兰", "phone": "13955550002"}), 201)
    assert (first["status"], second["status"]) == ("registered", "waitlisted")
    assert first["phone_masked"] == "139****0001" and "13955550001" not in str(first)

    cancelled = conforms("registrations.cancel", admin.post(
        f"/api/registrations/{first['registration_id']}/cancel", json={"reason": "临时有事"}))
    assert cancelled["status"] == "cancelled"
    promoted = conforms("registrations.get",
                        admin.get(f"/api/registrations/{second['registration_id']}"))
    assert promoted["status"] == "registered"

    door = conforms("activities.check_in", admin.post(
        f"/api/activities/{activity_id}/check-in", json={"code": second["code"]}))
    assert door["checked_in_at"] is not None
    listed = conforms("activities.registrations", admin.get(
        f"/api/activities/{activity_id}/registrations", params={"checked_in": "true"}))
    assert [r["name"] for r in listed["items"]] == ["李桂兰"]

    revealed = conforms("registrations.reveal_contact", admin.post(
        f"/api/registrations/{second['registration_id']}/reveal-contact",
        json={"purpose": "通知活动改期"}))
    assert revealed == {"name": "李桂兰", "phone": "13955550002"}
    audit = admin.get("/api/audit", params={"action": "registrations.reveal_contact"}).json()
    assert audit["items"][0]["outcome"] == "OK"

    # The activity began (what the clock does by itself, without waiting for it).
    starts = clock.now() - timedelta(minutes=5)
    service_db("activity").activities.update_one(
        {"_id": activity_id}, {"$set": {"starts_at": starts,
                                        "ends_at": starts + timedelta(hours=2)}})
    finished = conforms("activities.finish", admin.post(
        f"/api/activities/{activity_id}/finish", json={"minutes": "居民踊跃参与,反响良好。"}))
    assert finished["state"] == "finished" and finished["attendance"] == 1
    figures = conforms("activities.statistics", admin.get(
        "/api/statistics/activities", params={"community": JUNHE, "group_by": ["theme"]}))
    assert figures["totals"]["held"] == 1 and figures["totals"]["attendance"] == 1
    assert figures["groups"][0]["theme_name"] == "反对浪费·提倡光盘"


def test_held_activities_exemplars_series_and_lists_as_spreadsheets(admin):
    venue_id, room_id = a_place(admin, capacity=40)
    held = conforms("activities.record_held", admin.post("/api/activities/held", json={
        **an_activity(admin, venue_id, room_id, theme="our_festivals", festival="double_ninth",
                      starts_at=at(days=-20), ends_at=at(days=-20, hours=2)),
        "reason": "2026年活动台账", "attendance": 35, "minutes": "重阳敬老,为老人理发。"}), 201)
    assert held["state"] == "finished" and held["imported"]["reason"] == "2026年活动台账"

    exemplar = conforms("exemplars.nominate", admin.post("/api/exemplars", json={
        "name": "张家", "category": "filial_family", "community": JUNHE,
        "title": "孝老爱亲之家", "story": "三代同堂,孝老爱亲,邻里称道。"}), 201)
    exemplar_id = exemplar["exemplar_id"]
    conforms("exemplars.update", admin.patch(f"/api/exemplars/{exemplar_id}",
                                             json={"year": 2026}))
    conforms("exemplars.review", admin.post(f"/api/exemplars/{exemplar_id}/review",
                                            json={"decision": "approve"}))
    assert conforms("exemplars.publish", admin.post(
        f"/api/exemplars/{exemplar_id}/publish", json={}))["state"] == "published"
    upcoming = conforms("activities.create", admin.post("/api/activities", json=an_activity(
        admin, venue_id, room_id, starts_at=at(days=3), ends_at=at(days=3, hours=1))), 201)
    featured = conforms("activities.feature_exemplar", admin.post(
        f"/api/activities/{upcoming['activity_id']}/featured-exemplars",
        json={"exemplar_id": exemplar_id, "form": "story_sharing"}))
    assert featured["featured_exemplars"][0]["form_name"] == "事迹分享"
    shown = conforms("exemplars.get", admin.get(f"/api/exemplars/{exemplar_id}"))
    assert [a["activity_id"] for a in shown["featured_at"]] == [upcoming["activity_id"]]
    unfeatured = conforms("activities.unfeature_exemplar", admin.delete(
        f"/api/activities/{upcoming['activity_id']}/featured-exemplars/{exemplar_id}"))
    assert unfeatured["featured_exemplars"] == []
    conforms("exemplars.list", admin.get("/api/exemplars", params={"state": ["published"]}))

    start = clock.local_date(clock.now()) + timedelta(days=14)
    series = conforms("activity_series.create", admin.post("/api/activity-series", json={
        **{k: v for k, v in an_activity(admin, venue_id, room_id).items()
           if k not in ("starts_at", "ends_at")},
        "recurrence": {"start_date": start.isoformat(), "start_time": "09:00",
                       "end_time": "10:00", "weekdays": [start.isoweekday()], "count": 3}}),
        201)
    assert len(series["activities"]) == 3
    published = conforms("activity_series.publish", admin.post(
        f"/api/activity-series/{series['series_id']}/publish", json={}))
    assert {a["state"] for a in published["activities"]} == {"published"}
    cancelled = conforms("activity_series.cancel", admin.post(
        f"/api/activity-series/{series['series_id']}/cancel", json={"reason": "场地维修"}))
    assert {a["state"] for a in cancelled["activities"]} == {"cancelled"}
    conforms("activity_series.get", admin.get(f"/api/activity-series/{series['series_id']}"))

    # The list a page at a time by cursor: every activity once, soonest first.
    query = {"community": JUNHE, "sort": "starts_at", "page_size": 2}
    listed = conforms("activities.list", admin.get("/api/activities", params=query))
    assert listed["total"] == 5 and len(listed["items"]) == 2 and listed["has_more"]
    seen = listed["items"]
    while listed["has_more"]:
        listed = conforms("activities.list", admin.get("/api/activities", params={
            **query, "cursor": listed["next_cursor"]}))
        seen += listed["items"]
    assert listed["next_cursor"] is None and listed["total"] == 5
    assert len({a["activity_id"] for a in seen}) == len(seen) == 5
    assert [a["starts_at"] for a in seen] == sorted(a["starts_at"] for a in seen)
    forged = admin.get("/api/activities", params={**query, "cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 422 and forged.json()["code"] == "VALIDATION_FAILED"
    assert "cursor" in forged.json()["fields"]
    searched = conforms("activities.list", admin.get("/api/activities", params={
        "q": seen[0]["title"][:2]}))
    assert seen[0]["activity_id"] in {a["activity_id"] for a in searched["items"]}
    assert searched["total"] is None  # a search is not counted
    exported = admin.get("/api/activities", params={"community": JUNHE, "format": "csv"})
    assert exported.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["活动编号", "活动名称", "主题"] and len(rows) == 6
    workbook = load_workbook(io.BytesIO(admin.get(
        "/api/venues", params={"format": "xlsx"}).content))
    assert [c.value for c in workbook.active[1]][:2] == ["场地编号", "场地名称"]
    conforms("venues.list", admin.get("/api/venues", params={"community": JUNHE}))
    conforms("venues.get", admin.get(f"/api/venues/{venue_id}"))
    conforms("venues.update", admin.put(f"/api/venues/{venue_id}", json={
        "community": JUNHE, "name": "浚河社区综合文化服务中心", "kind": "cultural_centre"}))
    conforms("venues.update_room", admin.put(f"/api/venues/{venue_id}/rooms/{room_id}", json={
        "name": "书画室", "kind": "calligraphy", "capacity": 45}))
    bookings = conforms("venues.bookings", admin.get("/api/venue-bookings", params={
        "from": at(days=-30), "to": at(days=30), "venue_id": venue_id}))
    assert upcoming["activity_id"] in [b["activity_id"] for b in bookings["items"]]
    conforms("activity.reference_data", admin.get("/api/activity/reference-data"))


def test_the_path_names_the_record_and_the_body_may_not_name_another(admin):
    venue_id, room_id = a_place(admin)
    other_venue, _ = a_place(admin, community=TIANBAO)
    refused = admin.put(f"/api/venues/{venue_id}", json={
        "venue_id": other_venue, "community": JUNHE, "name": "改名", "kind": "other"})
    assert refused.status_code == 422 and "venue_id" in refused.json()["fields"]
    created = admin.post("/api/venues", json={"venue_id": venue_id, "community": JUNHE,
                                             "name": "另一处", "kind": "other"})
    assert created.status_code == 422 and "venue_id" in created.json()["fields"]
    assert admin.get(f"/api/venues/{other_venue}").json()["name"] == "综合文化服务中心"


def test_staff_work_in_their_community_viewers_read_and_volunteers_see_no_activities(
        admin, make_user):
    venue_id, room_id = a_place(admin, community=JUNHE)
    theirs = admin.post("/api/activities", json=an_activity(admin, venue_id, room_id)).json()
    staff = make_user("community_staff", community=TIANBAO)
    own_venue, own_room = a_place(staff, community=TIANBAO)
    mine = conforms("activities.create", staff.post("/api/activities", json=an_activity(
        staff, own_venue, own_room, community=TIANBAO)), 201)
    listed = staff.get("/api/activities").json()
    assert [a["activity_id"] for a in listed["items"]] == [mine["activity_id"]]
    # Another community's venue cannot host their activity, nor their venue be changed.
    borrowed = staff.post("/api/activities", json=an_activity(staff, venue_id, room_id,
                                                             community=TIANBAO))
    assert borrowed.status_code == 422 and "venue_id" in borrowed.json()["fields"]
    moved = staff.put(f"/api/venues/{own_venue}", json={
        "community": JUNHE, "name": "综合文化服务中心", "kind": "cultural_centre"})
    assert moved.status_code == 403
    # Only the street office reviews exemplars.
    nominated = staff.post("/api/exemplars", json={
        "name": "王秀英", "category": "good_person", "title": "热心邻里",
        "story": "多年来照顾独居老人,风雨无阻。"})
    assert nominated.status_code == 201 and nominated.json()["community"] == TIANBAO
    review = staff.post(f"/api/exemplars/{nominated.json()['exemplar_id']}/review",
                        json={"decision": "approve"})
    assert review.status_code == 403

    viewer = make_user("viewer", community=JUNHE)
    assert viewer.get(f"/api/activities/{theirs['activity_id']}").status_code == 200
    assert viewer.get(f"/api/activities/{mine['activity_id']}").status_code == 403
    assert viewer.post(f"/api/activities/{theirs['activity_id']}/publish",
                       json={}).status_code == 403
    department = make_user("department", department="power")
    assert department.get("/api/activities").status_code == 403
    volunteer = make_user("volunteer", volunteer=a_volunteer(admin))
    assert volunteer.get("/api/activities").status_code == 403
    assert volunteer.get("/api/activity/reference-data").status_code == 200
