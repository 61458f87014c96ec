"""A list's whole call on a database grown as a running service's grows: made by a service
start (its indexes, then its start-up upkeep on it while empty), then records arriving in
batches with the counters and extents its repositories keep beside them — stored in bulk as
the growth benchmark stores them (bench/growth) — first SIZES[0] of them, then SIZES[1].

    whole_list(mongo_client, Repair(), explaining(RepairUnitOfWork), reading.page)

At each size, page 1 of the list with no filter and the page DEEP cursors further are asked
of the handler the RPC method runs, and every query each makes is counted: the list's
windows, the counters its total comes from, its extents."""
from __future__ import annotations

import random
import uuid

from bench.growth import seed, start

PAGE = 20
BOUND = 6 * (PAGE + 1)
DEEP = 5
SIZES = (500, 2000)
BATCH = 100  # a batch's records of one combination are counted on one shard of its counters


def measure(uow_class, db, source: str, handler) -> list[tuple[int, list[str]]]:
    """(documents examined, plans) of page 1 and of the page DEEP cursors further."""
    uow = uow_class(db, source=source)
    page = handler(uow, {"page_size": PAGE})
    assert len(page["items"]) == PAGE and page["has_more"]
    costs = [(uow.examined, uow.plans)]
    for _ in range(DEEP):
        uow = uow_class(db, source=source)
        page = handler(uow, {"page_size": PAGE, "cursor": page["next_cursor"]})
        assert len(page["items"]) == PAGE
    costs.append((uow.examined, uow.plans))
    return costs


def whole_list(mongo_client, service, uow_class, handler) -> None:
    """Grows the service's database and holds its whole list to a bounded cost: at most BOUND
    documents for a page at any size, about as many at four times the records, and every query
    through an index (never a collection scan: of the list or of its counters)."""
    db = mongo_client[f"growing_{service.name}_{uuid.uuid4().hex[:8]}"]
    try:
        uow, rng, have, measured = start(service, db), random.Random(5), 0, {}
        for size in SIZES:
            seed(service, uow, size, have, rng, chunk=BATCH)
            have = size
            measured[size] = measure(uow_class, db, service.name, handler)
    finally:
        mongo_client.drop_database(db.name)
    print(f"{service.name}: documents examined (page 1, page {DEEP + 1}) at {SIZES}: "
          f"{[[cost for cost, _ in measured[size]] for size in SIZES]}")
    for size, costs in measured.items():
        for examined, plans in costs:
            assert examined <= BOUND, (size, examined, plans)
            assert plans and not [plan for plan in plans if "IXSCAN" not in plan], (size, plans)
    small = max(cost for cost, _ in measured[SIZES[0]])
    large = max(cost for cost, _ in measured[SIZES[-1]])
    assert large <= max(2 * small, 3 * (PAGE + 1)), (small, large)
