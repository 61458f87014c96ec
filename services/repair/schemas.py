"""What the repair service's RPC methods accept. Every command is loaded through one of these
before anything changes; unknown fields and bad values come back as VALIDATION_FAILED."""
from marshmallow import fields, validate, validates_schema, ValidationError

from services.repair import domain
from shared import clock
from shared.schemas import (AllowedActionView, HistoryEntryView, list_of, LocationSchema, maybe,
                            NAME, PageSchema, PeriodSchema, PHONE, Schema, TEXT)

NOTE = validate.Length(max=2000)
REASON = validate.Length(min=2, max=2000)
URLS = fields.List(fields.Url(validate=validate.Length(max=1000)), load_default=list,
                   validate=validate.Length(max=20))


class ReporterSchema(Schema):
    name = fields.String(load_default=None, allow_none=True, validate=NAME)
    phone = fields.String(load_default=None, allow_none=True,
                          validate=validate.Regexp(PHONE, error="不是有效的电话号码。"))
    email = fields.Email(load_default=None, allow_none=True)


class SourceRefSchema(Schema):
    service = fields.String(required=True, validate=NAME)
    ref = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ReportWorkOrder(Schema):
    category = fields.String(required=True, validate=validate.OneOf(domain.CATEGORIES))
    community = fields.String(required=True, validate=NAME)
    alley = fields.String(load_default=None, allow_none=True, validate=NAME)
    address = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=200))
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    description = fields.String(required=True, validate=validate.Length(min=2, max=4000))
    media_urls = URLS
    reporter = fields.Nested(ReporterSchema, load_default=dict)
    channel = fields.String(required=True, validate=validate.OneOf(domain.CHANNELS))
    external_ref = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=64))
    source_ref = fields.Nested(SourceRefSchema, load_default=None, allow_none=True)
    attributes = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)

    @validates_schema
    def needs_a_place(self, data, **kwargs):
        if not data.get("address") and not data.get("location") and not data.get("alley"):
            raise ValidationError("请填写地址、巷道或位置坐标中的至少一项。", "address")


class Note(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Answer(Schema):
    answer = fields.String(required=True, validate=REASON)


class Dispatch(Note):
    # Without a department, the order goes where its category is routed.
    department_code = fields.String(load_default=None, allow_none=True, validate=NAME)


class Return(Schema):
    grounds = fields.String(required=True, validate=REASON)


class RequestExtension(Schema):
    requested_due_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=REASON)


class QuantitySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(domain.QUANTITY_UNITS))
    amount = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False,
                                                                 max=1_000_000))
    unit = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def unit_matches_kind(self, data, **kwargs):
        expected = domain.QUANTITY_UNITS.get(data.get("kind"))
        if data.get("unit") not in (None, expected):
            raise ValidationError(f"单位应为“{expected}”。", "unit")


class Complete(Schema):
    result_note = fields.String(required=True, validate=REASON)
    quantities = fields.List(fields.Nested(QuantitySchema), load_default=list,
                             validate=validate.Length(max=20))
    evidence_urls = fields.List(fields.Url(validate=validate.Length(max=1000)), required=True,
                                validate=validate.Length(min=1, max=20,
                                                         error="请至少上传 1 张办结照片。"))


class FollowUp(Schema):
    result = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Reason(Schema):
    reason = fields.String(required=True, validate=REASON)


