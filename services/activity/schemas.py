"""What the activity service's RPC methods accept (what they answer is in views.py). Every
command is loaded through one of these before anything changes; unknown fields and bad values
come back as VALIDATION_FAILED."""
from marshmallow import ValidationError, fields, validate, validates_schema

from services.activity import catalogue, domain, exemplars, registrations
from services.activity.scheduling import MAX_OCCURRENCES
from shared.paging import CursorPageSchema
from shared.schemas import NAME, PeriodSchema, PHONE, Schema, community_field

ID = validate.Length(min=1, max=64)
TITLE = validate.Length(min=2, max=100)
NOTE = validate.Length(max=2000)
REASON = validate.Length(min=2, max=2000)
HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="应为 HH:MM 格式的时间。")
URLS = fields.List(fields.Url(validate=validate.Length(max=1000)), load_default=list,
                   validate=validate.Length(max=20))


def _one_of(choices):
    return validate.OneOf(list(choices))


class OpeningHours(Schema):
    """One rule: on these weekdays (1 = Monday … 7 = Sunday), from `opens` to `closes`."""
    weekdays = fields.List(fields.Integer(validate=validate.Range(min=1, max=7)),
                           required=True, validate=validate.Length(min=1, max=7))
    opens = fields.String(required=True, validate=HHMM)
    closes = fields.String(required=True, validate=HHMM)

    @validates_schema
    def opens_before_it_closes(self, data, **kwargs):
        if data.get("opens") and data.get("closes") and data["opens"] >= data["closes"]:
            raise ValidationError("关门时间应晚于开门时间。", "closes")


OPENING_HOURS = fields.List(fields.Nested(OpeningHours), load_default=list,
                            validate=validate.Length(max=14))


class Venue(Schema):
    venue_id = fields.String(load_default=None, validate=ID)  # none: a new venue
    # None: a street-level venue any community may use (街道新时代文明实践所).
    community = community_field(load_default=None, allow_none=True)
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=_one_of(catalogue.VENUE_KINDS))
    address = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=200))
    capacity = fields.Integer(load_default=None, allow_none=True,
                              validate=validate.Range(min=1, max=100_000))
    opening_hours = OPENING_HOURS
    active = fields.Boolean(load_default=True)


class Room(Schema):
    venue_id = fields.String(required=True, validate=ID)
    room_id = fields.String(load_default=None, validate=ID)  # none: a new room
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=_one_of(catalogue.ROOM_KINDS))
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    # Empty: the venue's opening hours apply.
    opening_hours = OPENING_HOURS
    active = fields.Boolean(load_default=True)


class VenueQuery(Schema):
    community = fields.String(load_default=None, validate=NAME)
    kind = fields.String(load_default=None, validate=_one_of(catalogue.VENUE_KINDS))
    include_inactive = fields.Boolean(load_default=False)


class BookingQuery(Schema):
    venue_id = fields.String(load_default=None, validate=ID)
    room_id = fields.String(load_default=None, validate=ID)
    community = fields.String(load_default=None, validate=NAME)
    from_ = fields.AwareDateTime(required=True, data_key="from")
    to = fields.AwareDateTime(required=True)

    @validates_schema
    def a_sensible_window(self, data, **kwargs):
        if data.get("from_") and data.get("to"):
            if data["to"] <= data["from_"]:
                raise ValidationError("结束时间应晚于开始时间。", "to")
            if (data["to"] - data["from_"]).days > 92:
                raise ValidationError("一次最多查询 92 天。", "to")


class Slots(Schema):
    count = fields.Integer(load_default=0, validate=validate.Range(min=0, max=500))
    skills = fields.List(fields.String(validate=_one_of(catalogue.VOLUNTEER_SKILLS)),
                         load_default=list, validate=validate.Length(max=15))


def _check_festival(data):
    if data.get("theme") == catalogue.FESTIVAL_THEME and not data.get("festival"):
        raise ValidationError("“我们的节日”活动请选择节日。", "festival")


def _check_times(data):
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if (starts is None) != (ends is None) and ("starts_at" in data) == ("ends_at" in data):
        raise ValidationError("开始时间和结束时间应同时填写。", "ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise ValidationError("结束时间应晚于开始时间。", "ends_at")


class ActivityFields(Schema):
    title = fields.String(required=True, validate=TITLE)
    theme = fields.String(required=True, validate=_one_of(catalogue.THEMES))
    festival = fields.String(load_default=None, allow_none=True,
                             validate=_one_of(catalogue.FESTIVALS))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    target_groups = fields.List(fields.String(validate=_one_of(catalogue.TARGET_GROUPS)),
                                load_default=list, validate=validate.Length(max=10))
    organiser = fields.String(required=True, validate=validate.Length(min=2, max=100))
    community = community_field(required=True)
    venue_id = fields.String(load_default=None, allow_none=True, validate=ID)
    room_id = fields.String(load_default=None, allow_none=True, validate=ID)
    capacity = fields.Integer(load_default=None, allow_none=True,
                              validate=validate.Range(min=1, max=100_000))
    volunteer_slots = fields.Nested(Slots, load_default=lambda: {"count": 0, "skills": []})

    @validates_schema
    def festival_for_festivals(self, data, **kwargs):
        _check_festival(data)


class CreateActivity(ActivityFields):
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True)
    ends_at = fields.AwareDateTime(load_default=None, allow_none=True)

    @validates_schema
    def times_go_together(self, data, **kwargs):
        _check_times(data)


