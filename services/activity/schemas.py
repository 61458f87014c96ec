"""What the activity service's RPC methods accept, and how its records look to callers. Every
command is loaded through one of these before anything changes; unknown fields and bad values
come back as VALIDATION_FAILED."""
from marshmallow import ValidationError, fields, validate, validates_schema

from services.activity import domain, exemplars
from services.activity.scheduling import MAX_OCCURRENCES
from shared import clock
from shared.schemas import (ActorRefView, AllowedActionView, CodedView, HistoryEntryView, list_of,
                            maybe, NAME, optional_text, PageSchema, PeriodSchema, PHONE,
                            required_text, Schema)

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
    community = fields.String(load_default=None, allow_none=True, validate=NAME)
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=_one_of(domain.VENUE_KINDS))
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
    kind = fields.String(required=True, validate=_one_of(domain.ROOM_KINDS))
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    # Empty: the venue's opening hours apply.
    opening_hours = OPENING_HOURS
    active = fields.Boolean(load_default=True)


class VenueQuery(Schema):
    community = fields.String(load_default=None, validate=NAME)
    kind = fields.String(load_default=None, validate=_one_of(domain.VENUE_KINDS))
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
    skills = fields.List(fields.String(validate=_one_of(domain.VOLUNTEER_SKILLS)),
                         load_default=list, validate=validate.Length(max=15))


def _check_festival(data):
    if data.get("theme") == domain.FESTIVAL_THEME and not data.get("festival"):
        raise ValidationError("“我们的节日”活动请选择节日。", "festival")


def _check_times(data):
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if (starts is None) != (ends is None) and ("starts_at" in data) == ("ends_at" in data):
        raise ValidationError("开始时间和结束时间应同时填写。", "ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise ValidationError("结束时间应晚于开始时间。", "ends_at")


class ActivityFields(Schema):
    title = fields.String(required=True, validate=TITLE)
    theme = fields.String(required=True, validate=_one_of(domain.THEMES))
    festival = fields.String(load_default=None, allow_none=True,
                             validate=_one_of(domain.FESTIVALS))
    description = fields.String(load_default="", validate=validate.Length(max=4000))
    target_groups = fields.List(fields.String(validate=_one_of(domain.TARGET_GROUPS)),
                                load_default=list, validate=validate.Length(max=10))
    organiser = fields.String(required=True, validate=validate.Length(min=2, max=100))
    community = fields.String(required=True, validate=NAME)
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
    theme = fields.String(validate=_one_of(domain.THEMES))
    festival = fields.String(allow_none=True, validate=_one_of(domain.FESTIVALS))
    description = fields.String(validate=validate.Length(max=4000))
    target_groups = fields.List(fields.String(validate=_one_of(domain.TARGET_GROUPS)),
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
    form = fields.String(required=True, validate=_one_of(domain.FEATURE_FORMS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Unfeature(Schema):
    exemplar_id = fields.String(required=True, validate=ID)


class ListActivities(PageSchema):
    state = fields.List(fields.String(validate=_one_of(domain.STATES)), load_default=None)
    community = fields.String(load_default=None, validate=NAME)
    theme = fields.String(load_default=None, validate=_one_of(domain.THEMES))
    festival = fields.String(load_default=None, validate=_one_of(domain.FESTIVALS))
    venue_id = fields.String(load_default=None, validate=ID)
    room_id = fields.String(load_default=None, validate=ID)
    series_id = fields.String(load_default=None, validate=ID)
    exemplar_id = fields.String(load_default=None, validate=ID)
    target_group = fields.String(load_default=None, validate=_one_of(domain.TARGET_GROUPS))
    starts_from = fields.AwareDateTime(load_default=None)
    starts_to = fields.AwareDateTime(load_default=None)
    registration_open = fields.Boolean(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
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
        r"^\d{6}$", error="报名码应为 6 位数字。"))
    name = fields.String(load_default=None, validate=NAME)
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        PHONE, error="不是有效的电话号码。"))
    volunteer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    role = fields.String(load_default=domain.PARTICIPANT, validate=_one_of(domain.ROLE_NAMES))

    @validates_schema
    def who(self, data, **kwargs):
        if data.get("code"):
            if data.get("name") or data.get("phone"):
                raise ValidationError("凭报名码签到时不需要填写姓名和电话。", "code")
            return
        if not data.get("name"):
            raise ValidationError("请填写报名码;现场报名请填写姓名。", "name")
        if data.get("role") == domain.VOLUNTEER and not data.get("volunteer_id"):
            raise ValidationError("服务志愿者签到请填写志愿者编号。", "volunteer_id")


class ListRegistrations(PageSchema):
    activity_id = fields.String(load_default=None, validate=ID)
    phone = fields.String(load_default=None, validate=validate.Regexp(
        PHONE, error="不是有效的电话号码。"))
    status = fields.List(fields.String(validate=_one_of(domain.REGISTRATION_STATUS_NAMES)),
                         load_default=None)
    role = fields.String(load_default=None, validate=_one_of(domain.ROLE_NAMES))
    checked_in = fields.Boolean(load_default=None)
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
    community = fields.String(required=True, validate=NAME)
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


class ListExemplars(PageSchema):
    state = fields.List(fields.String(validate=_one_of(exemplars.STATES)), load_default=None)
    community = fields.String(load_default=None, validate=NAME)
    category = fields.String(load_default=None, validate=_one_of(exemplars.CATEGORIES))
    volunteer_id = fields.String(load_default=None, validate=ID)
    year = fields.Integer(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))


