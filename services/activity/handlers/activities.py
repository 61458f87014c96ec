"""An activity's way from draft to finished: created (or 补录 after the fact), changed,
published, started and finished by the timer or by hand, cancelled; exemplars featured at it;
and the draft a 送培训 request becomes. Each step loads the activity, applies one rule of the
domain and saves it with its booking, events and figures."""
from __future__ import annotations

from typing import Callable

from services.activity import catalogue, domain, schemas
from services.activity.handlers.registrations import promote_waitlist
from services.activity.permissions import authorise
from services.activity.views import ActivityView
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query

SYSTEM = {"id": "activity", "name": "系统", "role": "system", "community": None}
JOB = {"id": "job", "name": "一走四送", "role": "system"}
SCHEDULE = ("venue_id", "room_id", "starts_at", "ends_at", "capacity")


def change(uow, activity_id: str, actor: dict, label: str, step: Callable) -> dict:
    """Load the activity, check who may, apply one domain step, store it with its booking,
    events and figures."""
    actor = load(ActorSchema(), actor)
    activity = uow.activities.get(activity_id)
    authorise(actor, "manage", activity.community, label)
    step(activity, actor, uow.now)
    uow.activities.save(activity)
    return ActivityView(now=uow.now).dump(activity)


@command
def create(uow, actor: dict, details: dict) -> dict:
    """A draft activity; with a place and times it books the room at once."""
    actor = load(ActorSchema(), actor)
    details = load(schemas.CreateActivity(), details)
    authorise(actor, "manage", details["community"], "创建活动")
    venue_id, room_id = details.pop("venue_id"), details.pop("room_id")
    place = uow.venues.place(venue_id, room_id)
    activity = domain.Activity.create(uow.activities.next_id(uow.now), details, place, actor,
                                      uow.now)
    uow.activities.add(activity)
    return ActivityView(now=uow.now).dump(activity)


@command
def record_held(uow, actor: dict, record: dict) -> dict:
    """补录: an activity held before it was recorded here, with its attendance from the
    sign-in sheet; its figures fall in the month it was held and the volunteers who
    served are credited by the volunteer service, as for any finished activity."""
    actor = load(ActorSchema(), actor)
    record = load(schemas.RecordHeldActivity(), record)
    authorise(actor, "manage", record["community"], "补录活动")
    held = {k: record.pop(k) for k in ("reason", "registered", "attendance", "walk_ins",
                                       "volunteers", "minutes", "photo_urls")}
    venue_id, room_id = record.pop("venue_id"), record.pop("room_id")
    place = uow.venues.place(venue_id, room_id)
    activity = domain.Activity.record_held(uow.activities.next_id(uow.now), record, place,
                                           actor, uow.now, held)
    uow.activities.add(activity)
    return ActivityView(now=uow.now).dump(activity)


@command
def update(uow, activity_id: str, actor: dict, changes: dict) -> dict:
    """Change a draft or published activity; a published one tells the other services
    (activity_updated) when its time, place, title or volunteer slots change."""
    changes = load(schemas.UpdateActivity(), changes)

    def step(activity, who, at):
        place = None
        if any(k in changes for k in SCHEDULE):
            venue_id = changes.get("venue_id", (activity.venue or {}).get("id"))
            room_id = changes.get("room_id",
                                  None if "venue_id" in changes
                                  else (activity.room or {}).get("id"))
            place = uow.venues.place(venue_id, room_id)
        activity.update(who, at, changes, place)
        promote_waitlist(uow, activity)
    return change(uow, activity_id, actor, "修改活动", step)


@command
def publish(uow, activity_id: str, actor: dict) -> dict:
    return change(uow, activity_id, actor, "发布活动",
                  lambda activity, who, at: activity.publish(who, at))


@command
def cancel(uow, activity_id: str, actor: dict, command: dict) -> dict:
    """Frees the room; registrations end as 活动已取消."""
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, activity_id, actor, "取消活动",
                  lambda activity, who, at: activity.cancel(who, at, reason))


