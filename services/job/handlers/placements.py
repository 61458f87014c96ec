"""Placements (就业安置) after a hire: the 1, 3 and 6-month follow-ups — announced when due,
answered by staff or by a volunteer's visit — and leaving the job."""
from __future__ import annotations

import logging

from services.job import domain, exceptions, schemas
from services.job.handlers.common import change
from services.job.views import PlacementView
from shared import clock
from shared.errors import NotFound
from shared.schemas import load
from shared.unit_of_work import command, query

log = logging.getLogger(__name__)


def _then_seeking_again(uow, placement, actor: dict, at) -> None:
    """A placement that has ended leaves its person looking for work again (unless they
    paused meanwhile)."""
    if placement.state == domain.ENDED:
        seeker = uow.seekers.get(placement.seeker_id)
        if seeker.state == domain.PLACED:
            domain.placement_left(placement, seeker, actor, at)
            uow.seekers.save(seeker)


@command
def record_follow_up(uow, placement_id: str, actor: dict, command: dict) -> dict:
    """A 1, 3 or 6-month follow-up: still employed at 6 months is 稳定就业; left ends the
    placement and the person is looking for work again."""
    command = load(schemas.PlacementFollowUp(), command)

    def step(placement, who, at):
        placement.record_follow_up(who, at, command["month"], command["result"],
                                   command["note"])
        _then_seeking_again(uow, placement, who, at)
    return change(uow, uow.placements, placement_id, actor, step, PlacementView)


@command
def end(uow, placement_id: str, actor: dict, command: dict) -> dict:
    """登记离职 between follow-ups."""
    command = load(schemas.EndPlacement(), command)

    def step(placement, who, at):
        left_on = command["left_on"] or clock.local_date(at).isoformat()
        if left_on < placement.started_on:
            raise exceptions.invalid("left_on", "离职日期不能早于上岗日期。")
        placement.end(who, at, left_on, command["reason"])
        _then_seeking_again(uow, placement, who, at)
    return change(uow, uow.placements, placement_id, actor, step, PlacementView)


@query
def with_follow_ups_to_announce(uow, limit: int = 200) -> list[str]:
    return uow.placements.with_follow_ups_to_announce(clock.local_date(uow.now), limit)


@command
def announce_due(uow, placement_id: str) -> list[str]:
    """Emits placement_follow_up_due once for each follow-up of the placement that has fallen
    due (the volunteer service opens a visit shift for it)."""
    placement = uow.placements.get(placement_id)
    due = placement.announce_due(clock.local_date(uow.now), uow.now)
    if due:
        uow.placements.save(placement)
    return [follow_up["follow_up_id"] for follow_up in due]


@command
def apply_volunteer_follow_up(uow, event) -> None:
    """A volunteer's 就业回访 records the follow-up it was opened for. A follow-up that no
    longer awaits a result (staff recorded it first, the placement ended) is left as it is."""
    data = event.data
    visitor = {"id": f"volunteer:{data['visitor_id']}", "name": data["visitor_name"],
               "role": "volunteer"}
    result = domain.VOLUNTEER_FOLLOW_UP_RESULTS[data["result"]]
    try:
        placement = uow.placements.get(data["placement_id"])
    except NotFound:
        log.warning("volunteer follow-up %s for unknown placement %s", data["follow_up_id"],
                    data["placement_id"])
        return
    month = placement.month_of(data["follow_up_id"])
    if month is None or not placement.awaits_follow_up(month, uow.now):
        return
    placement.record_follow_up(visitor, uow.now, month, result, data["note"] or None)
    _then_seeking_again(uow, placement, visitor, uow.now)
    uow.placements.save(placement)


@query
def get(uow, placement_id: str) -> dict:
    return PlacementView(now=uow.now).dump(uow.placements.get(placement_id))


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListPlacements(), query)
    page = uow.placements.page(query, clock.local_date(uow.now))
    return {**page, "items": PlacementView(many=True, now=uow.now).dump(page["items"])}