class Statistics(PeriodSchema):
    community = fields.String(load_default=None, validate=NAME)
    venue_id = fields.String(load_default=None, validate=ID)
    theme = fields.String(load_default=None, validate=_one_of(domain.THEMES))
    festival = fields.String(load_default=None, validate=_one_of(domain.FESTIVALS))
    group_by = fields.List(fields.String(validate=_one_of(domain.GROUP_DIMENSIONS)),
                           load_default=list, validate=validate.Length(max=3))


# --- results ------------------------------------------------------------------------------

def _coded(code, names):
    return {"code": code, "name": names[code]} if code else None


def _history(history, names):
    return [{**entry, "at": clock.iso(entry["at"]),
             "action_name": names.get(entry["action"], entry["action"])} for entry in history]


_ACTIVITY_ACTION_NAMES = {**domain.SYSTEM_ACTIONS, "unfeature_exemplar": "撤下先进典型",
                          "record_held": "补录",
                          **{a: label for a, (_, label) in domain.ACTIONS.items()}}


def present_activity(activity: domain.Activity, at) -> dict:
    """An activity as callers see it: times as ISO strings, names beside codes, the numbers at
    the door, and the actions that are legal now."""
    iso = clock.iso
    return {
        "activity_id": activity.activity_id,
        "title": activity.title,
        "theme": activity.theme,
        "theme_name": domain.THEMES[activity.theme],
        "festival": activity.festival,
        "festival_name": domain.FESTIVALS.get(activity.festival),
        "description": activity.description,
        "target_groups": [_coded(g, domain.TARGET_GROUPS) for g in activity.target_groups],
        "organiser": activity.organiser,
        "community": activity.community,
        "venue": activity.venue,
        "room": activity.room,
        "place": activity.place_name if activity.venue else None,
        "place_capacity": activity.place_capacity,
        "starts_at": iso(activity.starts_at),
        "ends_at": iso(activity.ends_at),
        "capacity": activity.capacity,
        "volunteer_slots": activity.volunteer_slots,
        "series_id": activity.series_id,
        "source_ref": activity.source_ref,
        "preferred_date": activity.preferred_date,
        "featured_exemplars": [
            {**f, "category_name": exemplars.CATEGORIES[f["category"]],
             "form_name": domain.FEATURE_FORMS[f["form"]]}
            for f in activity.featured_exemplars],
        "state": activity.state,
        "state_name": domain.STATE_NAMES[activity.state],
        "registration": {"open": activity.registration_open(at),
                         "capacity": activity.capacity,
                         "registered": activity.registered_count,
                         "waitlisted": activity.waitlist_count,
                         "places_left": activity.places_left()},
        "check_in": {"open": activity.check_in_open(at),
                     "checked_in": activity.checked_in_count,
                     "walk_ins": activity.walk_in_count,
                     "volunteers": activity.volunteer_count},
        "attendance": activity.attendance,
        "hours": activity.hours,
        "minutes": activity.minutes,
        "photo_urls": activity.photo_urls,
        "cancel_reason": activity.cancel_reason,
        "created_at": iso(activity.created_at),
        "created_by": activity.created_by,
        "published_at": iso(activity.published_at),
        "started_at": iso(activity.started_at),
        "finished_at": iso(activity.finished_at),
        "cancelled_at": iso(activity.cancelled_at),
        "updated_at": iso(activity.updated_at),
        "imported": activity.imported and {**activity.imported,
                                           "at": iso(activity.imported["at"])},
        "history": _history(activity.history, _ACTIVITY_ACTION_NAMES),
        "allowed_actions": [{"action": a, "name": domain.ACTIONS[a][1]}
                            for a in activity.allowed_actions(at)],
        "version": activity.version,
    }


