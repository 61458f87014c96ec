"""The job service's repositories in memory (see tests/unit/fakes.py). They keep the promises
handlers rely on: ids by office day, one employer of a name per community, one registration
per ID number, one application in progress per person and posting."""
from __future__ import annotations

import copy
import uuid

from services.job import domain, exceptions
from shared import clock
from shared.statistics import add_counts
from tests.unit.fakes import FakeUnitOfWork, InMemoryAggregates


class _FakeAggregates(InMemoryAggregates):
    aggregate: type = object
    prefix = ""
    missing = None

    def __init__(self, uow):
        super().__init__(uow, self.aggregate.ID, self.missing)
        self.reveals: list = []

    def next_id(self, at) -> str:
        day = clock.local_date(at).strftime("%Y%m%d")
        return f"{self.prefix}{day}{self.uow.next_number(self.prefix + day):04d}"

    def page(self, query: dict, *ignored):
        found = self.where(lambda a: query.get("community") in (None, a.community))
        return _page(found, query)

    def record_reveal(self, actor, ident, fields, purpose):
        self.reveals.append((actor["id"], ident, tuple(fields), purpose))


def _page(found: list, query: dict) -> dict:
    """One page, as the repositories answer (the cursor itself is the database's business)."""
    return {"items": found[:query["page_size"]], "next_cursor": None,
            "has_more": len(found) > query["page_size"], "page_size": query["page_size"],
            "total": len(found)}


class FakeEmployers(_FakeAggregates):
    aggregate, prefix = domain.Employer, "EM"
    missing = staticmethod(exceptions.employer_not_found)

    def _check_unique(self, employer):
        for other in self.where(lambda e: e.employer_id != employer.employer_id
                                and e.community == employer.community
                                and domain.name_key(e.name) == domain.name_key(employer.name)):
            raise exceptions.employer_exists(employer.name, employer.community,
                                             other.employer_id)

    def add(self, employer):
        self._check_unique(employer)
        super().add(employer)

    def save(self, employer):
        self._check_unique(employer)
        super().save(employer)

    def named(self, name, community=None):
        return self.where(lambda e: domain.name_key(e.name) == domain.name_key(name)
                          and community in (None, e.community))


class FakeVisits(_FakeAggregates):
    aggregate, prefix = domain.Visit, "VS"
    missing = staticmethod(exceptions.visit_not_found)

    def with_problem(self, problem_id):
        found = self.where(lambda v: any(p["problem_id"] == problem_id for p in v.problems))
        return found[0] if found else None


class FakePostings(_FakeAggregates):
    aggregate, prefix = domain.JobPosting, "JP"
    missing = staticmethod(exceptions.posting_not_found)

    def open(self, community=None, limit=300):
        return self.where(lambda p: p.state == domain.OPEN
                          and community in (None, p.community))[:limit]

    def past_deadline(self, at, limit):
        return [p.posting_id for p in self.where(
            lambda p: p.state == domain.OPEN and p.valid_through < at)][:limit]


class FakeSeekers(_FakeAggregates):
    aggregate, prefix = domain.JobSeeker, "JS"
    missing = staticmethod(exceptions.seeker_not_found)

    def _check_unique(self, seeker):
        mine = (seeker.id_number or {}).get("fingerprint")
        for other in self.where(lambda s: s.seeker_id != seeker.seeker_id and mine
                                and (s.id_number or {}).get("fingerprint") == mine):
            raise exceptions.seeker_exists(other.seeker_id)

    def add(self, seeker):
        self._check_unique(seeker)
        super().add(seeker)

    def save(self, seeker):
        self._check_unique(seeker)
        super().save(seeker)

    def page(self, query, phone_fingerprint=None):
        if phone_fingerprint:
            found = self.where(lambda s: s.phone["fingerprint"] == phone_fingerprint)
            return _page(found, query)
        return super().page(query)

    def candidates(self, posting, radius_km, limit=1000):
        return self.where(lambda s: s.state == domain.SEEKING)[:limit]


class FakeApplications(_FakeAggregates):
    aggregate, prefix = domain.Application, "AP"
    missing = staticmethod(exceptions.application_not_found)

    def add(self, application):
        for other in self.where(lambda a: a.active and a.posting_id == application.posting_id
                                and a.seeker_id == application.seeker_id):
            raise exceptions.application_exists(other.application_id)
        super().add(application)

    def active_of_seeker(self, seeker_id):
        return {a.posting_id: a.application_id
                for a in self.where(lambda a: a.active and a.seeker_id == seeker_id)}

    def active_for_posting(self, posting_id):
        return {a.seeker_id: a.application_id
                for a in self.where(lambda a: a.active and a.posting_id == posting_id)}


class FakePlacements(_FakeAggregates):
    aggregate, prefix = domain.Placement, "PL"
    missing = staticmethod(exceptions.placement_not_found)

    def with_follow_ups_to_announce(self, today, limit):
        return [p.placement_id for p in self.where(lambda p: p.due_follow_ups(today))][:limit]


class FakeNotifications:
    def __init__(self, uow):
        self.stored: dict = {}
        uow.stores.append(self)

    def add(self, visit, note, event_id, at):
        if any(n["event_id"] == event_id for n in self.stored.values()):
            raise AssertionError("a second notification for one event")
        ident = uuid.uuid4().hex
        self.stored[ident] = {
            "_id": ident, "event_id": event_id, "employer_id": visit.employer_id,
            "employer_name": visit.employer_name, "community": visit.community,
            "visit_id": visit.visit_id, "created_at": at, "read_at": None, "read_by": None,
            **note}

    def get(self, notification_id):
        if notification_id not in self.stored:
            raise exceptions.notification_not_found(notification_id)
        return copy.deepcopy(self.stored[notification_id])

    def mark_read(self, notification_id, actor, at):
        note = self.get(notification_id)
        if note["read_at"] is None:
            note.update(read_at=at, read_by={k: actor.get(k) for k in ("id", "name")})
            self.stored[notification_id] = note
        return copy.deepcopy(note)

    def page(self, query):
        found = [copy.deepcopy(n) for n in self.stored.values()
                 if query.get("employer_id") in (None, n["employer_id"])]
        return _page(found, query)


class FakeStatistics:
    """The counters, summed from the figures the unit of work collected."""

    def __init__(self, uow):
        self.uow = uow

    def buckets(self, first_month, last_month, community):
        buckets: dict = {}
        for (month, where), changes in self.uow.figures:
            if (first_month and month < first_month) or (last_month and month > last_month) \
                    or community not in (None, where):
                continue
            bucket = buckets.setdefault((month, where), {"month": month, "community": where,
                                                         "counts": {}})
            add_counts(bucket["counts"], changes)
        return list(buckets.values())


class FakeJobUnitOfWork(FakeUnitOfWork):
    source = "job"

    def __init__(self, now=None):
        super().__init__(now)
        self.employers = FakeEmployers(self)
        self.visits = FakeVisits(self)
        self.postings = FakePostings(self)
        self.seekers = FakeSeekers(self)
        self.applications = FakeApplications(self)
        self.placements = FakePlacements(self)
        self.notifications = FakeNotifications(self)
        self.statistics = FakeStatistics(self)
