"""Applications (求职报名): a person applies for a posting, is interviewed, and is hired — which
places them and begins a placement — or not."""
from __future__ import annotations

from services.job import domain, schemas
from services.job.domain import Application
from services.job.handlers.common import change
from services.job.views import ApplicationView, PlacementView
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@command
def apply(uow, actor: dict, command: dict) -> dict:
    actor = load(ActorSchema(), actor)
    command = load(schemas.Apply(), command)
    posting = uow.postings.get(command["posting_id"])
    seeker = uow.seekers.get(command["seeker_id"])
    application = Application.submit(uow.applications.next_id(uow.now), posting, seeker,
                                     command["channel"], command["note"], actor, uow.now)
    uow.applications.add(application)
    return ApplicationView(now=uow.now).dump(application)


@command
def schedule_interview(uow, application_id: str, actor: dict, command: dict) -> dict:
    command = load(schemas.ScheduleInterview(), command)
    return change(uow, uow.applications, application_id, actor,
                  lambda application, who, at: application.schedule_interview(
                      who, at, command["scheduled_at"], command["place"], command["note"]),
                  ApplicationView)


@command
def record_interview_result(uow, application_id: str, actor: dict, command: dict) -> dict:
    command = load(schemas.InterviewResult(), command)
    return change(uow, uow.applications, application_id, actor,
                  lambda application, who, at: application.record_interview(
                      who, at, command["result"], command["note"]), ApplicationView)


@command
def hire(uow, application_id: str, actor: dict, command: dict) -> dict:
    """录用: the application is hired, the posting counts one more place filled (and is
    filled when none are left), the person is placed, and a placement with its 1/3/6-month
    follow-ups begins — all in one transaction."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.Hire(), command)
    application = uow.applications.get(application_id)
    posting = uow.postings.get(application.posting_id)
    seeker = uow.seekers.get(application.seeker_id)
    placement = domain.hire(uow.placements.next_id(uow.now), application, posting, seeker,
                            command["started_on"], command["monthly_pay"], command["note"],
                            actor, uow.now)
    uow.applications.save(application)
    uow.postings.save(posting)
    uow.seekers.save(seeker)
    uow.placements.add(placement)
    return PlacementView(now=uow.now).dump(placement)


@command
def decline(uow, application_id: str, actor: dict, command: dict) -> dict:
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, uow.applications, application_id, actor,
                  lambda application, who, at: application.decline(who, at, reason),
                  ApplicationView)


@command
def withdraw(uow, application_id: str, actor: dict, command: dict) -> dict:
    reason = load(schemas.Reason(), command)["reason"]
    return change(uow, uow.applications, application_id, actor,
                  lambda application, who, at: application.withdraw(who, at, reason),
                  ApplicationView)


@query
def get(uow, application_id: str) -> dict:
    return ApplicationView(now=uow.now).dump(uow.applications.get(application_id))


@query
def page(uow, query: dict) -> dict:
    """A page of the list by cursor: {items, next_cursor, has_more, page_size, total}."""
    query = load(schemas.ListApplications(), query)
    page = uow.applications.page(query)
    return {**page, "items": ApplicationView(many=True, now=uow.now).dump(page["items"])}
