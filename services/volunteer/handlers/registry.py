"""The volunteer registry: registration (one by one, or a whole spreadsheet at once),
approval, suspension and withdrawal, profile changes, commendations, and personal data shown
in clear only under audit."""
from __future__ import annotations

from typing import Callable

from services.volunteer import domain, exceptions, schemas
from services.volunteer.views import VolunteerView
from shared import backdating
from shared.errors import Conflict, NotFound, ValidationFailed
from shared.personal_data import mask_id_number, mask_phone
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


def present(uow, volunteer: domain.Volunteer) -> dict:
    return VolunteerView(now=uow.now, team_names=uow.reference.team_names()).dump(volunteer)


def protected(uow, registration: dict) -> dict:
    """A loaded registration as it is stored: ID and phone numbers sealed and masked."""
    return {**registration,
            "id_number": uow.cipher.protect(registration["id_number"], mask_id_number),
            "phone": uow.cipher.protect(registration["phone"], mask_phone)}


@command
def register(uow, actor: dict, registration: dict) -> dict:
    """注册: a resident registers (or staff register them); approval follows. One ID number
    registers once, until that registration is rejected."""
    actor = load(ActorSchema(), actor)
    details = protected(uow, load(schemas.RegisterVolunteer(), registration))
    at = backdating.moment(actor, details.pop("recorded_at"), uow.now)
    uow.reference.require_team(details["team"])
    if details["team"]:
        domain.require_team_in_community(uow.reference.find_team(details["team"]),
                                         details["community"])
    existing = uow.volunteers.registered(details["id_number"]["fingerprint"])
    if existing is not None:
        raise exceptions.already_registered(existing.id,
                                            domain.VOLUNTEER_STATE_NAMES[existing.state])
    volunteer = domain.Volunteer.register(uow.volunteers.next_id(at), details, actor, at)
    uow.volunteers.add(volunteer)
    return present(uow, volunteer)


