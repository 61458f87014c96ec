"""Shifts by hand and attendance on every shift: opening, sign-up and withdrawal, check-in
and check-out, bulk attendance, completion into the hours ledger (also of shifts the organiser
forgot), and finding shifts and the volunteers who could take one."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from services.volunteer import domain, exceptions, schemas
from services.volunteer.handlers.ledger import credit_shift
from services.volunteer.shifts import HOLDING, MANUAL, Shift
from services.volunteer.views import ShiftView, VolunteerView
from shared import clock
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query

SYSTEM = {"id": "volunteer", "name": "系统", "role": "system", "community": None}


def change(uow, shift_id: str, actor: dict, step: Callable) -> dict:
    """Load the shift, apply one domain step, store it with its events, and credit the
    hours the step settled."""
    actor = load(ActorSchema(), actor)
    shift = uow.shifts.get(shift_id)
    steps = len(shift.history)
    step(shift, actor, uow.now)
    if len(shift.history) != steps or shift.events:  # nothing happened, nothing to store
        credit_shift(uow, shift, actor)
        uow.shifts.save(shift)
    return ShiftView(now=uow.now).dump(shift)


def instant(moment: datetime | None) -> datetime | None:
    """UTC, to the millisecond as MongoDB keeps it, so what we hold equals what we stored."""
    if moment is None:
        return None
    moment = clock.as_utc(moment)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@command
def open_shift(uow, actor: dict, shift: dict) -> dict:
    """发布岗位 by hand: time, place, how many, which skills."""
    actor = load(ActorSchema(), actor)
    details = load(schemas.OpenShift(), shift)
    details.update(kind=MANUAL, starts_at=instant(details["starts_at"]),
                   ends_at=instant(details["ends_at"]),
                   organiser=details["organiser"] or details["community"])
    opened = Shift.open(uow.shifts.next_id(uow.now), details, actor, uow.now)
    uow.shifts.add(opened)
    return ShiftView(now=uow.now).dump(opened)


@command
def cancel(uow, shift_id, actor, command):
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, shift_id, actor, lambda s, who, at: s.cancel(who, at, reason))


@command
def sign_up(uow, shift_id, actor, command):
    """报名 by the volunteer, or by staff for them. Skills, places and overlapping shifts
    are checked."""
    volunteer_id = load(schemas.VolunteerRef(), command)["volunteer_id"]

    def step(shift, who, at):
        uow.volunteers.lock_schedule(volunteer_id)
        volunteer = uow.volunteers.get(volunteer_id)
        shift.sign_up(volunteer, who, at, uow.shifts.overlapping(volunteer_id, shift))
    return change(uow, shift_id, actor, step)


@command
def withdraw_sign_up(uow, shift_id, actor, command):
    command = load(schemas.Withdraw(), command)
    return change(uow, shift_id, actor, lambda s, who, at: s.withdraw_sign_up(
        command["volunteer_id"], who, at, command["reason"]))


@command
def check_in(uow, shift_id, actor, command):
    command = load(schemas.Attendance(), command)
    return change(uow, shift_id, actor, lambda s, who, at: s.check_in(
        command["volunteer_id"], who, _when(command["at"], s, who, at)))


@command
def check_out(uow, shift_id, actor, command):
    command = load(schemas.Attendance(), command)
    return change(uow, shift_id, actor, lambda s, who, at: s.check_out(
        command["volunteer_id"], who, _when(command["at"], s, who, at)))


def _when(given: datetime | None, shift: Shift, actor: dict, at: datetime) -> datetime:
    """Volunteers check in and out by the clock; staff may record a paper sheet's times."""
    if given is None:
        return at
    if not domain.may_manage(actor, shift.community):
        raise exceptions.forbidden("只有工作人员可以补录签到签退时间")
    given = instant(given)
    if given > at + timedelta(minutes=1):
        raise exceptions.invalid("at", "不能晚于当前时间。")
    return given


@command
def mark_attended(uow, shift_id, actor, command):
    """确认出勤 in bulk by the organiser; volunteers not signed up are added as walk-ins."""
    command = load(schemas.MarkAttended(), command)

    def step(shift, who, at):
        walk_ins = {}
        for volunteer_id in command["volunteer_ids"]:
            held = shift.assignment(volunteer_id)
            if held is None or held["status"] not in HOLDING:
                uow.volunteers.lock_schedule(volunteer_id)
                volunteer = uow.volunteers.get(volunteer_id)
                walk_ins[volunteer_id] = (volunteer,
                                          uow.shifts.overlapping(volunteer_id, shift))
        shift.mark_attended(command["volunteer_ids"], command["hours"], who, at, walk_ins)
    return change(uow, shift_id, actor, step)


@command
def complete(uow, shift_id, actor, command):
    """完成: everyone who served is credited in the hours ledger, the others are absent."""
    note = load(schemas.Note(), command)["note"]
    return change(uow, shift_id, actor, lambda s, who, at: s.complete(who, at, note))


def _auto_complete_after(uow) -> timedelta:
    return timedelta(hours=float(uow.config.get("VOLUNTEER_AUTO_COMPLETE_HOURS", 72)))


@query
def forgotten(uow, limit: int = 100) -> list[str]:
    """Shifts whose organiser has not completed them some days after they ended."""
    return uow.shifts.due_for_completion(uow.now - _auto_complete_after(uow), limit)


@command
def complete_forgotten(uow, shift_id: str) -> str | None:
    """A forgotten shift completed by the system, so that check-outs reach the ledger; its id,
    or None if it no longer needs it (another process may have got there first)."""
    after = _auto_complete_after(uow)
    completed = []

    def step(shift, who, at):
        if shift.needs_auto_completion(at, after):
            shift.complete(who, at)
            completed.append(shift.id)
    change(uow, shift_id, SYSTEM, step)
    return completed[0] if completed else None


@query
def get(uow, shift_id: str) -> dict:
    return ShiftView(now=uow.now).dump(uow.shifts.get(shift_id))


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListShifts(), query)
    for name in ("starts_from", "starts_to"):
        if query[name]:
            query[name] = instant(query[name])
    page = uow.shifts.page(query, uow.now)
    return {**page, "items": ShiftView(many=True, now=uow.now).dump(page["items"])}


@query
def suggest_volunteers(uow, shift_id: str, query: dict) -> list[dict]:
    """Who could take a shift: active, with the skills, of the community where required,
    free at the time; those usually available then come first."""
    query = load(schemas.Suggest(), query)
    shift = uow.shifts.get(shift_id)
    view = VolunteerView(now=uow.now, team_names=uow.reference.team_names())
    return [{**view.dump(volunteer), "usually_available": preferred}
            for volunteer, preferred in uow.volunteers.candidates(
                shift, uow.shifts.busy_volunteers(shift), query["limit"])]
