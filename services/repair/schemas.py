"""What the repair service's RPC methods accept (what they answer is in views.py). Every command is loaded through one of these
before anything changes; unknown fields and bad values come back as VALIDATION_FAILED."""
from marshmallow import fields, post_load, validate, validates_schema, ValidationError

from services.repair import domain, figures
from shared.paging import CursorPageSchema
from shared import places
from shared.schemas import (NAME, PeriodSchema, PHONE, Schema, StreetLocationSchema, TEXT,
                            check_alley, community_field, mismatch_message)

NOTE = validate.Length(max=2000)
# Photos uploaded first (upload_photo) and named by id: at most nine with a report or a
# completion.
PHOTO_IDS = fields.List(fields.String(validate=validate.Length(min=1, max=64)),
                        load_default=list, validate=validate.Length(max=9))
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
    community = community_field(required=True)
    # One of the community's back alleys in the register of places (shared/places.py).
    alley = fields.String(load_default=None, allow_none=True, validate=NAME)
    address = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=200))
    location = fields.Nested(StreetLocationSchema, load_default=None, allow_none=True)
    description = fields.String(required=True, validate=validate.Length(min=2, max=4000))
    media_urls = URLS
    photos = PHOTO_IDS
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

    @validates_schema
    def alley_of_the_community(self, data, **kwargs):
        check_alley(data)

    @validates_schema
    def point_in_the_community(self, data, **kwargs):
        """A point given with a community must lie in that community's area (the console's
        map picker, a grid worker's phone): COMMUNITY_MISMATCH names where it lies."""
        location, community = data.get("location"), data.get("community")
        if not location or not places.is_community(community):
            return
        found = places.community_at(location["lat"], location["long"])
        if found and found != community:
            raise ValidationError(mismatch_message(found, community), "location")

    @post_load
    def blank_ticket_is_none(self, data, **kwargs):
        # A ticket number identifies an order of its channel; a blank one identifies nothing.
        if not (data.get("external_ref") or "").strip():
            data["external_ref"] = None
        return data


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
    # Photos by address (kept elsewhere) or uploaded here: at least one of either.
    evidence_urls = URLS
    photos = PHOTO_IDS

    @validates_schema
    def some_evidence(self, data, **kwargs):
        if not data.get("evidence_urls") and not data.get("photos"):
            raise ValidationError("请至少上传 1 张办结照片。", "photos")


class FollowUp(Schema):
    result = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Rate(Schema):
    """居民评价 of a completed order by its reporter."""
    result = fields.String(required=True, validate=validate.OneOf(domain.RATINGS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class UploadPhoto(Schema):
    content = fields.String(required=True, validate=validate.Length(min=1))  # base64
    filename = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=200))


class PhotoQuery(Schema):
    size = fields.String(load_default="full", validate=validate.OneOf(("full", "thumbnail")))


class Reason(Schema):
    reason = fields.String(required=True, validate=REASON)


class MarkDuplicate(Note):
    duplicate_of = fields.String(required=True, validate=validate.Length(min=1, max=32))


class ImportedFollowUp(Schema):
    result = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_RESULTS))
    at = fields.AwareDateTime(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ImportedRating(Schema):
    """The reporter's own rating (居民评价) given then, on the resident site or by phone."""
    result = fields.String(required=True, validate=validate.OneOf(domain.RATINGS))
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
    # Photos of the completion uploaded first (upload_photo), like `photos` of the report.
    completion_photos = PHOTO_IDS
    follow_up = fields.Nested(ImportedFollowUp, load_default=None, allow_none=True)
    rating = fields.Nested(ImportedRating, load_default=None, allow_none=True)


class Reveal(Schema):
    purpose = fields.String(required=True, validate=REASON)


class ListWorkOrders(CursorPageSchema):
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
    # Words of the description or address (two or more consecutive characters), a work order
    # number or a ticket number, whole or in part.
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    # Newest first by default; by deadline lists only the orders that have one.
    sort = fields.String(load_default="-reported_at", validate=validate.OneOf(
        [f"{sign}{key}" for key in ("reported_at", "due_at", "updated_at", "number")
         for sign in ("", "-")]))


class WorkOrdersByReporter(CursorPageSchema):
    """A resident's own orders (居民端 我的报修): those whose reporter's phone has this keyed
    fingerprint (shared.personal_data; never the number itself), newest first."""
    resident = fields.String(required=True, validate=validate.Regexp(
        r"^[0-9a-f]{64}$", error="不是有效的居民标识。"))


class Statistics(PeriodSchema):
    community = fields.String(load_default=None, validate=NAME)
    alley = fields.String(load_default=None, validate=NAME)
    category = fields.String(load_default=None, validate=validate.OneOf(domain.CATEGORIES))
    # A department's code: the orders with it now (an order's figures move with it when it
    # is dispatched or returned; docs/reports.md).
    department = fields.String(load_default=None, validate=NAME)
    group_by = fields.List(fields.String(validate=validate.OneOf(figures.GROUP_DIMENSIONS)),
                           load_default=list, validate=validate.Length(max=3))


class Department(Schema):
    code = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z][a-z0-9_]{1,31}$", error="部门编码应为小写字母、数字和下划线。"))
    name = fields.String(required=True, validate=NAME)
    categories = fields.List(fields.String(validate=validate.OneOf(domain.CATEGORIES)),
                             load_default=list)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=30))
    active = fields.Boolean(load_default=True)


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
    # Not in GeoReport v2: the client's own reference (a 12345 ticket, say). A request sent
    # again with the same reference answers the order the first one made.
    external_ref = fields.String(load_default=None, validate=validate.Length(min=1, max=64))

    @validates_schema
    def needs_a_place(self, data, **kwargs):
        has_point = data.get("lat") is not None and data.get("long") is not None
        if not has_point and not data.get("address_string") and not data.get("address_id"):
            raise ValidationError("需要 lat 和 long,或 address_string。", "address_string")
