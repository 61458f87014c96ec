"""What the job service's RPC methods accept, and how its records look to callers.

Every command is loaded through one of these before anything changes; unknown fields and bad
values come back as VALIDATION_FAILED. Personal data leaves only masked.
"""
from datetime import date

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from services.job import domain
from shared import clock
from shared.personal_data import id_number_is_valid
from shared.schemas import (ActorRefView, AllowedActionView, CodedView, HistoryEntryView, list_of,
                            load, LocationSchema, maybe, NAME, optional_text, PageSchema,
                            PeriodSchema, PHONE, required_text, Schema)

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
    community = fields.String(required=True, validate=NAME)
    address = fields.String(required=True, validate=ADDRESS)
    alley = _optional(fields.String, validate=NAME)
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)
    sector = fields.String(required=True, validate=validate.OneOf(domain.SECTORS))
    size = fields.String(required=True, validate=validate.OneOf(domain.EMPLOYER_SIZES))
    contact = fields.Nested(Contact, required=True)
    credit_code = _optional(fields.String, validate=CREDIT_CODE)
    employees = _optional(fields.Integer, validate=validate.Range(min=0, max=100000))
    note = _optional(fields.String, validate=NOTE)


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
    alley = _optional(fields.String, validate=NAME)
    location = fields.Nested(LocationSchema, load_default=None, allow_none=True)


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
    community = _optional(fields.String, validate=NAME)
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
    community = fields.String(required=True, validate=NAME)
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

def _sort(*keys, default):
    return fields.String(load_default=default, validate=validate.OneOf(
        [f"{sign}{key}" for key in keys for sign in ("", "-")]))


class ListEmployers(PageSchema):
    community = _optional(fields.String, validate=NAME)
    sector = _optional(fields.String, validate=validate.OneOf(domain.SECTORS))
    size = _optional(fields.String, validate=validate.OneOf(domain.EMPLOYER_SIZES))
    active = _optional(fields.Boolean)
    q = _optional(fields.String, validate=validate.Length(min=1, max=50))
    sort = _sort("updated_at", "created_at", "name", default="-updated_at")


class ListVisits(PageSchema):
    employer_id = _optional(fields.String, validate=ID)
    community = _optional(fields.String, validate=NAME)
    visited_from = _optional(DateText)
    visited_to = _optional(DateText)
    delivery_kind = _optional(fields.String, validate=validate.OneOf(domain.DELIVERY_KINDS))
    problem_state = _optional(fields.String, validate=validate.OneOf(domain.PROBLEM_STATES))
    sort = _sort("visited_on", default="-visited_on")


class ListPostings(PageSchema):
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


class ListSeekers(PageSchema):
    community = _optional(fields.String, validate=NAME)
    phone = _optional(fields.String, validate=validate.Regexp(PHONE,
                                                              error="不是有效的电话号码。"))
    state = fields.List(fields.String(validate=validate.OneOf(domain.SEEKER_STATES)),
                        load_default=None)
    skill = _optional(fields.String, validate=validate.Length(min=1, max=30))
    q = _optional(fields.String, validate=validate.Length(min=1, max=50))
    sort = _sort("registered_at", "updated_at", default="-registered_at")


class ListApplications(PageSchema):
    posting_id = _optional(fields.String, validate=ID)
    seeker_id = _optional(fields.String, validate=ID)
    employer_id = _optional(fields.String, validate=ID)
    community = _optional(fields.String, validate=NAME)
    state = fields.List(fields.String(validate=validate.OneOf(domain.APPLICATION_STATES)),
                        load_default=None)
    sort = _sort("applied_at", "updated_at", default="-applied_at")


class ListPlacements(PageSchema):
    community = _optional(fields.String, validate=NAME)
    employer_id = _optional(fields.String, validate=ID)
    seeker_id = _optional(fields.String, validate=ID)
    state = fields.List(fields.String(validate=validate.OneOf(domain.PLACEMENT_STATES)),
                        load_default=None)
    follow_up_due = _optional(fields.Boolean)
    sort = _sort("started_on", "open_follow_up_on", default="-started_on")


class ListNotifications(PageSchema):
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


# --- results ------------------------------------------------------------------------------

iso = clock.iso


def _masked(protected: dict | None) -> str | None:
    return (protected or {}).get("masked")


def _history(entries: list, action_names: dict) -> list:
    return [{**entry, "at": iso(entry["at"]),
             "action_name": action_names.get(entry["action"], entry["action"])}
            for entry in entries]


