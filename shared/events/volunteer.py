"""Events the volunteer service publishes (志愿服务).

Names, ids and figures only: phone and ID-card numbers never travel in an event.
"""
from marshmallow import fields, validate

from shared.events import EventType
from shared import names
from shared.events.repair import FOLLOW_UP_RESULTS
from shared.schemas import Schema

PLACEMENT_FOLLOW_UP_RESULTS = ("employed", "changed_job", "not_employed", "unreachable")

# Volunteer skills, by code: what a volunteer offers and what a shift (or an activity's
# volunteer slots) asks for. Other services name skills from this list.
SKILLS = names.table("skills")


class FollowUpVisitRecorded(Schema):
    """The resident's answer at a 回访 done by a volunteer, for repair to close or reopen."""
    work_order_number = fields.String(required=True)
    result = fields.String(required=True, validate=validate.OneOf(FOLLOW_UP_RESULTS))
    note = fields.String(load_default="")
    visited_at = fields.String(required=True)
    visitor_id = fields.String(required=True)
    visitor_name = fields.String(required=True)
    shift_id = fields.String(load_default=None, allow_none=True)


class VolunteerExemplarProposed(Schema):
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    reason = fields.String(required=True)
    total_hours = fields.Float(required=True)
    star_level = fields.Integer(required=True)
    commendations = fields.Integer(required=True)
    team = fields.String(load_default=None, allow_none=True)
    # What prompted the proposal: "star_level" or "commendations".
    trigger = fields.String(load_default=None, allow_none=True)


class VolunteerEvent(Schema):
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    team = fields.String(load_default=None, allow_none=True)
    state = fields.String(required=True)
    actor_name = fields.String(required=True)


class VolunteerRegistered(VolunteerEvent):
    skills = fields.List(fields.String(), required=True)


class VolunteerStateChanged(VolunteerEvent):
    reason = fields.String(load_default=None, allow_none=True)


class VolunteerUpdated(VolunteerEvent):
    changed = fields.List(fields.String(), required=True)


class VolunteerCommended(VolunteerEvent):
    reason = fields.String(required=True)
    commendations = fields.Integer(required=True)


class VolunteerStarLevelReached(Schema):
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    team = fields.String(load_default=None, allow_none=True)
    star_level = fields.Integer(required=True)
    star_name = fields.String(required=True)
    total_hours = fields.Float(required=True)


class VolunteerHoursCredited(Schema):
    """One entry of the hours ledger (志愿服务记录); a correction has negative or positive
    `hours` and names the entry it corrects."""
    entry_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    team = fields.String(load_default=None, allow_none=True)
    date = fields.String(required=True)
    content = fields.String(required=True)
    hours = fields.Float(required=True)
    organiser = fields.String(required=True)
    recorder_name = fields.String(required=True)
    source_kind = fields.String(required=True)
    shift_id = fields.String(load_default=None, allow_none=True)
    activity_id = fields.String(load_default=None, allow_none=True)
    corrects = fields.String(load_default=None, allow_none=True)
    total_hours = fields.Float(required=True)


class ShiftEvent(Schema):
    shift_id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    community = fields.String(required=True)
    organiser = fields.String(required=True)
    place = fields.String(required=True)
    starts_at = fields.String(required=True)
    ends_at = fields.String(required=True)
    state = fields.String(required=True)
    actor_name = fields.String(required=True)
    activity_id = fields.String(load_default=None, allow_none=True)
    work_order_number = fields.String(load_default=None, allow_none=True)
    follow_up_id = fields.String(load_default=None, allow_none=True)


class ShiftOpened(ShiftEvent):
    needed = fields.Integer(required=True)
    skills = fields.List(fields.String(), required=True)


class ShiftCancelled(ShiftEvent):
    reason = fields.String(required=True)
    volunteer_ids = fields.List(fields.String(), required=True)


class ShiftCompleted(ShiftEvent):
    attended = fields.Integer(required=True)
    absent = fields.Integer(required=True)
    hours = fields.Float(required=True)
    volunteer_ids = fields.List(fields.String(), required=True)


class SignUpChanged(Schema):
    shift_id = fields.String(required=True)
    title = fields.String(required=True)
    starts_at = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    volunteer_name = fields.String(required=True)
    signed_up = fields.Integer(required=True)
    needed = fields.Integer(required=True)
    actor_name = fields.String(required=True)


