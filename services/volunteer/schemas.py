"""What the volunteer service's RPC methods accept (what they answer is in views.py). Every
command is loaded through one of these before anything changes; unknown fields and bad values
come back as VALIDATION_FAILED."""
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from services.volunteer import corrections, domain, figures, ledger, shifts, sources
from shared.backdating import recorded_at_field
from shared.personal_data import id_number_is_valid
from shared.paging import CursorPageSchema
from shared.schemas import NAME, PeriodSchema, PHONE, Schema, community_field

NOTE = validate.Length(max=2000)
REASON = validate.Length(min=2, max=2000)
ID = validate.Length(min=1, max=64)
ORGANISER = validate.Length(min=2, max=100)
SKILL = fields.String(validate=validate.OneOf(domain.SKILLS))
TEAM_CODE = validate.Regexp(r"^[a-z][a-z0-9_]{1,31}$", error="队伍编码应为小写字母、数字和下划线。")
HOURS = validate.Range(min=0, max=24, min_inclusive=False)


class AvailabilitySchema(Schema):
    weekday = fields.Integer(required=True, validate=validate.Range(min=1, max=7))
    slot = fields.String(required=True, validate=validate.OneOf(domain.SLOTS))


def _skills(**kwargs):
    return fields.List(SKILL, validate=validate.Length(max=len(domain.SKILLS)), **kwargs)


def _availability(**kwargs):
    return fields.List(fields.Nested(AvailabilitySchema), validate=validate.Length(max=21),
                       **kwargs)


def _phone(**kwargs):
    return fields.String(validate=validate.Regexp(PHONE, error="不是有效的电话号码。"), **kwargs)


class RegisterVolunteer(Schema):
    name = fields.String(required=True, validate=NAME)
    community = community_field(required=True)
    phone = _phone(required=True)
    id_number = fields.String(required=True)
    team = fields.String(load_default=None, allow_none=True, validate=TEAM_CODE)
    skills = _skills(load_default=list)
    availability = _availability(load_default=list)
    introduction = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=500))
    recorded_at = recorded_at_field()  # 补录: when they really registered (shared.backdating)

    @validates("id_number")
    def valid_id_number(self, value, **kwargs):
        if not id_number_is_valid(value):
            raise ValidationError("不是有效的居民身份证号码。")


class ImportVolunteers(Schema):
    """批量导入: rows of RegisterVolunteer, checked all before any is stored."""
    rows = fields.List(fields.Raw(), required=True, validate=validate.Length(
        min=1, max=1000, error="一次导入 1 至 1000 行。"))
    dry_run = fields.Boolean(load_default=False)


class UpdateVolunteer(Schema):
    """Only the fields given are changed."""
    name = fields.String(validate=NAME)
    community = community_field()
    phone = _phone()
    team = fields.String(allow_none=True, validate=TEAM_CODE)
    skills = _skills()
    availability = _availability()
    introduction = fields.String(allow_none=True, validate=validate.Length(max=500))


class Note(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Reason(Schema):
    reason = fields.String(required=True, validate=REASON)


class CheckUrl(Schema):
    """Where a certificate's public check is: printed on it as a QR code."""
    check_url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                           validate=validate.Length(max=500))


class OptionalReason(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Reveal(Schema):
    purpose = fields.String(required=True, validate=REASON)
    fields_ = fields.List(fields.String(validate=validate.OneOf(["phone", "id_number"])),
                          data_key="fields", load_default=lambda: ["phone", "id_number"],
                          validate=validate.Length(min=1, max=2))


class ListVolunteers(CursorPageSchema):
    state = fields.List(fields.String(validate=validate.OneOf(domain.VOLUNTEER_STATES)),
                        load_default=None)
    community = fields.String(load_default=None, validate=NAME)
    team = fields.String(load_default=None, validate=TEAM_CODE)
    skills = _skills(load_default=None)
    min_star_level = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10))
    available = fields.Nested(AvailabilitySchema, load_default=None)
    # Two or more consecutive characters of the name, or the volunteer's number.
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    phone = _phone(load_default=None)
    id_number = fields.String(load_default=None, validate=validate.Length(min=6, max=18))
    # Newest registration first by default, or by the last change.
    sort = fields.String(load_default="-registered_at", validate=validate.OneOf(
        [f"{sign}{key}" for key in ("registered_at", "updated_at") for sign in ("", "-")]))