def _allowed(aggregate, hide=()) -> list:
    """The steps legal now, as buttons; `hide` leaves out steps taken elsewhere (a posting
    is applied for and hired through an application, and expired by the timer)."""
    return [{"action": a, "name": aggregate.ACTIONS[a][1]} for a in aggregate.allowed_actions()
            if a not in hide]


_COMMON_ACTIONS = {"register": "登记", "update": "修改", "record": "登记走访",
                   "publish": "发布", "apply": "报名", "hire": "录用",
                   "resolve_problem": "问题已解决", "end_problem": "问题未办理",
                   "complete_action": "完成后续事项"}


def _names(actions: dict) -> dict:
    return {**_COMMON_ACTIONS, **{a: label for a, (_, label) in actions.items()}}


def present_employer(employer: domain.Employer) -> dict:
    return {
        "employer_id": employer.employer_id, "name": employer.name,
        "community": employer.community, "address": employer.address, "alley": employer.alley,
        "location": employer.location, "sector": employer.sector,
        "sector_name": domain.SECTORS[employer.sector], "size": employer.size,
        "size_name": domain.EMPLOYER_SIZES[employer.size],
        "contact": {"name": employer.contact.get("name"),
                    "phone_masked": _masked(employer.contact.get("phone"))},
        "credit_code": employer.credit_code, "employees": employer.employees,
        "note": employer.note, "active": employer.active, "visits": employer.visits,
        "last_visited_on": employer.last_visited_on, "created_at": iso(employer.created_at),
        "updated_at": iso(employer.updated_at), "version": employer.version,
    }


def present_visit(visit: domain.Visit) -> dict:
    return {
        "visit_id": visit.visit_id, "employer_id": visit.employer_id,
        "employer_name": visit.employer_name, "community": visit.community,
        "visited_on": visit.visited_on, "visitor_name": visit.visitor_name,
        "findings": visit.findings,
        "deliveries": [{**d, "kind_name": domain.DELIVERY_KINDS[d["kind"]]}
                       for d in visit.deliveries],
        "problems": [{**p, "category_name": domain.PROBLEM_CATEGORY_NAMES[p["category"]],
                      "state_name": domain.PROBLEM_STATES[p["state"]],
                      "reported_at": iso(p["reported_at"]), "closed_at": iso(p["closed_at"])}
                     for p in visit.problems],
        "follow_up_actions": [{**a, "done_at": iso(a["done_at"])}
                              for a in visit.follow_up_actions],
        "recorded_by": visit.recorded_by, "recorded_at": iso(visit.recorded_at),
        "updated_at": iso(visit.updated_at),
        "history": _history(visit.history, _COMMON_ACTIONS), "version": visit.version,
    }


def present_posting(posting: domain.JobPosting) -> dict:
    pay = posting.monthly_pay()
    return {
        "posting_id": posting.posting_id, "title": posting.title,
        "description": posting.description, "employer_id": posting.employer_id,
        "employer_name": posting.employer_name, "community": posting.community,
        "address": posting.address, "location": posting.location,
        "employment_type": posting.employment_type,
        "employment_type_name": domain.EMPLOYMENT_TYPES[posting.employment_type],
        "work_schedule": posting.work_schedule,
        "work_schedule_text": domain.schedule_text(posting.work_schedule),
        "hours_flexible": posting.hours_flexible, "work_hours": posting.work_hours,
        "salary": posting.salary, "salary_text": domain.salary_text(posting.salary),
        "monthly_pay_estimate": pay and {"min": pay[0], "max": pay[1]},
        "openings": posting.openings, "filled": posting.filled,
        "openings_left": max(posting.openings - posting.filled, 0),
        "valid_through": iso(posting.valid_through), "skills": posting.skills,
        "requirements": posting.requirements, "public_contact": posting.public_contact,
        "visit_id": posting.visit_id, "summary": posting.summary(),
        "state": posting.state, "state_name": domain.POSTING_STATES[posting.state],
        "posted_at": iso(posting.posted_at), "closed_at": iso(posting.closed_at),
        "close_reason": posting.close_reason, "updated_at": iso(posting.updated_at),
        "history": _history(posting.history, _names(domain.POSTING_ACTIONS)),
        "allowed_actions": _allowed(posting, hide=("expire", "apply", "hire")),
        "version": posting.version,
    }