class MarkDuplicate(Note):
    duplicate_of = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ImportedFollowUp(Schema):
    result = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_RESULTS))
    at = fields.AwareDateTime(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ImportWorkOrder(ReportWorkOrder):
    """补录: an order handled before it was in the system, with the real time of each step
    done. Steps are given in order; each needs the one before it."""
    reason = fields.String(required=True, validate=REASON)  # where the record comes from
    reported_at = fields.AwareDateTime(required=True)
    accepted_at = fields.AwareDateTime(load_default=None, allow_none=True)
    department_code = fields.String(load_default=None, allow_none=True, validate=NAME)
    dispatched_at = fields.AwareDateTime(load_default=None, allow_none=True)
    signed_for_at = fields.AwareDateTime(load_default=None, allow_none=True)
    completed_at = fields.AwareDateTime(load_default=None, allow_none=True)
    result_note = fields.String(load_default=None, allow_none=True, validate=REASON)
    quantities = fields.List(fields.Nested(QuantitySchema), load_default=list,
                             validate=validate.Length(max=20))
    evidence_urls = URLS
    follow_up = fields.Nested(ImportedFollowUp, load_default=None, allow_none=True)


class Reveal(Schema):
    purpose = fields.String(required=True, validate=REASON)


class ListWorkOrders(PageSchema):
    state = fields.List(fields.String(validate=validate.OneOf(domain.STATES)),
                        load_default=None)
    category = fields.String(load_default=None, validate=validate.OneOf(domain.CATEGORIES))
    community = fields.String(load_default=None, validate=NAME)
    alley = fields.String(load_default=None, validate=NAME)
    department_code = fields.String(load_default=None, validate=NAME)
    channel = fields.String(load_default=None, validate=validate.OneOf(domain.CHANNELS))
    escalated = fields.Boolean(load_default=None)
    overdue = fields.Boolean(load_default=None)
    reported_from = fields.AwareDateTime(load_default=None)
    reported_to = fields.AwareDateTime(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    sort = fields.String(load_default="-reported_at", validate=validate.OneOf(
        [f"{sign}{key}" for key in ("reported_at", "due_at", "updated_at", "number")
         for sign in ("", "-")]))


class Statistics(PeriodSchema):
    community = fields.String(load_default=None, validate=NAME)
    alley = fields.String(load_default=None, validate=NAME)
    category = fields.String(load_default=None, validate=validate.OneOf(domain.CATEGORIES))
    group_by = fields.List(fields.String(validate=validate.OneOf(domain.GROUP_DIMENSIONS)),
                           load_default=list, validate=validate.Length(max=3))


class Department(Schema):
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,31}$", error="部门编码应为小写字母、数字和下划线。"))
    name = fields.String(required=True, validate=NAME)
    categories = fields.List(fields.String(validate=validate.OneOf(domain.CATEGORIES)),
                             load_default=list)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    active = fields.Boolean(load_default=True)


class Community(Schema):
    name = fields.String(required=True, validate=NAME)
    centre = fields.Nested(LocationSchema, load_default=None, allow_none=True)


class CategoryDeadline(Schema):
    category = fields.String(required=True, validate=validate.OneOf(domain.CATEGORIES))
    working_days = fields.Integer(required=True, validate=validate.Range(min=1, max=90))


class Calendar(Schema):
    holidays = fields.List(fields.Date(), load_default=list)
    extra_workdays = fields.List(fields.Date(), load_default=list)


class Open311Query(Schema):
    service_request_id = fields.String(load_default=None)
    service_code = fields.String(load_default=None)
    start_date = fields.AwareDateTime(load_default=None)
    end_date = fields.AwareDateTime(load_default=None)
    status = fields.String(load_default=None, validate=validate.Regexp(
        r"^(open|closed)(,(open|closed))?$", error="status 应为 open 或 closed。"))


class Open311Request(Schema):
    """A POST requests.{format} after the gateway has checked the api_key."""
    service_code = fields.String(required=True, validate=validate.OneOf(domain.CATEGORIES))
    lat = fields.Float(load_default=None, validate=validate.Range(min=-90, max=90))
    long = fields.Float(load_default=None, validate=validate.Range(min=-180, max=180))
    address_string = fields.String(load_default=None, validate=validate.Length(max=200))
    address_id = fields.String(load_default=None)
    email = fields.Email(load_default=None)
    device_id = fields.String(load_default=None)
    account_id = fields.String(load_default=None)
    first_name = fields.String(load_default=None, validate=validate.Length(max=25))
    last_name = fields.String(load_default=None, validate=validate.Length(max=25))
    phone = fields.String(load_default=None, validate=validate.Regexp(
        PHONE, error="不是有效的电话号码。"))
    description = fields.String(load_default=None, validate=TEXT)
    media_url = fields.Url(load_default=None)
    attribute = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    jurisdiction_id = fields.String(load_default=None)

    @validates_schema
    def needs_a_place(self, data, **kwargs):
        has_point = data.get("lat") is not None and data.get("long") is not None
        if not has_point and not data.get("address_string") and not data.get("address_id"):
            raise ValidationError("需要 lat 和 long,或 address_string。", "address_string")


# --- results ------------------------------------------------------------------------------

def present_work_order(order: domain.WorkOrder, at) -> dict:
    """A work order as callers see it: personal data masked, times as ISO strings, and the
    actions that are legal now (the console shows exactly these buttons)."""
    iso = clock.iso
    reporter = order.reporter or {}
    extension = order.extension
    follow_up = order.follow_up
    return {
        "number": order.number,
        "category": order.category,
        "category_name": domain.CATEGORIES[order.category].name,
        "community": order.community,
        "alley": order.alley,
        "address": order.address,
        "location": order.location,
        "description": order.description,
        "media_urls": order.media_urls,
        "attributes": order.attributes,
        "reporter": {"name": reporter.get("name"),
                     "phone_masked": (reporter.get("phone") or {}).get("masked"),
                     "email_masked": (reporter.get("email") or {}).get("masked")},
        "channel": order.channel,
        "channel_name": domain.CHANNELS[order.channel],
        "external_ref": order.external_ref,
        "source_ref": order.source_ref,
        "state": order.state,
        "state_name": domain.STATE_NAMES[order.state],
        "department": order.department,
        "due_at": iso(order.due_at),
        "overdue": order.is_overdue(at),
        "escalations": order.escalations,
        "escalated_at": iso(order.escalated_at),
        "extension": extension and {"requested_due_at": iso(extension["requested_due_at"]),
                                    "reason": extension["reason"],
                                    "requested_at": iso(extension["requested_at"])},
        "quantities": [{**q, "name": domain.QUANTITY_NAMES[q["kind"]]}
                       for q in order.quantities],
        "evidence_urls": order.evidence_urls,
        "result_note": order.result_note,
        "follow_up": follow_up and {
            "result": follow_up["result"],
            "result_name": domain.FOLLOW_UP_RESULTS[follow_up["result"]],
            "note": follow_up["note"], "at": iso(follow_up["at"]), "by": follow_up["by"]},
        "resolution": order.resolution,
        "duplicate_of": order.duplicate_of,
        "reopen_count": order.reopen_count,
        "reported_at": iso(order.reported_at),
        "accepted_at": iso(order.accepted_at),
        "dispatched_at": iso(order.dispatched_at),
        "completed_at": iso(order.completed_at),
        "closed_at": iso(order.closed_at),
        "updated_at": iso(order.updated_at),
        "imported": order.imported and {"by": order.imported["by"],
                                         "at": iso(order.imported["at"]),
                                         "reason": order.imported["reason"]},
        "history": [{**entry, "at": iso(entry["at"]),
                     "action_name": _ACTION_NAMES.get(entry["action"], entry["action"])}
                    for entry in order.history],
        "allowed_actions": [{"action": a, "name": domain.ACTIONS[a][1]}
                            for a in order.allowed_actions()],
        "version": order.version,
    }


_ACTION_NAMES = {"report": "上报", **{a: label for a, (_, label) in domain.ACTIONS.items()}}


# --- the shapes of results, for the API's documentation (tests check present_* against them) -

class _QuantityView(Schema):
    kind = fields.String(required=True)
    name = fields.String(required=True)
    amount = fields.Float(required=True)
    unit = fields.String(required=True)


class _ReporterView(Schema):
    name = fields.String(allow_none=True, required=True)
    phone_masked = fields.String(allow_none=True, required=True)
    email_masked = fields.String(allow_none=True, required=True)


class _DuplicateView(Schema):
    number = fields.String(required=True)
    state = fields.String(required=True)
    state_name = fields.String(required=True)
    address = fields.String(required=True)
    reported_at = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)


