"""What the volunteer service answers, declared once: each view documents a shape (the OpenAPI
document is built from it) and presents it (`ShiftView(now=...).dump(shift)`). Values worked
out rather than stored are the views' `get_<field>` methods."""
from datetime import datetime

from marshmallow import fields

from services.volunteer import domain, ledger, sources
from services.volunteer.corrections import CORRECTION_STATE_NAMES
from services.volunteer.schemas import AvailabilitySchema
from services.volunteer.shifts import (ASSIGNMENT_STATUS_NAMES, FOLLOW_UP_VISIT, SHIFT_ACTIONS,
                                       SHIFT_KINDS, SHIFT_STATE_NAMES)
from shared import clock
from shared.schemas import (ActorRefView, AllowedActionView, CodedView, HistoryEntryView,
                            Instant, derived, history_of, masked, maybe, optional_text,
                            required_text, Schema, View)

VOLUNTEER_HISTORY_NAMES = {"register": "注册", "star_level": "星级变化",
                           **{a: label for a, (_, label) in domain.VOLUNTEER_ACTIONS.items()}}
SHIFT_HISTORY_NAMES = {"open": "发布岗位", "correct": "更正时长", **SHIFT_ACTIONS}


def plain(value):
    """Moments inside stored details, as ISO strings."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return clock.iso(value)
    return value


class Hours(fields.Float):
    """Hours as they were recorded (a whole number stays one), documented as a number."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class PlainDict(fields.Dict):
    """A stored mapping as it is, with the moments inside it in ISO 8601."""

    def _serialize(self, value, attr, obj, **kwargs):
        return plain(value)


def skill_list(codes) -> list[dict]:
    return [{"code": c, "name": domain.SKILLS.get(c, c)} for c in codes]


def _history(entries: list[dict], names: dict) -> list[dict]:
    return [{**entry, "details": plain(entry.get("details") or {})}
            for entry in history_of(entries, names)]


def _skills():
    return derived("get_skills", fields.List, fields.Nested(CodedView))


def _history_field():
    return derived("get_history", fields.List, fields.Nested(HistoryEntryView))


# --- volunteers ---------------------------------------------------------------------------


class _AvailabilityView(AvailabilitySchema):
    label = derived("get_label")

    def get_label(self, slot: dict) -> str:
        return f"{domain.WEEKDAYS[slot['weekday']]}{domain.SLOTS[slot['slot']]}"


class _CommendationView(Schema):
    reason = required_text()
    by = fields.Nested(ActorRefView, required=True)
    at = Instant(required=True)


class _ProposalView(Schema):
    reason = required_text()
    at = Instant(required=True)


