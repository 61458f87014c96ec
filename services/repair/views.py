"""What the repair service answers, declared once: each view documents a shape (the OpenAPI
document is built from it) and presents it (`WorkOrderView(now=...).dump(order)`)."""
from marshmallow import fields, validate

from services.repair import domain
from services.repair.photo_store import STAGES
from services.repair.schemas import SourceRefSchema
from shared.schemas import (AllowedActionView, HistoryEntryView, Instant, list_of,
                            LocationSchema, masked, maybe, Schema, View, derived, history_of)

ACTION_NAMES = {"report": "上报", **{a: label for a, (_, label) in domain.ACTIONS.items()}}


class _QuantityView(Schema):
    kind = fields.String(required=True)
    name = derived("get_name")
    amount = fields.Float(required=True)
    unit = fields.String(required=True)

    def get_name(self, quantity: dict) -> str:
        return domain.QUANTITY_NAMES[quantity["kind"]]


class _ReporterView(Schema):
    name = fields.String(allow_none=True, required=True, dump_default=None)
    # Who the reporter is on the resident site: the keyed fingerprint of their phone (never
    # the number), which a resident's session carries; the gateway limits residents by it.
    resident = fields.String(attribute="phone.fingerprint", dump_default=None, allow_none=True,
                             required=True)
    phone_masked = masked("phone")
    email_masked = masked("email")


class DuplicateView(View):
    number = fields.String(required=True)
    state = fields.String(required=True)
    state_name = derived("get_state_name")
    address = fields.String(required=True)
    reported_at = Instant(required=True)
    reasons = fields.List(fields.String(), required=True)

    def get_state_name(self, suggestion) -> str:
        return domain.STATE_NAMES[suggestion["state"]]


class _ExtensionView(Schema):
    requested_due_at = Instant(required=True)
    reason = fields.String(required=True)
    requested_at = Instant(required=True)


class _FollowUpView(Schema):
    result = fields.String(required=True)
    result_name = derived("get_result_name")
    note = fields.String(allow_none=True, required=True)
    at = Instant(required=True)
    by = fields.Dict(required=True)

    def get_result_name(self, follow_up: dict) -> str:
        return domain.FOLLOW_UP_RESULTS[follow_up["result"]]


class _PhotoView(Schema):
    id = fields.String(required=True)
    stage = fields.String(required=True)
    stage_name = derived("get_stage_name")
    at = Instant(required=True)
    content_type = fields.String(required=True)
    location = maybe(LocationSchema)

    def get_stage_name(self, photo: dict) -> str:
        return STAGES[photo["stage"]]


class _CompletionView(Schema):
    """A completion a reopen (重办) superseded, as it was, and why it no longer holds."""
    completed_at = Instant(required=True)
    on_time = fields.Boolean(required=True)
    quantities = fields.List(fields.Nested(_QuantityView), required=True)
    evidence_urls = fields.List(fields.String(), required=True)
    result_note = fields.String(allow_none=True, required=True)
    follow_up = fields.Nested(_FollowUpView, allow_none=True, required=True)
    rating = fields.Nested(_FollowUpView, allow_none=True, dump_default=None)
    reopened_at = Instant(required=True)
    reopen_reason = fields.String(allow_none=True, required=True)


class _ImportedView(Schema):
    by = fields.Dict(required=True)
    at = Instant(required=True)
    reason = fields.String(required=True)


class WorkOrderView(View):
    number = fields.String(required=True)
    category = fields.String(required=True)
    category_name = derived("get_category_name")
    community = fields.String(required=True)
    alley = fields.String(allow_none=True, required=True)
    address = fields.String(required=True)
    location = maybe(LocationSchema)
    description = fields.String(required=True)
    media_urls = fields.List(fields.String(), required=True)
    photos = fields.List(fields.Nested(_PhotoView), required=True)
    attributes = fields.Dict(required=True)
    reporter = fields.Nested(_ReporterView, required=True)
    channel = fields.String(required=True)
    channel_name = derived("get_channel_name")
    external_ref = fields.String(allow_none=True, required=True)
    source_ref = maybe(SourceRefSchema)
    state = fields.String(required=True, validate=validate.OneOf(domain.STATES))
    state_name = derived("get_state_name")
    department = fields.Dict(allow_none=True, required=True)
    due_at = Instant(allow_none=True, required=True)
    overdue = derived("get_overdue", fields.Boolean)
    escalations = fields.Integer(required=True)
    escalated_at = Instant(allow_none=True, required=True)
    extension = fields.Nested(_ExtensionView, allow_none=True, required=True)
    quantities = fields.List(fields.Nested(_QuantityView), required=True)
    evidence_urls = fields.List(fields.String(), required=True)
    result_note = fields.String(allow_none=True, required=True)
    completed_on_time = fields.Boolean(allow_none=True, required=True)
    follow_up = fields.Nested(_FollowUpView, allow_none=True, required=True)
    rating = fields.Nested(_FollowUpView, allow_none=True, required=True)
    previous_completions = fields.List(fields.Nested(_CompletionView), required=True)
    resolution = fields.String(allow_none=True, required=True)
    duplicate_of = fields.String(allow_none=True, required=True)
    reopen_count = fields.Integer(required=True)
    reported_at = Instant(required=True)
    accepted_at = Instant(allow_none=True, required=True)
    dispatched_at = Instant(allow_none=True, required=True)
    completed_at = Instant(allow_none=True, required=True)
    closed_at = Instant(allow_none=True, required=True)
    updated_at = Instant(allow_none=True, required=True)
    imported = fields.Nested(_ImportedView, allow_none=True, required=True)
    history = derived("get_history", fields.List, fields.Nested(HistoryEntryView))
    allowed_actions = derived("get_allowed_actions", fields.List,
                              fields.Nested(AllowedActionView))
    version = fields.Integer(required=True)

    def get_category_name(self, order) -> str:
        return domain.CATEGORIES[order.category].name

    def get_channel_name(self, order) -> str:
        return domain.CHANNELS[order.channel]

    def get_state_name(self, order) -> str:
        return domain.STATE_NAMES[order.state]

    def get_overdue(self, order) -> bool:
        return order.is_overdue(self.now)

    def get_history(self, order) -> list[dict]:
        return history_of(order.history, ACTION_NAMES)

    def get_allowed_actions(self, order) -> list[dict]:
        return [{"action": a, "name": domain.ACTIONS[a][1]} for a in order.allowed_actions()
                if a not in domain.RESIDENT_ACTIONS]


