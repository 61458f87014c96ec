"""What the job service's handlers share: one step on one aggregate, and the rules for
personal data (kept protected, revealed to whom)."""
from __future__ import annotations

from typing import Callable

from services.job import exceptions
from shared.personal_data import mask_id_number, mask_phone
from shared.schemas import ActorSchema, load

SYSTEM = {"id": "job", "name": "系统", "role": "system", "community": None}
REVEAL_ROLES = ("street_admin", "community_staff", "system")  # system: notify, audited


def change(uow, repository, ident: str, actor: dict, step: Callable, view) -> dict:
    """Load one aggregate, apply one domain step `step(aggregate, actor, at)`, store it with
    its events and figures, and answer with its view."""
    actor = load(ActorSchema(), actor)
    aggregate = repository.get(ident)
    step(aggregate, actor, uow.now)
    repository.save(aggregate)
    return view(now=uow.now).dump(aggregate)


def protected_contact(cipher, contact: dict) -> dict:
    return {"name": contact["name"], "phone": cipher.protect(contact["phone"], mask_phone)}


def protected(cipher, details: dict) -> dict:
    """A person's phone and ID number are kept only sealed, masked and fingerprinted."""
    if details.get("phone"):
        details["phone"] = cipher.protect(details["phone"], mask_phone)
    if "id_number" in details:
        details["id_number"] = cipher.protect(details["id_number"], mask_id_number)
    return details


def check_may_reveal(actor: dict, community: str) -> None:
    """Personal data in clear: for the office, and for the staff of the record's community."""
    if actor["role"] not in REVEAL_ROLES or (
            actor["role"] == "community_staff" and actor.get("community") != community):
        raise exceptions.reveal_forbidden()


def opened(cipher, protected_value: dict | None) -> str | None:
    return cipher.open(protected_value["sealed"]) if protected_value else None
