"""Events the activity service publishes (主题活动, 先进典型).

Codes travel as codes (`theme`, `festival`, `category`), with the Chinese name alongside where a
consumer shows it to people. Names of residents may travel; their phone numbers never do.
"""
from marshmallow import fields, validate

from shared.events import EventType
from shared.schemas import Schema


class VolunteerSlots(Schema):
    count = fields.Integer(required=True, validate=validate.Range(min=0))
    skills = fields.List(fields.String(), load_default=list)


class ActivityEvent(Schema):
    activity_id = fields.String(required=True)
    title = fields.String(required=True)
    theme = fields.String(required=True)
    community = fields.String(required=True)
    theme_name = fields.String(load_default=None, allow_none=True)
    # The version the activity was stored with by this change: it only grows, so a consumer
    # that keeps the highest seen can ignore an event that arrives late (a retried
    # activity_published after activity_cancelled).
    activity_version = fields.Integer(load_default=None, allow_none=True)


class ActivityPublished(ActivityEvent):
    organiser = fields.String(required=True)
    venue = fields.String(required=True)
    room = fields.String(load_default=None, allow_none=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    volunteer_slots = fields.Nested(VolunteerSlots, required=True)
    venue_id = fields.String(load_default=None, allow_none=True)
    room_id = fields.String(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True)
    festival = fields.String(load_default=None, allow_none=True)
    capacity = fields.Integer(load_default=None, allow_none=True)
    series_id = fields.String(load_default=None, allow_none=True)


class ActivityUpdated(ActivityPublished):
    """A published activity's time, place, title or volunteer slots changed: the full new
    arrangement, so a consumer replaces what it kept from `activity_published`."""


class ActivityCancelled(ActivityEvent):
    reason = fields.String(required=True)
    starts_at = fields.String(load_default=None, allow_none=True)


class CheckedInPerson(Schema):
    name = fields.String(required=True)
    checked_in_at = fields.String(required=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    # "volunteer": served at the activity (one of its volunteer slots); "participant": attended
    # it. Service hours are owed to the first only (谁组织谁记录).
    role = fields.String(load_default="participant",
                         validate=validate.OneOf(["participant", "volunteer"]))


class ActivityFinished(ActivityEvent):
    # Optional: lets a consumer that missed the publication still name the organiser.
    organiser = fields.String(load_default=None, allow_none=True)
    festival = fields.String(load_default=None, allow_none=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    hours = fields.Float(required=True)
    attendance = fields.Integer(required=True)
    checked_in = fields.List(fields.Nested(CheckedInPerson), required=True)
    venue = fields.String(load_default=None, allow_none=True)
    walk_ins = fields.Integer(load_default=None, allow_none=True)
    volunteers = fields.Integer(load_default=None, allow_none=True)


class RegistrationPromoted(Schema):
    """A resident on the waitlist got a place (someone cancelled, or capacity grew): whoever
    notifies residents tells them; the phone number is fetched through an audited reveal."""
    registration_id = fields.String(required=True)
    activity_id = fields.String(required=True)
    title = fields.String(required=True)
    community = fields.String(required=True)
    name = fields.String(required=True)
    starts_at = fields.String(required=True)


class ExemplarPublished(Schema):
    exemplar_id = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    community = fields.String(required=True)
    title = fields.String(required=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    category_name = fields.String(load_default=None, allow_none=True)


class ExemplarWithdrawn(Schema):
    exemplar_id = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    community = fields.String(required=True)
    reason = fields.String(required=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)


ACTIVITY_PUBLISHED = EventType("activity", "activity_published", ActivityPublished,
                               "活动已发布(含志愿者岗位)")
ACTIVITY_UPDATED = EventType("activity", "activity_updated", ActivityUpdated,
                             "已发布活动的时间、地点或志愿者岗位有变更")
ACTIVITY_CANCELLED = EventType("activity", "activity_cancelled", ActivityCancelled, "活动已取消")
ACTIVITY_FINISHED = EventType("activity", "activity_finished", ActivityFinished,
                              "活动已结束(含签到名单和时长)")
REGISTRATION_PROMOTED = EventType("activity", "registration_promoted", RegistrationPromoted,
                                  "候补报名转为正式报名")
EXEMPLAR_PUBLISHED = EventType("activity", "exemplar_published", ExemplarPublished,
                               "先进典型已发布")
EXEMPLAR_WITHDRAWN = EventType("activity", "exemplar_withdrawn", ExemplarWithdrawn,
                               "先进典型已撤回")
