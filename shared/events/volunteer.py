"""Events the volunteer service publishes (志愿服务)."""
from marshmallow import fields, validate

from shared.events import EventType
from shared.events.repair import FOLLOW_UP_RESULTS
from shared.schemas import Schema


class FollowUpVisitRecorded(Schema):
    """The resident's answer at a 回访 done by a volunteer, for repair to close or reopen."""
    work_order_number = fields.String(required=True)
    result = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_RESULTS))
    note = fields.String(load_default="")
    visited_at = fields.String(required=True)
    visitor_id = fields.String(required=True)
    visitor_name = fields.String(required=True)


class VolunteerExemplarProposed(Schema):
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    reason = fields.String(required=True)
    total_hours = fields.Float(required=True)
    star_level = fields.Integer(required=True)
    commendations = fields.Integer(required=True)


FOLLOW_UP_VISIT_RECORDED = EventType("volunteer", "follow_up_visit_recorded",
                                     FollowUpVisitRecorded, "志愿者回访结果")
VOLUNTEER_EXEMPLAR_PROPOSED = EventType("volunteer", "volunteer_exemplar_proposed",
                                        VolunteerExemplarProposed, "推荐志愿服务典型")
