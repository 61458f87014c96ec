"""Job postings (用工信息): published, changed, withdrawn, filled, renewed and expired; read, in
schema.org form, and on the community screen."""
from __future__ import annotations

from services.job import exceptions, schemas, screen
from services.job.domain import JobPosting
from services.job.handlers.common import SYSTEM, change, opened
from services.job.schema_org import SchemaOrgJobPostingView
from services.job.views import JobPostingView
from shared import backdating
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@command
def publish(uow, actor: dict, posting: dict) -> dict:
    actor = load(ActorSchema(), actor)
    details = load(schemas.PublishPosting(), posting)
    at = backdating.moment(actor, details.pop("recorded_at"), uow.now)
    employer = uow.employers.get(details.pop("employer_id"))
    if details.get("visit_id"):
        visit = uow.visits.get(details["visit_id"])
        if visit.employer_id != employer.employer_id:
            raise exceptions.invalid("visit_id", "该走访记录不属于此用工单位。")
    published = JobPosting.publish(uow.postings.next_id(at), employer, details, actor, at)
    uow.postings.add(published)
    return JobPostingView(now=uow.now).dump(published)


@command
def update(uow, posting_id: str, actor: dict, changes: dict) -> dict:
    changes = schemas.load_changes(schemas.UpdatePosting(), changes)

    def step(posting, who, at):
        flexible = changes.get("hours_flexible", posting.hours_flexible)
        schedule = changes.get("work_schedule", posting.work_schedule)
        hours = changes.get("work_hours", posting.work_hours)
        if not (flexible or schedule or hours):
            raise exceptions.invalid("work_schedule", "请填写工作时间,或注明时间灵活。")
        posting.update(changes, who, at)
    return change(uow, uow.postings, posting_id, actor, step, JobPostingView)


@command
def withdraw(uow, posting_id: str, actor: dict, command: dict) -> dict:
    reason = load(schemas.Withdraw(), command)["reason"]
    return change(uow, uow.postings, posting_id, actor,
                  lambda posting, who, at: posting.withdraw(who, at, reason), JobPostingView)


@command
def mark_filled(uow, posting_id: str, actor: dict, command: dict) -> dict:
    note = load(schemas.Note(), command)["note"]
    return change(uow, uow.postings, posting_id, actor,
                  lambda posting, who, at: posting.mark_filled(who, at, note), JobPostingView)


@command
def renew(uow, posting_id: str, actor: dict, command: dict) -> dict:
    command = load(schemas.Renew(), command)
    return change(uow, uow.postings, posting_id, actor, lambda posting, who, at: posting.renew(
        who, at, command["valid_through"], command["openings"]), JobPostingView)


@query
def past_deadline(uow, limit: int = 200) -> list[str]:
    return uow.postings.past_deadline(uow.now, limit)


@command
def expire(uow, posting_id: str) -> bool:
    """The timer's step for one posting, re-read here: only a posting still open and past its
    deadline expires (another process, or a renewal in between, makes this a no-op)."""
    posting = uow.postings.get(posting_id)
    if not posting.expire(SYSTEM, uow.now):
        return False
    uow.postings.save(posting)
    return True


@query
def get(uow, posting_id: str) -> dict:
    return JobPostingView(now=uow.now).dump(uow.postings.get(posting_id))


@query
def page(uow, query: dict) -> dict:
    """A page of the list by cursor: {items, next_cursor, has_more, page_size, total}."""
    query = load(schemas.ListPostings(), query)
    page = uow.postings.page(query)
    return {**page, "items": JobPostingView(many=True, now=uow.now).dump(page["items"])}


@query
def schema_org(uow, posting_id: str) -> dict:
    return SchemaOrgJobPostingView(now=uow.now).dump(uow.postings.get(posting_id))


@query
def screen_feed(uow, query: dict) -> dict:
    """What a community's electronic screen shows now, as JSON."""
    query = load(schemas.Screen(), query)
    feed = screen.feed(query["community"], uow.postings.open(query["community"]), uow.now,
                       query["rotate_seconds"], query["limit"])
    feed = screen.with_contacts(feed, _business_contacts(uow, feed["items"]))
    return screen.ScreenFeedView(now=uow.now).dump(feed)


def _business_contacts(uow, shown: list[JobPosting]) -> dict[str, str]:
    """The contact (name and phone in clear) of each employer of the postings shown that
    name no public contact of their own: at most one read per posting on the screen."""
    contacts = {}
    for employer_id in {p.employer_id for p in shown if not p.public_contact}:
        contact = uow.employers.get(employer_id).contact or {}
        text = " ".join(filter(None, (contact.get("name"), opened(uow.cipher, contact.get("phone")))))
        if text:
            contacts[employer_id] = text
    return contacts


@query
def screen_page(uow, query: dict) -> str:
    """The same as a self-contained full-screen HTML page that scrolls by itself."""
    return screen.render_page(screen_feed(uow, query))
