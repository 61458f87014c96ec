"""Events the job service publishes (一走四送, 就业服务)."""
from marshmallow import fields, validate

from shared.events import EventType
from shared.events.repair import CATEGORIES
from shared.schemas import LocationSchema, Schema


class EmployerProblemReported(Schema):
    """A problem found on an employer visit (a dark lamp, blocked parking): repair opens a
    work order and tells the employer when it is closed."""
    problem_id = fields.String(required=True)
    visit_id = fields.String(required=True)
    employer_id = fields.String(required=True)
    employer_name = fields.String(required=True)
    community = fields.String(required=True)
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    alley = fields.String(load_default=None, allow_none=True)
    address = fields.String(required=True)
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    description = fields.String(required=True)
    visitor_name = fields.String(required=True)


class TrainingRequested(Schema):
    """送培训 agreed on a visit, to be held as an activity at the 市民学校."""
    request_id = fields.String(required=True)
    visit_id = fields.String(required=True)
    employer_id = fields.String(required=True)
    employer_name = fields.String(required=True)
    community = fields.String(required=True)
    topic = fields.String(required=True)
    expected_participants = fields.Integer(required=True)
    preferred_date = fields.String(load_default=None, allow_none=True)


class PlacementFollowUpDue(Schema):
    """A placed person is due a follow-up (1, 3 or 6 months after starting)."""
    follow_up_id = fields.String(required=True)
    placement_id = fields.String(required=True)
    community = fields.String(required=True)
    seeker_name = fields.String(required=True)
    employer_name = fields.String(required=True)
    month = fields.Integer(required=True, validate=validate.OneOf([1, 3, 6]))
    due_on = fields.String(required=True)


EMPLOYER_PROBLEM_REPORTED = EventType("job", "employer_problem_reported",
                                      EmployerProblemReported, "走访发现问题")
TRAINING_REQUESTED = EventType("job", "training_requested", TrainingRequested, "送培训需求")
PLACEMENT_FOLLOW_UP_DUE = EventType("job", "placement_follow_up_due", PlacementFollowUpDue,
                                    "就业回访到期")
