"""Growth: what each service's lists, searches, counts and statistics cost at 1k, 10k and 100k
records, timed and explained side by side in one run.

Records are seeded with `insert_many` (loading 100k through the services would take an hour on
SecantusDB): aggregates made by the services' own dataclasses, stored by their repositories'
`to_document`, with the tallies, extents and statistics buckets the services keep beside them
added as the services add them. The database is first made as a service start makes it — its
indexes created, so every insert maintains them, and its start-up upkeep run on it while it is
empty (the counters of all records are then whole from the start, as in every database a
service has started on).

Each query is the repository call the RPC method makes, in this process against the server, so
the RPC and HTTP overheads (which do not grow) are left out: its time is the median of several
runs, and what the server examined is added up over every query the call made (explained with
the same criteria, sort and limit, bench/growth/explaining.py); the plan shown is that of the
query that examined the most.
"""
from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from typing import Callable

from bench.env import Environment, say
from bench.growth.explaining import explaining
from shared.statistics import flatten
from shared.storage import ensure_indexes

SIZES = (1_000, 10_000, 100_000)
PAGE = 20
TARGET_GROWTH = 1.5        # from the smallest to the largest size
TARGET_EXAMINED = 6 * PAGE  # documents the server may examine for one call


@dataclass
class Query:
    """`call(uow, prepared)` is what is measured; `prepare(uow)`, if given, runs first and
    unmeasured (following a list to its 26th page, say)."""

    kind: str
    call: Callable
    prepare: Callable | None = None


def _add_counts(buckets: dict, key: str, fields: dict, counts: dict) -> None:
    bucket = buckets.setdefault(key, {**fields, "counts": {}})
    for name, value in counts.items():
        node = bucket["counts"]
        *path, leaf = name.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = node.get(leaf, 0) + value


def _merge_buckets(collection, buckets: dict) -> None:
    """Add the new records' figures to the statistics buckets, as the services' $inc would."""
    for key, bucket in buckets.items():
        increments = {}

        def walk(node, prefix):
            for name, value in node.items():
                if isinstance(value, dict):
                    walk(value, f"{prefix}{name}.")
                else:
                    increments[f"{prefix}{name}"] = value
        walk(bucket["counts"], "counts.")
        fields = {k: v for k, v in bucket.items() if k != "counts"}
        collection.update_one({"_id": key}, {"$inc": increments, "$setOnInsert": fields},
                              upsert=True)


def _project(rows: dict, rollup) -> dict:
    projected: dict = {}
    for bucket in rows.values():
        fields = {d: bucket.get(d) for d in rollup.dimensions}
        _add_counts(projected, "|".join(str(v) for v in fields.values()), fields,
                    flatten(bucket["counts"]))
    return projected


def start(service, db):
    """The service's database as a service start leaves it: its indexes, then its start-up
    upkeep (the unit of work's `seed`: reference data, counters marked whole, migrations
    marked done). Returns a unit of work on it."""
    ensure_indexes(db, service.indexes)
    uow = service.unit_of_work(db, source=service.name)
    if service.unit_of_work.seed is not None:
        service.unit_of_work.seed(uow)
    return uow


def seed(service, uow, target: int, have: int, rng: random.Random, chunk: int = 2000) -> float:
    """Adds records until there are `target` (of each kind the service's lists show), keeping
    the tallies and extents as a service's repository keeps them."""
    started = time.perf_counter()
    while have < target:
        count = min(chunk, target - have)
        made, buckets = service.aggregates(have, count, rng)
        statistics = set()
        for name, aggregates in made.items():
            repository = getattr(uow, name)
            _store(uow, repository, aggregates)
            if getattr(repository, "statistics", None) is not None:
                statistics.add(repository.statistics)
        for collection, rows in buckets.items():
            _merge_buckets(uow.db[collection], rows)
            for stats in statistics:
                if stats.collection == collection:
                    for rollup in stats.rollups:  # the coarser buckets kept beside them
                        _merge_buckets(uow.db[rollup.collection], _project(rows, rollup))
        have += count
    return time.perf_counter() - started


def _store(uow, repository, aggregates: list) -> None:
    uow.db[repository.collection_name].insert_many(
        [repository.to_document(a) for a in aggregates], ordered=False)
    if repository.tallies is not None:
        counts: dict = {}
        for aggregate in aggregates:
            key = repository._tally_key(aggregate)
            counts[key] = counts.get(key, 0) + 1
        for key, n in counts.items():
            repository.tallies.add(uow, key, n)
    if repository.extents is not None:
        for aggregate in aggregates:
            repository._widen(aggregate)


def timed(call, repeats: int) -> float:
    started = time.perf_counter()
    call()  # warm-up
    if time.perf_counter() - started > 5:  # a query of seconds: three runs tell enough
        repeats = min(repeats, 3)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return round(1000 * statistics.median(samples), 2)


def measure(service, db, query: Query, repeats: int) -> dict:
    uow = service.unit_of_work(db, source=service.name)
    prepared = query.prepare(uow) if query.prepare else None
    ms = timed(lambda: query.call(service.unit_of_work(db, source=service.name), prepared),
               repeats)
    watched = explaining(service.unit_of_work)(db, source=service.name)
    query.call(watched, prepared)
    examined = watched.examined
    return {"ms": ms, "docs": examined.documents, "keys": examined.keys,
            "queries": examined.queries, "plan": examined.costliest()}


def run(env: Environment, sizes=SIZES, repeats: int = 5, services=None, progress=None) -> dict:
    """progress(results) is called after each service, so a long run keeps what it measured."""
    from bench.growth.services import SERVICES
    rng = random.Random(8)
    results = {"sizes": list(sizes), "page_size": PAGE, "target_growth": TARGET_GROWTH,
               "target_examined": TARGET_EXAMINED, "services": {}}
    for cls in services or SERVICES:
        service = cls()
        db = env.mongo[f"bgrowth_{service.name}"]
        uow = start(service, db)
        rows: dict[str, dict] = {}
        have, seeded = 0, {}
        for size in sizes:
            seeded[str(size)] = round(seed(service, uow, size, have, rng), 1)
            say(f"growth: {service.name} seeded to {size} in {seeded[str(size)]}s")
            have = size
            for label, query in service.queries().items():
                row = rows.setdefault(label, {"kind": query.kind, "at": {}})
                row["at"][str(size)] = measure(service, db, query, repeats)
                say(f"growth: {label} at {size}: {row['at'][str(size)]}")
        first, last = str(sizes[0]), str(sizes[-1])
        for row in rows.values():
            small, large = row["at"][first]["ms"], row["at"][last]["ms"]
            row["growth"] = round(large / small, 2) if small else None
            row["flat"] = row["growth"] is not None and row["growth"] <= TARGET_GROWTH
            row["bounded"] = all(m["docs"] <= TARGET_EXAMINED for m in row["at"].values())
        results["services"][service.name] = {"seconds_to_seed": seeded, "rows": rows}
        if progress is not None:
            progress(results)
    return results
