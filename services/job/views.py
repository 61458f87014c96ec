"""What the job service answers about its records, declared once: each view documents a shape
(the OpenAPI document is built from it) and presents it (`JobPostingView(now=...).dump(posting)`).
Values worked out rather than stored are the views' `get_<field>` methods; personal data leaves
only masked. Matches, figures and code lists are in summary_views.py, the schema.org form of a
posting in schema_org.py, the community screen in screen.py."""
from marshmallow import fields, validate

from services.job import domain
from shared.schemas import (ActorRefView, AllowedActionView, HistoryEntryView, Instant, derived,
                            history_of, list_of, LocationSchema, masked, maybe, optional_text,
                            required_text, Schema, View)

_COMMON_ACTIONS = {"register": "登记", "update": "修改", "record": "登记走访",
                   "publish": "发布", "apply": "报名", "hire": "录用",
                   "resolve_problem": "问题已解决", "end_problem": "问题未办理",
                   "complete_action": "完成后续事项"}


def _names(actions: dict) -> dict:
    return {**_COMMON_ACTIONS, **{a: label for a, (_, label) in actions.items()}}


def _allowed(aggregate, hide=()) -> list[dict]:
    """The steps legal now, as buttons; `hide` leaves out steps taken elsewhere (a posting
    is applied for and hired through an application, and expired by the timer)."""
    return [{"action": a, "name": aggregate.ACTIONS[a][1]} for a in aggregate.allowed_actions()
            if a not in hide]


def _history(names: dict):
    """An aggregate's history with the Chinese name of each step."""
    def get_history(self, aggregate) -> list[dict]:
        return history_of(aggregate.history, names)
    return get_history


def _state_name(names: dict):
    """A view's `get_state_name`: the Chinese name of the state of a record (an aggregate, or
    part of one such as a visit's problem)."""
    def get_state_name(self, record) -> str:
        return names[_value(record, "state")]
    return get_state_name


def _value(record, name):
    return record[name] if isinstance(record, dict) else getattr(record, name)


def hours_text(windows: list[dict], empty: str = "") -> str:
    """Working or available hours in words, or `empty` for none."""
    return domain.schedule_text(windows) or empty


class _HistoryEntry(HistoryEntryView):
    to_state = optional_text()    # records without states (employers) have none


def _history_field():
    return derived("get_history", fields.List, fields.Nested(_HistoryEntry))


def _allowed_field():
    return derived("get_allowed_actions", fields.List, fields.Nested(AllowedActionView))


class _WindowView(Schema):
    days = fields.List(fields.Integer(), required=True)
    start = required_text()
    end = required_text()


# --- employers and visits -----------------------------------------------------------------

class _ContactView(Schema):
    name = fields.String(required=True, dump_default=None)
    phone_masked = fields.String(attribute="phone.masked", required=True, dump_default=None)


class EmployerView(View):
    employer_id = required_text()
    name = required_text()
    community = required_text()
    address = required_text()
    alley = optional_text()
    location = maybe(LocationSchema)
    sector = fields.String(required=True, validate=validate.OneOf(domain.SECTORS))
    sector_name = derived("get_sector_name")
    size = fields.String(required=True, validate=validate.OneOf(domain.EMPLOYER_SIZES))
    size_name = derived("get_size_name")
    contact = fields.Nested(_ContactView, required=True)
    credit_code = optional_text()
    employees = fields.Integer(required=True, allow_none=True)
    note = optional_text()
    active = fields.Boolean(required=True)
    visits = fields.Integer(required=True)
    last_visited_on = optional_text()
    created_at = Instant(required=True)
    updated_at = Instant(required=True)
    version = fields.Integer(required=True)

    def get_sector_name(self, employer) -> str:
        return domain.SECTORS[employer.sector]

    def get_size_name(self, employer) -> str:
        return domain.EMPLOYER_SIZES[employer.size]


class _DeliveryView(Schema):
    """The fields after `kind_name` are those of the delivery's kind."""
    delivery_id = required_text()
    kind = fields.String(required=True, validate=validate.OneOf(domain.DELIVERY_KINDS))
    kind_name = derived("get_kind_name")
    note = optional_text()
    policy_name = fields.String()
    topic = fields.String()
    expected_participants = fields.Integer()
    preferred_date = fields.String(allow_none=True)
    request_activity = fields.Boolean()
    request_id = fields.String()
    openings_collected = fields.Integer(allow_none=True)
    service_name = fields.String()

    def get_kind_name(self, delivery: dict) -> str:
        return domain.DELIVERY_KINDS[delivery["kind"]]


class _ProblemView(Schema):
    problem_id = required_text()
    category = required_text()
    category_name = derived("get_category_name")
    description = required_text()
    address = required_text()
    alley = optional_text()
    location = maybe(LocationSchema)
    state = fields.String(required=True, validate=validate.OneOf(domain.PROBLEM_STATES))
    state_name = derived("get_state_name")
    work_order_number = optional_text()
    resolution = optional_text()
    end_reason = fields.String(allow_none=True)    # once the problem is closed
    reported_at = Instant(required=True)
    closed_at = Instant(required=True, allow_none=True)

    get_state_name = _state_name(domain.PROBLEM_STATES)

    def get_category_name(self, problem: dict) -> str:
        return domain.PROBLEM_CATEGORY_NAMES[problem["category"]]


