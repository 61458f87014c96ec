"""The job service's lists read about a page, however long the history: for each list and each
kind of page — the first, one a few cursors deep, a filtered one, a search, filters no single
index serves — what the server examines is a small multiple of the page, and it does not grow
when the history grows fourfold. So do matching and the community screen."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bench.growth.services import Job
from services.job import domain, schemas
from services.job.handlers import postings
from services.job.records import NOTIFICATIONS
from services.job.repositories import (APPLICATIONS, EMPLOYERS, INDEXES, PLACEMENTS, POSTINGS,
                                       SEEKERS, VISITS)
from services.job.unit_of_work import AGGREGATES, JobUnitOfWork
from shared import clock
from shared.schemas import load
from shared.storage import ensure_indexes
from tests.integration.explaining import ExplainingCollection, explaining
from tests.integration.growing import whole_list

PAGE = 20
LIMIT = 6 * (PAGE + 1)
COMMUNITIES = ("浚河社区", "天宝社区", "永福社区", "新宇社区", "广陵社区")
WORDS = ("毛绒玩具", "家政保洁", "快递分拣", "餐饮服务", "手工缝制", "物业维修")


class ExplainingUnitOfWork(JobUnitOfWork):
    """The unit of work, adding up what the server examined for each query of the lists."""

    LISTED = {EMPLOYERS, VISITS, POSTINGS, SEEKERS, APPLICATIONS, PLACEMENTS, NOTIFICATIONS}

    def collection(self, name):
        if name in self.LISTED:
            wrapped = self.__dict__.setdefault("_explaining", {})
            if name not in wrapped:
                wrapped[name] = ExplainingCollection(self.db[name])
            return wrapped[name]
        return super().collection(name)

    @property
    def examined(self) -> int:
        return sum(c.examined for c in self.__dict__.get("_explaining", {}).values())


def _records(rng, start: int, n: int, now):
    """n of each kind, made over two years (visits and placements dated by office day)."""
    out = {name: [] for name in ("employers", "visits", "postings", "seekers", "applications",
                                 "placements", "notifications")}
    for i in range(start, start + n):
        at = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        community = rng.choice(COMMUNITIES)
        word = rng.choice(WORDS)
        day = clock.local_date(at).isoformat()
        out["employers"].append(domain.Employer(
            employer_id=f"EM{i:07d}", name=f"{word}{i}号店", community=community,
            address=f"聚宝路{i}号", sector=rng.choice(list(domain.SECTORS)),
            size=rng.choice(list(domain.EMPLOYER_SIZES)), contact={"name": "周"},
            active=i % 7 != 0, created_at=at, updated_at=at))
        kind = rng.choice(list(domain.DELIVERY_KINDS))
        out["visits"].append(domain.Visit(
            visit_id=f"VS{i:07d}", employer_id=f"EM{rng.randrange(max(i, 1)):07d}",
            employer_name="店", community=community, visited_on=day, visitor_name="李伟",
            findings="走访", deliveries=[{"kind": kind}],
            problems=[{"problem_id": f"P{i}", "state": "reported"}] if i % 4 == 0 else [],
            recorded_at=at, updated_at=at))
        state = rng.choice(list(domain.POSTING_STATES))
        out["postings"].append(domain.JobPosting(
            posting_id=f"JP{i:07d}", title=word, description="岗位", employer_id="EM1",
            employer_name=f"{word}店", community=community, address="聚宝路",
            employment_type=rng.choice(list(domain.EMPLOYMENT_TYPES)), work_schedule=[],
            hours_flexible=i % 3 == 0, openings=2, posted_at=at, state=state,
            # An open posting past its deadline is closed within the minute by the timer.
            valid_through=(now if state == domain.OPEN else at)
            + timedelta(days=rng.choice((3, 30, 90)), minutes=rng.randrange(60 * 24 * 30)),
            skills=[word[:2]]))
        out["seekers"].append(domain.JobSeeker(
            seeker_id=f"JS{i:07d}", name=f"胡明{'英华芳'[i % 3]}{i}", community=community,
            phone={"fingerprint": f"fp{i}"}, state=rng.choice(list(domain.SEEKER_STATES)),
            skills=[word[:2]], home_location={"lat": 32.68 + rng.random() / 50,
                                              "long": 119.02 + rng.random() / 50},
            registered_at=at, updated_at=at))
        out["applications"].append(domain.Application(
            application_id=f"AP{i:07d}", posting_id=f"JP{i % 997:07d}",
            seeker_id=f"JS{i % 1499:07d}", seeker_name="胡", employer_id=f"EM{i % 211:07d}",
            employer_name="店", title=word, community=community, channel="self",
            applied_at=at, state=rng.choice(list(domain.APPLICATION_STATES)), updated_at=at))
        due = (clock.local_date(at) + timedelta(days=30)).isoformat()
        active = i % 3 != 0
        out["placements"].append(domain.Placement(
            placement_id=f"PL{i:07d}", application_id=f"AP{i:07d}", posting_id="JP1",
            seeker_id=f"JS{i % 1499:07d}", seeker_name="胡", employer_id=f"EM{i % 211:07d}",
            employer_name="店", employer_address="聚宝路", title=word, community=community,
            started_on=day, follow_ups=[{"follow_up_id": f"F{i}", "month": 1, "due_on": due,
                                         "state": "pending"}],
            state=domain.ACTIVE if active else domain.ENDED, created_at=at, updated_at=at))
        out["notifications"].append({
            "_id": f"N{i:07d}", "event_id": f"E{i}", "employer_id": f"EM{i % 211:07d}",
            "employer_name": "店", "community": community, "visit_id": f"VS{i:07d}",
            "created_at": at, "read_at": None if i % 2 else at, "read_by": None,
            "kind": "problem_resolved", "title": "已解决", "body": "已解决"})
    return out


def _seed(db, rng, start, n):
    now = clock.now()
    uow = JobUnitOfWork(db, source="job")
    made = _records(rng, start, n, now)
    for name in AGGREGATES:
        repository = getattr(uow, name)
        db[repository.collection_name].insert_many(
            [repository.to_document(a) for a in made[name]])
    db[NOTIFICATIONS].insert_many(made["notifications"])
    for name in ("extents", *(t for t in db.list_collection_names() if t.endswith("_tallies"))):
        db.drop_collection(name)  # counted again, as at a first start after an upgrade
    uow = JobUnitOfWork(db, source="job")
    for name in AGGREGATES:
        getattr(uow, name).upgrade()
    uow.notifications.upgrade()


@pytest.fixture(scope="module")
def grown(mongo_client):
    """The database at 1,000 records of each kind, then at 4,000."""
    db = mongo_client[f"job_indexes_{random.randrange(1 << 30)}"]
    ensure_indexes(db, INDEXES)
    rng = random.Random(16)
    sizes = iter([(0, 1000), (1000, 3000)])

    def grow():
        start, n = next(sizes)
        _seed(db, rng, start, n)
        return db
    yield grow
    mongo_client.drop_database(db.name)


LISTS = {
    "employers": (schemas.ListEmployers, [
        {}, {"community": "天宝社区"}, {"community": "天宝社区", "active": True},
        {"sector": "catering"}, {"community": "天宝社区", "sector": "retail", "size": "micro"},
        {"q": "毛绒"}, {"q": "毛绒玩具"}, {"community": "浚河社区", "q": "家政"},
        {"sort": "created_at"}, {"sort": "-created_at", "sector": "care"}]),
    "visits": (schemas.ListVisits, [
        {}, {"community": "永福社区"}, {"delivery_kind": "training"},
        {"community": "永福社区", "delivery_kind": "policy"}, {"problem_state": "reported"},
        {"employer_id": "EM0000001", "sort": "visited_on"},
        {"visited_from": "2025-01-01", "visited_to": "2025-12-31"}, {"sort": "visited_on"}]),
    "postings": (schemas.ListPostings, [
        {}, {"community": "天宝社区", "state": ["open"]}, {"state": ["open", "filled"]},
        {"employment_type": "PART_TIME"}, {"hours_flexible": True, "community": "新宇社区"},
        {"q": "快递"}, {"q": "快递分拣", "community": "新宇社区"}, {"sort": "valid_through"},
        {"sort": "-valid_through", "community": "天宝社区", "state": ["open"]},
        {"employer_id": "EM1", "state": ["open"]}]),
    "seekers": (schemas.ListSeekers, [
        {}, {"community": "广陵社区", "state": ["seeking"]}, {"skill": "手工"},
        {"q": "胡明"}, {"q": "明英", "community": "天宝社区"},
        {"sort": "-updated_at", "state": ["seeking", "paused"]}]),
    "applications": (schemas.ListApplications, [
        {}, {"community": "天宝社区", "state": ["applied"]}, {"employer_id": "EM0000003"},
        {"state": ["hired", "not_hired"]}, {"sort": "-updated_at", "community": "浚河社区"}]),
    "placements": (schemas.ListPlacements, [
        {}, {"community": "天宝社区", "state": ["active"]}, {"follow_up_due": True},
        {"follow_up_due": True, "sort": "open_follow_up_on"},
        {"community": "天宝社区", "sort": "open_follow_up_on"}, {"state": ["ended"]}]),
    "notifications": (schemas.ListNotifications, [
        {}, {"community": "天宝社区", "unread": True}, {"unread": False},
        {"employer_id": "EM0000005"}]),
}
CASES = [(name, query) for name, (_, queries) in LISTS.items() for query in queries]


def _pages(uow, name, query):
    """What pages 1 and 4 of a list examined (the page's handler's query, loaded)."""
    schema, _ = LISTS[name]
    loaded = load(schema(), {**query, "page_size": PAGE})
    repository = getattr(uow, name)
    today = clock.local_date(clock.now())

    def page(q):
        return repository.page(q, today) if name == "placements" else repository.page(q)
    before = uow.examined
    first = page(loaded)
    costs = [uow.examined - before]
    current = first
    for _ in range(3):
        if not current["has_more"]:
            break
        before = uow.examined
        current = page({**loaded, "cursor": current["next_cursor"]})
        costs.append(uow.examined - before)
    return first, costs


CAP = 50  # what matching and the screen read at most, lowered here from the service's own


def _bounded_reads(uow) -> dict:
    """What matching and the community screen examined."""
    costs = {}
    near = uow.postings.get("JP0000001")
    near.location = {"lat": 32.69, "long": 119.03}
    for what, read in (
            ("screen: open postings of a community", lambda: uow.postings.open("天宝社区",
                                                                                CAP)),
            ("matching: open postings of the street", lambda: uow.postings.open(limit=CAP)),
            ("matching: seekers for a posting", lambda: uow.seekers.candidates(
                near, 10.0, limit=CAP))):
        before = uow.examined
        found = read()
        costs[what] = (len(found), uow.examined - before)
    return costs


@pytest.fixture(scope="module")
def measured(grown):
    """Each case's documents examined, at 1,000 and at 4,000 records of each kind."""
    results = {}
    for _ in ("1k", "4k"):
        db = grown()
        for name, query in CASES:
            uow = ExplainingUnitOfWork(db, source="job")
            results.setdefault((name, repr(query)), []).append(_pages(uow, name, query))
        bounded = _bounded_reads(ExplainingUnitOfWork(db, source="job"))
        for what, cost in bounded.items():
            results.setdefault(what, []).append(cost)
    return results


