"""Samples for the activity service's routes: a venue with a room, a published activity with
a registration, an exemplar and a series, in one community."""
import uuid
from datetime import timedelta

from shared import clock

SERVICE = "activity"


def _at(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def activity_body(community, **extra):
    return {"title": "一刻钟宣讲:反对浪费", "theme": "anti_waste", "organiser": community,
            "community": community, **extra}


def records(admin, community):
    venue = admin.post("/api/venues", json={
        "community": community, "name": f"文化服务中心{uuid.uuid4().hex[:6]}",
        "kind": "cultural_centre", "address": "新宇巷1号"})
    assert venue.status_code == 201, venue.text
    venue_id = venue.json()["id"]
    room = admin.post(f"/api/venues/{venue_id}/rooms", json={
        "name": "书画室", "kind": "calligraphy", "capacity": 30})
    assert room.status_code == 201, room.text
    room_id = room.json()["rooms"][0]["id"]
    created = admin.post("/api/activities", json=activity_body(
        community, venue_id=venue_id, room_id=room_id, starts_at=_at(days=2),
        ends_at=_at(days=2, hours=2), volunteer_slots={"count": 1, "skills": []}))
    assert created.status_code == 201, created.text
    activity_id = created.json()["activity_id"]
    published = admin.post(f"/api/activities/{activity_id}/publish", json={})
    assert published.status_code == 200, published.text
    registered = admin.post(f"/api/activities/{activity_id}/registrations",
                            json={"name": "王秀英", "phone": "13955550001"})
    assert registered.status_code == 201, registered.text
    exemplar = admin.post("/api/exemplars", json={
        "name": "王秀英", "category": "good_person", "community": community,
        "title": "热心邻里好帮手", "story": "多年来照顾独居老人,风雨无阻。"})
    assert exemplar.status_code == 201, exemplar.text
    shown = admin.post("/api/exemplars", json={  # published: one an activity may feature
        "name": "李建国", "category": "good_person", "community": community,
        "title": "义务巡河十年", "story": "每天清晨沿河巡查,劝阻乱扔垃圾。"})
    assert shown.status_code == 201, shown.text
    shown_id = shown.json()["exemplar_id"]
    for action, body in (("review", {"decision": "approve"}), ("publish", {})):
        answer = admin.post(f"/api/exemplars/{shown_id}/{action}", json=body)
        assert answer.status_code == 200, answer.text
    featured = admin.post(f"/api/activities/{activity_id}/featured-exemplars",
                          json={"exemplar_id": shown_id, "form": "display_board"})
    assert featured.status_code == 200, featured.text
    start = clock.local_date(clock.now()) + timedelta(days=10)
    series = admin.post("/api/activity-series", json={
        **activity_body(community, venue_id=venue_id, room_id=room_id),
        "recurrence": {"start_date": start.isoformat(), "start_time": "14:00",
                       "end_time": "15:00", "weekdays": [start.isoweekday()], "count": 2}})
    assert series.status_code == 201, series.text
    return {"community": community, "venue_id": venue_id, "room_id": room_id,
            "activity_id": activity_id, "registration_id": registered.json()["registration_id"],
            "code": registered.json()["code"],
            "exemplar_id": exemplar.json()["exemplar_id"], "published_exemplar_id": shown_id,
            "series_id": series.json()["series_id"],
            "past_start": _at(days=-3), "past_end": _at(days=-3, hours=1),
            "series_start": (start + timedelta(days=30)).isoformat(),
            "new_venue": f"邻里中心{uuid.uuid4().hex[:6]}",
            "renamed_venue": f"综合文化服务中心{uuid.uuid4().hex[:6]}"}


def snapshot(admin, placeholders):
    p = placeholders
    return (admin.get(f"/api/activities/{p['activity_id']}").json()["version"],
            admin.get(f"/api/registrations/{p['registration_id']}").json(),
            admin.get(f"/api/exemplars/{p['exemplar_id']}").json()["version"],
            admin.get(f"/api/venues/{p['venue_id']}").json(),
            admin.get(f"/api/activity-series/{p['series_id']}").json(),
            admin.get(f"/api/activities/{p['activity_id']}/registrations").json()["total"])


ACTIVITY = {"activity_id": "{activity_id}"}
SAMPLES = {
    "activities.list": ({}, {"community": "{community}"}),
    "activities.create": ({}, activity_body("{community}")),
    "activities.record_held": ({}, activity_body(
        "{community}", venue_id="{venue_id}", room_id="{room_id}", starts_at="{past_start}",
        ends_at="{past_end}", reason="2026年活动台账", attendance=12,
        minutes="宣讲反对浪费,居民踊跃参与。")),
    "activities.get": (ACTIVITY, {}),
    "activities.update": (ACTIVITY, {"description": "请自带水杯"}),
    "activities.publish": (ACTIVITY, {}),
    "activities.cancel": (ACTIVITY, {"reason": "天气原因"}),
    "activities.finish": (ACTIVITY, {"minutes": "活动顺利结束"}),
    "activities.minutes": (ACTIVITY, {"minutes": "补充活动纪要"}),
    "activities.feature_exemplar": (ACTIVITY, {"exemplar_id": "{published_exemplar_id}",
                                               "form": "display_board"}),
    "activities.unfeature_exemplar": ({**ACTIVITY, "exemplar_id": "{published_exemplar_id}"},
                                      {}),
    "activities.registrations": (ACTIVITY, {}),
    "activities.register": (ACTIVITY, {"name": "李桂兰", "phone": "13955550002"}),
    "activities.check_in": (ACTIVITY, {"code": "{code}"}),
    "registrations.get": ({"registration_id": "{registration_id}"}, {}),
    "registrations.cancel": ({"registration_id": "{registration_id}"}, {}),
    "registrations.reveal_contact": ({"registration_id": "{registration_id}"},
                                     {"purpose": "通知活动变更"}),
    "activity_series.create": ({}, {**activity_body("{community}"), "recurrence": {
        "start_date": "{series_start}", "start_time": "09:00", "end_time": "10:00",
        "weekdays": [1], "count": 1}}),
    "activity_series.get": ({"series_id": "{series_id}"}, {}),
    "activity_series.publish": ({"series_id": "{series_id}"}, {}),
    "activity_series.cancel": ({"series_id": "{series_id}"}, {"reason": "场地维修"}),
    "exemplars.list": ({}, {"community": "{community}"}),
    "exemplars.nominate": ({}, {"name": "张家", "category": "filial_family",
                                "community": "{community}", "title": "孝老爱亲之家",
                                "story": "三代同堂,孝老爱亲,邻里称道。"}),
    "exemplars.get": ({"exemplar_id": "{exemplar_id}"}, {}),
    "exemplars.update": ({"exemplar_id": "{exemplar_id}"}, {"title": "热心邻里"}),
    "exemplars.review": ({"exemplar_id": "{exemplar_id}"}, {"decision": "approve"}),
    "exemplars.publish": ({"exemplar_id": "{exemplar_id}"}, {}),
    "exemplars.withdraw": ({"exemplar_id": "{exemplar_id}"}, {"reason": "材料有误"}),
    "venues.list": ({}, {"community": "{community}"}),
    "venues.get": ({"venue_id": "{venue_id}"}, {}),
    "venues.bookings": ({}, {"venue_id": "{venue_id}", "from": "{past_start}",
                             "to": "{series_start}T00:00:00+08:00"}),
    "venues.create": ({}, {"community": "{community}", "name": "{new_venue}", "kind": "other"}),
    "venues.update": ({"venue_id": "{venue_id}"}, {"community": "{community}",
                                                    "name": "{renamed_venue}",
                                                    "kind": "cultural_centre"}),
    "venues.add_room": ({"venue_id": "{venue_id}"}, {"name": "科普室", "kind": "science",
                                                      "capacity": 20}),
    "venues.update_room": ({"venue_id": "{venue_id}", "room_id": "{room_id}"},
                           {"name": "书画室", "kind": "calligraphy", "capacity": 25}),
    "activities.statistics": ({}, {"community": "{community}"}),
    "activity.reference_data": ({}, {}),
}