def activity_summary(activity: domain.Activity | None) -> dict | None:
    if activity is None:
        return None
    return {"activity_id": activity.activity_id, "title": activity.title,
            "community": activity.community, "state": activity.state,
            "state_name": domain.STATE_NAMES[activity.state],
            "place": activity.place_name if activity.venue else None,
            "starts_at": clock.iso(activity.starts_at), "ends_at": clock.iso(activity.ends_at)}


def present_registration(registration: domain.Registration, activity=None,
                         waitlist_position: int | None = None) -> dict:
    """A registration with the phone masked; the number itself only through an audited
    reveal."""
    iso = clock.iso
    return {
        "registration_id": registration.registration_id,
        "activity_id": registration.activity_id,
        "activity": activity_summary(activity),
        "name": registration.name,
        "phone_masked": (registration.phone or {}).get("masked"),
        "role": registration.role,
        "role_name": domain.ROLE_NAMES[registration.role],
        "volunteer_id": registration.volunteer_id,
        "note": registration.note,
        "status": registration.status,
        "status_name": domain.REGISTRATION_STATUS_NAMES[registration.status],
        "waitlist_position": waitlist_position,
        "code": registration.code,
        "walk_in": registration.walk_in,
        "registered_at": iso(registration.registered_at),
        "registered_by": registration.registered_by,
        "waitlisted_at": iso(registration.waitlisted_at),
        "promoted_at": iso(registration.promoted_at),
        "cancelled_at": iso(registration.cancelled_at),
        "cancel_reason": registration.cancel_reason,
        "checked_in_at": iso(registration.checked_in_at),
        "checked_in_by": registration.checked_in_by,
    }


def present_exemplar(exemplar: exemplars.Exemplar, featured_at=None) -> dict:
    iso = clock.iso
    review = exemplar.review
    view = {
        "exemplar_id": exemplar.exemplar_id,
        "name": exemplar.name,
        "category": exemplar.category,
        "category_name": exemplars.CATEGORIES[exemplar.category],
        "community": exemplar.community,
        "title": exemplar.title,
        "story": exemplar.story,
        "photo_urls": exemplar.photo_urls,
        "year": exemplar.year,
        "volunteer_id": exemplar.volunteer_id,
        "source_ref": exemplar.source_ref,
        "state": exemplar.state,
        "state_name": exemplar.state_name,
        "review": review and {**review, "at": iso(review["at"])},
        "proposals": [{**p, "at": iso(p["at"])} for p in exemplar.proposals],
        "nominated_at": iso(exemplar.nominated_at),
        "nominated_by": exemplar.nominated_by,
        "published_at": iso(exemplar.published_at),
        "withdrawn_at": iso(exemplar.withdrawn_at),
        "withdraw_reason": exemplar.withdraw_reason,
        "updated_at": iso(exemplar.updated_at),
        "history": _history(exemplar.history, exemplars.ACTION_NAMES),
        "allowed_actions": [{"action": a, "name": exemplars.ACTIONS[a][1]}
                            for a in exemplar.allowed_actions()],
        "version": exemplar.version,
    }
    if featured_at is not None:
        view["featured_at"] = featured_at
    return view


def present_venue(venue: dict) -> dict:
    view = {**venue, "kind_name": domain.VENUE_KINDS[venue["kind"]]}
    if "rooms" in venue:
        view["rooms"] = [{**r, "kind_name": domain.ROOM_KINDS[r["kind"]]}
                         for r in venue["rooms"]]
    return view


def present_series(series: dict, activities: list) -> dict:
    recurrence = series["recurrence"]
    return {"series_id": series["_id"], "title": series["title"],
            "community": series["community"], "recurrence": recurrence,
            "created_at": clock.iso(series["created_at"]),
            "created_by": series["created_by"],
            "activities": [{**activity_summary(a),
                            "registered": a.registered_count, "attendance": a.attendance}
                           for a in activities]}


# --- the shapes of results, for the API's documentation (the gateway's tests check real
# answers against them) ------------------------------------------------------------------


class _VenueRef(Schema):
    id = required_text()
    name = required_text()
    address = optional_text()


class _RoomRef(Schema):
    id = required_text()
    name = required_text()
    kind = required_text()


class _SlotsView(Schema):
    count = fields.Integer(required=True)
    skills = fields.List(fields.String(), required=True)