class _FollowUpActionView(Schema):
    action_id = required_text()
    description = required_text()
    due_on = optional_text()
    owner = optional_text()
    done = fields.Boolean(required=True)
    done_at = Instant(required=True, allow_none=True)
    done_note = optional_text()
    done_by = fields.Nested(ActorRefView)               # once done


class VisitView(View):
    visit_id = required_text()
    employer_id = required_text()
    employer_name = required_text()
    community = required_text()
    visited_on = required_text()
    visitor_name = required_text()
    findings = required_text()
    deliveries = list_of(_DeliveryView)
    problems = list_of(_ProblemView)
    follow_up_actions = list_of(_FollowUpActionView)
    recorded_by = fields.Nested(ActorRefView, required=True)
    recorded_at = Instant(required=True)
    updated_at = Instant(required=True)
    history = _history_field()
    version = fields.Integer(required=True)

    get_history = _history(_COMMON_ACTIONS)


# --- job postings -------------------------------------------------------------------------

class _SalaryView(Schema):
    min = fields.Float(required=True)
    max = fields.Float(required=True, allow_none=True)
    unit = fields.String(required=True, validate=validate.OneOf(domain.SALARY_UNITS))
    piece_rate = fields.Boolean(required=True)


class _PayRange(Schema):
    min = fields.Integer(required=True)
    max = fields.Integer(required=True)


class PostingValues:
    """What a posting's views work out from it."""

    def get_employment_type_name(self, posting) -> str:
        return domain.EMPLOYMENT_TYPES[posting.employment_type]

    def get_work_schedule_text(self, posting) -> str:
        return domain.schedule_text(posting.work_schedule)

    def get_salary_text(self, posting) -> str:
        return domain.salary_text(posting.salary)

    def get_monthly_pay_estimate(self, posting) -> dict | None:
        pay = posting.monthly_pay()
        return pay and {"min": pay[0], "max": pay[1]}

    def get_openings_left(self, posting) -> int:
        return max(posting.openings - posting.filled, 0)

    def get_summary(self, posting) -> str:
        return posting.summary()


def pay_estimate_field():
    return derived("get_monthly_pay_estimate", fields.Nested, _PayRange, allow_none=True)


class JobPostingView(PostingValues, View):
    posting_id = required_text()
    title = required_text()
    description = required_text()
    employer_id = required_text()
    employer_name = required_text()
    community = required_text()
    address = required_text()
    location = maybe(LocationSchema)
    employment_type = fields.String(required=True,
                                    validate=validate.OneOf(domain.EMPLOYMENT_TYPES))
    employment_type_name = derived("get_employment_type_name")
    work_schedule = list_of(_WindowView)
    work_schedule_text = derived("get_work_schedule_text")
    hours_flexible = fields.Boolean(required=True)
    work_hours = optional_text()
    salary = maybe(_SalaryView)
    salary_text = derived("get_salary_text")
    monthly_pay_estimate = pay_estimate_field()
    openings = fields.Integer(required=True)
    filled = fields.Integer(required=True)
    openings_left = derived("get_openings_left", fields.Integer)
    valid_through = Instant(required=True)
    skills = fields.List(fields.String(), required=True)
    requirements = optional_text()
    public_contact = optional_text()
    visit_id = optional_text()
    summary = derived("get_summary")
    state = fields.String(required=True, validate=validate.OneOf(domain.POSTING_STATES))
    state_name = derived("get_state_name")
    posted_at = Instant(required=True)
    closed_at = Instant(required=True, allow_none=True)
    close_reason = optional_text()
    updated_at = Instant(required=True)
    history = _history_field()
    allowed_actions = _allowed_field()
    version = fields.Integer(required=True)

    get_state_name = _state_name(domain.POSTING_STATES)
    get_history = _history(_names(domain.POSTING_ACTIONS))

    def get_allowed_actions(self, posting) -> list[dict]:
        return _allowed(posting, hide=("expire", "apply", "hire"))


# --- job seekers --------------------------------------------------------------------------

class JobSeekerView(View):
    seeker_id = required_text()
    name = required_text()
    community = required_text()
    phone_masked = fields.String(attribute="phone.masked", required=True, dump_default=None)
    id_number_masked = masked("id_number")
    address = optional_text()
    home_location = maybe(LocationSchema)
    skills = fields.List(fields.String(), required=True)
    available_hours = list_of(_WindowView)
    available_hours_text = derived("get_available_hours_text")
    max_distance_km = fields.Float(required=True, allow_none=True)
    expected_monthly_pay = fields.Integer(required=True, allow_none=True)
    employment_types = fields.List(fields.String(), required=True)
    resident_id = optional_text()
    birth_year = fields.Integer(required=True, allow_none=True)
    note = optional_text()
    state = fields.String(required=True, validate=validate.OneOf(domain.SEEKER_STATES))
    state_name = derived("get_state_name")
    consent_at = Instant(required=True)
    registered_at = Instant(required=True)
    updated_at = Instant(required=True)
    history = _history_field()
    allowed_actions = _allowed_field()
    version = fields.Integer(required=True)

    get_state_name = _state_name(domain.SEEKER_STATES)
    get_history = _history(_names(domain.SEEKER_ACTIONS))

    def get_available_hours_text(self, seeker) -> str:
        return hours_text(seeker.available_hours, "不限")

    def get_allowed_actions(self, seeker) -> list[dict]:
        return _allowed(seeker, hide=("apply", "hire"))