def posting_schema_org(posting: domain.JobPosting) -> dict:
    """The posting as schema.org JobPosting (JSON-LD), for job boards and search engines."""
    document = {
        "@context": "https://schema.org/", "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "name": "绣花", "value": posting.posting_id},
        "title": posting.title, "description": posting.description,
        "datePosted": iso(posting.posted_at), "validThrough": iso(posting.valid_through),
        "employmentType": posting.employment_type,
        "hiringOrganization": {"@type": "Organization", "name": posting.employer_name},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "streetAddress": posting.address,
            "addressLocality": posting.community, "addressCountry": "CN"}},
        "workHours": posting.work_hours or (
            "时间灵活" if posting.hours_flexible else domain.schedule_text(posting.work_schedule)),
        "totalJobOpenings": posting.openings,
        "skills": "、".join(posting.skills) or None,
        "qualifications": posting.requirements,
    }
    if posting.location:
        document["jobLocation"]["geo"] = {"@type": "GeoCoordinates",
                                          "latitude": posting.location["lat"],
                                          "longitude": posting.location["long"]}
    if posting.salary:
        value = {"@type": "QuantitativeValue", "unitText": posting.salary["unit"],
                 "minValue": posting.salary["min"]}
        if posting.salary.get("max"):
            value["maxValue"] = posting.salary["max"]
        document["baseSalary"] = {"@type": "MonetaryAmount", "currency": "CNY",
                                  "value": value}
    return {k: v for k, v in document.items() if v is not None}


def posting_brief(posting: domain.JobPosting) -> dict:
    """A posting in a list of suggestions."""
    pay = posting.monthly_pay()
    return {
        "posting_id": posting.posting_id, "title": posting.title,
        "employer_id": posting.employer_id, "employer_name": posting.employer_name,
        "community": posting.community, "address": posting.address,
        "employment_type_name": domain.EMPLOYMENT_TYPES[posting.employment_type],
        "hours_flexible": posting.hours_flexible,
        "work_schedule_text": domain.schedule_text(posting.work_schedule),
        "salary_text": domain.salary_text(posting.salary),
        "monthly_pay_estimate": pay and {"min": pay[0], "max": pay[1]},
        "openings_left": max(posting.openings - posting.filled, 0),
        "skills": posting.skills, "valid_through": iso(posting.valid_through),
        "summary": posting.summary(),
    }


def seeker_brief(seeker: domain.JobSeeker) -> dict:
    """A person in a list of suggestions: masked, and no more than staff need to call."""
    return {
        "seeker_id": seeker.seeker_id, "name": seeker.name, "community": seeker.community,
        "phone_masked": _masked(seeker.phone), "skills": seeker.skills,
        "available_hours_text": domain.schedule_text(seeker.available_hours) or "不限",
        "max_distance_km": seeker.max_distance_km,
        "expected_monthly_pay": seeker.expected_monthly_pay,
    }


def present_seeker(seeker: domain.JobSeeker) -> dict:
    return {
        "seeker_id": seeker.seeker_id, "name": seeker.name, "community": seeker.community,
        "phone_masked": _masked(seeker.phone), "id_number_masked": _masked(seeker.id_number),
        "address": seeker.address, "home_location": seeker.home_location,
        "skills": seeker.skills, "available_hours": seeker.available_hours,
        "available_hours_text": domain.schedule_text(seeker.available_hours) or "不限",
        "max_distance_km": seeker.max_distance_km,
        "expected_monthly_pay": seeker.expected_monthly_pay,
        "employment_types": seeker.employment_types, "resident_id": seeker.resident_id,
        "birth_year": seeker.birth_year, "note": seeker.note,
        "state": seeker.state, "state_name": domain.SEEKER_STATES[seeker.state],
        "consent_at": iso(seeker.consent_at), "registered_at": iso(seeker.registered_at),
        "updated_at": iso(seeker.updated_at),
        "history": _history(seeker.history, _names(domain.SEEKER_ACTIONS)),
        "allowed_actions": _allowed(seeker, hide=("apply", "hire")),
        "version": seeker.version,
    }


