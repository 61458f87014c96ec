"""Once, for figures kept before they were by department: the buckets without a department
split among the departments by the orders' own counts (services/repair/counts.py).

A bucket kept before (month, community, alley, category) holds the sums of its orders'
counts. Each order's counts are worked out again from its record, under the department it is
with now; where they add up to what the bucket holds — counter by counter — they replace it,
split by department. A counter they do not explain exactly (figures counted by rules older
than the record, orders since deleted) stays whole under no department (""), shown as 未派单
like the orders not yet dispatched. The street's figures never change; only their split by
department is new (docs/reports.md). Run by the service's seed at every start: it does
nothing once no bucket lacks its department."""
from __future__ import annotations

from shared.statistics import add_counts, flatten

NONE = ""


def upgrade_figures_by_department(work_orders) -> None:
    statistics = work_orders.statistics
    buckets = work_orders.collection(statistics.collection)
    old_buckets = {"department": {"$exists": False}}
    if buckets.find_one(old_buckets) is None:
        return
    kept: dict[tuple, dict] = {}  # (month, community, alley, category) -> counters
    for doc in buckets.find(old_buckets):
        key = tuple(doc.get(d) for d in statistics.dimensions[:-1])
        add_counts(kept.setdefault(key, {}), flatten(doc.get("counts", {})))
    explained: dict[tuple, dict[str, dict]] = {}  # old key -> counter -> {department: amount}
    for document in work_orders.documents.find({}):
        order = work_orders.from_document(document)
        for key, changes in order.held_figures():
            counters = explained.setdefault(tuple(key[:-1]), {})
            for name, amount in changes.items():
                split = counters.setdefault(name, {})
                split[key[-1]] = split.get(key[-1], 0) + amount
    changes = []
    for key, counters in kept.items():
        for name, total in counters.items():
            split = explained.get(key, {}).get(name, {})
            if not _same(sum(split.values()), total):
                split = {NONE: total}
            changes.extend(((*key, department), {name: amount})
                           for department, amount in split.items())
    buckets.delete_many(old_buckets)
    # The roll-ups without the department hold these counters already; those with it are
    # summed from the buckets afterwards (StatBuckets.upgrade, for a roll-up still empty).
    statistics.record(work_orders.uow, changes, rollups=False)


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 0.005
