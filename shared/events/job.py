"""Events the job service publishes (一走四送, 就业服务)."""
from marshmallow import fields, validate

from shared.events import EventType
from shared.events.repair import CATEGORIES
from shared.schemas import LocationSchema, Schema

DELIVERY_KINDS = ("policy", "training", "job", "service")


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
    # Where the visitor finds the person at work; never a phone number (ask job, audited).
    employer_address = fields.String(load_default=None, allow_none=True)


class Delivered(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(DELIVERY_KINDS))
    count = fields.Integer(required=True)


class EmployerVisited(Schema):
    """一走四送: an employer was visited and these deliveries made."""
    visit_id = fields.String(required=True)
    employer_id = fields.String(required=True)
    employer_name = fields.String(required=True)
    community = fields.String(required=True)
    visited_on = fields.String(required=True)
    visitor_name = fields.String(required=True)
    deliveries = fields.List(fields.Nested(Delivered), required=True)
    problems = fields.Integer(required=True)


class JobPostingOpened(Schema):
    """A posting is open (new, or renewed): screens and other readers may show it."""
    posting_id = fields.String(required=True)
    employer_id = fields.String(required=True)
    employer_name = fields.String(required=True)
    community = fields.String(required=True)
    title = fields.String(required=True)
    openings = fields.Integer(required=True)
    hours_flexible = fields.Boolean(required=True)
    summary = fields.String(required=True)
    valid_through = fields.String(required=True)
    renewed = fields.Boolean(required=True)


class JobPostingClosed(Schema):
    """A posting stopped taking applicants: filled, expired or withdrawn."""
    posting_id = fields.String(required=True)
    employer_id = fields.String(required=True)
    community = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(
        ["filled", "expired", "withdrawn"]))
    reason = fields.String(load_default=None, allow_none=True)


class PlacementEvent(Schema):
    placement_id = fields.String(required=True)
    posting_id = fields.String(required=True)
    community = fields.String(required=True)
    seeker_name = fields.String(required=True)
    employer_name = fields.String(required=True)


class PlacementMade(PlacementEvent):
    """Someone was placed in a job; follow-ups are due 1, 3 and 6 months after `started_on`."""
    started_on = fields.String(required=True)


class PlacementStable(PlacementEvent):
    """Still employed at the 6-month follow-up: 稳定就业."""
    confirmed_on = fields.String(required=True)


class PlacementEnded(PlacementEvent):
    """The placed person left the job before the placement became stable."""
    reason = fields.String(required=True)


EMPLOYER_PROBLEM_REPORTED = EventType("job", "employer_problem_reported",
                                      EmployerProblemReported, "走访发现问题")
TRAINING_REQUESTED = EventType("job", "training_requested", TrainingRequested, "送培训需求")
PLACEMENT_FOLLOW_UP_DUE = EventType("job", "placement_follow_up_due", PlacementFollowUpDue,
                                    "就业回访到期")
EMPLOYER_VISITED = EventType("job", "employer_visited", EmployerVisited, "一走四送走访已记录")
JOB_POSTING_OPENED = EventType("job", "job_posting_opened", JobPostingOpened, "用工信息已发布")
JOB_POSTING_CLOSED = EventType("job", "job_posting_closed", JobPostingClosed,
                               "用工信息已停止招聘")
PLACEMENT_MADE = EventType("job", "placement_made", PlacementMade, "已上岗就业")
PLACEMENT_STABLE = EventType("job", "placement_stable", PlacementStable, "已稳定就业")
PLACEMENT_ENDED = EventType("job", "placement_ended", PlacementEnded, "就业已中止")
