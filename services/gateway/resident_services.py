"""What a resident does on the resident site (居民端, /m/api/) besides work orders: activities
near them (register, cancel, the check-in code for the door), volunteering (apply; their hours
and certificates) and jobs (their job-seeking profile, postings matched to it, applying).

Always as themselves: the phone is the one their one-time code proved — read from their
account, never from the request — and the services are asked about that phone only. What a
resident sees of anyone else (an organiser, an employer's contact, another registrant) is
left out or masked; the route table (routes/resident.py) limits each route to them.
"""
from __future__ import annotations

from marshmallow import fields, validate

from services.gateway.residents import resident_phone
from services.job import schemas as job_schemas
from services.volunteer import schemas as volunteer_schemas
from shared import clock
from shared.errors import ValidationFailed
from shared.schemas import NAME, Schema, fields_of, load

# Filled by the gateway with the signed-in resident's fingerprint; another is refused.
RESIDENT = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


class Mine(Schema):
    """A resident's own records: nothing to give but (at most) themselves."""
    resident = RESIDENT


class NearActivities(Schema):
    community = fields.String(load_default=None, validate=NAME)
    cursor = fields.String(load_default=None, validate=validate.Length(max=400))


class Register(Schema):
    """报名 as themselves: the name shown on the list (their account's by default)."""
    name = fields.String(load_default=None, allow_none=True, validate=NAME)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    resident = RESIDENT


class CancelRegistration(Schema):
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=2000))


class VolunteerApplication(fields_of(
        volunteer_schemas.RegisterVolunteer, "name", "community", "id_number", "skills",
        "availability", "introduction")):
    """申请成为志愿者: the volunteer registry's own fields but the phone (theirs)."""
    resident = RESIDENT


class SeekerProfile(fields_of(
        job_schemas.SeekerFields, "name", "community", "address", "home_location", "skills",
        "available_hours", "hours_preset", "max_distance_km", "expected_monthly_pay",
        "employment_types")):
    """求职登记 on the resident site: what matching weighs (hours, distance from home, pay,
    kinds of work, skills), with their consent; the phone is theirs."""
    consent = fields.Boolean(required=True)
    resident = RESIDENT


class JobApplication(fields_of(job_schemas.Apply, "posting_id", "note")):
    resident = RESIDENT


# --- activities ---------------------------------------------------------------------------

def near_activities(api, principal, params, data, request):
    """Published activities still open for registration, soonest first (one community's
    where the resident names theirs)."""
    query = load(NearActivities(), data)
    page = api.worker.activity.list_activities(
        state=["published"], registration_open=True, community=query["community"],
        starts_from=clock.iso(clock.now()), sort="starts_at", page_size=20,
        cursor=query["cursor"])
    return {**page, "items": [public_activity(a) for a in page["items"]]}


def register(api, principal, params, data, request):
    data = load(Register(), data)
    account = api.auth.account(principal.account_id)
    answer = api.worker.activity.register(
        activity_id=params["activity_id"], actor=principal.actor,
        name=data["name"] or account["name"], phone=resident_phone(api, account),
        note=data["note"])
    return own_registration(answer)


def my_registrations(api, principal, params, data, request):
    page = api.worker.activity.list_registrations(
        phone=resident_phone(api, api.auth.account(principal.account_id)), page_size=50)
    return {"items": [own_registration(r) for r in page["items"]]}


def cancel_registration(api, principal, params, data, request):
    return own_registration(api.worker.activity.cancel_registration(
        registration_id=params["registration_id"], actor=principal.actor,
        **load(CancelRegistration(), data)))


def public_activity(activity: dict) -> dict:
    """What anyone may know of an activity: no one's name or number but the organiser's."""
    figures = activity["registration"]
    return {key: activity[key] for key in (
        "activity_id", "title", "theme_name", "festival_name", "description", "organiser",
        "community", "place", "starts_at", "ends_at", "capacity", "state", "state_name")} | {
        "registered": figures.get("registered"), "waitlisted": figures.get("waitlisted"),
        "places_left": (None if activity["capacity"] is None else
                        max(activity["capacity"] - (figures.get("registered") or 0), 0))}


def own_registration(registration: dict) -> dict:
    """Their own registration: with the code they show at the door."""
    return {key: registration[key] for key in (
        "registration_id", "activity", "name", "phone_masked", "status", "status_name",
        "waitlist_position", "code", "registered_at", "cancelled_at", "checked_in_at")} | {
        "can_cancel": registration["status"] in ("registered", "waitlisted")
        and registration["checked_in_at"] is None}


# --- volunteering -------------------------------------------------------------------------

def _their_volunteer(api, phone: str) -> dict | None:
    found = api.worker.volunteer.list_volunteers(phone=phone, page_size=5)["items"]
    return next((v for v in found if v["state"] not in ("withdrawn", "rejected")),
                found[0] if found else None)


