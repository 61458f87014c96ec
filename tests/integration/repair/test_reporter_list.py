"""A resident's own orders (list_work_orders_by_reporter) read about a page, however long the
street's history: every query walks the (reporter's fingerprint, reported_at, _id) index in a
window bounded on both sides, so what the server examines is a small multiple of the page —
for a resident with many orders and for one with two among thousands."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from services.repair.repositories import INDEXES, WORK_ORDERS
from services.repair.schemas import WorkOrdersByReporter
from services.repair.unit_of_work import RepairUnitOfWork
from shared import clock
from shared.schemas import load
from shared.storage import ensure_indexes
from tests.integration.explaining import explaining

PAGE = 20
ExplainingUnitOfWork = explaining(RepairUnitOfWork, WORK_ORDERS)


def fingerprint(n: int) -> str:
    return f"{n:064x}"


@pytest.fixture(scope="module")
def orders(mongo_client):
    """1,500 orders over two years by 30 reporters (one of them, `2`, with two orders only)
    and some with no phone."""
    db = mongo_client[f"reporters_{random.randrange(1 << 30)}"]
    ensure_indexes(db, INDEXES)
    rng, now = random.Random(11), clock.now()
    docs = []
    for n in range(1500):
        at = (now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))).replace(
            microsecond=0)
        who = 2 if n in (11, 901) else rng.choice([1, *range(3, 31)])
        reporter = {"name": "张清松", "phone": {"fingerprint": fingerprint(who),
                                                "masked": "139****0000", "sealed": "x"}} \
            if n % 10 else {}
        docs.append({"_id": f"WO{n:06d}", "community": "浚河社区", "state": "reported",
                     "category": "street_light", "channel": "resident", "address": "新宇巷",
                     "description": "路灯不亮", "reporter": reporter, "alley_key": "新宇巷",
                     "escalated": False, "terms": [], "department": None, "reported_at": at,
                     "updated_at": at, "due_at": None})
    db[WORK_ORDERS].insert_many(docs)
    RepairUnitOfWork(db, source="repair").work_orders.upgrade()  # their extents
    yield db, docs
    mongo_client.drop_database(db.name)


def theirs(docs, who: int) -> list[str]:
    mine = [d for d in docs if (d["reporter"].get("phone") or {}).get("fingerprint")
            == fingerprint(who)]
    return [d["_id"] for d in sorted(mine, key=lambda d: (d["reported_at"], d["_id"]),
                                     reverse=True)]


def test_every_page_examines_a_small_multiple_of_itself_and_gives_each_order_once(orders):
    db, docs = orders
    uow = ExplainingUnitOfWork(db, source="repair")
    query = load(WorkOrdersByReporter(), {"resident": fingerprint(1), "page_size": PAGE})
    seen, pages = [], 0
    while True:
        uow.reset()
        page = uow.work_orders.reported_by(query["resident"], query, clock.now())
        assert uow.examined <= 6 * (PAGE + 1), uow.examined
        seen.extend(order.number for order in page["items"])
        pages += 1
        if not page["has_more"]:
            break
        query = {**query, "cursor": page["next_cursor"]}
    assert seen == theirs(docs, 1) and pages > 1


def test_a_resident_with_two_orders_among_thousands_examines_those_two(orders):
    db, docs = orders
    uow = ExplainingUnitOfWork(db, source="repair")
    query = load(WorkOrdersByReporter(), {"resident": fingerprint(2), "page_size": PAGE})
    page = uow.work_orders.reported_by(query["resident"], query, clock.now())
    assert [order.number for order in page["items"]] == theirs(docs, 2)
    assert len(page["items"]) == 2 and not page["has_more"]
    assert uow.examined <= 2, uow.examined
    nobody = uow.work_orders.reported_by(fingerprint(99), query, clock.now())
    assert nobody["items"] == [] and nobody["next_cursor"] is None