class WorkOrderView(Schema):
    number = fields.String(required=True)
    category = fields.String(required=True)
    category_name = fields.String(required=True)
    community = fields.String(required=True)
    alley = fields.String(allow_none=True, required=True)
    address = fields.String(required=True)
    location = maybe(LocationSchema)
    description = fields.String(required=True)
    media_urls = fields.List(fields.String(), required=True)
    attributes = fields.Dict(required=True)
    reporter = fields.Nested(_ReporterView, required=True)
    channel = fields.String(required=True)
    channel_name = fields.String(required=True)
    external_ref = fields.String(allow_none=True, required=True)
    source_ref = maybe(SourceRefSchema)
    state = fields.String(required=True, validate=validate.OneOf(domain.STATES))
    state_name = fields.String(required=True)
    department = fields.Dict(allow_none=True, required=True)
    due_at = fields.String(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)
    escalations = fields.Integer(required=True)
    escalated_at = fields.String(allow_none=True, required=True)
    extension = fields.Dict(allow_none=True, required=True)
    quantities = fields.List(fields.Nested(_QuantityView), required=True)
    evidence_urls = fields.List(fields.String(), required=True)
    result_note = fields.String(allow_none=True, required=True)
    follow_up = fields.Dict(allow_none=True, required=True)
    resolution = fields.String(allow_none=True, required=True)
    duplicate_of = fields.String(allow_none=True, required=True)
    reopen_count = fields.Integer(required=True)
    reported_at = fields.String(required=True)
    accepted_at = fields.String(allow_none=True, required=True)
    dispatched_at = fields.String(allow_none=True, required=True)
    completed_at = fields.String(allow_none=True, required=True)
    closed_at = fields.String(allow_none=True, required=True)
    updated_at = fields.String(allow_none=True, required=True)
    imported = fields.Dict(allow_none=True, required=True)
    history = list_of(HistoryEntryView)
    allowed_actions = list_of(AllowedActionView)
    version = fields.Integer(required=True)


class ReportedWorkOrderView(WorkOrderView):
    possible_duplicates = fields.List(fields.Nested(_DuplicateView), required=True)


class DuplicateList(Schema):
    items = fields.List(fields.Nested(_DuplicateView), required=True)


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


class CalendarView(Schema):
    holidays = fields.List(fields.String(), required=True)
    extra_workdays = fields.List(fields.String(), required=True)