class EmployerContactView(Schema):
    name = required_text()
    phone = required_text()


class SeekerContactView(Schema):
    name = required_text()
    phone = required_text()
    id_number = optional_text()


# --- applications and placements ----------------------------------------------------------

class _InterviewView(Schema):
    scheduled_at = Instant(required=True)
    place = required_text()
    note = optional_text()
    result = optional_text()
    result_name = derived("get_result_name", allow_none=True)
    result_note = optional_text()
    recorded_at = Instant(required=True, allow_none=True)

    def get_result_name(self, interview: dict) -> str | None:
        return domain.INTERVIEW_RESULTS.get(interview["result"], interview["result"])


class ApplicationView(View):
    application_id = required_text()
    posting_id = required_text()
    title = required_text()
    seeker_id = required_text()
    seeker_name = required_text()
    employer_id = required_text()
    employer_name = required_text()
    community = required_text()
    channel = fields.String(required=True, validate=validate.OneOf(
        domain.APPLICATION_CHANNELS))
    channel_name = derived("get_channel_name")
    note = optional_text()
    state = fields.String(required=True, validate=validate.OneOf(domain.APPLICATION_STATES))
    state_name = derived("get_state_name")
    interviews = list_of(_InterviewView)
    placement_id = optional_text()
    outcome_reason = optional_text()
    applied_at = Instant(required=True)
    updated_at = Instant(required=True)
    history = _history_field()
    allowed_actions = _allowed_field()
    version = fields.Integer(required=True)

    get_state_name = _state_name(domain.APPLICATION_STATES)
    get_history = _history(_names(domain.APPLICATION_ACTIONS))

    def get_channel_name(self, application) -> str:
        return domain.APPLICATION_CHANNELS[application.channel]

    def get_allowed_actions(self, application) -> list[dict]:
        return _allowed(application)


class _FollowUpView(Schema):
    follow_up_id = required_text()
    month = fields.Integer(required=True)
    due_on = required_text()
    state = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_STATES))
    state_name = derived("get_state_name")
    result = optional_text()
    result_name = derived("get_result_name", allow_none=True)
    note = optional_text()
    recorded_at = Instant(required=True, allow_none=True)
    by = maybe(ActorRefView)
    announced_at = Instant(required=True, allow_none=True, dump_default=None)

    get_state_name = _state_name(domain.FOLLOW_UP_STATES)

    def get_result_name(self, follow_up: dict) -> str | None:
        result = follow_up["result"]
        return domain.FOLLOW_UP_RESULTS.get(result) if result else None


class PlacementView(View):
    placement_id = required_text()
    application_id = required_text()
    posting_id = required_text()
    title = required_text()
    seeker_id = required_text()
    seeker_name = required_text()
    employer_id = required_text()
    employer_name = required_text()
    employer_address = required_text()
    community = required_text()
    started_on = required_text()
    monthly_pay = fields.Integer(required=True, allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(domain.PLACEMENT_STATES))
    state_name = derived("get_state_name")
    stable_on = optional_text()
    ended_on = optional_text()
    end_reason = optional_text()
    follow_ups = list_of(_FollowUpView)
    created_at = Instant(required=True)
    updated_at = Instant(required=True)
    history = _history_field()
    allowed_actions = _allowed_field()
    version = fields.Integer(required=True)

    get_state_name = _state_name(domain.PLACEMENT_STATES)
    get_history = _history(_names(domain.PLACEMENT_ACTIONS))

    def get_allowed_actions(self, placement) -> list[dict]:
        return _allowed(placement)


# --- notifications to employers -----------------------------------------------------------

class _ReaderRef(Schema):
    id = optional_text()
    name = optional_text()


class NotificationView(View):
    """A notification as stored (a plain record, not an aggregate)."""
    notification_id = fields.String(attribute="_id", required=True)
    employer_id = required_text()
    employer_name = required_text()
    community = required_text()
    kind = fields.String(required=True, validate=validate.OneOf(
        ["problem_resolved", "problem_ended"]))
    title = required_text()
    body = required_text()
    visit_id = required_text()
    problem_id = required_text()
    work_order_number = required_text()
    created_at = Instant(required=True)
    read_at = Instant(required=True, allow_none=True, dump_default=None)
    read_by = fields.Nested(_ReaderRef, required=True, allow_none=True, dump_default=None)
