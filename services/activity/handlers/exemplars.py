"""先进典型: exemplars nominated by staff or proposed by the volunteer service, reviewed,
published and withdrawn by the street office."""
from __future__ import annotations

from typing import Callable

from services.activity import schemas
from services.activity.exemplars import VOLUNTEER_MODEL, Exemplar
from services.activity.permissions import authorise
from services.activity.views import ExemplarDetailView, ExemplarView
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query

VOLUNTEER_SERVICE = {"id": "volunteer", "name": "志愿服务系统", "role": "system"}


@command
def nominate(uow, actor: dict, details: dict) -> dict:
    actor = load(ActorSchema(), actor)
    details = load(schemas.Nominate(), details)
    authorise(actor, "manage", details["community"], "推荐先进典型")
    exemplar = Exemplar.nominate(uow.exemplars.next_id(uow.now), details, actor, uow.now)
    uow.exemplars.add(exemplar)
    return ExemplarView(now=uow.now).dump(exemplar)


def change(uow, exemplar_id: str, actor: dict, permission: str, label: str,
           step: Callable) -> dict:
    """Load the exemplar, check who may, apply one rule and store it with its events."""
    actor = load(ActorSchema(), actor)
    exemplar = uow.exemplars.get(exemplar_id)
    authorise(actor, permission, exemplar.community, label)
    step(exemplar, actor, uow.now)
    uow.exemplars.save(exemplar)
    return ExemplarView(now=uow.now).dump(exemplar)


@command
def update(uow, exemplar_id: str, actor: dict, changes: dict) -> dict:
    """Revise a nomination; one sent back goes to review again."""
    changes = load(schemas.UpdateExemplar(), changes)
    return change(uow, exemplar_id, actor, "manage", "修改先进典型",
                  lambda e, who, at: e.update(who, at, changes))


@command
def review(uow, exemplar_id: str, actor: dict, command: dict) -> dict:
    command = load(schemas.Review(), command)

    def step(exemplar, who, at):
        if command["decision"] == "approve":
            exemplar.approve(who, at, command["comment"])
        else:
            exemplar.reject(who, at, command["comment"])
    return change(uow, exemplar_id, actor, "review", "审核先进典型", step)


@command
def publish(uow, exemplar_id: str, actor: dict) -> dict:
    return change(uow, exemplar_id, actor, "review", "发布先进典型",
                  lambda e, who, at: e.publish(who, at))


@command
def withdraw(uow, exemplar_id: str, actor: dict, command: dict) -> dict:
    """Withdraw a published exemplar; it leaves the boards of activities still to come."""
    reason = load(schemas.Reason(), command)["reason"]

    def step(exemplar, who, at):
        exemplar.withdraw(who, at, reason)
        uow.activities.unfeature_everywhere(exemplar.exemplar_id, at)
    return change(uow, exemplar_id, actor, "review", "撤回先进典型", step)


@command
def nominate_volunteer(uow, event) -> None:
    """A volunteer proposed as 志愿服务典型 awaits review. A volunteer already nominated
    (or published) in that category gets the proposal added, not a second nomination."""
    data = event.data
    existing = uow.exemplars.open_for(VOLUNTEER_MODEL, data["volunteer_id"])
    if existing is not None:
        existing.add_proposal(data, VOLUNTEER_SERVICE, uow.now)
        uow.exemplars.save(existing)
        return
    uow.exemplars.add(Exemplar.from_volunteer_proposal(
        uow.exemplars.next_id(uow.now), data, VOLUNTEER_SERVICE, uow.now))


@query
def get(uow, exemplar_id: str) -> dict:
    """With the activities it was featured at."""
    exemplar = uow.exemplars.get(exemplar_id)
    return ExemplarDetailView(now=uow.now, featuring=uow.activities.featuring(exemplar_id)
                              ).dump(exemplar)


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListExemplars(), query)
    page = uow.exemplars.page(query)
    return {**page, "items": ExemplarView(many=True, now=uow.now).dump(page["items"])}