class HeldVolunteer(Schema):
    volunteer_id = fields.String(required=True, validate=ID)
    name = fields.String(required=True, validate=NAME)


class RecordHeldActivity(ActivityFields):
    """补录 an activity held before it was recorded here, from its sign-in sheet."""
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=2, max=200))
    registered = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
    attendance = fields.Integer(required=True, validate=validate.Range(min=0, max=100_000))
    walk_ins = fields.Integer(load_default=0, validate=validate.Range(min=0, max=100_000))
    volunteers = fields.List(fields.Nested(HeldVolunteer), load_default=list,
                             validate=validate.Length(max=200))
    minutes = fields.String(required=True, validate=validate.Length(min=2, max=10_000))
    photo_urls = URLS

    @validates_schema
    def times_in_order(self, data, **kwargs):
        _check_times(data)


class Recurrence(Schema):
    """Every `weekdays` (1 = Monday … 7 = Sunday) from `start_date`, `start_time`–`end_time`
    office time, every `interval_weeks` weeks, for `count` activities or until `until`."""
    start_date = fields.Date(required=True)
    start_time = fields.String(required=True, validate=HHMM)
    end_time = fields.String(required=True, validate=HHMM)
    weekdays = fields.List(fields.Integer(validate=validate.Range(min=1, max=7)),
                           required=True, validate=validate.Length(min=1, max=7))
    interval_weeks = fields.Integer(load_default=1, validate=validate.Range(min=1, max=8))
    count = fields.Integer(load_default=None, validate=validate.Range(min=1,
                                                                      max=MAX_OCCURRENCES))
    until = fields.Date(load_default=None)
    exclude_dates = fields.List(fields.Date(), load_default=list,
                                validate=validate.Length(max=60))

    @validates_schema
    def bounded(self, data, **kwargs):
        if data.get("start_time") and data.get("end_time") \
                and data["end_time"] <= data["start_time"]:
            raise ValidationError("结束时间应晚于开始时间。", "end_time")
        if data.get("count") is None and data.get("until") is None:
            raise ValidationError("请填写活动次数或截止日期。", "count")
        if data.get("until") and data.get("start_date") and data["until"] < data["start_date"]:
            raise ValidationError("截止日期应不早于开始日期。", "until")


class CreateSeries(ActivityFields):
    recurrence = fields.Nested(Recurrence, required=True)


class UpdateActivity(Schema):
    """Only the fields given change."""
    title = fields.String(validate=TITLE)
    theme = fields.String(validate=_one_of(catalogue.THEMES))
    festival = fields.String(allow_none=True, validate=_one_of(catalogue.FESTIVALS))
    description = fields.String(validate=validate.Length(max=4000))
    target_groups = fields.List(fields.String(validate=_one_of(catalogue.TARGET_GROUPS)),
                                validate=validate.Length(max=10))
    organiser = fields.String(validate=validate.Length(min=2, max=100))
    venue_id = fields.String(allow_none=True, validate=ID)
    room_id = fields.String(allow_none=True, validate=ID)
    starts_at = fields.AwareDateTime(allow_none=True)
    ends_at = fields.AwareDateTime(allow_none=True)
    capacity = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=100_000))
    volunteer_slots = fields.Nested(Slots)

    @validates_schema
    def consistent(self, data, **kwargs):
        _check_times(data)
        if not data:
            raise ValidationError("没有要修改的内容。")


class Reason(Schema):
    reason = fields.String(required=True, validate=REASON)


class Finish(Schema):
    minutes = fields.String(required=True, validate=validate.Length(min=2, max=10_000))
    photo_urls = URLS


class Minutes(Finish):
    pass


