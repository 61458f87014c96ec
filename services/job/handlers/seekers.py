"""Job seekers (求职者): registered with their consent, changed, paused and resumed, read, and
their phone and ID number revealed."""
from __future__ import annotations

from services.job import schemas
from services.job.domain import JobSeeker
from services.job.handlers.common import change, check_may_reveal, opened, protected
from services.job.views import JobSeekerView
from shared import backdating
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@command
def register(uow, actor: dict, seeker: dict) -> dict:
    actor = load(ActorSchema(), actor)
    details = protected(uow.cipher, load(schemas.RegisterSeeker(), seeker))
    at = backdating.moment(actor, details.pop("recorded_at"), uow.now)
    registered = JobSeeker.register(uow.seekers.next_id(at), details, actor, at)
    uow.seekers.add(registered)
    return JobSeekerView(now=uow.now).dump(registered)


@command
def update(uow, seeker_id: str, actor: dict, changes: dict) -> dict:
    changes = protected(uow.cipher, schemas.load_changes(schemas.UpdateSeeker(), changes))
    return change(uow, uow.seekers, seeker_id, actor,
                  lambda seeker, who, at: seeker.update(changes, who, at), JobSeekerView)


@command
def pause(uow, seeker_id: str, actor: dict, command: dict) -> dict:
    note = load(schemas.Note(), command)["note"]
    return change(uow, uow.seekers, seeker_id, actor,
                  lambda seeker, who, at: seeker.pause(who, at, note), JobSeekerView)


@command
def resume(uow, seeker_id: str, actor: dict, command: dict) -> dict:
    note = load(schemas.Note(), command)["note"]
    return change(uow, uow.seekers, seeker_id, actor,
                  lambda seeker, who, at: seeker.resume(who, at, note), JobSeekerView)


@query
def get(uow, seeker_id: str) -> dict:
    return JobSeekerView(now=uow.now).dump(uow.seekers.get(seeker_id))


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListSeekers(), query)
    phone = query.pop("phone", None)
    page = uow.seekers.page(query, uow.cipher.fingerprint(phone) if phone else None)
    return {**page, "items": JobSeekerView(many=True, now=uow.now).dump(page["items"])}


@command(remember=False)  # the answer holds personal data in clear: never kept
def reveal_contact(uow, seeker_id: str, actor: dict, command: dict) -> dict:
    """The phone and ID number in clear; the reveal is audited before it is returned."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.Reveal(), command)
    seeker = uow.seekers.get(seeker_id)
    check_may_reveal(actor, seeker.community)
    uow.seekers.record_reveal(actor, seeker_id, ["phone", "id_number"], command["purpose"])
    return {"name": seeker.name, "phone": opened(uow.cipher, seeker.phone),
            "id_number": opened(uow.cipher, seeker.id_number)}
