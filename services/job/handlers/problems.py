"""What repair tells job about the work orders opened for problems found on visits, and the
notifications that tell employers how their problems ended."""
from __future__ import annotations

import logging

from services.job import domain, schemas
from services.job.views import NotificationView
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query

log = logging.getLogger(__name__)


def _our_ref(uow, event) -> str | None:
    """The problem a work order was opened for, if this service opened it: work orders job
    did not open are not its business."""
    source_ref = event.data.get("source_ref") or {}
    return source_ref.get("ref") if source_ref.get("service") == uow.source else None


@command
def note_work_order_opened(uow, event) -> None:
    """repair opened a work order for a problem found on a visit: keep its number."""
    ref = _our_ref(uow, event)
    if ref is None:
        return
    visit = uow.visits.with_problem(ref)
    if visit is not None and visit.work_order_opened(ref, event.data["number"], uow.now):
        uow.visits.save(visit)


@command
def resolve(uow, event) -> None:
    """The work order for a visit problem is closed: the problem is resolved and the employer
    is told."""
    _close(uow, event, domain.PROBLEM_RESOLVED, event.data["resolution"])


@command
def end_rejected(uow, event) -> None:
    _close(uow, event, "rejected", event.data["reason"])


@command
def end_cancelled(uow, event) -> None:
    _close(uow, event, "cancelled", event.data["reason"])


@command
def end_duplicate(uow, event) -> None:
    reason = event.data["reason"]
    if event.data.get("duplicate_of"):
        reason = f"{reason}(已并入工单 {event.data['duplicate_of']} 办理)"
    _close(uow, event, "duplicate", reason)


def _close(uow, event, outcome: str, reason: str) -> None:
    """The problem, the employer's notification and the inbox mark commit together, so a
    repeated event notifies no one twice."""
    ref = _our_ref(uow, event)
    if ref is None:
        return
    visit = uow.visits.with_problem(ref)
    if visit is None:
        log.warning("work order %s refers to unknown visit problem %s", event.data["number"],
                    ref)
        return
    notification = visit.close_problem(ref, event.data["number"], outcome, reason, uow.now)
    if notification is None:
        return  # already closed: nothing new to tell the employer
    uow.visits.save(visit)
    uow.notifications.add(visit, notification, event.event_id, uow.now)


@query
def notifications(uow, query: dict) -> dict:
    query = load(schemas.ListNotifications(), query)
    page = uow.notifications.page(query)
    return {**page, "items": NotificationView(many=True, now=uow.now).dump(page["items"])}


@command
def mark_read(uow, notification_id: str, actor: dict) -> dict:
    """The employer has been told (by phone, in person, or read it in the console)."""
    actor = load(ActorSchema(), actor)
    return NotificationView(now=uow.now).dump(
        uow.notifications.mark_read(notification_id, actor, uow.now))