@command
def import_volunteers(uow, actor: dict, command: dict) -> dict:
    """批量导入 the registry an office kept in a spreadsheet: every row is checked (the
    registration rules, the team, the ID number not registered already nor twice in the
    file) before anything is stored, then all rows are registered and approved in one
    transaction — all or nothing. A file with bad rows is refused with the errors by row
    (`fields.rows.<index>`); `dry_run` only checks."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.ImportVolunteers(), command)
    domain.require_staff(actor, "批量导入志愿者")
    loaded, errors = _check_rows(uow, actor, command["rows"])
    if errors:
        raise exceptions.import_rejected(len(errors), len(command["rows"]), errors)
    if command["dry_run"]:
        return {"rows": len(loaded), "valid": len(loaded), "created": 0, "ids": [],
                "dry_run": True}
    ids = []
    for details in loaded:
        volunteer = domain.Volunteer.register(uow.volunteers.next_id(uow.now), details, actor,
                                              uow.now)
        volunteer.approve(actor, uow.now, "批量导入")
        try:
            uow.volunteers.add(volunteer)
        except Conflict:  # someone registered one of them meanwhile: nothing is stored
            raise exceptions.import_rejected(
                1, len(loaded), {"_schema": ["导入期间有人登记了其中的志愿者,请重新导入。"]}) from None
        ids.append(volunteer.id)
    return {"rows": len(loaded), "valid": len(loaded), "created": len(ids), "ids": ids,
            "dry_run": False}


def _check_rows(uow, actor: dict, rows: list) -> tuple[list[dict], dict]:
    """The rows as they would be stored, and the problems of each bad one by its index."""
    errors, loaded, seen = {}, [], {}
    for index, row in enumerate(rows):
        try:
            registration = load(schemas.RegisterVolunteer(), row)
            registration.pop("recorded_at")  # a spreadsheet's rows are registered now
        except ValidationFailed as error:
            errors[str(index)] = error.fields
            continue
        problems = {}
        if not domain.may_manage(actor, registration["community"]):
            problems["community"] = [f"只能导入本社区({actor.get('community')})的志愿者。"]
        try:
            uow.reference.require_team(registration["team"])
            if registration["team"]:
                domain.require_team_in_community(
                    uow.reference.find_team(registration["team"]), registration["community"])
        except (NotFound, ValidationFailed) as error:
            problems["team"] = [error.message]
        details = protected(uow, registration)
        fingerprint = details["id_number"]["fingerprint"]
        existing = uow.volunteers.registered(fingerprint)
        if existing is not None:
            problems["id_number"] = [f"该身份证号已登记为志愿者 {existing.id}。"]
        elif fingerprint in seen:
            problems["id_number"] = [f"与第 {seen[fingerprint] + 1} 条记录的身份证号重复。"]
        seen.setdefault(fingerprint, index)
        if problems:
            errors[str(index)] = problems
        loaded.append(details)
    return loaded, errors


def change(uow, volunteer_id: str, actor: dict, step: Callable) -> dict:
    """Load the volunteer, apply one domain step, store it with its events and figures."""
    actor = load(ActorSchema(), actor)
    volunteer = uow.volunteers.get(volunteer_id)
    step(volunteer, actor, uow.now)
    if volunteer.events:  # nothing happened, nothing to store
        uow.volunteers.save(volunteer)
    return present(uow, volunteer)


@command
def approve(uow, volunteer_id, actor, command):
    note = load(schemas.Note(), command)["note"]
    return change(uow, volunteer_id, actor, lambda v, who, at: v.approve(who, at, note))


@command
def reject(uow, volunteer_id, actor, command):
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, volunteer_id, actor, lambda v, who, at: v.reject(who, at, reason))


@command
def suspend(uow, volunteer_id, actor, command):
    """暂停: the places the volunteer holds on shifts not yet begun are freed."""
    reason = load(schemas.Reason(), command)["reason"]

    def step(volunteer, who, at):
        volunteer.suspend(who, at, reason)
        _release_sign_ups(uow, volunteer, who, at, "志愿者已暂停服务")
    return change(uow, volunteer_id, actor, step)


@command
def reinstate(uow, volunteer_id, actor, command):
    note = load(schemas.Note(), command)["note"]
    return change(uow, volunteer_id, actor, lambda v, who, at: v.reinstate(who, at, note))


@command
def withdraw(uow, volunteer_id, actor, command):
    """退出: as suspension, the places held on shifts not yet begun are freed."""
    reason = load(schemas.OptionalReason(), command)["reason"]

    def step(volunteer, who, at):
        volunteer.withdraw(who, at, reason)
        _release_sign_ups(uow, volunteer, who, at, "志愿者已退出")
    return change(uow, volunteer_id, actor, step)


def _release_sign_ups(uow, volunteer, actor, at, reason) -> None:
    for shift in uow.shifts.upcoming_sign_ups(volunteer.id, at):
        shift.withdraw_sign_up(volunteer.id, actor, at, reason)
        uow.shifts.save(shift)


@command
def update(uow, volunteer_id, actor, changes):
    """Profile changes: only the fields given; the ID number is not changed."""
    changes = load(schemas.UpdateVolunteer(), changes)
    if "phone" in changes:
        changes["phone"] = uow.cipher.protect(changes["phone"], mask_phone)

    def step(volunteer, who, at):
        volunteer.authorize_update(who, changes)  # before anything is looked up
        if changes.get("team"):
            uow.reference.require_team(changes["team"])
        team = None
        if "team" in changes or "community" in changes:
            code = changes.get("team", volunteer.team)
            team = uow.reference.find_team(code) if code else None
        volunteer.update(who, at, changes, team=team)
    return change(uow, volunteer_id, actor, step)


@command
def commend(uow, volunteer_id, actor, command):
    """表扬; enough commendations propose the volunteer as a 志愿服务典型."""
    reason = load(schemas.Commend(), command)["reason"]
    return change(uow, volunteer_id, actor, lambda v, who, at: v.commend(
        who, at, reason, uow.reference.rules()))


@query
def get(uow, volunteer_id: str) -> dict:
    return present(uow, uow.volunteers.get(volunteer_id))


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListVolunteers(), query)
    page = uow.volunteers.page(query)
    view = VolunteerView(many=True, now=uow.now, team_names=uow.reference.team_names())
    return {**page, "items": view.dump(page["items"])}


@command(remember=False)  # the answer holds personal data in clear: never kept
def reveal_personal_data(uow, volunteer_id: str, actor: dict, command: dict) -> dict:
    """The phone and ID number in clear, for the volunteer or staff of their community;
    the audit entry (who, when, whose, which fields, why) is written before anything is
    returned."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.Reveal(), command)
    volunteer = uow.volunteers.get(volunteer_id)
    domain.require_self_or_manager(actor, volunteer.id, volunteer.community,
                                   "查看完整的个人信息")
    wanted = command["fields_"]
    uow.volunteers.record_reveal(actor, volunteer_id, wanted, command["purpose"])
    revealed = {"id": volunteer.id, "name": volunteer.name}
    if "phone" in wanted:
        revealed["phone"] = _opened(uow.cipher, volunteer.phone)
    if "id_number" in wanted:
        revealed["id_number"] = _opened(uow.cipher, volunteer.id_number)
    return revealed


def _opened(cipher, protected_value: dict | None) -> str | None:
    return cipher.open(protected_value["sealed"]) if protected_value else None