class Commend(Schema):
    reason = fields.String(required=True, validate=REASON)


class Team(Schema):
    code = fields.String(required=True, validate=TEAM_CODE)
    name = fields.String(required=True, validate=validate.Length(min=2, max=50))
    community = community_field(load_default=None, allow_none=True)
    leader = fields.String(load_default=None, allow_none=True, validate=NAME)
    description = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=500))
    active = fields.Boolean(load_default=True)


class ListTeams(Schema):
    community = fields.String(load_default=None, validate=NAME)
    include_inactive = fields.Boolean(load_default=False)


class RecognitionRules(Schema):
    star_thresholds = fields.List(
        fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=100_000)),
        required=True, validate=validate.Length(min=1, max=10))
    exemplar_from_star = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10))
    commendations_for_exemplar = fields.Integer(load_default=5,
                                                validate=validate.Range(min=1, max=100))

    @validates_schema
    def increasing(self, data, **kwargs):
        thresholds = data.get("star_thresholds") or []
        if any(b <= a for a, b in zip(thresholds, thresholds[1:])):
            raise ValidationError("星级门槛应从小到大排列。", "star_thresholds")
        if thresholds and data.get("exemplar_from_star", 1) > len(thresholds):
            raise ValidationError(f"不能超过星级数 {len(thresholds)}。", "exemplar_from_star")


# --- shifts -------------------------------------------------------------------------------

class OpenShift(Schema):
    title = fields.String(required=True, validate=validate.Length(min=2, max=100))
    community = community_field(required=True)
    place = fields.String(required=True, validate=validate.Length(min=2, max=200))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    needed = fields.Integer(required=True, validate=validate.Range(min=1, max=500))
    skills = _skills(load_default=list)
    skill_match = fields.String(load_default="all", validate=validate.OneOf(shifts.SKILL_MATCHES))
    organiser = fields.String(load_default=None, allow_none=True, validate=ORGANISER)
    description = fields.String(load_default=None, allow_none=True, validate=NOTE)
    community_only = fields.Boolean(load_default=False)


class VolunteerRef(Schema):
    volunteer_id = fields.String(required=True, validate=ID)


class Withdraw(VolunteerRef):
    reason = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Attendance(VolunteerRef):
    # When it happened, for staff recording a paper sign-in sheet; volunteers use the clock.
    at = fields.AwareDateTime(load_default=None)


class MarkAttended(Schema):
    volunteer_ids = fields.List(fields.String(validate=ID), required=True,
                                validate=validate.Length(min=1, max=500))
    hours = fields.Float(load_default=None, validate=HOURS)


