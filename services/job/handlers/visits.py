"""一走四送 visits (走访): recorded with their deliveries, problems and follow-up actions (the
problems become work orders and agreed training an activity, through events), and read."""
from __future__ import annotations

from services.job import schemas
from services.job.domain import Visit
from services.job.handlers.common import change
from services.job.views import VisitView
from shared.schemas import ActorSchema, load, require_alley
from shared.unit_of_work import command, query


@command
def record(uow, actor: dict, visit: dict) -> dict:
    actor = load(ActorSchema(), actor)
    details = load(schemas.RecordVisit(), visit)
    employer = uow.employers.get(details["employer_id"])
    for n, problem in enumerate(details.get("problems") or []):
        require_alley(problem.get("alley"), employer.community, "problems", n, "alley")
    recorded = Visit.record(uow.visits.next_id(uow.now), employer, details, actor, uow.now)
    uow.visits.add(recorded)
    uow.employers.save(employer)
    return VisitView(now=uow.now).dump(recorded)


@command
def complete_action(uow, visit_id: str, action_id: str, actor: dict, command: dict) -> dict:
    command = load(schemas.CompleteAction(), command)
    return change(uow, uow.visits, visit_id, actor, lambda visit, who, at: visit.complete_action(
        action_id, who, at, command["note"]), VisitView)


@query
def get(uow, visit_id: str) -> dict:
    return VisitView(now=uow.now).dump(uow.visits.get(visit_id))


@query
def page(uow, query: dict) -> dict:
    """A page of the list by cursor: {items, next_cursor, has_more, page_size, total}."""
    query = load(schemas.ListVisits(), query)
    page = uow.visits.page(query)
    return {**page, "items": VisitView(many=True, now=uow.now).dump(page["items"])}
