"""The work orders' lists read about a page, however long the history: every query a page makes
(shared.paging) is bounded on both sides of an index range, and what the server examines to
answer it — for each filter the list offers — is a small multiple of the page. The indexes are
created again, unchanged, when the service restarts."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from bench.growth.services import Repair
from services.repair import domain
from services.repair.handlers import reading
from services.repair.repositories import INDEXES, WORK_ORDERS
from services.repair.unit_of_work import RepairUnitOfWork
from shared import clock
from shared.schemas import load
from shared.storage import ensure_indexes
from services.repair.schemas import ListWorkOrders
from tests.integration.explaining import explaining
from tests.integration.growing import whole_list

PAGE = 20
COMMUNITIES = ("浚河社区", "天宝社区", "永福社区", "仁和社区", "千秋社区")


ExplainingUnitOfWork = explaining(RepairUnitOfWork, WORK_ORDERS)


@pytest.fixture(scope="module")
def orders(mongo_client):
    db = mongo_client[f"indexes_{random.randrange(1 << 30)}"]
    ensure_indexes(db, INDEXES)
    rng, now = random.Random(7), clock.now()
    states = ["reported", "dispatched", "in_progress", "extension_requested", "closed"]
    docs = []
    for n in range(1500):
        at = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
        state = rng.choice(states)
        docs.append({"_id": f"WO{n:06d}", "community": rng.choice(COMMUNITIES), "state": state,
                     "category": rng.choice(list(domain.CATEGORIES)), "channel": "grid_worker",
                     "address": "新宇巷 12 号", "description": "路灯不亮", "reporter": {},
                     "alley_key": rng.choice(["新宇巷", "聚宝路"]), "escalated": n % 9 == 0,
                     "terms": ["路灯", "灯不", "不亮"] if n % 5 == 0 else ["井盖"],
                     "department": {"code": "power"} if state != "reported" else None,
                     "reported_at": at, "updated_at": at + timedelta(days=1),
                     "due_at": at + timedelta(days=5) if state != "reported" else None})
    db[WORK_ORDERS].insert_many(docs)
    RepairUnitOfWork(db, source="repair").work_orders.upgrade()  # their totals and extents
    yield db
    mongo_client.drop_database(db.name)


@pytest.mark.parametrize("query", [
    {}, {"community": "浚河社区"}, {"community": "浚河社区", "state": ["dispatched"]},
    {"state": ["in_progress", "extension_requested"]}, {"category": "street_light"},
    {"department_code": "power"}, {"alley": "新宇巷"}, {"escalated": True}, {"q": "路灯"},
    {"sort": "-updated_at"}, {"sort": "due_at"}, {"sort": "reported_at"},
    {"community": "天宝社区", "sort": "due_at"},
], ids=repr)
def test_a_page_examines_a_small_multiple_of_itself(orders, query):
    uow = ExplainingUnitOfWork(orders, source="repair")
    q = load(ListWorkOrders(), {**query, "page_size": PAGE})
    first = uow.work_orders.page(q, clock.now())
    assert len(first["items"]) == PAGE and first["has_more"]
    uow.reset()
    uow.work_orders.page({**q, "cursor": first["next_cursor"]}, clock.now())
    assert uow.examined <= 6 * (PAGE + 1), uow.examined


def test_the_indexes_are_created_again_at_the_next_start(service_db):
    db = service_db("repair")
    ensure_indexes(db, INDEXES)
    ensure_indexes(db, INDEXES)  # a restart on the same database
    assert {"geo", "newest_first", "community_newest"} <= set(
        db[WORK_ORDERS].index_information())


def test_looking_for_duplicates_reads_the_communitys_recent_orders_of_the_category_only(orders):
    """A report's possible duplicates come from its community's orders of its category of the
    last 90 days, through an index: what the server examines is those orders (a few of the
    1,500 over two years), not the community's other recent orders nor the collection."""
    uow = ExplainingUnitOfWork(orders, source="repair")
    report = {"category": "street_light", "community": "浚河社区", "alley": "新宇巷",
              "location": {"lat": 32.6912, "long": 118.9938}}
    candidates = uow.work_orders.duplicate_candidates(report)
    since = clock.now() - domain.DUPLICATE_WINDOW
    recent = orders[WORK_ORDERS].count_documents({
        "community": "浚河社区", "reported_at": {"$gt": since}})
    same_category = orders[WORK_ORDERS].count_documents({
        "community": "浚河社区", "category": "street_light", "reported_at": {"$gt": since}})
    assert 0 < same_category < recent < 100
    assert uow.examined <= same_category + 1, (uow.examined, same_category, recent)
    expected = {d["_id"] for d in orders[WORK_ORDERS].find({
        "community": "浚河社区", "category": "street_light", "reported_at": {"$gt": since},
        "state": {"$in": list(domain.OPEN)}})}
    assert {c.number for c in candidates} == expected



CELL = {"community": "浚河社区", "category": "street_light"}