class RecordVisit(VolunteerRef):
    result = fields.String(required=True, validate=validate.OneOf(sources.FOLLOW_UP_RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class RecordPlacementVisit(VolunteerRef):
    result = fields.String(required=True, validate=validate.OneOf(sources.PLACEMENT_RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ListShifts(CursorPageSchema):
    state = fields.List(fields.String(validate=validate.OneOf(shifts.SHIFT_STATES)),
                        load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(shifts.SHIFT_KINDS))
    community = fields.String(load_default=None, validate=NAME)
    skill = fields.String(load_default=None, validate=validate.OneOf(domain.SKILLS))
    volunteer_id = fields.String(load_default=None, validate=ID)
    starts_from = fields.AwareDateTime(load_default=None)
    starts_to = fields.AwareDateTime(load_default=None)
    open_for_sign_up = fields.Boolean(load_default=None)
    activity_id = fields.String(load_default=None, validate=ID)
    work_order_number = fields.String(load_default=None, validate=ID)
    sort = fields.String(load_default="starts_at", validate=validate.OneOf(
        ["starts_at", "-starts_at", "created_at", "-created_at"]))


class Suggest(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


# --- corrections, ledger, certificates ----------------------------------------------------

class RequestCorrection(VolunteerRef):
    shift_id = fields.String(load_default=None, validate=ID)
    entry_id = fields.String(load_default=None, validate=ID)
    check_in_at = fields.AwareDateTime(load_default=None)
    check_out_at = fields.AwareDateTime(load_default=None)
    hours = fields.Float(load_default=None, validate=validate.Range(min=0, max=24))
    reason = fields.String(required=True, validate=REASON)

    @validates_schema
    def one_target(self, data, **kwargs):
        if bool(data.get("shift_id")) == bool(data.get("entry_id")):
            raise ValidationError("请指定岗位 shift_id 或服务记录 entry_id 之一。", "shift_id")
        if data.get("entry_id") and data.get("hours") is None:
            raise ValidationError("更正服务记录请填写更正后的时长。", "hours")
        if data.get("entry_id") and (data.get("check_in_at") or data.get("check_out_at")):
            raise ValidationError("服务记录只能更正时长。", "check_in_at")
        if (data.get("shift_id") and data.get("hours") is None and not data.get("check_in_at")
                and not data.get("check_out_at")):
            raise ValidationError("请填写更正后的签到签退时间或时长。", "hours")


class ListCorrections(CursorPageSchema):
    state = fields.String(load_default=None, validate=validate.OneOf(
        corrections.CORRECTION_STATE_NAMES))
    volunteer_id = fields.String(load_default=None, validate=ID)
    community = fields.String(load_default=None, validate=NAME)


class RecordHours(VolunteerRef):
    date = fields.Date(required=True)
    content = fields.String(required=True, validate=validate.Length(min=2, max=200))
    hours = fields.Float(required=True, validate=HOURS)
    organiser = fields.String(required=True, validate=ORGANISER)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ListEntries(CursorPageSchema):
    volunteer_id = fields.String(load_default=None, validate=ID)
    organiser = fields.String(load_default=None, validate=ORGANISER)
    community = fields.String(load_default=None, validate=NAME)
    from_date = fields.Date(load_default=None)
    to_date = fields.Date(load_default=None)
    source_kind = fields.String(load_default=None, validate=validate.OneOf(ledger.SOURCE_KINDS))


class VolunteerHours(PeriodSchema):
    pass


class IssueCertificate(VolunteerRef):
    issuer = fields.String(required=True, validate=ORGANISER)
    from_date = fields.Date(required=True)
    to_date = fields.Date(required=True)


class ListCertificates(CursorPageSchema):
    volunteer_id = fields.String(load_default=None, validate=ID)
    community = fields.String(load_default=None, validate=NAME)
    issuer = fields.String(load_default=None, validate=ORGANISER)
    state = fields.String(load_default=None, validate=validate.OneOf(
        ledger.CERTIFICATE_STATE_NAMES))


class Statistics(PeriodSchema):
    community = fields.String(load_default=None, validate=NAME)
    team = fields.String(load_default=None, validate=TEAM_CODE)
    skill = fields.String(load_default=None, validate=validate.OneOf(domain.SKILLS))
    group_by = fields.List(fields.String(validate=validate.OneOf(figures.GROUP_DIMENSIONS)),
                           load_default=list, validate=validate.Length(max=2))

    @validates_schema
    def one_skill_view(self, data, **kwargs):
        if data.get("skill") and "skill" in (data.get("group_by") or []):
            raise ValidationError("按技能分组时不能再按技能筛选。", "skill")
