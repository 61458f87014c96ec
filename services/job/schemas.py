"""What the job service's RPC methods accept (what they answer is in views.py).

Every command is loaded through one of these before anything changes; unknown fields and bad
values come back as VALIDATION_FAILED.
"""
from datetime import date

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from services.job import domain
from shared import clock
from shared.backdating import recorded_at_field
from shared.paging import CursorPageSchema
from shared.personal_data import id_number_is_valid
from shared.schemas import (check_alley, community_field, load, LocationSchema, NAME, PageSchema,
                            PeriodSchema, PHONE, Schema, StreetLocationSchema)

NOTE = validate.Length(max=2000)
REASON = validate.Length(min=2, max=2000)
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="时间格式应为 HH:MM。")
ID = validate.Length(min=1, max=40)
ADDRESS = validate.Length(min=2, max=200)
CREDIT_CODE = validate.Regexp(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$",
                              error="不是有效的统一社会信用代码。")


class DateText(fields.Date):
    """A calendar date, kept as 'YYYY-MM-DD' text (office dates are not instants)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).isoformat()


def load_changes(schema: Schema, data: dict) -> dict:
    """An update: any top-level field may be left out, but a nested value given (a salary, a
    location, a time window) must be whole."""
    return load(schema, data, partial=tuple(schema.fields))


def _optional(field_class, *args, **kwargs):
    return field_class(*args, load_default=None, allow_none=True, **kwargs)


class Window(Schema):
    """Hours in the week: ISO weekdays (1 = Monday … 7 = Sunday) from `start` to `end`; an
    `end` at or before `start` runs past midnight."""
    days = fields.List(fields.Integer(validate=validate.Range(min=1, max=7)), required=True,
                       validate=validate.Length(min=1, max=7))
    start = fields.String(required=True, validate=HHMM)
    end = fields.String(required=True, validate=HHMM)

    @validates_schema
    def not_empty(self, data, **kwargs):
        if data.get("start") and data.get("start") == data.get("end"):
            raise ValidationError("开始和结束时间不能相同。", "end")

    @post_load
    def sorted_days(self, data, **kwargs):
        data["days"] = sorted(set(data["days"]))
        return data


WINDOWS = fields.List(fields.Nested(Window), load_default=list,
                      validate=validate.Length(max=14))
SKILLS = fields.List(fields.String(validate=validate.Length(min=1, max=30)),
                     load_default=list, validate=validate.Length(max=30))


# --- employers and visits -----------------------------------------------------------------

class Contact(Schema):
    name = fields.String(required=True, validate=NAME)
    phone = fields.String(required=True,
                          validate=validate.Regexp(PHONE, error="不是有效的电话号码。"))


class Employer(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    community = community_field(required=True)
    address = fields.String(required=True, validate=ADDRESS)
    # One of the community's back alleys in the register of places; the point in the street.
    alley = _optional(fields.String, validate=NAME)
    location = fields.Nested(StreetLocationSchema, load_default=None, allow_none=True)
    sector = fields.String(required=True, validate=validate.OneOf(domain.SECTORS))
    size = fields.String(required=True, validate=validate.OneOf(domain.EMPLOYER_SIZES))
    contact = fields.Nested(Contact, required=True)
    credit_code = _optional(fields.String, validate=CREDIT_CODE)
    employees = _optional(fields.Integer, validate=validate.Range(min=0, max=100000))
    note = _optional(fields.String, validate=NOTE)

    @validates_schema
    def alley_of_the_community(self, data, **kwargs):
        check_alley(data)


class ContactChange(Schema):
    name = fields.String(validate=NAME)
    phone = fields.String(validate=validate.Regexp(PHONE, error="不是有效的电话号码。"))

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("请填写联系人姓名或电话。", "_schema")


class UpdateEmployer(Employer):
    """Any of the fields of Employer, and `active` to stop or restart visiting it."""
    contact = fields.Nested(ContactChange)
    active = fields.Boolean()

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项。", "_schema")


class Delivery(Schema):
    """One of the four deliveries; which fields it needs depends on its kind."""
    kind = fields.String(required=True, validate=validate.OneOf(domain.DELIVERY_KINDS))
    policy_name = _optional(fields.String, validate=validate.Length(min=2, max=100))
    topic = _optional(fields.String, validate=validate.Length(min=2, max=100))
    expected_participants = _optional(fields.Integer, validate=validate.Range(min=1, max=1000))
    preferred_date = _optional(DateText)
    request_activity = fields.Boolean(load_default=True)
    openings_collected = _optional(fields.Integer, validate=validate.Range(min=0, max=10000))
    service_name = _optional(fields.String, validate=validate.Length(min=2, max=100))
    note = _optional(fields.String, validate=NOTE)

    NEEDS = {"policy": ("policy_name",), "training": ("topic", "expected_participants"),
             "job": (), "service": ("service_name",)}
    KEEPS = {"policy": ("policy_name",),
             "training": ("topic", "expected_participants", "preferred_date",
                          "request_activity"),
             "job": ("openings_collected",), "service": ("service_name",)}

    @validates_schema
    def fields_of_its_kind(self, data, **kwargs):
        errors = {name: ["必填项。"] for name in self.NEEDS.get(data.get("kind"), ())
                  if data.get(name) is None}
        if errors:
            raise ValidationError(errors)

    @post_load
    def only_its_kind(self, data, **kwargs):
        kept = ("kind", "note", *self.KEEPS[data["kind"]])
        return {name: data.get(name) for name in kept}


class Problem(Schema):
    category = fields.String(required=True, validate=validate.OneOf(domain.PROBLEM_CATEGORIES))
    description = fields.String(required=True, validate=validate.Length(min=2, max=1000))
    address = _optional(fields.String, validate=ADDRESS)
    # Checked against the employer's community when the visit is recorded.
    alley = _optional(fields.String, validate=NAME)
    location = fields.Nested(StreetLocationSchema, load_default=None, allow_none=True)


class FollowUpAction(Schema):
    description = fields.String(required=True, validate=validate.Length(min=2, max=500))
    due_on = _optional(DateText)
    owner = _optional(fields.String, validate=NAME)


def _not_in_the_future(value: str) -> None:
    if date.fromisoformat(value) > clock.local_date(clock.now()):
        raise ValidationError("走访日期不能晚于今天。")


class RecordVisit(Schema):
    employer_id = fields.String(required=True, validate=ID)
    visited_on = DateText(required=True, validate=_not_in_the_future)
    visitor_name = _optional(fields.String, validate=NAME)
    findings = fields.String(required=True, validate=validate.Length(min=2, max=4000))
    deliveries = fields.List(fields.Nested(Delivery), load_default=list,
                             validate=validate.Length(max=20))
    problems = fields.List(fields.Nested(Problem), load_default=list,
                           validate=validate.Length(max=10))
    follow_up_actions = fields.List(fields.Nested(FollowUpAction), load_default=list,
                                    validate=validate.Length(max=20))


class CompleteAction(Schema):
    note = _optional(fields.String, validate=NOTE)


# --- postings -----------------------------------------------------------------------------

class Salary(Schema):
    min = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False,
                                                              max=1_000_000))
    max = _optional(fields.Float, validate=validate.Range(min=0, min_inclusive=False,
                                                          max=1_000_000))
    unit = fields.String(load_default="MONTH", validate=validate.OneOf(domain.SALARY_UNITS))
    piece_rate = fields.Boolean(load_default=False)

    @validates_schema
    def ordered(self, data, **kwargs):
        if data.get("max") is not None and data.get("min") is not None \
                and data["max"] < data["min"]:
            raise ValidationError("最高不能低于最低。", "max")


class PostingFields(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=50))
    description = fields.String(required=True, validate=validate.Length(min=2, max=4000))
    employment_type = fields.String(required=True,
                                    validate=validate.OneOf(domain.EMPLOYMENT_TYPES))
    work_schedule = WINDOWS
    hours_flexible = fields.Boolean(load_default=False)
    work_hours = _optional(fields.String, validate=validate.Length(max=200))
    salary = fields.Nested(Salary, load_default=None, allow_none=True)
    openings = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    valid_through = fields.AwareDateTime(required=True)
    skills = SKILLS
    requirements = _optional(fields.String, validate=NOTE)
    address = _optional(fields.String, validate=ADDRESS)
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    public_contact = _optional(fields.String, validate=validate.Length(max=60))

    @post_load
    def utc(self, data, **kwargs):
        if data.get("valid_through"):
            data["valid_through"] = clock.as_utc(data["valid_through"])
        return data


class PublishPosting(PostingFields):
    employer_id = fields.String(required=True, validate=ID)
    recorded_at = recorded_at_field()  # 补录: when it was really published (shared.backdating)
    community = community_field(load_default=None, allow_none=True)
    visit_id = _optional(fields.String, validate=ID)

    @validates_schema
    def says_when(self, data, **kwargs):
        if not data.get("hours_flexible") and not data.get("work_schedule") \
                and not data.get("work_hours"):
            raise ValidationError("请填写工作时间,或注明时间灵活。", "work_schedule")


class UpdatePosting(PostingFields):
    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项。", "_schema")


class Withdraw(Schema):
    reason = fields.String(required=True, validate=REASON)


class Note(Schema):
    note = _optional(fields.String, validate=NOTE)


class Renew(Schema):
    valid_through = fields.AwareDateTime(required=True)
    openings = _optional(fields.Integer, validate=validate.Range(min=1, max=1000))

    @post_load
    def utc(self, data, **kwargs):
        data["valid_through"] = clock.as_utc(data["valid_through"])
        return data


# --- seekers ------------------------------------------------------------------------------

class SeekerFields(Schema):
    name = fields.String(required=True, validate=NAME)
    community = community_field(required=True)
    phone = fields.String(required=True,
                          validate=validate.Regexp(PHONE, error="不是有效的电话号码。"))
    id_number = _optional(fields.String)
    address = _optional(fields.String, validate=ADDRESS)
    home_location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    skills = SKILLS
    available_hours = WINDOWS
    hours_preset = _optional(fields.String, validate=validate.OneOf(domain.HOUR_PRESETS))
    max_distance_km = _optional(fields.Float, validate=validate.Range(min=0.1, max=100))
    expected_monthly_pay = _optional(fields.Integer, validate=validate.Range(min=0,
                                                                             max=100000))
    employment_types = fields.List(fields.String(
        validate=validate.OneOf(domain.EMPLOYMENT_TYPES)), load_default=list)
    resident_id = _optional(fields.String, validate=ID)
    birth_year = _optional(fields.Integer, validate=validate.Range(min=1930, max=2015))
    note = _optional(fields.String, validate=NOTE)

    @validates_schema
    def valid_id_number(self, data, **kwargs):
        if data.get("id_number") and not id_number_is_valid(data["id_number"]):
            raise ValidationError("不是有效的身份证号码。", "id_number")

    @post_load
    def preset_hours(self, data, **kwargs):
        preset = data.pop("hours_preset", None)
        if preset and not data.get("available_hours"):
            data["available_hours"] = [dict(w) for w in domain.HOUR_PRESETS[preset]["windows"]]
        return data


class RegisterSeeker(SeekerFields):
    consent = fields.Boolean(required=True)
    recorded_at = recorded_at_field()  # 补录: when they really registered (shared.backdating)

    @validates_schema
    def consented(self, data, **kwargs):
        if data.get("consent") is not True:
            raise ValidationError("须经本人同意,方可登记和使用其个人信息。", "consent")

    @post_load
    def drop_consent(self, data, **kwargs):
        data.pop("consent", None)
        return data


class UpdateSeeker(SeekerFields):
    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("请至少修改一项。", "_schema")


class Reveal(Schema):
    purpose = fields.String(required=True, validate=REASON)


class Match(Schema):
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


# --- applications and placements ----------------------------------------------------------

class Apply(Schema):
    posting_id = fields.String(required=True, validate=ID)
    seeker_id = fields.String(required=True, validate=ID)
    channel = fields.String(load_default="staff_referral",
                            validate=validate.OneOf(domain.APPLICATION_CHANNELS))
    note = _optional(fields.String, validate=NOTE)


class ScheduleInterview(Schema):
    scheduled_at = fields.AwareDateTime(required=True)
    place = fields.String(required=True, validate=ADDRESS)
    note = _optional(fields.String, validate=NOTE)

    @post_load
    def utc(self, data, **kwargs):
        data["scheduled_at"] = clock.as_utc(data["scheduled_at"])
        return data


class InterviewResult(Schema):
    result = fields.String(required=True, validate=validate.OneOf(domain.INTERVIEW_RESULTS))
    note = _optional(fields.String, validate=NOTE)


class Hire(Schema):
    started_on = DateText(required=True)
    monthly_pay = _optional(fields.Integer, validate=validate.Range(min=0, max=100000))
    note = _optional(fields.String, validate=NOTE)


class Reason(Schema):
    reason = fields.String(required=True, validate=REASON)


class PlacementFollowUp(Schema):
    month = fields.Integer(required=True, validate=validate.OneOf(domain.FOLLOW_UP_MONTHS))
    result = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_RESULTS))
    note = _optional(fields.String, validate=NOTE)


class EndPlacement(Schema):
    reason = fields.String(required=True, validate=REASON)
    left_on = _optional(DateText)


# --- queries ------------------------------------------------------------------------------
#
# Every list pages by cursor (`cursor`, `page_size`; shared.paging) in one of a few time
# orders; `q` searches by terms (two or more consecutive characters, or a number).

def _sort(*keys, default):
    return fields.String(load_default=default, validate=validate.OneOf(
        [f"{sign}{key}" for key in keys for sign in ("", "-")]))


class ListEmployers(CursorPageSchema):
    community = _optional(fields.String, validate=NAME)
    sector = _optional(fields.String, validate=validate.OneOf(domain.SECTORS))
    size = _optional(fields.String, validate=validate.OneOf(domain.EMPLOYER_SIZES))
    active = _optional(fields.Boolean)
    q = _optional(fields.String, validate=validate.Length(min=1, max=50))  # name or address
    sort = _sort("updated_at", "created_at", default="-updated_at")


class ListVisits(CursorPageSchema):
    employer_id = _optional(fields.String, validate=ID)
    community = _optional(fields.String, validate=NAME)
    visited_from = _optional(DateText)
    visited_to = _optional(DateText)
    delivery_kind = _optional(fields.String, validate=validate.OneOf(domain.DELIVERY_KINDS))
    problem_state = _optional(fields.String, validate=validate.OneOf(domain.PROBLEM_STATES))
    sort = _sort("visited_on", default="-visited_on")


class ListPostings(CursorPageSchema):
    community = _optional(fields.String, validate=NAME)
    employer_id = _optional(fields.String, validate=ID)
    state = fields.List(fields.String(validate=validate.OneOf(domain.POSTING_STATES)),
                        load_default=None)
    hours_flexible = _optional(fields.Boolean)
    employment_type = _optional(fields.String, validate=validate.OneOf(
        domain.EMPLOYMENT_TYPES))
    visit_id = _optional(fields.String, validate=ID)
    q = _optional(fields.String, validate=validate.Length(min=1, max=50))
    sort = _sort("posted_at", "valid_through", default="-posted_at")


class ListSeekers(CursorPageSchema):
    community = _optional(fields.String, validate=NAME)
    phone = _optional(fields.String, validate=validate.Regexp(PHONE,
                                                              error="不是有效的电话号码。"))
    state = fields.List(fields.String(validate=validate.OneOf(domain.SEEKER_STATES)),
                        load_default=None)
    skill = _optional(fields.String, validate=validate.Length(min=1, max=30))
    q = _optional(fields.String, validate=validate.Length(min=1, max=50))
    sort = _sort("registered_at", "updated_at", default="-registered_at")


class ListApplications(CursorPageSchema):
    posting_id = _optional(fields.String, validate=ID)
    seeker_id = _optional(fields.String, validate=ID)
    employer_id = _optional(fields.String, validate=ID)
    community = _optional(fields.String, validate=NAME)
    state = fields.List(fields.String(validate=validate.OneOf(domain.APPLICATION_STATES)),
                        load_default=None)
    sort = _sort("applied_at", "updated_at", default="-applied_at")


class ListPlacements(CursorPageSchema):
    community = _optional(fields.String, validate=NAME)
    employer_id = _optional(fields.String, validate=ID)
    seeker_id = _optional(fields.String, validate=ID)
    state = fields.List(fields.String(validate=validate.OneOf(domain.PLACEMENT_STATES)),
                        load_default=None)
    follow_up_due = _optional(fields.Boolean)
    # Latest start first; with follow_up_due=true, the soonest follow-up first.
    sort = _sort("started_on", "open_follow_up_on", default=None)

    @post_load
    def default_order(self, data, **kwargs):
        if data.get("sort") is None:
            data["sort"] = "open_follow_up_on" if data.get("follow_up_due") else "-started_on"
        return data


class ListNotifications(CursorPageSchema):
    employer_id = _optional(fields.String, validate=ID)
    community = _optional(fields.String, validate=NAME)
    unread = _optional(fields.Boolean)


class Statistics(PeriodSchema):
    community = _optional(fields.String, validate=NAME)
    group_by = fields.List(fields.String(validate=validate.OneOf(domain.GROUP_DIMENSIONS)),
                           load_default=list, validate=validate.Length(max=2))


class Screen(Schema):
    community = fields.String(required=True, validate=NAME)
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))
    rotate_seconds = fields.Integer(load_default=300, validate=validate.Range(min=30,
                                                                              max=3600))


# --- 批量导入: spreadsheet rows, checked all before any is stored ---------------------------

class ImportRows(Schema):
    """批量导入: the rows, checked all before any is stored; `dry_run` only checks."""
    rows = fields.List(fields.Raw(), required=True, validate=validate.Length(
        min=1, max=1000, error="一次导入 1 至 1000 行。"))
    dry_run = fields.Boolean(load_default=False)


class ImportPosting(PostingFields):
    """A posting row of a spreadsheet: its employer by name (and community, where two
    communities have employers of that name)."""
    employer_name = fields.String(required=True, validate=validate.Length(min=2, max=100))
    community = community_field(load_default=None, allow_none=True)

    @validates_schema
    def says_when(self, data, **kwargs):
        if not data.get("hours_flexible") and not data.get("work_schedule") \
                and not data.get("work_hours"):
            raise ValidationError("请填写工作时间,或注明时间灵活。", "work_schedule")
