"""A list's totals, kept as counters in the same transactions as the changes they count.

Counting the matches of a query reads every one of them, so a list never counts: each kind of
record keeps `Tallies` by a few dimensions (a work order by community and state, say), moved by
the repository whenever a record is stored with other values for them. A list whose filters are
all tally dimensions gets its total by summing a bounded number of counters; any other filter
(a search, a date range) gets no total, and the list says only whether there is a next page.

Counters are spread over `shards` documents per combination, each change going to its writer's
(shared.unit_of_work.shard_of, else one at random), so that concurrent changes of the same kind
do not write the same document.
"""
from __future__ import annotations

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
        return {self.collection: [IndexModel([(d, ASCENDING) for d in self.dimensions],
                                             name="dimensions")]}

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

    def everything(self) -> dict:
        """The criteria that find the counters of all records (and any combination counted
        under no value of any dimension, which the caller leaves out by its `_id`)."""
        return {dimension: None for dimension in self.dimensions}

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
            # The counters of all records have none of the dimensions: found through the
            # dimensions' index (a range of `_id` reads every counter on some servers).
            everything = [doc for doc in counters.find(self.everything(), {"n": 1})
                          if str(doc["_id"]).startswith(f"{ALL}|")]
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
