"""Figures kept as counters in monthly buckets, and summed back into a service's statistics.

A service's aggregates say how a change moves its figures (`Aggregate._count(key, **changes)`,
with `key` the bucket's dimensions: month first, then the service's own — community, alley,
category, …). The repository adds them to `StatBuckets` in the same transaction as the change,
so a figure can never disagree with the records it counts. A statistics query reads the
buckets of a range of months (a bounded number, whatever the history) and `roll_up` sums them
into totals and groups; the service's `figures(counts)` turns the sums into what it publishes
(rates are derived from sums, never averaged).
"""
from __future__ import annotations

from typing import Callable

from pymongo import ASCENDING, IndexModel

from shared.unit_of_work import shard_of


def flatten(counts: dict, prefix: str = "") -> dict:
    """{"state": {"reported": 2}} as {"state.reported": 2}: MongoDB stores dotted counters
    nested."""
    flat = {}
    for name, value in counts.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def add_counts(into: dict, counts: dict) -> None:
    for name, value in counts.items():
        into[name] = into.get(name, 0) + value


class StatBuckets:
    """One collection of buckets: `_id` is the dimensions and a shard joined by '|', the
    counters live under `counts`. Each change goes to one of `shards` buckets of its
    combination — its writer's (shared.unit_of_work.shard_of), else one at random — so that
    concurrent changes alike (reports of the same month, community, alley and category) do
    not write the same document; readers sum them all."""

    rollups: list = []

    def __init__(self, collection: str, dimensions: tuple[str, ...], shards: int = 4,
                 rollups: tuple[tuple[str, ...], ...] = ()):
        """`rollups`: coarser sets of the dimensions (month first) kept beside the buckets,
        each in a collection of its own (`<collection>.<dimensions>`), so that a query that
        neither filters nor groups by the others reads a few buckets a month rather than one
        per combination of every dimension."""
        if dimensions[0] != "month":
            raise ValueError("a bucket's first dimension is its month")
        self.collection = collection
        self.dimensions = dimensions
        self.shards = shards
        self.rollups = [StatBuckets(f"{collection}.{'_'.join(r[1:]) or 'month'}", tuple(r),
                                    shards) for r in rollups]
        for rollup in self.rollups:
            if not set(rollup.dimensions) <= set(dimensions) or rollup.dimensions[0] != "month":
                raise ValueError(f"a roll-up's dimensions are some of {dimensions}, month first")

    @property
    def indexes(self) -> dict:
        found = {self.collection: [IndexModel([("month", ASCENDING)], name="month")]}
        for rollup in self.rollups:
            found.update(rollup.indexes)
        return found

    def serving(self, names) -> "StatBuckets":
        """The coarsest buckets that hold every dimension in `names` (None: all of them)."""
        if names is None:
            return self
        wanted = set(names) | {"month"}
        fitting = [r for r in self.rollups if wanted <= set(r.dimensions)]
        return min(fitting, key=lambda r: len(r.dimensions)) if fitting else self

    def upgrade(self, uow) -> None:
        """Once, for buckets kept before a roll-up was: the roll-up summed from them (it reads
        every bucket, a number bounded by the combinations of the dimensions, not records)."""
        for rollup in self.rollups:
            if uow.collection(rollup.collection).find_one({}) is not None:
                continue
            for doc in uow.collection(self.collection).find({}):
                key = tuple(doc.get(d) for d in self.dimensions)
                rollup.record(uow, [(self._project(key, rollup), flatten(doc.get("counts", {})))])

    def _project(self, key: tuple, rollup: "StatBuckets") -> tuple:
        return tuple(key[self.dimensions.index(d)] for d in rollup.dimensions)

    def record(self, uow, stat_changes, rollups: bool = True) -> None:
        """Add an aggregate's stat changes [(key, {counter: delta})] to their buckets; changes
        to the same bucket are merged into one update. `rollups=False` only for an upgrade
        that moves counters between buckets of the same roll-up keys."""
        merged: dict[tuple, dict] = {}
        for key, changes in stat_changes:
            add_counts(merged.setdefault(tuple(key), {}), changes)
        for rollup in self.rollups if rollups else ():
            rollup.record(uow, [(self._project(key, rollup), changes)
                                for key, changes in merged.items()])
        buckets = uow.collection(self.collection)
        shard = shard_of(uow, self.shards)
        for key, changes in merged.items():
            increments = {f"counts.{name}": value for name, value in changes.items() if value}
            if not increments:
                continue
            buckets.update_one(
                {"_id": "|".join(str(part) for part in (*key, shard))},
                {"$inc": increments,
                 "$setOnInsert": {**dict(zip(self.dimensions, key)), "shard": shard}},
                upsert=True)

    def read(self, uow, first_month: str | None, last_month: str | None,
             group_by: tuple[str, ...] | None = None, **filters) -> list[dict]:
        """The buckets of the months from first to last (both included) that match `filters`
        (dimension = value; None means any), with flat counters. Given `group_by` (what the
        caller will group them by), from the coarsest roll-up that holds those dimensions and
        the filters' (their buckets then hold only those dimensions)."""
        equal: dict = {name: value for name, value in filters.items() if value is not None}
        if group_by is not None:
            source = self.serving({*equal, *group_by})
            if source is not self:
                return source.read(uow, first_month, last_month, **equal)
        months = {}
        if first_month:
            months["$gte"] = first_month
        if last_month:
            months["$lte"] = last_month
        # With a range of months, the server is asked for that range alone (the month index)
        # and the filters are applied here: SecantusDB uses an index only when a query's
        # equalities are exactly the fields it starts with, so a range of months with a
        # community would scan every bucket of every month. The range reads the buckets of the
        # months asked for, bounded by the combinations, never by the history.
        criteria = {"month": months} if months else equal
        return [{**doc, "counts": flatten(doc.get("counts", {}))}
                for doc in uow.collection(self.collection).find(criteria)
                if all(doc.get(name) == value for name, value in equal.items())]


def roll_up(buckets: list[dict], group_by: tuple[str, ...], figures: Callable[[dict], dict],
            label: Callable[[dict], dict] | None = None) -> dict:
    """Sum buckets into totals (and groups by the named dimensions), then derive the published
    figures from the sums. `label(group_key)` may add names to a group's key."""
    totals: dict = {}
    groups: dict[tuple, dict] = {}
    for bucket in buckets:
        add_counts(totals, bucket["counts"])
        if group_by:
            key = tuple(bucket.get(dimension) for dimension in group_by)
            add_counts(groups.setdefault(key, {}), bucket["counts"])
    result = {"totals": figures(totals)}
    if group_by:
        ordered = sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0])))
        result["groups"] = [
            {**(label or dict)(dict(zip(group_by, key))), **figures(counts)}
            for key, counts in ordered]
    return result