@command
def finish(uow, activity_id: str, actor: dict, command: dict) -> dict:
    """End it with minutes; attendance is counted from the check-ins."""
    command = load(schemas.Finish(), command)
    return change(uow, activity_id, actor, "结束活动", lambda activity, who, at: activity.finish(
        who, at, command["minutes"], command["photo_urls"],
        uow.registrations.checked_in(activity.activity_id)))


@command
def record_minutes(uow, activity_id: str, actor: dict, command: dict) -> dict:
    command = load(schemas.Minutes(), command)
    return change(uow, activity_id, actor, "补充活动纪要", lambda activity, who, at: (
        activity.record_minutes(who, at, command["minutes"], command["photo_urls"])))


@command
def feature_exemplar(uow, activity_id: str, actor: dict, command: dict) -> dict:
    """Show a published exemplar at the activity (展板, 事迹分享, 情景讲述)."""
    command = load(schemas.Feature(), command)

    def step(activity, who, at):
        exemplar = uow.exemplars.get(command["exemplar_id"])
        activity.feature(who, at, exemplar, command["form"], command["note"])
    return change(uow, activity_id, actor, "安排先进典型展示", step)


@command
def unfeature_exemplar(uow, activity_id: str, actor: dict, command: dict) -> dict:
    exemplar_id = load(schemas.Unfeature(), command)["exemplar_id"]
    return change(uow, activity_id, actor, "撤下先进典型展示", lambda activity, who, at: (
        activity.unfeature(who, at, exemplar_id)))


@query
def due(uow, limit: int) -> list[str]:
    """Published activities whose start has come, and those long past their end."""
    return uow.activities.due(uow.now, limit)


@command
def advance(uow, activity_id: str) -> str | None:
    """Start an activity whose time has come, or finish one AUTO_FINISH_AFTER its end (with
    the attendance counted from check-ins). Checked again here, so several processes doing
    this at once change it once."""
    activity = uow.activities.get(activity_id)
    if activity.due_to_finish(uow.now):
        activity.finish(SYSTEM, uow.now, None, [], uow.registrations.checked_in(activity_id),
                        automatic=True)
    elif activity.due_to_start(uow.now):
        activity.start(SYSTEM, uow.now)
    else:
        return None  # another process got there first
    uow.activities.save(activity)
    return f"{activity_id}:{activity.state}"


@command
def schedule_requested_training(uow, event) -> None:
    """送培训 agreed on an employer visit becomes a draft activity at the community's
    市民学校, for staff to set a time and publish. One activity per request."""
    data = event.data
    if uow.activities.by_source("job", data["request_id"]):
        return
    place = uow.venues.citizen_school(data["community"])
    capacity = data["expected_participants"] if data["expected_participants"] > 0 else None
    if place is not None and capacity is not None:
        capacity = min(capacity, place["room"]["capacity"])
    description = (f"{data['employer_name']}在“一走四送”走访中提出的培训需求:"
                   f"{data['topic']},预计 {data['expected_participants']} 人参加。")
    if place is None:
        description += f"{data['community']}尚未登记市民学校,请安排场地。"
    activity = domain.Activity.create(uow.activities.next_id(uow.now), {
        "title": f"送培训:{data['topic']}"[:100], "theme": catalogue.TRAINING_THEME,
        "description": description, "target_groups": ["employees"],
        "organiser": f"{data['community']}就业服务站", "community": data["community"],
        "capacity": capacity, "preferred_date": data["preferred_date"],
        "source_ref": {"service": "job", "ref": data["request_id"]},
    }, place, JOB, uow.now)
    uow.activities.add(activity)


@query
def get(uow, activity_id: str) -> dict:
    return ActivityView(now=uow.now).dump(uow.activities.get(activity_id))


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListActivities(), query)
    page = uow.activities.page(query, uow.now)
    return {**page, "items": ActivityView(many=True, now=uow.now).dump(page["items"])}