def present_application(application: domain.Application) -> dict:
    return {
        "application_id": application.application_id, "posting_id": application.posting_id,
        "title": application.title, "seeker_id": application.seeker_id,
        "seeker_name": application.seeker_name, "employer_id": application.employer_id,
        "employer_name": application.employer_name, "community": application.community,
        "channel": application.channel,
        "channel_name": domain.APPLICATION_CHANNELS[application.channel],
        "note": application.note, "state": application.state,
        "state_name": domain.APPLICATION_STATES[application.state],
        "interviews": [{**i, "scheduled_at": iso(i["scheduled_at"]),
                        "recorded_at": iso(i["recorded_at"]),
                        "result_name": domain.INTERVIEW_RESULTS.get(i["result"], i["result"])}
                       for i in application.interviews],
        "placement_id": application.placement_id,
        "outcome_reason": application.outcome_reason,
        "applied_at": iso(application.applied_at), "updated_at": iso(application.updated_at),
        "history": _history(application.history, _names(domain.APPLICATION_ACTIONS)),
        "allowed_actions": _allowed(application), "version": application.version,
    }


def present_placement(placement: domain.Placement) -> dict:
    return {
        "placement_id": placement.placement_id, "application_id": placement.application_id,
        "posting_id": placement.posting_id, "title": placement.title,
        "seeker_id": placement.seeker_id, "seeker_name": placement.seeker_name,
        "employer_id": placement.employer_id, "employer_name": placement.employer_name,
        "employer_address": placement.employer_address, "community": placement.community,
        "started_on": placement.started_on, "monthly_pay": placement.monthly_pay,
        "state": placement.state, "state_name": domain.PLACEMENT_STATES[placement.state],
        "stable_on": placement.stable_on, "ended_on": placement.ended_on,
        "end_reason": placement.end_reason,
        "follow_ups": [{
            "follow_up_id": f["follow_up_id"], "month": f["month"], "due_on": f["due_on"],
            "state": f["state"], "state_name": domain.FOLLOW_UP_STATES[f["state"]],
            "result": f["result"],
            "result_name": domain.FOLLOW_UP_RESULTS.get(f["result"]) if f["result"] else None,
            "note": f["note"], "recorded_at": iso(f["recorded_at"]), "by": f["by"],
            "announced_at": iso(f.get("announced_at"))} for f in placement.follow_ups],
        "created_at": iso(placement.created_at), "updated_at": iso(placement.updated_at),
        "history": _history(placement.history, _names(domain.PLACEMENT_ACTIONS)),
        "allowed_actions": _allowed(placement), "version": placement.version,
    }


def present_notification(doc: dict) -> dict:
    return {
        "notification_id": doc["_id"], "employer_id": doc["employer_id"],
        "employer_name": doc["employer_name"], "community": doc["community"],
        "kind": doc["kind"], "title": doc["title"], "body": doc["body"],
        "visit_id": doc["visit_id"], "problem_id": doc["problem_id"],
        "work_order_number": doc["work_order_number"], "created_at": iso(doc["created_at"]),
        "read_at": iso(doc.get("read_at")), "read_by": doc.get("read_by"),
    }


# --- the shapes of results, for the API's documentation (the gateway's tests check real
# answers against them) ------------------------------------------------------------------


class _HistoryEntry(HistoryEntryView):
    to_state = optional_text()    # records without states (employers) have none


class _WindowView(Schema):
    days = fields.List(fields.Integer(), required=True)
    start = required_text()
    end = required_text()


class _ContactView(Schema):
    name = required_text()
    phone_masked = required_text()


class EmployerView(Schema):
    employer_id = required_text()
    name = required_text()
    community = required_text()
    address = required_text()
    alley = optional_text()
    location = maybe(LocationSchema)
    sector = fields.String(required=True, validate=validate.OneOf(domain.SECTORS))
    sector_name = required_text()
    size = fields.String(required=True, validate=validate.OneOf(domain.EMPLOYER_SIZES))
    size_name = required_text()
    contact = fields.Nested(_ContactView, required=True)
    credit_code = optional_text()
    employees = fields.Integer(required=True, allow_none=True)
    note = optional_text()
    active = fields.Boolean(required=True)
    visits = fields.Integer(required=True)
    last_visited_on = optional_text()
    created_at = required_text()
    updated_at = required_text()
    version = fields.Integer(required=True)


class _DeliveryView(Schema):
    """The fields after `kind_name` are those of the delivery's kind."""
    delivery_id = required_text()
    kind = fields.String(required=True, validate=validate.OneOf(domain.DELIVERY_KINDS))
    kind_name = required_text()
    note = optional_text()
    policy_name = fields.String()
    topic = fields.String()
    expected_participants = fields.Integer()
    preferred_date = fields.String(allow_none=True)
    request_activity = fields.Boolean()
    request_id = fields.String()
    openings_collected = fields.Integer(allow_none=True)
    service_name = fields.String()


