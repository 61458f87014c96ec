"""A list's totals, kept as counters in the same transactions as the changes they count.

Counting the matches of a query reads every one of them, so a list never counts: each kind of
record keeps `Tallies` by a few dimensions (a work order by community and state, say), moved by
the repository whenever a record is stored with other values for them. A list whose filters are
all tally dimensions gets its total by summing a bounded number of counters; any other filter
(a search, a date range) gets no total, and the list says only whether there is a next page.

Counters are spread over `shards` documents per combination, each change going to its writer's
(shared.unit_of_work.shard_of, else one at random), so that concurrent changes of the same kind
do not write the same document.

A list may filter by any of the dimensions, each with one value or several (a state among a
few); SecantusDB uses a compound index only when a query's equalities are exactly its leading
fields (then at most one range, or a list of values), so the counters have an index for every
combination of the dimensions that is not the leading part of another (in the dimensions'
order: the one filtered by a list, the state, is last). A tally is small, and there are only a
few such combinations: a filtered total reads the counters of the combinations it asks for,
not every combination's.
"""
from __future__ import annotations

from itertools import combinations

from pymongo import ASCENDING, IndexModel, UpdateOne

from shared.unit_of_work import shard_of

ALL = "*"  # the `_id` prefix of the count of all records (no dimension has this value first)
COMPLETE = f"{ALL}|complete"  # present once the count of all records is whole


class Tallies:
    def __init__(self, collection: str, dimensions: tuple[str, ...], shards: int = 8):
        self.collection = collection
        self.dimensions = dimensions
        self.shards = shards

    @property
    def indexes(self) -> dict:
        """By all the dimensions (`dimensions`), and by each combination of them that is not
        the leading part of an index already (for (community, team, state): (community,
        state), (team, state) and (state))."""
        chosen = [self.dimensions]
        for size in range(len(self.dimensions) - 1, 0, -1):
            for fields in combinations(self.dimensions, size):
                if not any(index[:size] == fields for index in chosen):
                    chosen.append(fields)
        return {self.collection: [
            IndexModel([(d, ASCENDING) for d in fields],
                       name="dimensions" if fields == self.dimensions else "_".join(fields))
            for fields in chosen]}

    def key(self, values: dict) -> tuple:
        return tuple(values.get(d) for d in self.dimensions)

    def record(self, uow, old: tuple | None, new: tuple | None) -> None:
        """One record left the `old` combination of values (None: it is new) for `new`
        (None: it is gone)."""
        if old == new:
            return
        changes = [self._change(uow, key, delta) for key, delta in ((old, -1), (new, 1))
                   if key is not None]
        arrived = (new is not None) - (old is not None)
        if arrived:
            changes.append(self._change_of_all(uow, arrived))
        self._write(uow, changes)

    def add(self, uow, key: tuple, delta: int, everything: bool = True) -> None:
        """`delta` records more (or fewer) of the combination `key`, and of all records."""
        changes = [self._change(uow, key, delta)]
        if everything:
            changes.append(self._change_of_all(uow, delta))
        self._write(uow, changes)

    def _add_to_all(self, uow, delta: int) -> None:
        self._write(uow, [self._change_of_all(uow, delta)])

    def _write(self, uow, changes: list[UpdateOne]) -> None:
        """The counters a change moves, in one request to the server."""
        uow.collection(self.collection).bulk_write(changes, ordered=True)

    def _change(self, uow, key: tuple, delta: int) -> UpdateOne:
        shard = shard_of(uow, self.shards)
        return UpdateOne({"_id": "|".join(map(str, (*key, shard)))},
                         {"$inc": {"n": delta},
                          "$setOnInsert": {**dict(zip(self.dimensions, key)), "shard": shard}},
                         upsert=True)

    def _change_of_all(self, uow, delta: int) -> UpdateOne:
        """The count of all records, kept apart (`_id` "*|<shard>") so that an unfiltered
        total reads `shards` documents, not one per combination of the dimensions."""
        shard = shard_of(uow, self.shards)
        return UpdateOne({"_id": f"{ALL}|{shard}"},
                         {"$inc": {"n": delta}, "$setOnInsert": {"shard": shard}}, upsert=True)

    def _all_ids(self) -> list[str]:
        """The `_id`s of the count of all records, and of the mark that it is whole."""
        return [*(f"{ALL}|{shard}" for shard in range(self.shards)), COMPLETE]

    def upgrade(self, uow) -> None:
        """Once (run at every start, it does nothing the second time): the count of all
        records made whole from the combinations, for counters kept before it was, then marked
        complete (`*|complete`); until then an unfiltered total sums the combinations."""
        counters = uow.collection(self.collection)
        if counters.find_one({"_id": COMPLETE}) is not None:
            return
        combined, counted = 0, 0
        for doc in counters.find({}, {"n": 1}):
            if str(doc["_id"]).startswith(f"{ALL}|"):
                counted += doc.get("n", 0)
            else:
                combined += doc.get("n", 0)
        if combined != counted:
            self._add_to_all(uow, combined - counted)
        counters.update_one({"_id": COMPLETE}, {"$setOnInsert": {"n": 0}}, upsert=True)

    def covers(self, filters: dict) -> bool:
        """Whether a list with these filters (name -> value or list of values; None or
        empty means any) can be totalled from the counters."""
        return all(name in self.dimensions for name, value in filters.items()
                   if value not in (None, [], ()))

    def total(self, uow, filters: dict) -> int | None:
        if not self.covers(filters):
            return None
        counters = uow.collection(self.collection)
        if all(value in (None, [], ()) for value in filters.values()):
            # By their `_id`s, each an index lookup: SecantusDB reads a range of `_id` (all the
            # ids from "*|" on, say) by scanning the whole collection, every combination's
            # counters with it.
            everything = list(counters.find({"_id": {"$in": self._all_ids()}}, {"n": 1}))
            if any(doc["_id"] == COMPLETE for doc in everything):
                return sum(doc.get("n", 0) for doc in everything)
            # Not yet made whole (see upgrade): the combinations, summed.
        criteria = {}
        for name, value in filters.items():
            if value in (None, [], ()):
                continue
            criteria[name] = {"$in": list(value)} if isinstance(value, (list, tuple, set)) \
                else value
        return sum(doc.get("n", 0) for doc in counters.find(criteria, {"n": 1})
                   if not str(doc["_id"]).startswith(f"{ALL}|"))