def _burst(db, now):
    """A community's street-light orders: 60 open ones of the last months, then 200 in the
    last 200 seconds, a quarter closed and a sixth marked duplicates; and 100 manhole orders."""
    docs = [{**CELL, "_id": f"OLD{n:03d}", "state": "dispatched", "alley": "新宇巷",
             "address": "新宇巷 1 号", "reported_at": now - timedelta(days=2 + n)}
            for n in range(60)]
    docs += [{**CELL, "_id": f"NEW{n:03d}", "alley": "新宇巷", "address": "新宇巷 1 号",
              "state": "closed" if n % 4 == 0 else "duplicate" if n % 3 == 0 else "reported",
              "reported_at": now - timedelta(seconds=n + 1)} for n in range(200)]
    docs += [{"community": "浚河社区", "category": "manhole", "_id": f"MH{n:03d}",
              "state": "reported", "reported_at": now - timedelta(seconds=n + 1)}
             for n in range(100)]
    db[WORK_ORDERS].insert_many(docs)
    return docs


def _newest_open(docs, exclude):
    """What a read of the whole period gives: the newest DUPLICATE_READ open orders."""
    cell = sorted((d for d in docs if d["category"] == "street_light"
                   and d["state"] in domain.OPEN and d["_id"] != exclude),
                  key=lambda d: (d["reported_at"], d["_id"]), reverse=True)
    return [d["_id"] for d in cell[:domain.DUPLICATE_READ]]


@pytest.fixture
def burst_db(mongo_client, monkeypatch):
    from services.repair import repositories
    monkeypatch.setattr(repositories, "_RECENT_CANDIDATES", {})
    db = mongo_client[f"burst_{random.randrange(1 << 30)}"]
    ensure_indexes(db, INDEXES)
    yield db, repositories._RECENT_CANDIDATES
    mongo_client.drop_database(db.name)


def test_after_a_burst_of_reports_looking_for_duplicates_reads_about_the_newest_fifty(
        burst_db):
    """Two hundred reports of one kind in one community in a few minutes (a flooded street),
    half of them closed or already marked duplicates: the next report's look for duplicates
    reads about the newest DUPLICATE_READ open ones, not the burst, once the first look has
    learned how far back they reach — and finds what a read of the whole period finds: the
    newest open ones, the report's own order left out."""
    db, _ = burst_db
    now = clock.now()
    docs = _burst(db, now)
    report, own = {**CELL, "alley": "新宇巷", "location": None}, "NEW001"
    expected = _newest_open(docs, own)
    assert len(expected) == domain.DUPLICATE_READ
    first = ExplainingUnitOfWork(db, source="repair", now=now)
    assert [c.number for c in first.work_orders.duplicate_candidates(report, own)] == expected
    again = ExplainingUnitOfWork(db, source="repair", now=now)
    assert [c.number for c in again.work_orders.duplicate_candidates(report, own)] == expected
    # The newest 50 open ones lie among some 100 of the burst: about those are read.
    assert again.examined <= 3 * domain.DUPLICATE_READ, again.examined


def test_a_learned_window_holding_too_few_is_completed_from_the_rest_of_the_period(burst_db):
    """When the time learned holds fewer open orders than wanted (the burst is over, orders
    were closed), the rest of the period is read after it: every order once, the one exactly
    at the edge between the two reads included."""
    db, learned = burst_db
    now = clock.now()
    docs = _burst(db, now)
    edge = {**CELL, "_id": "EDGE", "state": "reported", "alley": "新宇巷",
            "address": "新宇巷 1 号", "reported_at": now - timedelta(seconds=30)}
    db[WORK_ORDERS].insert_one(edge)
    learned[(CELL["community"], CELL["category"])] = timedelta(seconds=30)
    uow = ExplainingUnitOfWork(db, source="repair", now=now)
    found = [c.number for c in uow.work_orders.duplicate_candidates(
        {**CELL, "alley": None, "location": None})]
    assert found == _newest_open([*docs, edge], None)
    assert "EDGE" in found and len(set(found)) == len(found)


def test_an_index_of_an_earlier_version_is_dropped_at_start(service_db):
    """same_alley, which the duplicate search read before it had its own index, is dropped
    when the service starts on a database that has it; a start without it changes nothing."""
    from shared.storage import drop_indexes
    db = service_db("repair")
    ensure_indexes(db, INDEXES)
    db[WORK_ORDERS].create_index([("category", 1), ("alley_key", 1), ("state", 1)],
                                 name="same_alley")
    drop_indexes(db, RepairUnitOfWork.retired_indexes)
    left = set(db[WORK_ORDERS].index_information())
    assert "same_alley" not in left and "community_category_newest" in left
    drop_indexes(db, RepairUnitOfWork.retired_indexes)
    assert set(db[WORK_ORDERS].index_information()) == left


def test_the_whole_list_costs_a_window_of_its_index_however_long_the_history(mongo_client):
    """Page 1 and a page by cursor of the list with no filter, counting every query of the call
    — the list's windows, the counters its total comes from, the extents — on a database a
    service started on and orders then arrived in: a bounded number of documents, no more at
    four times the orders, and every query through an index (tests/integration/growing.py)."""
    whole_list(mongo_client, Repair(), explaining(RepairUnitOfWork), reading.page)
