"""What the job service answers that sums up many records: people and postings matched with
the reasons, the figures of 一走四送 and employment, and the code lists forms use. Each view
documents its shape and presents it, as in views.py."""
from marshmallow import fields

from services.job import matching
from services.job.views import PostingValues, _WindowView, hours_text, pay_estimate_field
from shared.schemas import (CodedView, derived, Instant, list_of, optional_text, required_text,
                            Schema, View)

# --- matching: a match is presented from {"match": Match, "posting" or "seeker": …,
# "application_id": …} ---------------------------------------------------------------------

class _Aspect(Schema):
    aspect = required_text()
    name = derived("get_name")
    fit = derived("get_fit", fields.Float)
    weight = derived("get_weight", fields.Integer)
    text = required_text()
    good = fields.Boolean(required=True)

    def get_name(self, aspect) -> str:
        return matching.ASPECT_NAMES[aspect.aspect]

    def get_fit(self, aspect) -> float:
        return round(aspect.fit, 2)

    def get_weight(self, aspect) -> int:
        return matching.WEIGHTS[aspect.aspect]


class _MatchView(View):
    score = fields.Float(attribute="match.score", required=True)
    reasons = fields.List(fields.String(), attribute="match.reasons", required=True)
    aspects = fields.List(fields.Nested(_Aspect), attribute="match.aspects", required=True)
    distance_km = derived("get_distance_km", fields.Float, allow_none=True)
    application_id = optional_text()

    def get_distance_km(self, found: dict) -> float | None:
        distance = found["match"].distance_km
        return None if distance is None else round(distance, 2)


class _PostingBrief(PostingValues, Schema):
    posting_id = required_text()
    title = required_text()
    employer_id = required_text()
    employer_name = required_text()
    community = required_text()
    address = required_text()
    employment_type_name = derived("get_employment_type_name")
    hours_flexible = fields.Boolean(required=True)
    work_schedule_text = derived("get_work_schedule_text")
    salary_text = derived("get_salary_text")
    monthly_pay_estimate = pay_estimate_field()
    openings_left = derived("get_openings_left", fields.Integer)
    skills = fields.List(fields.String(), required=True)
    valid_through = Instant(required=True)
    summary = derived("get_summary")


class _SeekerBrief(Schema):
    """A person in a list of suggestions: masked, and no more than staff need to call."""
    seeker_id = required_text()
    name = required_text()
    community = required_text()
    phone_masked = fields.String(attribute="phone.masked", required=True, dump_default=None)
    skills = fields.List(fields.String(), required=True)
    available_hours_text = derived("get_available_hours_text")
    max_distance_km = fields.Float(required=True, allow_none=True)
    expected_monthly_pay = fields.Integer(required=True, allow_none=True)

    def get_available_hours_text(self, seeker) -> str:
        return hours_text(seeker.available_hours, "不限")


class PostingMatchView(_MatchView):
    posting = fields.Nested(_PostingBrief, required=True)


class SeekerMatchView(_MatchView):
    seeker = fields.Nested(_SeekerBrief, required=True)


# --- figures and reference data -----------------------------------------------------------

class _DeliveryCount(Schema):
    name = required_text()
    count = fields.Integer(required=True)


class _Deliveries(Schema):
    policy = fields.Nested(_DeliveryCount, required=True)
    training = fields.Nested(_DeliveryCount, required=True)
    job = fields.Nested(_DeliveryCount, required=True)
    service = fields.Nested(_DeliveryCount, required=True)


class _PostingsClosed(Schema):
    filled = fields.Integer(required=True)
    expired = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)


class _PlacementOutcomes(Schema):
    active = fields.Integer(required=True)
    stable = fields.Integer(required=True)
    ended = fields.Integer(required=True)


class _Figures(Schema):
    visits = fields.Integer(required=True)
    deliveries = fields.Nested(_Deliveries, required=True)
    deliveries_total = fields.Integer(required=True)
    problems_reported = fields.Integer(required=True)
    problems_resolved = fields.Integer(required=True)
    problems_ended = fields.Integer(required=True)
    training_requests = fields.Integer(required=True)
    postings_provided = fields.Integer(required=True)
    openings_provided = fields.Integer(required=True)
    postings_via_visits = fields.Integer(required=True)
    postings_closed = fields.Nested(_PostingsClosed, required=True)
    seekers_registered = fields.Integer(required=True)
    applications = fields.Integer(required=True)
    interviews = fields.Integer(required=True)
    placements = fields.Integer(required=True)
    placement_outcomes = fields.Nested(_PlacementOutcomes, required=True)
    stable_placements = fields.Integer(required=True)
    stable_confirmed = fields.Integer(required=True)
    placements_ended = fields.Integer(required=True)
    follow_ups_done = fields.Integer(required=True)
    stable_rate = fields.Float(required=True, allow_none=True)


class _Group(_Figures):
    """A group carries the keys it is grouped by."""
    month = fields.String()
    community = fields.String()


class _Period(Schema):
    from_month = optional_text()
    to_month = optional_text()


class StatisticsView(Schema):
    period = fields.Nested(_Period, required=True)
    totals = fields.Nested(_Figures, required=True)
    groups = fields.List(fields.Nested(_Group))


class _HourPreset(Schema):
    code = required_text()
    name = required_text()
    windows = list_of(_WindowView)


class ReferenceDataView(Schema):
    sectors = list_of(CodedView)
    employer_sizes = list_of(CodedView)
    delivery_kinds = list_of(CodedView)
    problem_categories = list_of(CodedView)
    employment_types = list_of(CodedView)
    salary_units = list_of(CodedView)
    posting_states = list_of(CodedView)
    seeker_states = list_of(CodedView)
    application_states = list_of(CodedView)
    application_channels = list_of(CodedView)
    interview_results = list_of(CodedView)
    placement_states = list_of(CodedView)
    follow_up_results = list_of(CodedView)
    hour_presets = list_of(_HourPreset)