def my_volunteering(api, principal, params, data, request):
    """Their volunteer record (none before they apply), hours and certificates."""
    volunteer = _their_volunteer(api, resident_phone(api, api.auth.account(
        principal.account_id)))
    if volunteer is None:
        return {"volunteer": None, "hours": None, "certificates": []}
    hours = api.worker.volunteer.volunteer_hours(volunteer_id=volunteer["id"])
    certificates = api.worker.volunteer.list_certificates(volunteer_id=volunteer["id"],
                                                           page_size=50)["items"]
    return {"volunteer": own_volunteer(volunteer), "hours": hours,
            "certificates": [own_certificate(c) for c in certificates]}


def apply_to_volunteer(api, principal, params, data, request):
    data = load(VolunteerApplication(), data)
    data.pop("resident")
    phone = resident_phone(api, api.auth.account(principal.account_id))
    return own_volunteer(api.worker.volunteer.register_volunteer(
        actor=principal.actor, phone=phone, **data))


def own_volunteer(volunteer: dict) -> dict:
    return {key: volunteer[key] for key in (
        "id", "name", "community", "team_name", "phone_masked", "id_number_masked", "skills",
        "state", "state_name", "total_hours", "services", "star_level", "star_name",
        "registered_at", "approved_at")}


def own_certificate(certificate: dict) -> dict:
    keep = ("number", "issuer", "from_date", "to_date", "total_hours", "services", "state",
            "state_name", "issued_at")
    return {key: certificate[key] for key in keep} | {
        # the public page that prints it and anyone may check it with (public.py)
        "url": f"/public/certificates/{certificate['number']}"}


# --- jobs ---------------------------------------------------------------------------------

def _their_seeker(api, phone: str) -> dict | None:
    found = api.worker.job.list_seekers(phone=phone, page_size=1)["items"]
    return found[0] if found else None


def my_seeker(api, principal, params, data, request):
    seeker = _their_seeker(api, resident_phone(api, api.auth.account(principal.account_id)))
    return {"seeker": own_seeker(seeker) if seeker else None}


def save_seeker(api, principal, params, data, request):
    """求职登记, or a change of it: what the matching weighs."""
    data = load(SeekerProfile(), data)
    data.pop("resident")
    if data.pop("consent") is not True:
        raise ValidationFailed("须经本人同意,方可登记和使用其个人信息。",
                               fields={"consent": ["须经本人同意,方可登记和使用其个人信息。"]})
    phone = resident_phone(api, api.auth.account(principal.account_id))
    seeker = _their_seeker(api, phone)
    if seeker is None:
        saved = api.worker.job.register_seeker(actor=principal.actor, phone=phone,
                                               consent=True, **data)
    else:
        saved = api.worker.job.update_seeker(seeker_id=seeker["seeker_id"],
                                             actor=principal.actor, **data)
    return {"seeker": own_seeker(saved)}


def job_matches(api, principal, params, data, request):
    """Open postings matched to their profile, best first, each with the reasons (hours,
    distance from home, skills, pay); none before they register."""
    seeker = _their_seeker(api, resident_phone(api, api.auth.account(principal.account_id)))
    if seeker is None:
        return {"seeker": None, "items": []}
    found = api.worker.job.match_postings_for_seeker(seeker_id=seeker["seeker_id"], limit=30)
    return {"seeker": own_seeker(seeker), "items": found}


def apply_for_job(api, principal, params, data, request):
    data = load(JobApplication(), data)
    seeker = _their_seeker(api, resident_phone(api, api.auth.account(principal.account_id)))
    if seeker is None:
        raise ValidationFailed("请先填写求职登记。",
                               fields={"posting_id": ["请先填写求职登记,再申请岗位。"]})
    return own_application(api.worker.job.apply_for_job(
        actor=principal.actor, posting_id=data["posting_id"], seeker_id=seeker["seeker_id"],
        channel="self", note=data["note"]))


def my_applications(api, principal, params, data, request):
    seeker = _their_seeker(api, resident_phone(api, api.auth.account(principal.account_id)))
    if seeker is None:
        return {"items": []}
    page = api.worker.job.list_applications(seeker_id=seeker["seeker_id"], page_size=50)
    return {"items": [own_application(a) for a in page["items"]]}


def own_seeker(seeker: dict) -> dict:
    keep = ("seeker_id", "name", "community", "phone_masked", "address", "home_location",
            "skills", "available_hours", "available_hours_text", "max_distance_km",
            "expected_monthly_pay", "employment_types", "state", "state_name")
    return {key: seeker[key] for key in keep}


def own_application(application: dict) -> dict:
    keep = ("application_id", "posting_id", "title", "employer_name", "community", "state",
            "state_name", "applied_at", "channel_name")
    return {key: application[key] for key in keep} | {
        "interviews": [{key: i[key] for key in ("scheduled_at", "place", "result_name")}
                       for i in application["interviews"]]}


HANDLERS = {
    "resident.activities": near_activities, "resident.register": register,
    "resident.registrations": my_registrations,
    "resident.cancel_registration": cancel_registration,
    "resident.volunteering": my_volunteering, "resident.volunteer_apply": apply_to_volunteer,
    "resident.seeker": my_seeker, "resident.save_seeker": save_seeker,
    "resident.job_matches": job_matches, "resident.job_apply": apply_for_job,
    "resident.job_applications": my_applications,
}