class _SourceRef(Schema):
    service = required_text()
    ref = required_text()


class _FeaturedView(Schema):
    exemplar_id = required_text()
    name = required_text()
    category = required_text()
    category_name = required_text()
    title = required_text()
    form = required_text()
    form_name = required_text()
    note = optional_text()


class _RegistrationFigures(Schema):
    open = fields.Boolean(required=True)
    capacity = fields.Integer(required=True, allow_none=True)
    registered = fields.Integer(required=True)
    waitlisted = fields.Integer(required=True)
    places_left = fields.Integer(required=True, allow_none=True)


class _CheckInFigures(Schema):
    open = fields.Boolean(required=True)
    checked_in = fields.Integer(required=True)
    walk_ins = fields.Integer(required=True)
    volunteers = fields.Integer(required=True)


class _Imported(Schema):
    by = fields.Nested(ActorRefView, required=True)
    at = required_text()
    reason = required_text()


class ActivityView(Schema):
    activity_id = required_text()
    title = required_text()
    theme = fields.String(required=True, validate=_one_of(domain.THEMES))
    theme_name = required_text()
    festival = optional_text()
    festival_name = optional_text()
    description = required_text()
    target_groups = list_of(CodedView)
    organiser = required_text()
    community = required_text()
    venue = maybe(_VenueRef)
    room = maybe(_RoomRef)
    place = optional_text()
    place_capacity = fields.Integer(required=True, allow_none=True)
    starts_at = optional_text()
    ends_at = optional_text()
    capacity = fields.Integer(required=True, allow_none=True)
    volunteer_slots = fields.Nested(_SlotsView, required=True)
    series_id = optional_text()
    source_ref = maybe(_SourceRef)
    preferred_date = optional_text()
    featured_exemplars = list_of(_FeaturedView)
    state = fields.String(required=True, validate=_one_of(domain.STATES))
    state_name = required_text()
    registration = fields.Nested(_RegistrationFigures, required=True)
    check_in = fields.Nested(_CheckInFigures, required=True)
    attendance = fields.Integer(required=True, allow_none=True)
    hours = fields.Float(required=True, allow_none=True)
    minutes = optional_text()
    photo_urls = fields.List(fields.String(), required=True)
    cancel_reason = optional_text()
    created_at = required_text()
    created_by = fields.Nested(ActorRefView, required=True)
    published_at = optional_text()
    started_at = optional_text()
    finished_at = optional_text()
    cancelled_at = optional_text()
    updated_at = optional_text()
    imported = maybe(_Imported)
    history = list_of(HistoryEntryView)
    allowed_actions = list_of(AllowedActionView)
    version = fields.Integer(required=True)


class _ActivitySummary(Schema):
    activity_id = required_text()
    title = required_text()
    community = required_text()
    state = required_text()
    state_name = required_text()
    place = optional_text()
    starts_at = optional_text()
    ends_at = optional_text()


class _SeriesActivity(_ActivitySummary):
    registered = fields.Integer(required=True)
    attendance = fields.Integer(required=True, allow_none=True)


class _RecurrenceView(Schema):
    start_date = required_text()
    start_time = required_text()
    end_time = required_text()
    weekdays = fields.List(fields.Integer(), required=True)
    interval_weeks = fields.Integer(required=True)
    count = fields.Integer(required=True, allow_none=True)
    until = optional_text()
    exclude_dates = fields.List(fields.String(), required=True)


class SeriesView(Schema):
    series_id = required_text()
    title = required_text()
    community = required_text()
    recurrence = fields.Nested(_RecurrenceView, required=True)
    created_at = required_text()
    created_by = fields.Nested(ActorRefView, required=True)
    activities = list_of(_SeriesActivity)


class RegistrationView(Schema):
    registration_id = required_text()
    activity_id = required_text()
    activity = maybe(_ActivitySummary)
    name = required_text()
    phone_masked = optional_text()
    role = required_text()
    role_name = required_text()
    volunteer_id = optional_text()
    note = optional_text()
    status = fields.String(required=True, validate=_one_of(domain.REGISTRATION_STATUS_NAMES))
    status_name = required_text()
    waitlist_position = fields.Integer(required=True, allow_none=True)
    code = required_text()
    walk_in = fields.Boolean(required=True)
    registered_at = required_text()
    registered_by = fields.Nested(ActorRefView, required=True)
    waitlisted_at = optional_text()
    promoted_at = optional_text()
    cancelled_at = optional_text()
    cancel_reason = optional_text()
    checked_in_at = optional_text()
    checked_in_by = maybe(ActorRefView)


