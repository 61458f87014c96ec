"""The office's settings for work orders: categories and their deadlines, departments and
the working calendar; and the communities, which are the register of places'."""
from __future__ import annotations

from services.repair import domain, schemas
from shared import places
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@query
def categories(uow) -> list[dict]:
    days = uow.reference.all_deadline_days()
    return [{"code": c.code, "name": c.name, "description": c.description,
             "deadline_days": days[c.code], "default_department": c.default_department}
            for c in domain.CATEGORIES.values()]


@command
def set_category_deadline(uow, actor: dict, command: dict) -> list[dict]:
    load(ActorSchema(), actor)
    command = load(schemas.CategoryDeadline(), command)
    uow.reference.set_deadline_days(command["category"], command["working_days"])
    return categories(uow)


@query
def departments(uow) -> list[dict]:
    return uow.reference.departments()


@command
def save_department(uow, actor: dict, department: dict) -> dict:
    load(ActorSchema(), actor)
    department = load(schemas.Department(), department)
    uow.reference.save_department(department)
    return uow.reference.department(department["code"]) if department["active"] else department


@query
def communities(uow) -> list[dict]:
    """The street's communities with their centres and alleys: shipped data
    (shared/places.py), changed by deployment, not here."""
    return places.published()["communities"]


@query
def calendar(uow) -> dict:
    working = uow.reference.calendar()
    return {"holidays": sorted(d.isoformat() for d in working.holidays),
            "extra_workdays": sorted(d.isoformat() for d in working.extra_workdays)}


@command
def set_calendar(uow, actor: dict, command: dict) -> dict:
    load(ActorSchema(), actor)
    command = load(schemas.Calendar(), command)
    uow.reference.set_calendar(command["holidays"], command["extra_workdays"])
    return calendar(uow)