class ReportedWorkOrderView(WorkOrderView):
    possible_duplicates = fields.List(fields.Nested(DuplicateView), required=True)
    # True when the report's ticket (channel and external_ref) was already reported: the
    # answer is the order that report made, and nothing new was stored.
    already_reported = fields.Boolean(required=True)


class ReporterWorkOrderView(View):
    """An order in its reporter's own list (居民端 我的报修): what they reported and where it
    stands, and nothing of anyone — no name or phone (not even their own), no one who acted
    on it, no note of the office's."""
    number = fields.String(required=True)
    category = fields.String(required=True)
    category_name = derived("get_category_name")
    community = fields.String(required=True)
    alley = fields.String(allow_none=True, required=True)
    address = fields.String(required=True)
    description = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(domain.STATES))
    state_name = derived("get_state_name")
    reported_at = Instant(required=True)
    completed_at = Instant(allow_none=True, required=True)
    closed_at = Instant(allow_none=True, required=True)
    # 居民评价: their rating of the current completion (满意 …), or null; and whether they may
    # give one now (a completed or closed order not rated since its completion).
    rating_name = derived("get_rating_name", allow_none=True)
    can_rate = derived("get_can_rate", fields.Boolean)

    def get_category_name(self, order) -> str:
        return domain.CATEGORIES[order.category].name

    def get_state_name(self, order) -> str:
        return domain.STATE_NAMES[order.state]

    def get_rating_name(self, order) -> str | None:
        return domain.RATINGS[order.rating["result"]] if order.rating else None

    def get_can_rate(self, order) -> bool:
        return order.rating is None and order.state in domain.ACTIONS["rate"][0]


class DuplicateList(Schema):
    items = fields.List(fields.Nested(DuplicateView), required=True)


class PhotoRecordView(Schema):
    """An uploaded photo, as its uploader is answered."""
    id = fields.String(required=True)
    content_type = fields.String(required=True)
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    size = fields.Integer(required=True)
    location = maybe(LocationSchema)
    uploaded_at = Instant(required=True)


class PhotoContentView(Schema):
    content_type = fields.String(required=True)
    content = fields.String(required=True)  # base64


class ContactView(Schema):
    name = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    email = fields.String(allow_none=True, required=True)


class _Figures(Schema):
    reported = fields.Integer(required=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    completed = fields.Integer(required=True)
    completed_on_time = fields.Integer(required=True)
    escalated = fields.Integer(required=True)
    reopened = fields.Integer(required=True)
    follow_ups = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    ratings = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    satisfaction = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    quantities = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    on_time_rate = fields.Float(allow_none=True, required=True)
    satisfaction_rate = fields.Float(allow_none=True, required=True)
    resolution_rate = fields.Float(allow_none=True, required=True)


class _Group(_Figures):
    class Meta:
        unknown = "include"
    month = fields.String()
    community = fields.String()
    alley = fields.String()
    category = fields.String()
    department = fields.String()  # "" for orders with no department
    department_name = fields.String()


class StatisticsView(Schema):
    period = fields.Dict(required=True)
    totals = fields.Nested(_Figures, required=True)
    groups = fields.List(fields.Nested(_Group))


class CategoryView(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    deadline_days = fields.Integer(required=True)
    default_department = fields.String(required=True)


class DepartmentView(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    categories = fields.List(fields.String(), required=True)
    phone = fields.String(allow_none=True)
    active = fields.Boolean(required=True)


class CommunityView(Schema):
    name = fields.String(required=True)
    centre = maybe(LocationSchema)
    alleys = fields.List(fields.String(), required=True)


class CalendarView(Schema):
    holidays = fields.List(fields.String(), required=True)
    extra_workdays = fields.List(fields.String(), required=True)
