"""Visits other services ask for: the 回访 of a completed work order (its answer goes back to
repair) and the 就业回访 of a placed job seeker (its answer goes to job), each a shift for one
volunteer of the community; and visits no longer needed, cancelled."""
from __future__ import annotations

from services.volunteer import exceptions, schemas, sources
from services.volunteer.handlers.shifts import change
from services.volunteer.shifts import FOLLOW_UP_VISIT, PLACEMENT_FOLLOW_UP, SHIFT_KINDS, Shift
from shared.schemas import load
from shared.unit_of_work import command


@command
def record_follow_up_visit(uow, shift_id, actor, command):
    """回访 of a completed work order: the answer goes back to repair as an event."""
    command = load(schemas.RecordVisit(), command)
    return _record_visit(uow, shift_id, actor, command, FOLLOW_UP_VISIT)


@command
def record_placement_visit(uow, shift_id, actor, command):
    """就业回访 of a placed job seeker: the answer goes to the job service as an event."""
    command = load(schemas.RecordPlacementVisit(), command)
    return _record_visit(uow, shift_id, actor, command, PLACEMENT_FOLLOW_UP)


def _record_visit(uow, shift_id, actor, command, kind):
    def step(shift, who, at):
        if shift.kind != kind:
            raise exceptions.not_allowed_now(f"岗位“{shift.title}”不是{SHIFT_KINDS[kind]}岗位")
        shift.record_visit(command["volunteer_id"], who, at, command["result"],
                           command["note"])
    return change(uow, shift_id, actor, step)


@command
def open_follow_up_visit(uow, event) -> None:
    """A completed work order asks for a 回访 by one volunteer of its community; an open
    visit of an earlier completion of the same order gives way to it."""
    data = event.data
    actor = {"id": "repair", "name": data["actor_name"], "role": "system"}
    details = sources.follow_up_visit_shift(data)
    if uow.shifts.by_source(details["source_key"]):
        return
    for stale in uow.shifts.open_visits_for_work_order(data["number"]):
        stale.cancel(actor, uow.now, "工单再次办结,改为新的回访")
        uow.shifts.save(stale)
    uow.shifts.add(Shift.open(uow.shifts.next_id(uow.now), details, actor, uow.now))


@command
def close_visits_followed_up_by_staff(uow, event) -> None:
    """Staff recorded the follow-up themselves: an open visit is no longer needed."""
    _cancel_visits(uow, event.data, "工作人员已完成回访,无需志愿者回访")


@command
def close_visits_of_reopened_order(uow, event) -> None:
    _cancel_visits(uow, event.data, "工单已重办,待再次办结后回访")


def _cancel_visits(uow, data: dict, reason: str) -> None:
    actor = {"id": "repair", "name": data["actor_name"], "role": "system"}
    for shift in uow.shifts.open_visits_for_work_order(data["number"]):
        shift.cancel(actor, uow.now, reason)
        uow.shifts.save(shift)


@command
def open_placement_visit(uow, event) -> None:
    """A placement follow-up (1, 3 or 6 months) becomes a visit for one volunteer of the
    community."""
    data = event.data
    details = sources.placement_visit_shift(data)
    if uow.shifts.by_source(details["source_key"]) is None:
        actor = {"id": "job", "name": "就业服务站", "role": "system"}
        uow.shifts.add(Shift.open(uow.shifts.next_id(uow.now), details, actor, uow.now))
