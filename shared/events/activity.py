"""Events the activity service publishes (主题活动, 先进典型)."""
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


class ActivityPublished(ActivityEvent):
    organiser = fields.String(required=True)
    venue = fields.String(required=True)
    room = fields.String(load_default=None, allow_none=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    volunteer_slots = fields.Nested(VolunteerSlots, required=True)


class ActivityCancelled(ActivityEvent):
    reason = fields.String(required=True)


class CheckedInPerson(Schema):
    name = fields.String(required=True)
    checked_in_at = fields.String(required=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)


class ActivityFinished(ActivityEvent):
    festival = fields.String(load_default=None, allow_none=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    hours = fields.Float(required=True)
    attendance = fields.Integer(required=True)
    checked_in = fields.List(fields.Nested(CheckedInPerson), required=True)


class ExemplarPublished(Schema):
    exemplar_id = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.String(required=True)
    community = fields.String(required=True)
    title = fields.String(required=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)


ACTIVITY_PUBLISHED = EventType("activity", "activity_published", ActivityPublished,
                               "活动已发布(含志愿者岗位)")
ACTIVITY_CANCELLED = EventType("activity", "activity_cancelled", ActivityCancelled, "活动已取消")
ACTIVITY_FINISHED = EventType("activity", "activity_finished", ActivityFinished,
                              "活动已结束(含签到名单和时长)")
EXEMPLAR_PUBLISHED = EventType("activity", "exemplar_published", ExemplarPublished,
                               "先进典型已发布")