class _ProblemView(Schema):
    problem_id = required_text()
    category = required_text()
    category_name = required_text()
    description = required_text()
    address = required_text()
    alley = optional_text()
    location = maybe(LocationSchema)
    state = fields.String(required=True, validate=validate.OneOf(domain.PROBLEM_STATES))
    state_name = required_text()
    work_order_number = optional_text()
    resolution = optional_text()
    end_reason = fields.String(allow_none=True)    # once the problem is closed
    reported_at = required_text()
    closed_at = optional_text()


class _FollowUpActionView(Schema):
    action_id = required_text()
    description = required_text()
    due_on = optional_text()
    owner = optional_text()
    done = fields.Boolean(required=True)
    done_at = optional_text()
    done_note = optional_text()
    done_by = fields.Nested(ActorRefView)               # once done


class VisitView(Schema):
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
    recorded_at = required_text()
    updated_at = required_text()
    history = list_of(_HistoryEntry)
    version = fields.Integer(required=True)


class _SalaryView(Schema):
    min = fields.Float(required=True)
    max = fields.Float(required=True, allow_none=True)
    unit = fields.String(required=True, validate=validate.OneOf(domain.SALARY_UNITS))
    piece_rate = fields.Boolean(required=True)


class _PayRange(Schema):
    min = fields.Integer(required=True)
    max = fields.Integer(required=True)


class JobPostingView(Schema):
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
    employment_type_name = required_text()
    work_schedule = list_of(_WindowView)
    work_schedule_text = required_text()
    hours_flexible = fields.Boolean(required=True)
    work_hours = optional_text()
    salary = maybe(_SalaryView)
    salary_text = required_text()
    monthly_pay_estimate = maybe(_PayRange)
    openings = fields.Integer(required=True)
    filled = fields.Integer(required=True)
    openings_left = fields.Integer(required=True)
    valid_through = required_text()
    skills = fields.List(fields.String(), required=True)
    requirements = optional_text()
    public_contact = optional_text()
    visit_id = optional_text()
    summary = required_text()
    state = fields.String(required=True, validate=validate.OneOf(domain.POSTING_STATES))
    state_name = required_text()
    posted_at = required_text()
    closed_at = optional_text()
    close_reason = optional_text()
    updated_at = required_text()
    history = list_of(_HistoryEntry)
    allowed_actions = list_of(AllowedActionView)
    version = fields.Integer(required=True)


def _ld(key: str, field: fields.Field) -> fields.Field:
    """A JSON-LD property ("@type") under its own name."""
    field.data_key = key
    return field


class _LdIdentifier(Schema):
    type_ = _ld("@type", required_text())
    name = required_text()
    value = required_text()


class _LdOrganization(Schema):
    type_ = _ld("@type", required_text())
    name = required_text()


class _LdAddress(Schema):
    type_ = _ld("@type", required_text())
    streetAddress = required_text()
    addressLocality = required_text()
    addressCountry = required_text()


class _LdGeo(Schema):
    type_ = _ld("@type", required_text())
    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)


class _LdPlace(Schema):
    type_ = _ld("@type", required_text())
    address = fields.Nested(_LdAddress, required=True)
    geo = fields.Nested(_LdGeo)                      # when the posting has a location


class _LdValue(Schema):
    type_ = _ld("@type", required_text())
    unitText = required_text()
    minValue = fields.Float(required=True)
    maxValue = fields.Float()


class _LdSalary(Schema):
    type_ = _ld("@type", required_text())
    currency = required_text()
    value = fields.Nested(_LdValue, required=True)


class SchemaOrgJobPostingView(Schema):
    """schema.org JobPosting as JSON-LD; optional properties appear only with a value."""
    context = _ld("@context", required_text())
    type_ = _ld("@type", required_text())
    identifier = fields.Nested(_LdIdentifier, required=True)
    title = required_text()
    description = required_text()
    datePosted = required_text()
    validThrough = required_text()
    employmentType = required_text()
    hiringOrganization = fields.Nested(_LdOrganization, required=True)
    jobLocation = fields.Nested(_LdPlace, required=True)
    workHours = required_text()
    totalJobOpenings = fields.Integer(required=True)
    skills = fields.String()
    qualifications = fields.String()
    baseSalary = fields.Nested(_LdSalary)