class VolunteerView(View):
    """A volunteer as callers see it: phone and ID number masked only. `team_names` maps
    team codes to their names."""

    def __init__(self, *args, team_names: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team_names = team_names or {}

    id = required_text()
    name = required_text()
    community = required_text()
    team = optional_text()
    team_name = derived("get_team_name", allow_none=True)
    phone_masked = masked("phone")
    id_number_masked = required_text(attribute="id_number.masked")
    skills = _skills()
    availability = fields.List(fields.Nested(_AvailabilityView), required=True)
    introduction = optional_text()
    state = required_text()
    state_name = derived("get_state_name")
    total_hours = Hours(required=True)
    services = fields.Integer(required=True)
    star_level = fields.Integer(required=True)
    star_name = derived("get_star_name")
    commendations = fields.List(fields.Nested(_CommendationView), required=True)
    exemplar_proposals = fields.List(fields.Nested(_ProposalView), required=True,
                                     attribute="proposals")
    registered_at = Instant(required=True)
    approved_at = Instant(required=True, allow_none=True)
    last_served_on = optional_text()
    updated_at = Instant(required=True, allow_none=True)
    history = _history_field()
    allowed_actions = derived("get_allowed_actions", fields.List,
                              fields.Nested(AllowedActionView))
    version = fields.Integer(required=True)

    def get_team_name(self, volunteer) -> str | None:
        return self.team_names.get(volunteer.team) if volunteer.team else None

    def get_skills(self, volunteer) -> list[dict]:
        return skill_list(volunteer.skills)

    def get_state_name(self, volunteer) -> str:
        return domain.VOLUNTEER_STATE_NAMES[volunteer.state]

    def get_star_name(self, volunteer) -> str:
        return domain.star_name(volunteer.star_level)

    def get_history(self, volunteer) -> list[dict]:
        return _history(volunteer.history, VOLUNTEER_HISTORY_NAMES)

    def get_allowed_actions(self, volunteer) -> list[dict]:
        return [{"action": a, "name": domain.VOLUNTEER_ACTIONS[a][1]}
                for a in volunteer.allowed_actions()]


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


# --- shifts -------------------------------------------------------------------------------


class _AttendanceValues(Schema):
    check_in_at = Instant(allow_none=True)
    check_out_at = Instant(allow_none=True)
    hours = Hours(required=True)


class _AssignmentCorrection(Schema):
    correction_id = required_text()
    old = fields.Nested(_AttendanceValues, required=True)
    new = fields.Nested(_AttendanceValues, required=True)
    at = Instant(required=True)
    by = fields.Nested(ActorRefView, required=True)


class _AssignmentView(Schema):
    volunteer_id = required_text()
    name = required_text()
    community = required_text()
    team = optional_text()
    status = required_text()
    status_name = derived("get_status_name")
    walk_in = fields.Boolean(required=True)
    signed_up_at = Instant(required=True)
    signed_up_by = fields.Nested(ActorRefView, required=True)
    check_in_at = Instant(required=True, allow_none=True)
    check_out_at = Instant(required=True, allow_none=True)
    hours = Hours(allow_none=True, required=True)
    credited_hours = Hours(allow_none=True, required=True)
    entry_ids = fields.List(fields.String(), required=True)
    corrections = fields.List(fields.Nested(_AssignmentCorrection), required=True)

    def get_status_name(self, assignment: dict) -> str:
        return ASSIGNMENT_STATUS_NAMES[assignment["status"]]


class ShiftView(View):
    id = required_text()
    kind = required_text()
    kind_name = derived("get_kind_name")
    title = required_text()
    community = required_text()
    place = required_text()
    organiser = required_text()
    description = optional_text()
    starts_at = Instant(required=True)
    ends_at = Instant(required=True)
    scheduled_hours = derived("get_scheduled_hours", Hours)
    flexible = fields.Boolean(required=True)
    needed = fields.Integer(required=True)
    signed_up = derived("get_signed_up", fields.Integer)
    places_left = derived("get_places_left", fields.Integer)
    open_for_sign_up = derived("get_open_for_sign_up", fields.Boolean)
    skills = _skills()
    skill_match = required_text()
    community_only = fields.Boolean(required=True)
    source = PlainDict(allow_none=True, required=True)
    state = required_text()
    state_name = derived("get_state_name")
    assignments = fields.List(fields.Nested(_AssignmentView), required=True)
    outcome = derived("get_outcome", fields.Dict, allow_none=True)
    created_at = Instant(required=True)
    created_by = fields.Nested(ActorRefView, required=True)
    completed_at = Instant(required=True, allow_none=True)
    cancelled_at = Instant(required=True, allow_none=True)
    cancel_reason = optional_text()
    updated_at = Instant(required=True, allow_none=True)
    history = _history_field()
    allowed_actions = derived("get_allowed_actions", fields.List,
                              fields.Nested(AllowedActionView))
    version = fields.Integer(required=True)

    def get_kind_name(self, shift) -> str:
        return SHIFT_KINDS[shift.kind]

    def get_scheduled_hours(self, shift) -> float:
        return shift.scheduled_hours()

    def get_signed_up(self, shift) -> int:
        return len(shift.holding())

    def get_places_left(self, shift) -> int:
        return shift.places_left()

    def get_open_for_sign_up(self, shift) -> bool:
        return shift.open_for_sign_up(self.now)

    def get_skills(self, shift) -> list[dict]:
        return skill_list(shift.skills)

    def get_state_name(self, shift) -> str:
        return SHIFT_STATE_NAMES[shift.state]

    def get_outcome(self, shift) -> dict | None:
        if not shift.outcome:
            return shift.outcome
        names = (sources.FOLLOW_UP_RESULTS if shift.kind == FOLLOW_UP_VISIT
                 else sources.PLACEMENT_RESULTS)
        return {**plain(shift.outcome), "result_name": names[shift.outcome["result"]]}

    def get_history(self, shift) -> list[dict]:
        return _history(shift.history, SHIFT_HISTORY_NAMES)

    def get_allowed_actions(self, shift) -> list[dict]:
        return [{"action": a, "name": SHIFT_ACTIONS[a]} for a in shift.allowed_actions(self.now)]


# --- the ledger, corrections and certificates ---------------------------------------------


class LedgerEntryView(View):
    id = required_text()
    volunteer_id = required_text()
    volunteer_name = required_text()
    community = required_text()
    team = optional_text()
    date = required_text()
    content = required_text()
    hours = Hours(required=True)
    organiser = required_text()
    recorder = fields.Nested(ActorRefView, required=True)
    recorded_at = Instant(required=True)
    source = fields.Dict(required=True)
    source_name = derived("get_source_name")
    skills = _skills()
    corrects = optional_text()
    note = optional_text()

    def get_source_name(self, entry: dict) -> str:
        return ledger.SOURCE_KINDS[entry["source"]["kind"]]

    def get_skills(self, entry: dict) -> list[dict]:
        return skill_list(entry["skills"])


class CorrectionView(View):
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
    requested_at = Instant(required=True)
    state = required_text()
    state_name = derived("get_state_name")
    decided_by = fields.Nested(ActorRefView, allow_none=True, required=True)
    decided_at = Instant(required=True, allow_none=True)
    decision_note = optional_text()
    entry_id = optional_text()

    def get_state_name(self, correction) -> str:
        return CORRECTION_STATE_NAMES[correction.state]


class _CertificateLine(Schema):
    entry_id = required_text()
    date = required_text()
    content = required_text()
    hours = Hours(required=True)
    organiser = required_text()


class VerificationView(View):
    """What anyone holding a certificate number may see: enough to check the paper."""
    number = required_text()
    valid = derived("get_valid", fields.Boolean)
    state = required_text()
    state_name = derived("get_state_name")
    volunteer_name = required_text()
    id_number_masked = required_text()
    issuer = required_text()
    from_date = required_text()
    to_date = required_text()
    total_hours = Hours(required=True)
    services = fields.Integer(required=True)
    issued_at = Instant(required=True)
    revoked_at = Instant(required=True, allow_none=True)

    def get_valid(self, cert: dict) -> bool:
        return cert["state"] == ledger.VALID

    def get_state_name(self, cert: dict) -> str:
        return ledger.CERTIFICATE_STATE_NAMES[cert["state"]]


class CertificateView(View):
    number = required_text()
    volunteer_id = required_text()
    volunteer_name = required_text()
    id_number_masked = required_text()
    community = required_text()
    issuer = required_text()
    from_date = required_text()
    to_date = required_text()
    total_hours = Hours(required=True)
    services = fields.Integer(required=True)
    lines = fields.List(fields.Nested(_CertificateLine), required=True)
    issued_by = fields.Nested(ActorRefView, required=True)
    issued_at = Instant(required=True)
    state = required_text()
    state_name = derived("get_state_name")
    revoked_at = Instant(required=True, allow_none=True)
    revoked_by = fields.Nested(ActorRefView, allow_none=True, required=True)
    revoke_reason = optional_text()

    def get_state_name(self, cert: dict) -> str:
        return ledger.CERTIFICATE_STATE_NAMES[cert["state"]]


class RenderedCertificateView(Schema):
    number = required_text()
    content_type = required_text()
    filename = required_text()
    html = required_text()


# --- hours and figures --------------------------------------------------------------------


class _MonthHours(Schema):
    month = required_text()
    hours = Hours(required=True)
    services = fields.Integer(required=True)


class _NextStar(Schema):
    level = fields.Integer(required=True)
    name = required_text()
    hours = Hours(required=True)
    remaining = Hours(required=True)


class _Period(Schema):
    from_month = optional_text()
    to_month = optional_text()


class VolunteerHoursView(View):
    """A volunteer's hours, presented from {"volunteer", "rules", "period", "by_month"}:
    all-time, in the period and by month, and the next star."""
    volunteer_id = required_text(attribute="volunteer.id")
    name = required_text(attribute="volunteer.name")
    total_hours = Hours(required=True, attribute="volunteer.total_hours")
    services = fields.Integer(required=True, attribute="volunteer.services")
    star_level = fields.Integer(required=True, attribute="volunteer.star_level")
    star_name = derived("get_star_name")
    next_star = derived("get_next_star", fields.Nested, _NextStar, allow_none=True)
    period = fields.Nested(_Period, required=True)
    hours = derived("get_hours", Hours)
    period_services = derived("get_period_services", fields.Integer)
    by_month = fields.List(fields.Nested(_MonthHours), required=True)

    def get_star_name(self, hours: dict) -> str:
        return domain.star_name(hours["volunteer"].star_level)

    def get_next_star(self, hours: dict) -> dict | None:
        total = hours["volunteer"].total_hours
        upcoming = [(n + 1, t) for n, t in enumerate(hours["rules"].star_thresholds)
                    if t > total]
        if not upcoming:
            return None
        level, threshold = upcoming[0]
        return {"level": level, "name": domain.star_name(level), "hours": threshold,
                "remaining": round(threshold - total, 2)}

    def get_hours(self, hours: dict) -> float:
        return round(sum(m["hours"] for m in hours["by_month"]), 2)

    def get_period_services(self, hours: dict) -> int:
        return sum(m["services"] for m in hours["by_month"])


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
    """Documents volunteer_statistics (figures.roll_up makes the answer)."""
    period = fields.Nested(_Period, required=True)
    totals = fields.Nested(_Figures, required=True)
    groups = fields.List(fields.Nested(_Group))
