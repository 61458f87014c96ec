"""Registration (报名) and the door (签到): a resident registers or waits, cancels (a freed place
goes to the waitlist), and is checked in by code, by phone or as a walk-in; staff list the
registrations and may call a registrant (audited)."""
from __future__ import annotations

import secrets

from services.activity import exceptions, schemas
from services.activity.permissions import authorise, may_cancel_registration
from services.activity.registrations import Registration
from services.activity.views import RegistrationView
from shared.domain import actor_ref
from shared.personal_data import mask_phone
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


def answer(uow, registration: Registration, activity, waitlist_position=None) -> dict:
    return RegistrationView(now=uow.now, activities={activity.activity_id: activity},
                            waitlist={registration.registration_id: waitlist_position}
                            ).dump(registration)


@command
def register(uow, activity_id: str, actor: dict, person: dict) -> dict:
    """A resident registers (or staff register someone): a place while there is one, else
    the waitlist. The same phone cannot register twice for one activity."""
    actor = load(ActorSchema(), actor)
    person = load(schemas.Register(), person)
    phone = uow.cipher.protect(person["phone"], mask_phone)
    activity = uow.activities.get(activity_id)
    authorise(actor, "register", activity.community, "报名")
    registration = Registration(
        registration_id="", activity_id=activity_id, name=person["name"],
        code=new_code(uow, activity_id), registered_at=uow.now,
        registered_by=actor_ref(actor), phone=phone, volunteer_id=person["volunteer_id"],
        note=person["note"])
    if uow.registrations.by_key(registration.dedupe_key):
        raise exceptions.already_registered(phone["masked"])
    activity.register(registration, uow.now)
    registration.registration_id = activity.next_registration_id()
    uow.registrations.add(registration)
    uow.activities.save(activity)
    return answer(uow, registration, activity,
                  uow.registrations.waitlist_position(registration))


@command
def cancel(uow, registration_id: str, actor: dict, command: dict) -> dict:
    """Before the start only; a freed place goes to the first on the waitlist."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.CancelRegistration(), command)
    registration = uow.registrations.get(registration_id)
    activity = uow.activities.get(registration.activity_id)
    may_cancel_registration(actor, registration, activity.community)
    activity.cancel_registration(registration, actor, uow.now, command["reason"])
    uow.registrations.save(registration)
    promote_waitlist(uow, activity)
    uow.activities.save(activity)
    return answer(uow, registration, activity)


@command
def check_in(uow, activity_id: str, actor: dict, command: dict) -> dict:
    """At the door: by registration code, or a walk-in by name (phone optional), or a
    volunteer come to serve (role `volunteer`, with the volunteer id)."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.CheckIn(), command)
    phone = uow.cipher.protect(command["phone"], mask_phone)
    activity = uow.activities.get(activity_id)
    authorise(actor, "check_in", activity.community, "办理签到")
    if command["code"]:
        registration = uow.registrations.by_code(activity_id, command["code"])
        activity.check_in(registration, actor, uow.now)
        uow.registrations.save(registration)
    else:
        registration = Registration(
            registration_id="", activity_id=activity_id, name=command["name"],
            code=new_code(uow, activity_id), registered_at=uow.now,
            registered_by=actor_ref(actor), role=command["role"], phone=phone,
            volunteer_id=command["volunteer_id"])
        known = (uow.registrations.by_key(registration.dedupe_key)
                 if registration.dedupe_key else None)
        if known is not None:  # registered ahead after all: check that one in
            registration = known
            activity.check_in(registration, actor, uow.now)
            uow.registrations.save(registration)
        else:
            activity.walk_in(registration, actor, uow.now)
            registration.registration_id = activity.next_registration_id()
            uow.registrations.add(registration)
    uow.activities.save(activity)
    return answer(uow, registration, activity)


def new_code(uow, activity_id: str) -> str:
    """Six random digits, unique within the activity."""
    while True:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if not uow.registrations.code_taken(activity_id, code):
            return code


def promote_waitlist(uow, activity) -> list[Registration]:
    """Give freed places to the waitlist, oldest first."""
    places = activity.places_to_promote()
    promoted = uow.registrations.waitlisted(activity.activity_id, places) if places else []
    for registration in promoted:
        activity.promote(registration, uow.now)
        uow.registrations.save(registration)
    return promoted


@query
def get(uow, registration_id: str) -> dict:
    registration = uow.registrations.get(registration_id)
    return answer(uow, registration, uow.activities.get(registration.activity_id),
                  uow.registrations.waitlist_position(registration))


@query
def page(uow, query: dict) -> dict:
    """An activity's registrations (staff), or one person's across activities by phone
    (found by the phone's fingerprint; the number itself is never stored in clear)."""
    query = load(schemas.ListRegistrations(), query)
    fingerprint = uow.cipher.fingerprint(query["phone"]) if query["phone"] else None
    page = uow.registrations.page(query, fingerprint)
    activities = uow.activities.by_ids({r.activity_id for r in page["items"]})
    return {**page, "items": RegistrationView(many=True, now=uow.now, activities=activities)
            .dump(page["items"])}


@command(remember=False)  # the answer holds personal data in clear: never kept
def reveal_contact(uow, registration_id: str, actor: dict, command: dict) -> dict:
    """The registrant's phone in clear, to call them; every reveal is audited before
    anything is returned."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.Reveal(), command)
    registration = uow.registrations.get(registration_id)
    activity = uow.activities.get(registration.activity_id)
    authorise(actor, "manage", activity.community, "查看报名人联系方式")
    uow.registrations.record_reveal(actor, registration_id, ["phone"], command["purpose"])
    phone = registration.phone
    return {"name": registration.name,
            "phone": uow.cipher.open(phone["sealed"]) if phone else None}