class JobSeekerView(Schema):
    seeker_id = required_text()
    name = required_text()
    community = required_text()
    phone_masked = required_text()
    id_number_masked = optional_text()
    address = optional_text()
    home_location = maybe(LocationSchema)
    skills = fields.List(fields.String(), required=True)
    available_hours = list_of(_WindowView)
    available_hours_text = required_text()
    max_distance_km = fields.Float(required=True, allow_none=True)
    expected_monthly_pay = fields.Integer(required=True, allow_none=True)
    employment_types = fields.List(fields.String(), required=True)
    resident_id = optional_text()
    birth_year = fields.Integer(required=True, allow_none=True)
    note = optional_text()
    state = fields.String(required=True, validate=validate.OneOf(domain.SEEKER_STATES))
    state_name = required_text()
    consent_at = required_text()
    registered_at = required_text()
    updated_at = required_text()
    history = list_of(_HistoryEntry)
    allowed_actions = list_of(AllowedActionView)
    version = fields.Integer(required=True)


class EmployerContactView(Schema):
    name = required_text()
    phone = required_text()


class SeekerContactView(Schema):
    name = required_text()
    phone = required_text()
    id_number = optional_text()


class _Aspect(Schema):
    aspect = required_text()
    name = required_text()
    fit = fields.Float(required=True)
    weight = fields.Integer(required=True)
    text = required_text()
    good = fields.Boolean(required=True)


class _MatchView(Schema):
    score = fields.Float(required=True)
    reasons = fields.List(fields.String(), required=True)
    aspects = list_of(_Aspect)
    distance_km = fields.Float(required=True, allow_none=True)
    application_id = optional_text()


class _PostingBrief(Schema):
    posting_id = required_text()
    title = required_text()
    employer_id = required_text()
    employer_name = required_text()
    community = required_text()
    address = required_text()
    employment_type_name = required_text()
    hours_flexible = fields.Boolean(required=True)
    work_schedule_text = required_text()
    salary_text = required_text()
    monthly_pay_estimate = maybe(_PayRange)
    openings_left = fields.Integer(required=True)
    skills = fields.List(fields.String(), required=True)
    valid_through = required_text()
    summary = required_text()


class _SeekerBrief(Schema):
    seeker_id = required_text()
    name = required_text()
    community = required_text()
    phone_masked = required_text()
    skills = fields.List(fields.String(), required=True)
    available_hours_text = required_text()
    max_distance_km = fields.Float(required=True, allow_none=True)
    expected_monthly_pay = fields.Integer(required=True, allow_none=True)


class PostingMatchView(_MatchView):
    posting = fields.Nested(_PostingBrief, required=True)


class SeekerMatchView(_MatchView):
    seeker = fields.Nested(_SeekerBrief, required=True)


class _InterviewView(Schema):
    scheduled_at = required_text()
    place = required_text()
    note = optional_text()
    result = optional_text()
    result_name = optional_text()
    result_note = optional_text()
    recorded_at = optional_text()


class ApplicationView(Schema):
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
    channel_name = required_text()
    note = optional_text()
    state = fields.String(required=True, validate=validate.OneOf(domain.APPLICATION_STATES))
    state_name = required_text()
    interviews = list_of(_InterviewView)
    placement_id = optional_text()
    outcome_reason = optional_text()
    applied_at = required_text()
    updated_at = required_text()
    history = list_of(_HistoryEntry)
    allowed_actions = list_of(AllowedActionView)
    version = fields.Integer(required=True)


class _FollowUpView(Schema):
    follow_up_id = required_text()
    month = fields.Integer(required=True)
    due_on = required_text()
    state = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_STATES))
    state_name = required_text()
    result = optional_text()
    result_name = optional_text()
    note = optional_text()
    recorded_at = optional_text()
    by = maybe(ActorRefView)
    announced_at = optional_text()


class PlacementView(Schema):
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
    state_name = required_text()
    stable_on = optional_text()
    ended_on = optional_text()
    end_reason = optional_text()
    follow_ups = list_of(_FollowUpView)
    created_at = required_text()
    updated_at = required_text()
    history = list_of(_HistoryEntry)
    allowed_actions = list_of(AllowedActionView)
    version = fields.Integer(required=True)


class _ReaderRef(Schema):
    id = optional_text()
    name = optional_text()


class NotificationView(Schema):
    notification_id = required_text()
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
    created_at = required_text()
    read_at = optional_text()
    read_by = maybe(_ReaderRef)


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
