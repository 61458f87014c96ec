"""Employers (用工单位): registered, changed, read, and their contact's phone revealed."""
from __future__ import annotations

from services.job import schemas
from services.job.domain import Employer
from services.job.handlers.common import (change, check_may_reveal, opened,
                                          protected_contact)
from services.job.views import EmployerView
from shared.personal_data import mask_phone
from shared.schemas import ActorSchema, load, require_alley
from shared.unit_of_work import command, query


@command
def register(uow, actor: dict, employer: dict) -> dict:
    actor = load(ActorSchema(), actor)
    details = load(schemas.Employer(), employer)
    details["contact"] = protected_contact(uow.cipher, details["contact"])
    registered = Employer.register(uow.employers.next_id(uow.now), details, actor, uow.now)
    uow.employers.add(registered)
    return EmployerView(now=uow.now).dump(registered)


@command
def update(uow, employer_id: str, actor: dict, changes: dict) -> dict:
    changes = schemas.load_changes(schemas.UpdateEmployer(), changes)
    contact = changes.pop("contact", None)
    phone = uow.cipher.protect(contact["phone"], mask_phone) \
        if contact and contact.get("phone") else None

    def step(employer, who, at):
        if "alley" in changes or "community" in changes:  # one of its community's alleys
            require_alley(changes.get("alley", employer.alley),
                          changes.get("community", employer.community))
        merged = dict(changes)
        if contact:
            merged["contact"] = {"name": contact.get("name", employer.contact.get("name")),
                                 "phone": phone or employer.contact.get("phone")}
        employer.update(merged, who, at)
    return change(uow, uow.employers, employer_id, actor, step, EmployerView)


@query
def get(uow, employer_id: str) -> dict:
    return EmployerView(now=uow.now).dump(uow.employers.get(employer_id))


@query
def page(uow, query: dict) -> dict:
    """A page of the list by cursor: {items, next_cursor, has_more, page_size, total}."""
    query = load(schemas.ListEmployers(), query)
    page = uow.employers.page(query)
    return {**page, "items": EmployerView(many=True, now=uow.now).dump(page["items"])}


@command(remember=False)  # the answer holds personal data in clear: never kept
def reveal_contact(uow, employer_id: str, actor: dict, command: dict) -> dict:
    """The contact person's phone in clear; the reveal is audited before it is returned."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.Reveal(), command)
    employer = uow.employers.get(employer_id)
    check_may_reveal(actor, employer.community)
    uow.employers.record_reveal(actor, employer_id, ["contact.phone"], command["purpose"])
    return {"name": employer.contact.get("name"),
            "phone": opened(uow.cipher, employer.contact.get("phone"))}
