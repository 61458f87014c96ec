"""What the volunteer service's RPC methods accept, and how its records look to callers.
Every command is loaded through one of these before anything changes; unknown fields and bad
values come back as VALIDATION_FAILED."""
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from services.volunteer import domain, figures, ledger
from shared import clock
from shared.personal_data import id_number_is_valid
from shared.schemas import (ActorRefView, AllowedActionView, CodedView, HistoryEntryView, maybe,
                            NAME, optional_text, PageSchema, PeriodSchema, PHONE, required_text,
                            Schema)

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
    community = fields.String(required=True, validate=NAME)
    phone = _phone(required=True)
    id_number = fields.String(required=True)
    team = fields.String(load_default=None, allow_none=True, validate=TEAM_CODE)
    skills = _skills(load_default=list)
    availability = _availability(load_default=list)
    introduction = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=500))

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
    community = fields.String(validate=NAME)
    phone = _phone()
    team = fields.String(allow_none=True, validate=TEAM_CODE)
    skills = _skills()
    availability = _availability()
    introduction = fields.String(allow_none=True, validate=validate.Length(max=500))


class Note(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Reason(Schema):
    reason = fields.String(required=True, validate=REASON)


class OptionalReason(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=NOTE)


class Reveal(Schema):
    purpose = fields.String(required=True, validate=REASON)
    fields_ = fields.List(fields.String(validate=validate.OneOf(["phone", "id_number"])),
                          data_key="fields", load_default=lambda: ["phone", "id_number"],
                          validate=validate.Length(min=1, max=2))


class ListVolunteers(PageSchema):
    state = fields.List(fields.String(validate=validate.OneOf(domain.VOLUNTEER_STATES)),
                        load_default=None)
    community = fields.String(load_default=None, validate=NAME)
    team = fields.String(load_default=None, validate=TEAM_CODE)
    skills = _skills(load_default=None)
    min_star_level = fields.Integer(load_default=None, validate=validate.Range(min=0, max=10))
    available = fields.Nested(AvailabilitySchema, load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    phone = _phone(load_default=None)
    id_number = fields.String(load_default=None, validate=validate.Length(min=6, max=18))
    sort = fields.String(load_default="-registered_at", validate=validate.OneOf(
        [f"{sign}{key}" for key in ("registered_at", "total_hours", "updated_at", "id")
         for sign in ("", "-")]))


class Commend(Schema):
    reason = fields.String(required=True, validate=REASON)


class Team(Schema):
    code = fields.String(required=True, validate=TEAM_CODE)
    name = fields.String(required=True, validate=validate.Length(min=2, max=50))
    community = fields.String(load_default=None, allow_none=True, validate=NAME)
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
    community = fields.String(required=True, validate=NAME)
    place = fields.String(required=True, validate=validate.Length(min=2, max=200))
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    needed = fields.Integer(required=True, validate=validate.Range(min=1, max=500))
    skills = _skills(load_default=list)
    skill_match = fields.String(load_default="all", validate=validate.OneOf(domain.SKILL_MATCHES))
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
    result = fields.String(required=True, validate=validate.OneOf(domain.FOLLOW_UP_RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class RecordPlacementVisit(VolunteerRef):
    result = fields.String(required=True, validate=validate.OneOf(domain.PLACEMENT_RESULTS))
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ListShifts(PageSchema):
    state = fields.List(fields.String(validate=validate.OneOf(domain.SHIFT_STATES)),
                        load_default=None)
    kind = fields.String(load_default=None, validate=validate.OneOf(domain.SHIFT_KINDS))
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


class ListCorrections(PageSchema):
    state = fields.String(load_default=None, validate=validate.OneOf(
        domain.CORRECTION_STATE_NAMES))
    volunteer_id = fields.String(load_default=None, validate=ID)
    community = fields.String(load_default=None, validate=NAME)


class RecordHours(VolunteerRef):
    date = fields.Date(required=True)
    content = fields.String(required=True, validate=validate.Length(min=2, max=200))
    hours = fields.Float(required=True, validate=HOURS)
    organiser = fields.String(required=True, validate=ORGANISER)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ListEntries(PageSchema):
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


class ListCertificates(PageSchema):
    volunteer_id = fields.String(load_default=None, validate=ID)
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


# --- results ------------------------------------------------------------------------------

def _iso(value):
    return clock.iso(value) if value is not None else None


def _history(history: list, names: dict) -> list:
    return [{**entry, "at": _iso(entry["at"]),
             "action_name": names.get(entry["action"], entry["action"]),
             "details": _plain(entry.get("details") or {})} for entry in history]


def _plain(value):
    """Datetimes inside stored details, as ISO strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat") and hasattr(value, "tzinfo"):
        return _iso(value)
    return value


VOLUNTEER_HISTORY_NAMES = {"register": "注册", "star_level": "星级变化",
                           **{a: label for a, (_, label) in domain.VOLUNTEER_ACTIONS.items()}}
SHIFT_HISTORY_NAMES = {"open": "发布岗位", "correct": "更正时长", **domain.SHIFT_ACTIONS}


def skill_list(codes) -> list[dict]:
    return [{"code": c, "name": domain.SKILLS.get(c, c)} for c in codes]


def present_volunteer(volunteer: domain.Volunteer, team_names: dict | None = None) -> dict:
    """A volunteer as callers see it: phone and ID number masked only."""
    team_names = team_names or {}
    return {
        "id": volunteer.id,
        "name": volunteer.name,
        "community": volunteer.community,
        "team": volunteer.team,
        "team_name": team_names.get(volunteer.team) if volunteer.team else None,
        "phone_masked": (volunteer.phone or {}).get("masked"),
        "id_number_masked": volunteer.id_number["masked"],
        "skills": skill_list(volunteer.skills),
        "availability": [{**a, "label": f"{domain.WEEKDAYS[a['weekday']]}"
                                         f"{domain.SLOTS[a['slot']]}"}
                         for a in volunteer.availability],
        "introduction": volunteer.introduction,
        "state": volunteer.state,
        "state_name": domain.VOLUNTEER_STATE_NAMES[volunteer.state],
        "total_hours": volunteer.total_hours,
        "services": volunteer.services,
        "star_level": volunteer.star_level,
        "star_name": domain.star_name(volunteer.star_level),
        "commendations": [{"reason": c["reason"], "by": c["by"], "at": _iso(c["at"])}
                          for c in volunteer.commendations],
        "exemplar_proposals": [{"reason": p["reason"], "at": _iso(p["at"])}
                               for p in volunteer.proposals],
        "registered_at": _iso(volunteer.registered_at),
        "approved_at": _iso(volunteer.approved_at),
        "last_served_on": volunteer.last_served_on,
        "updated_at": _iso(volunteer.updated_at),
        "history": _history(volunteer.history, VOLUNTEER_HISTORY_NAMES),
        "allowed_actions": [{"action": a, "name": domain.VOLUNTEER_ACTIONS[a][1]}
                            for a in volunteer.allowed_actions()],
        "version": volunteer.version,
    }


def present_assignment(shift: domain.Shift, a: dict) -> dict:
    return {
        "volunteer_id": a["volunteer_id"], "name": a["name"], "community": a["community"],
        "team": a["team"], "status": a["status"],
        "status_name": domain.ASSIGNMENT_STATUS_NAMES[a["status"]],
        "walk_in": a["walk_in"], "signed_up_at": _iso(a["signed_up_at"]),
        "signed_up_by": a["signed_up_by"], "check_in_at": _iso(a["check_in_at"]),
        "check_out_at": _iso(a["check_out_at"]), "hours": a["hours"],
        "credited_hours": a["credited_hours"], "entry_ids": a["entry_ids"],
        "corrections": _plain(a["corrections"])}


def present_shift(shift: domain.Shift, at) -> dict:
    outcome = shift.outcome
    if outcome:
        names = (domain.FOLLOW_UP_RESULTS if shift.kind == domain.FOLLOW_UP_VISIT
                 else domain.PLACEMENT_RESULTS)
        outcome = {**_plain(outcome), "result_name": names[outcome["result"]]}
    return {
        "id": shift.id,
        "kind": shift.kind,
        "kind_name": domain.SHIFT_KINDS[shift.kind],
        "title": shift.title,
        "community": shift.community,
        "place": shift.place,
        "organiser": shift.organiser,
        "description": shift.description,
        "starts_at": _iso(shift.starts_at),
        "ends_at": _iso(shift.ends_at),
        "scheduled_hours": shift.scheduled_hours(),
        "flexible": shift.flexible,
        "needed": shift.needed,
        "signed_up": len(shift.holding()),
        "places_left": shift.places_left(),
        "open_for_sign_up": shift.open_for_sign_up(at),
        "skills": skill_list(shift.skills),
        "skill_match": shift.skill_match,
        "community_only": shift.community_only,
        "source": _plain(shift.source),
        "state": shift.state,
        "state_name": domain.SHIFT_STATE_NAMES[shift.state],
        "assignments": [present_assignment(shift, a) for a in shift.assignments],
        "outcome": outcome,
        "created_at": _iso(shift.created_at),
        "created_by": shift.created_by,
        "completed_at": _iso(shift.completed_at),
        "cancelled_at": _iso(shift.cancelled_at),
        "cancel_reason": shift.cancel_reason,
        "updated_at": _iso(shift.updated_at),
        "history": _history(shift.history, SHIFT_HISTORY_NAMES),
        "allowed_actions": [{"action": a, "name": domain.SHIFT_ACTIONS[a]}
                            for a in shift.allowed_actions(at)],
        "version": shift.version,
    }


def present_entry(entry: dict) -> dict:
    return {
        "id": entry["id"], "volunteer_id": entry["volunteer_id"],
        "volunteer_name": entry["volunteer_name"], "community": entry["community"],
        "team": entry["team"], "date": entry["date"], "content": entry["content"],
        "hours": entry["hours"], "organiser": entry["organiser"],
        "recorder": entry["recorder"], "recorded_at": _iso(entry["recorded_at"]),
        "source": entry["source"],
        "source_name": ledger.SOURCE_KINDS[entry["source"]["kind"]],
        "skills": skill_list(entry["skills"]), "corrects": entry["corrects"],
        "note": entry["note"]}


def present_correction(correction: domain.Correction) -> dict:
    return {
        "id": correction.id, "volunteer_id": correction.volunteer_id,
        "volunteer_name": correction.volunteer_name, "community": correction.community,
        "organiser": correction.organiser, "target": correction.target,
        "old": _plain(correction.old), "new": _plain(correction.new),
        "reason": correction.reason, "requested_by": correction.requested_by,
        "requested_at": _iso(correction.requested_at), "state": correction.state,
        "state_name": domain.CORRECTION_STATE_NAMES[correction.state],
        "decided_by": correction.decided_by, "decided_at": _iso(correction.decided_at),
        "decision_note": correction.decision_note, "entry_id": correction.entry_id}


def present_certificate(cert: dict) -> dict:
    return {
        "number": cert["number"], "volunteer_id": cert["volunteer_id"],
        "volunteer_name": cert["volunteer_name"],
        "id_number_masked": cert["id_number_masked"], "community": cert["community"],
        "issuer": cert["issuer"], "from_date": cert["from_date"],
        "to_date": cert["to_date"], "total_hours": cert["total_hours"],
        "services": cert["services"], "lines": cert["lines"],
        "issued_by": cert["issued_by"], "issued_at": _iso(cert["issued_at"]),
        "state": cert["state"], "state_name": ledger.CERTIFICATE_STATE_NAMES[cert["state"]],
        "revoked_at": _iso(cert["revoked_at"]), "revoked_by": cert["revoked_by"],
        "revoke_reason": cert["revoke_reason"]}


def verification(cert: dict) -> dict:
    """What anyone holding a certificate number may see: enough to check the paper."""
    return {
        "number": cert["number"], "valid": cert["state"] == ledger.VALID,
        "state": cert["state"], "state_name": ledger.CERTIFICATE_STATE_NAMES[cert["state"]],
        "volunteer_name": cert["volunteer_name"],
        "id_number_masked": cert["id_number_masked"], "issuer": cert["issuer"],
        "from_date": cert["from_date"], "to_date": cert["to_date"],
        "total_hours": cert["total_hours"], "services": cert["services"],
        "issued_at": _iso(cert["issued_at"]), "revoked_at": _iso(cert["revoked_at"])}


def present_hours(volunteer: domain.Volunteer, months: list[dict],
                  rules: domain.RecognitionRules, first, last) -> dict:
    """A volunteer's hours: all-time, in a period and by month, and the next star."""
    upcoming = [(n + 1, t) for n, t in enumerate(rules.star_thresholds)
                if t > volunteer.total_hours]
    next_star = None
    if upcoming:
        level, hours = upcoming[0]
        next_star = {"level": level, "name": domain.star_name(level), "hours": hours,
                     "remaining": round(hours - volunteer.total_hours, 2)}
    return {"volunteer_id": volunteer.id, "name": volunteer.name,
            "total_hours": volunteer.total_hours, "services": volunteer.services,
            "star_level": volunteer.star_level,
            "star_name": domain.star_name(volunteer.star_level), "next_star": next_star,
            "period": {"from_month": first, "to_month": last},
            "hours": round(sum(m["hours"] for m in months), 2),
            "period_services": sum(m["services"] for m in months), "by_month": months}


# --- the shapes of results, for the API's documentation (tests check present_* against them) -


class _AvailabilityView(AvailabilitySchema):
    label = required_text()


class _CommendationView(Schema):
    reason = required_text()
    by = fields.Nested(ActorRefView, required=True)
    at = required_text()


class _ProposalView(Schema):
    reason = required_text()
    at = required_text()


class VolunteerView(Schema):
    id = required_text()
    name = required_text()
    community = required_text()
    team = optional_text()
    team_name = optional_text()
    phone_masked = optional_text()
    id_number_masked = required_text()
    skills = fields.List(fields.Nested(CodedView), required=True)
    availability = fields.List(fields.Nested(_AvailabilityView), required=True)
    introduction = optional_text()
    state = required_text()
    state_name = required_text()
    total_hours = fields.Float(required=True)
    services = fields.Integer(required=True)
    star_level = fields.Integer(required=True)
    star_name = required_text()
    commendations = fields.List(fields.Nested(_CommendationView), required=True)
    exemplar_proposals = fields.List(fields.Nested(_ProposalView), required=True)
    registered_at = required_text()
    approved_at = optional_text()
    last_served_on = optional_text()
    updated_at = optional_text()
    history = fields.List(fields.Nested(HistoryEntryView), required=True)
    allowed_actions = fields.List(fields.Nested(AllowedActionView), required=True)
    version = fields.Integer(required=True)


class SuggestedVolunteerView(VolunteerView):
    usually_available = fields.Boolean(required=True)


class RevealedView(Schema):
    id = required_text()
    name = required_text()
    phone = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)


class TeamView(Schema):
    code = required_text()
    name = required_text()
    community = optional_text()
    leader = optional_text()
    description = optional_text()
    active = fields.Boolean(required=True)


class SkillView(CodedView):
    pass


class _LevelView(Schema):
    level = fields.Integer(required=True)
    name = required_text()
    hours = fields.Float(required=True)


class RecognitionRulesView(Schema):
    star_thresholds = fields.List(fields.Float(), required=True)
    exemplar_from_star = fields.Integer(required=True)
    commendations_for_exemplar = fields.Integer(required=True)
    levels = fields.List(fields.Nested(_LevelView), required=True)


class _AttendanceValues(Schema):
    check_in_at = fields.String(allow_none=True)
    check_out_at = fields.String(allow_none=True)
    hours = fields.Float(required=True)


class _AssignmentCorrection(Schema):
    correction_id = required_text()
    old = fields.Nested(_AttendanceValues, required=True)
    new = fields.Nested(_AttendanceValues, required=True)
    at = required_text()
    by = fields.Nested(ActorRefView, required=True)


class _AssignmentView(Schema):
    volunteer_id = required_text()
    name = required_text()
    community = required_text()
    team = optional_text()
    status = required_text()
    status_name = required_text()
    walk_in = fields.Boolean(required=True)
    signed_up_at = required_text()
    signed_up_by = fields.Nested(ActorRefView, required=True)
    check_in_at = optional_text()
    check_out_at = optional_text()
    hours = fields.Float(allow_none=True, required=True)
    credited_hours = fields.Float(allow_none=True, required=True)
    entry_ids = fields.List(fields.String(), required=True)
    corrections = fields.List(fields.Nested(_AssignmentCorrection), required=True)


class ShiftView(Schema):
    id = required_text()
    kind = required_text()
    kind_name = required_text()
    title = required_text()
    community = required_text()
    place = required_text()
    organiser = required_text()
    description = optional_text()
    starts_at = required_text()
    ends_at = required_text()
    scheduled_hours = fields.Float(required=True)
    flexible = fields.Boolean(required=True)
    needed = fields.Integer(required=True)
    signed_up = fields.Integer(required=True)
    places_left = fields.Integer(required=True)
    open_for_sign_up = fields.Boolean(required=True)
    skills = fields.List(fields.Nested(CodedView), required=True)
    skill_match = required_text()
    community_only = fields.Boolean(required=True)
    source = fields.Dict(allow_none=True, required=True)
    state = required_text()
    state_name = required_text()
    assignments = fields.List(fields.Nested(_AssignmentView), required=True)
    outcome = fields.Dict(allow_none=True, required=True)
    created_at = required_text()
    created_by = fields.Nested(ActorRefView, required=True)
    completed_at = optional_text()
    cancelled_at = optional_text()
    cancel_reason = optional_text()
    updated_at = optional_text()
    history = fields.List(fields.Nested(HistoryEntryView), required=True)
    allowed_actions = fields.List(fields.Nested(AllowedActionView), required=True)
    version = fields.Integer(required=True)


class LedgerEntryView(Schema):
    id = required_text()
    volunteer_id = required_text()
    volunteer_name = required_text()
    community = required_text()
    team = optional_text()
    date = required_text()
    content = required_text()
    hours = fields.Float(required=True)
    organiser = required_text()
    recorder = fields.Nested(ActorRefView, required=True)
    recorded_at = required_text()
    source = fields.Dict(required=True)
    source_name = required_text()
    skills = fields.List(fields.Nested(CodedView), required=True)
    corrects = optional_text()
    note = optional_text()


class CorrectionView(Schema):
    id = required_text()
    volunteer_id = required_text()
    volunteer_name = required_text()
    community = required_text()
    organiser = required_text()
    target = fields.Dict(required=True)
    old = fields.Nested(_AttendanceValues, required=True)
    new = fields.Nested(_AttendanceValues, required=True)
    reason = required_text()
    requested_by = fields.Nested(ActorRefView, required=True)
    requested_at = required_text()
    state = required_text()
    state_name = required_text()
    decided_by = fields.Nested(ActorRefView, allow_none=True, required=True)
    decided_at = optional_text()
    decision_note = optional_text()
    entry_id = optional_text()


class _CertificateLine(Schema):
    entry_id = required_text()
    date = required_text()
    content = required_text()
    hours = fields.Float(required=True)
    organiser = required_text()


class VerificationView(Schema):
    number = required_text()
    valid = fields.Boolean(required=True)
    state = required_text()
    state_name = required_text()
    volunteer_name = required_text()
    id_number_masked = required_text()
    issuer = required_text()
    from_date = required_text()
    to_date = required_text()
    total_hours = fields.Float(required=True)
    services = fields.Integer(required=True)
    issued_at = required_text()
    revoked_at = optional_text()


class CertificateView(Schema):
    number = required_text()
    volunteer_id = required_text()
    volunteer_name = required_text()
    id_number_masked = required_text()
    community = required_text()
    issuer = required_text()
    from_date = required_text()
    to_date = required_text()
    total_hours = fields.Float(required=True)
    services = fields.Integer(required=True)
    lines = fields.List(fields.Nested(_CertificateLine), required=True)
    issued_by = fields.Nested(ActorRefView, required=True)
    issued_at = required_text()
    state = required_text()
    state_name = required_text()
    revoked_at = optional_text()
    revoked_by = fields.Nested(ActorRefView, allow_none=True, required=True)
    revoke_reason = optional_text()


class RenderedCertificateView(Schema):
    number = required_text()
    content_type = required_text()
    filename = required_text()
    html = required_text()


class _MonthHours(Schema):
    month = required_text()
    hours = fields.Float(required=True)
    services = fields.Integer(required=True)


class _NextStar(Schema):
    level = fields.Integer(required=True)
    name = required_text()
    hours = fields.Float(required=True)
    remaining = fields.Float(required=True)


class _Period(Schema):
    from_month = optional_text()
    to_month = optional_text()


class VolunteerHoursView(Schema):
    volunteer_id = required_text()
    name = required_text()
    total_hours = fields.Float(required=True)
    services = fields.Integer(required=True)
    star_level = fields.Integer(required=True)
    star_name = required_text()
    next_star = maybe(_NextStar)
    period = fields.Nested(_Period, required=True)
    hours = fields.Float(required=True)
    period_services = fields.Integer(required=True)
    by_month = fields.List(fields.Nested(_MonthHours), required=True)


class _VolunteerCounts(Schema):
    registered = fields.Integer()
    active = fields.Integer(required=True)
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_star = fields.Dict(keys=fields.String(), values=fields.Integer())


class _Figures(Schema):
    volunteers = maybe(_VolunteerCounts)
    new_registrations = fields.Integer(allow_none=True, required=True)
    hours = fields.Float(allow_none=True, required=True)
    services = fields.Integer(allow_none=True, required=True)
    serving_volunteers = fields.Integer(allow_none=True, required=True)


class _Group(_Figures):
    month = fields.String()
    community = fields.String()
    team = fields.String()
    skill = fields.String()
    skill_name = fields.String()


class StatisticsView(Schema):
    period = fields.Nested(_Period, required=True)
    totals = fields.Nested(_Figures, required=True)
    groups = fields.List(fields.Nested(_Group))
