"""Walking a job list by its cursors gives exactly the list: every record once, in order —
whatever the filters (those an index serves and those tested on what is read), the search and
the order — and a cursor that is not one is a field error."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from services.job import domain, schemas
from services.job.listing import day_key
from services.job.repositories import INDEXES
from services.job.unit_of_work import JobUnitOfWork
from shared import clock
from shared.errors import ValidationFailed
from shared.schemas import load
from shared.search import terms
from shared.storage import ensure_indexes
from tests.integration.job.conftest import STAFF

COMMUNITIES = ("浚河社区", "天宝社区", "永福社区")
TITLES = ("毛绒玩具缝制", "快递分拣", "家政保洁", "餐饮服务员")


@pytest.fixture(scope="module")
def db(mongo_client):
    db = mongo_client[f"job_paging_{random.randrange(1 << 30)}"]
    ensure_indexes(db, INDEXES)
    rng, now = random.Random(5), clock.now()
    uow = JobUnitOfWork(db, source="job")
    postings, visits = [], []
    moments = [now - timedelta(minutes=rng.randrange(400 * 24 * 60)) for _ in range(180)]
    moments += moments[:20]  # records made at the same millisecond: ties on the order field
    for n, at in enumerate(moments):
        community, title = rng.choice(COMMUNITIES), rng.choice(TITLES)
        postings.append(domain.JobPosting(
            posting_id=f"JP{n:05d}", title=title, description="岗位", employer_id=f"EM{n % 9}",
            employer_name="聚宝路加工点", community=community, address="聚宝路",
            employment_type=rng.choice(["PART_TIME", "FULL_TIME"]), work_schedule=[],
            hours_flexible=n % 3 == 0, openings=1, posted_at=at,
            valid_through=at + timedelta(days=rng.randrange(1, 90)),
            state=rng.choice(list(domain.POSTING_STATES))))
        visits.append(domain.Visit(
            visit_id=f"VS{n:05d}", employer_id=f"EM{n % 9}", employer_name="店",
            community=community, visited_on=clock.local_date(at).isoformat(),
            visitor_name="李伟", findings="走访",
            deliveries=[{"kind": rng.choice(list(domain.DELIVERY_KINDS))}],
            recorded_at=at, updated_at=at))
    db["job_postings"].insert_many([uow.postings.to_document(p) for p in postings])
    db["visits"].insert_many([uow.visits.to_document(v) for v in visits])
    uow.postings.upgrade()
    uow.visits.upgrade()
    yield db
    mongo_client.drop_database(db.name)


def walk(db, kind, schema, query, page_size):
    pages, cursor = [], None
    while True:
        uow = JobUnitOfWork(db, source="job")
        loaded = load(schema(), {**query, "page_size": page_size,
                                 **({"cursor": cursor} if cursor else {})})
        page = getattr(uow, kind).page(loaded)
        assert len(page["items"]) <= page_size
        pages.append(page["items"])
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return pages, page
        assert len(page["items"]) == page_size
        cursor = page["next_cursor"]


def stored(db, collection):
    uow = JobUnitOfWork(db, source="job")
    repository = uow.postings if collection == "job_postings" else uow.visits
    return [repository.from_document(d) for d in db[collection].find({})]


POSTING_QUERIES = [
    {}, {"community": "天宝社区"}, {"community": "天宝社区", "state": ["open", "filled"]},
    {"hours_flexible": True, "employment_type": "PART_TIME"},  # one tested on what is read
    {"q": "快递"}, {"q": "毛绒玩具", "community": "浚河社区"}, {"sort": "posted_at"},
    {"sort": "valid_through", "state": ["open"]}, {"sort": "-valid_through"},
]


@pytest.mark.parametrize("query", POSTING_QUERIES, ids=repr)
@pytest.mark.parametrize("page_size", [1, 7, 50])
def test_walking_the_postings_gives_every_one_once_in_order(db, query, page_size):
    def wanted(p):
        return (query.get("community") in (None, p.community)
                and (not query.get("state") or p.state in query["state"])
                and query.get("hours_flexible") in (None, p.hours_flexible)
                and query.get("employment_type") in (None, p.employment_type)
                and (not query.get("q") or set(terms(query["q"])) <= set(
                    terms(p.posting_id, p.title, p.employer_name, p.address))))
    key = (query.get("sort") or "-posted_at")
    field = key.lstrip("-")
    expected = sorted((p for p in stored(db, "job_postings") if wanted(p)),
                      key=lambda p: (getattr(p, field), p.posting_id),
                      reverse=key.startswith("-"))
    assert expected, "a filter that finds nothing proves nothing"
    pages, last = walk(db, "postings", schemas.ListPostings, query, page_size)
    walked = [p.posting_id for page in pages for p in page]
    assert walked == [p.posting_id for p in expected]
    counted = not query.get("q") and not query.get("hours_flexible")
    assert last["total"] == (len(expected) if counted else None)


@pytest.mark.parametrize("query", [
    {}, {"community": "永福社区", "delivery_kind": "training"}, {"employer_id": "EM3"},
    {"visited_from": clock.local_date(clock.now() - timedelta(days=200)).isoformat(),
     "visited_to": clock.local_date(clock.now() - timedelta(days=20)).isoformat()},
    {"sort": "visited_on"}], ids=repr)
def test_walking_the_visits_gives_every_one_once_by_visit_date(db, query):
    def wanted(v):
        return (query.get("community") in (None, v.community)
                and query.get("employer_id") in (None, v.employer_id)
                and query.get("delivery_kind") in (None, *(d["kind"] for d in v.deliveries))
                and query.get("visited_from", "") <= v.visited_on
                <= query.get("visited_to", "9999"))
    newest = query.get("sort") != "visited_on"
    expected = sorted((v for v in stored(db, "visits") if wanted(v)),
                      key=lambda v: (day_key(v.visited_on, v.recorded_at), v.visit_id),
                      reverse=newest)
    assert expected
    pages, _ = walk(db, "visits", schemas.ListVisits, query, 9)
    walked = [v for page in pages for v in page]
    assert [v.visit_id for v in walked] == [v.visit_id for v in expected]
    dates = [v.visited_on for v in walked]
    assert dates == sorted(dates, reverse=newest)  # in order of the visit date shown


def test_a_cursor_that_is_not_one_is_a_field_error_and_the_answer_says_where_to_go_on(job, rpc):
    with pytest.raises(ValidationFailed) as refused:
        rpc.job.list_job_postings(cursor="not-a-cursor")
    assert list(refused.value.fields) == ["cursor"]
    with pytest.raises(ValidationFailed) as refused:
        rpc.job.list_visits(page=2)  # numbered pages are gone
    assert "page" in refused.value.fields
    empty = rpc.job.list_placements()
    assert empty == {"items": [], "next_cursor": None, "has_more": False, "page_size": 20,
                     "total": 0}
    for name in ("浚河巷便民洗车行", "聚宝路毛绒玩具加工点", "新宇巷早餐店"):
        rpc.job.register_employer(STAFF, name=name, community="天宝社区", address="聚宝路12号",
                                  sector="services", size="micro",
                                  contact={"name": "周", "phone": "13900000001"})
    first = rpc.job.list_employers(community="天宝社区", page_size=2)
    assert (len(first["items"]), first["has_more"], first["total"]) == (2, True, 3)
    rest = rpc.job.list_employers(community="天宝社区", page_size=2,
                                  cursor=first["next_cursor"])
    assert (len(rest["items"]), rest["has_more"], rest["next_cursor"]) == (1, False, None)
    assert {e["name"] for e in first["items"] + rest["items"]} == {
        "浚河巷便民洗车行", "聚宝路毛绒玩具加工点", "新宇巷早餐店"}
    found = rpc.job.list_employers(q="毛绒玩具")
    assert [e["name"] for e in found["items"]] == ["聚宝路毛绒玩具加工点"] and found["total"] is None
    with pytest.raises(ValidationFailed) as refused:
        rpc.job.list_employers(q="毛")  # one character: too common to search by
    assert list(refused.value.fields) == ["q"]