class Feature(Schema):
    exemplar_id = fields.String(required=True, validate=ID)
    form = fields.String(required=True, validate=_one_of(catalogue.FEATURE_FORMS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Unfeature(Schema):
    exemplar_id = fields.String(required=True, validate=ID)


class ListActivities(CursorPageSchema):
    state = fields.List(fields.String(validate=_one_of(catalogue.STATES)), load_default=None)
    community = fields.String(load_default=None, validate=NAME)
    theme = fields.String(load_default=None, validate=_one_of(catalogue.THEMES))
    festival = fields.String(load_default=None, validate=_one_of(catalogue.FESTIVALS))
    venue_id = fields.String(load_default=None, validate=ID)
    room_id = fields.String(load_default=None, validate=ID)
    series_id = fields.String(load_default=None, validate=ID)
    exemplar_id = fields.String(load_default=None, validate=ID)
    target_group = fields.String(load_default=None, validate=_one_of(catalogue.TARGET_GROUPS))
    starts_from = fields.AwareDateTime(load_default=None)
    starts_to = fields.AwareDateTime(load_default=None)
    registration_open = fields.Boolean(load_default=None)
    # Words of the title, organiser or description (two or more consecutive characters), or
    # an activity number.
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    # Latest start first by default; an activity without a time yet is listed at its creation.
    sort = fields.String(load_default="-starts_at", validate=validate.OneOf(
        [f"{sign}{key}" for key in ("starts_at", "updated_at")
         for sign in ("", "-")]))


class Register(Schema):
    name = fields.String(required=True, validate=NAME)
    phone = fields.String(required=True, validate=validate.Regexp(
        PHONE, error="不是有效的电话号码。"))
    volunteer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class CancelRegistration(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=NOTE)


class CheckIn(Schema):
    """By registration code; or, without one, a walk-in (现场报名) by name, or a volunteer
    come to serve (role `volunteer`, with the volunteer id)."""
    code = fields.String(load_default=None, validate=validate.Regexp(
        r"^\d{6}$", error="签到码应为 6 位数字。"))
    name = fields.String(load_default=None, validate=NAME)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        PHONE, error="不是有效的电话号码。"))
    volunteer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    role = fields.String(load_default=registrations.PARTICIPANT,
                         validate=_one_of(registrations.ROLE_NAMES))

    @validates_schema
    def who(self, data, **kwargs):
        if data.get("code"):
            if data.get("name") or data.get("phone"):
                raise ValidationError("凭签到码签到时不需要填写姓名和电话。", "code")
            return
        if not data.get("name"):
            raise ValidationError("请填写签到码;现场报名请填写姓名。", "name")
        if data.get("role") == registrations.VOLUNTEER and not data.get("volunteer_id"):
            raise ValidationError("服务志愿者签到请填写志愿者编号。", "volunteer_id")


class ListRegistrations(CursorPageSchema):
    activity_id = fields.String(load_default=None, validate=ID)
    phone = fields.String(load_default=None, validate=validate.Regexp(
        PHONE, error="不是有效的电话号码。"))
    status = fields.List(
        fields.String(validate=_one_of(registrations.REGISTRATION_STATUS_NAMES)),
        load_default=None)
    role = fields.String(load_default=None, validate=_one_of(registrations.ROLE_NAMES))
    checked_in = fields.Boolean(load_default=None)
    # Two or more consecutive characters of the name, or the six-digit registration code.
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))

    @validates_schema
    def scoped(self, data, **kwargs):
        if not data.get("activity_id") and not data.get("phone"):
            raise ValidationError("请指定活动或手机号。", "activity_id")


class Reveal(Schema):
    purpose = fields.String(required=True, validate=REASON)


class Nominate(Schema):
    name = fields.String(required=True, validate=NAME)
    category = fields.String(required=True, validate=_one_of(exemplars.CATEGORIES))
    community = community_field(required=True)
    title = fields.String(required=True, validate=TITLE)
    story = fields.String(required=True, validate=validate.Length(min=10, max=10_000))
    photo_urls = URLS
    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))
    volunteer_id = fields.String(load_default=None, allow_none=True, validate=ID)


class UpdateExemplar(Schema):
    name = fields.String(validate=NAME)
    title = fields.String(validate=TITLE)
    story = fields.String(validate=validate.Length(min=10, max=10_000))
    photo_urls = fields.List(fields.Url(validate=validate.Length(max=1000)),
                             validate=validate.Length(max=20))
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    volunteer_id = fields.String(allow_none=True, validate=ID)

    @validates_schema
    def something(self, data, **kwargs):
        if not data:
            raise ValidationError("没有要修改的内容。")


class Review(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    comment = fields.String(load_default=None, allow_none=True, validate=NOTE)

    @validates_schema
    def grounds_for_rejection(self, data, **kwargs):
        if data.get("decision") == "reject" and len((data.get("comment") or "").strip()) < 2:
            raise ValidationError("退回时请写明理由。", "comment")


class ListExemplars(CursorPageSchema):
    state = fields.List(fields.String(validate=_one_of(exemplars.STATES)), load_default=None)
    community = fields.String(load_default=None, validate=NAME)
    category = fields.String(load_default=None, validate=_one_of(exemplars.CATEGORIES))
    volunteer_id = fields.String(load_default=None, validate=ID)
    year = fields.Integer(load_default=None)
    # Words of the name, title or story (two or more consecutive characters), or a number.
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))


class Statistics(PeriodSchema):
    community = fields.String(load_default=None, validate=NAME)
    venue_id = fields.String(load_default=None, validate=ID)
    theme = fields.String(load_default=None, validate=_one_of(catalogue.THEMES))
    festival = fields.String(load_default=None, validate=_one_of(catalogue.FESTIVALS))
    group_by = fields.List(fields.String(validate=_one_of(domain.GROUP_DIMENSIONS)),
                           load_default=list, validate=validate.Length(max=3))