class ContactView(Schema):
    name = required_text()
    phone = optional_text()


class _ReviewView(Schema):
    decision = required_text()
    comment = optional_text()
    by = fields.Nested(ActorRefView, required=True)
    at = required_text()


class _ProposalView(Schema):
    at = required_text()
    reason = required_text()
    total_hours = fields.Float(required=True)
    star_level = fields.Integer(required=True)
    commendations = fields.Integer(required=True)


class ExemplarView(Schema):
    exemplar_id = required_text()
    name = required_text()
    category = fields.String(required=True, validate=_one_of(exemplars.CATEGORIES))
    category_name = required_text()
    community = required_text()
    title = required_text()
    story = required_text()
    photo_urls = fields.List(fields.String(), required=True)
    year = fields.Integer(required=True, allow_none=True)
    volunteer_id = optional_text()
    source_ref = maybe(_SourceRef)
    state = fields.String(required=True, validate=_one_of(exemplars.STATES))
    state_name = required_text()
    review = maybe(_ReviewView)
    proposals = list_of(_ProposalView)
    nominated_at = required_text()
    nominated_by = fields.Nested(ActorRefView, required=True)
    published_at = optional_text()
    withdrawn_at = optional_text()
    withdraw_reason = optional_text()
    updated_at = optional_text()
    history = list_of(HistoryEntryView)
    allowed_actions = list_of(AllowedActionView)
    version = fields.Integer(required=True)


class _FeaturedAt(_ActivitySummary):
    forms = fields.List(fields.String(), required=True)


class ExemplarDetailView(ExemplarView):
    featured_at = list_of(_FeaturedAt)


class _OpeningHoursView(Schema):
    weekdays = fields.List(fields.Integer(), required=True)
    opens = required_text()
    closes = required_text()


class RoomView(Schema):
    id = required_text()
    venue_id = required_text()
    community = optional_text()
    name = required_text()
    kind = required_text()
    kind_name = required_text()
    capacity = fields.Integer(required=True, allow_none=True)
    opening_hours = list_of(_OpeningHoursView)
    active = fields.Boolean(required=True)


class VenueView(Schema):
    id = required_text()
    community = optional_text()
    name = required_text()
    kind = required_text()
    kind_name = required_text()
    address = optional_text()
    capacity = fields.Integer(required=True, allow_none=True)
    opening_hours = list_of(_OpeningHoursView)
    active = fields.Boolean(required=True)
    rooms = list_of(RoomView)


class BookingView(Schema):
    activity_id = required_text()
    title = required_text()
    community = required_text()
    venue_id = required_text()
    room_id = optional_text()
    place = required_text()
    starts_at = required_text()
    ends_at = required_text()


class ReferenceDataView(Schema):
    themes = list_of(CodedView)
    festivals = list_of(CodedView)
    target_groups = list_of(CodedView)
    venue_kinds = list_of(CodedView)
    room_kinds = list_of(CodedView)
    exemplar_categories = list_of(CodedView)
    feature_forms = list_of(CodedView)
    volunteer_skills = list_of(CodedView)
    activity_states = list_of(CodedView)
    registration_statuses = list_of(CodedView)
    exemplar_states = list_of(CodedView)


class _Figures(Schema):
    published = fields.Integer(required=True)
    held = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    attendance = fields.Integer(required=True)
    walk_ins = fields.Integer(required=True)
    registered = fields.Integer(required=True)
    no_shows = fields.Integer(required=True)
    volunteers = fields.Integer(required=True)
    volunteer_hours = fields.Float(required=True)
    hours = fields.Float(required=True)
    average_attendance = fields.Float(required=True, allow_none=True)
    show_up_rate = fields.Float(required=True, allow_none=True)


class _Group(_Figures):
    """A group carries the keys it is grouped by (and their names)."""
    month = fields.String()
    community = fields.String(allow_none=True)
    venue_id = fields.String(allow_none=True)
    venue_name = fields.String(allow_none=True)
    theme = fields.String(allow_none=True)
    theme_name = fields.String(allow_none=True)
    festival = fields.String(allow_none=True)
    festival_name = fields.String(allow_none=True)


class _Period(Schema):
    from_month = optional_text()
    to_month = optional_text()


class StatisticsView(Schema):
    period = fields.Nested(_Period, required=True)
    totals = fields.Nested(_Figures, required=True)
    groups = fields.List(fields.Nested(_Group))
