"""A work order's way from acceptance to close: one handler per step. Each loads the order,
applies one rule of the domain and saves it with its events and figures."""
from __future__ import annotations

from typing import Callable

from services.repair import domain, schemas
from services.repair.views import WorkOrderView
from shared import clock
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query

SYSTEM = {"id": "repair", "name": "系统", "role": "system", "community": None}


def change(uow, number: str, actor: dict, step: Callable) -> dict:
    """Load the order, apply one domain step, store it with its events and figures."""
    actor = load(ActorSchema(), actor)
    order = uow.work_orders.get(number)
    step(order, actor, uow.now)
    if order.events or order.stat_changes:  # nothing happened, nothing to store
        uow.work_orders.save(order)
    return WorkOrderView(now=uow.now).dump(order)


@command
def accept(uow, number, actor, command):
    note = load(schemas.Note(), command)["note"]
    return change(uow, number, actor, lambda order, who, at: order.accept(
        who, at, uow.reference.deadline(order.category, at), note))


@command
def answer(uow, number, actor, command):
    text = load(schemas.Answer(), command)["answer"]
    return change(uow, number, actor, lambda order, who, at: order.answer(who, at, text))


@command
def dispatch(uow, number, actor, command):
    command = load(schemas.Dispatch(), command)

    def step(order, who, at):
        department = (uow.reference.department(command["department_code"])
                      if command["department_code"] else uow.reference.route(order.category))
        order.dispatch(who, at, department, command["note"])
    return change(uow, number, actor, step)


@command
def return_to_dispatcher(uow, number, actor, command):
    grounds = load(schemas.Return(), command)["grounds"]
    return change(uow, number, actor, lambda order, who, at: order.return_to_dispatcher(
        who, at, grounds))


@command
def sign_for(uow, number, actor, command):
    note = load(schemas.Note(), command)["note"]
    return change(uow, number, actor, lambda order, who, at: order.sign_for(who, at, note))


@command
def request_extension(uow, number, actor, command):
    command = load(schemas.RequestExtension(), command)
    return change(uow, number, actor, lambda order, who, at: order.request_extension(
        who, at, clock.as_utc(command["requested_due_at"]), command["reason"]))


@command
def approve_extension(uow, number, actor, command):
    note = load(schemas.Note(), command)["note"]
    return change(uow, number, actor, lambda order, who, at: order.approve_extension(
        who, at, note))


@command
def reject_extension(uow, number, actor, command):
    note = load(schemas.Note(), command)["note"]
    return change(uow, number, actor, lambda order, who, at: order.reject_extension(
        who, at, note))


@command
def escalate(uow, number, actor, command):
    """督办 by hand; overdue orders are also escalated by the service's timer."""
    note = load(schemas.Note(), command)["note"]
    return change(uow, number, actor, lambda order, who, at: order.escalate(who, at, note))


@query
def overdue(uow, limit: int = 200) -> list[str]:
    return uow.work_orders.overdue(uow.now, limit)


@command
def escalate_overdue(uow, number: str) -> dict:
    def step(order, who, at):
        if order.needs_escalation(at):  # another process may have got there first
            order.escalate(who, at, "超过办理时限,系统自动督办", automatic=True)
    return change(uow, number, SYSTEM, step)


@command
def complete(uow, number, actor, command):
    command = load(schemas.Complete(), command)
    quantities = [domain.quantity(q["kind"], q["amount"]) for q in command["quantities"]]
    return change(uow, number, actor, lambda order, who, at: order.complete(
        who, at, quantities, command["evidence_urls"], command["result_note"],
        uow.photos.attach(command["photos"], who, number, "completion", at)
        if command["photos"] else []))


@command
def rate(uow, number, actor, command):
    """居民评价: the reporter rates the current completion, once (docs/reports.md, 满意率)."""
    command = load(schemas.Rate(), command)
    return change(uow, number, actor, lambda order, who, at: order.rate(
        who, at, command["result"], command["note"]))


@command
def record_follow_up(uow, number, actor, command):
    """回访: satisfied (or unreachable) closes the order; dissatisfied reopens it."""
    command = load(schemas.FollowUp(), command)
    return change(uow, number, actor, lambda order, who, at: order.record_follow_up(
        who, at, command["result"], command["note"],
        uow.reference.deadline(order.category, at)))


@command
def apply_follow_up_visit(uow, event) -> None:
    """A volunteer's 回访 closes the order, or reopens it if the resident is dissatisfied.
    An order no longer awaiting follow-up (staff recorded one first) is left as it is."""
    data = event.data
    visitor = {"id": f"volunteer:{data['visitor_id']}", "name": data["visitor_name"],
               "role": "volunteer"}

    def step(order, who, at):
        if "follow_up" in order.allowed_actions():
            order.record_follow_up(visitor, at, data["result"], data["note"],
                                   uow.reference.deadline(order.category, at))
    change(uow, data["work_order_number"], SYSTEM, step)


@command
def reopen(uow, number, actor, command):
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, number, actor, lambda order, who, at: order.reopen(
        who, at, reason, uow.reference.deadline(order.category, at)))


@command
def mark_duplicate(uow, number, actor, command):
    command = load(schemas.MarkDuplicate(), command)

    def step(order, who, at):
        uow.work_orders.get(command["duplicate_of"])  # must exist
        order.mark_duplicate(who, at, command["duplicate_of"], command["note"])
    return change(uow, number, actor, step)


@command
def reject(uow, number, actor, command):
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, number, actor, lambda order, who, at: order.reject(who, at, reason))


@command
def cancel(uow, number, actor, command):
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, number, actor, lambda order, who, at: order.cancel(who, at, reason))