class PlacementFollowUpRecorded(Schema):
    """A volunteer's visit to a placed job seeker (就业回访), for the job service."""
    follow_up_id = fields.String(required=True)
    placement_id = fields.String(required=True)
    result = fields.String(required=True,
                           validate=validate.OneOf(PLACEMENT_FOLLOW_UP_RESULTS))
    note = fields.String(load_default="")
    visited_at = fields.String(required=True)
    visitor_id = fields.String(required=True)
    visitor_name = fields.String(required=True)
    shift_id = fields.String(load_default=None, allow_none=True)


class CorrectionEvent(Schema):
    correction_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    organiser = fields.String(required=True)
    state = fields.String(required=True)
    old_hours = fields.Float(required=True)
    new_hours = fields.Float(required=True)
    actor_name = fields.String(required=True)


class CertificateIssued(Schema):
    number = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    name = fields.String(required=True)
    issuer = fields.String(required=True)
    from_date = fields.String(required=True)
    to_date = fields.String(required=True)
    total_hours = fields.Float(required=True)
    actor_name = fields.String(required=True)


class CertificateRevoked(Schema):
    number = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    issuer = fields.String(required=True)
    reason = fields.String(required=True)
    actor_name = fields.String(required=True)


def _event(name, schema, description):
    return EventType("volunteer", name, schema, description)


FOLLOW_UP_VISIT_RECORDED = _event("follow_up_visit_recorded", FollowUpVisitRecorded,
                                  "志愿者回访结果")
VOLUNTEER_EXEMPLAR_PROPOSED = _event("volunteer_exemplar_proposed", VolunteerExemplarProposed,
                                     "推荐志愿服务典型")
VOLUNTEER_REGISTERED = _event("volunteer_registered", VolunteerRegistered, "志愿者已注册,待审核")
VOLUNTEER_APPROVED = _event("volunteer_approved", VolunteerStateChanged, "志愿者注册已通过")
VOLUNTEER_REJECTED = _event("volunteer_rejected", VolunteerStateChanged, "志愿者注册未通过")
VOLUNTEER_SUSPENDED = _event("volunteer_suspended", VolunteerStateChanged, "志愿者已暂停")
VOLUNTEER_REINSTATED = _event("volunteer_reinstated", VolunteerStateChanged, "志愿者已恢复")
VOLUNTEER_WITHDRAWN = _event("volunteer_withdrawn", VolunteerStateChanged, "志愿者已退出")
VOLUNTEER_UPDATED = _event("volunteer_updated", VolunteerUpdated, "志愿者资料已修改")
VOLUNTEER_COMMENDED = _event("volunteer_commended", VolunteerCommended, "志愿者受到表扬")
VOLUNTEER_STAR_LEVEL_REACHED = _event("volunteer_star_level_reached",
                                      VolunteerStarLevelReached, "志愿者达到新的星级")
VOLUNTEER_HOURS_CREDITED = _event("volunteer_hours_credited", VolunteerHoursCredited,
                                  "志愿服务时长已记录")
VOLUNTEER_SHIFT_OPENED = _event("volunteer_shift_opened", ShiftOpened, "志愿服务岗位已发布")
VOLUNTEER_SHIFT_CANCELLED = _event("volunteer_shift_cancelled", ShiftCancelled,
                                   "志愿服务岗位已取消")
VOLUNTEER_SHIFT_COMPLETED = _event("volunteer_shift_completed", ShiftCompleted,
                                   "志愿服务岗位已完成,时长已记录")
VOLUNTEER_SIGNED_UP = _event("volunteer_signed_up", SignUpChanged, "志愿者已报名岗位")
VOLUNTEER_SIGN_UP_WITHDRAWN = _event("volunteer_sign_up_withdrawn", SignUpChanged,
                                     "志愿者已取消报名")
PLACEMENT_FOLLOW_UP_RECORDED = _event("placement_follow_up_recorded", PlacementFollowUpRecorded,
                                      "志愿者就业回访结果")
VOLUNTEER_HOURS_CORRECTION_REQUESTED = _event(
    "volunteer_hours_correction_requested", CorrectionEvent, "志愿者申请更正服务时长")
VOLUNTEER_HOURS_CORRECTION_DECIDED = _event(
    "volunteer_hours_correction_decided", CorrectionEvent, "服务时长更正申请已处理")
VOLUNTEER_CERTIFICATE_ISSUED = _event("volunteer_certificate_issued", CertificateIssued,
                                      "志愿服务证明已出具")
VOLUNTEER_CERTIFICATE_REVOKED = _event("volunteer_certificate_revoked", CertificateRevoked,
                                       "志愿服务证明已作废")