@pytest.mark.parametrize("name,query", CASES, ids=[f"{n}:{q!r}" for n, q in CASES])
def test_a_page_examines_a_small_multiple_of_itself_at_any_size(measured, name, query):
    (small, small_costs), (large, large_costs) = measured[(name, repr(query))]
    assert small["items"] and large["items"]
    assert max(small_costs + large_costs) <= LIMIT, (small_costs, large_costs)
    if len(small_costs) > 1:  # pages deep in a history four times as long cost about the same
        assert max(large_costs) <= max(2 * max(small_costs), 3 * (PAGE + 1)), (
            small_costs, large_costs)
    print(f"{name} {query!r}: examined {small_costs} at 1k, {large_costs} at 4k")


@pytest.mark.parametrize("what", ["screen: open postings of a community",
                                  "matching: open postings of the street",
                                  "matching: seekers for a posting"])
def test_matching_and_the_screen_read_a_bounded_set(measured, what):
    (small_found, small_cost), (large_found, large_cost) = measured[what]
    # Seekers: up to CAP of the posting's community and CAP living near it.
    most = 2 * CAP if what.startswith("matching: seekers") else CAP
    assert 0 < small_found <= most and CAP <= large_found <= most  # more than CAP there
    assert max(small_cost, large_cost) <= 6 * (most + 1), (small_cost, large_cost)
    print(f"{what}: {small_found} read, examined {small_cost} at 1k; "
          f"{large_found} read, examined {large_cost} at 4k")


def test_the_whole_list_of_postings_costs_a_window_of_its_index_however_long_the_history(
        mongo_client):
    """Page 1 and a page by cursor of the postings with no filter, counting every query of the
    call — the list's windows, the counters its total comes from, the extents — on a database
    a service started on and postings then arrived in: a bounded number of documents, no more
    at four times the postings, and every query through an index
    (tests/integration/growing.py)."""
    whole_list(mongo_client, Job(), explaining(JobUnitOfWork), postings.page)
