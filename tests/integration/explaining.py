"""What the database examines to answer a list: a unit of work whose collections add up the
documents examined (from the server's explain of each query) for every query a page makes,
and keep each query's plan.

    uow = explaining(ActivityUnitOfWork, ACTIVITIES)(db, source="activity")
    uow.activities.page(query, now)
    uow.examined  # documents examined by every find the page made on `activities`
    uow.plans     # each query's plan, "SORT ← FETCH ← IXSCAN(listed)"

Named no collections, it counts every one the unit of work reads: the list, and its counters
and extents beside it — the whole call.
"""
from __future__ import annotations

from bench.growth.explaining import stages
from shared.schemas import load
from shared.unit_of_work import BoundCollection


class _Explaining(BoundCollection):
    def __init__(self, collection, owner):
        super().__init__(collection, None)
        self.owner = owner

    def find(self, criteria, *args, **kwargs):
        explained = self._collection.find(criteria, *args, **kwargs)
        return _Counted(super().find(criteria, *args, **kwargs), explained, self.owner)

    def find_one(self, criteria=None, *args, **kwargs):
        found = list(self.find(criteria or {}, *args, **kwargs).limit(1))
        return found[0] if found else None


def _count(owner, explained) -> None:
    result = explained.explain()
    owner.examined += result.get("executionStats", {}).get("totalDocsExamined", 0)
    owner.queries += 1
    owner.plans.append(stages(result))


class _Counted:
    """A cursor that, once limited, asks the server how it would answer and counts that."""

    def __init__(self, cursor, explained, owner):
        self.cursor, self.explained, self.owner = cursor, explained, owner

    def sort(self, *args):
        self.cursor, self.explained = self.cursor.sort(*args), self.explained.sort(*args)
        return self

    def hint(self, index):
        self.cursor, self.explained = self.cursor.hint(index), self.explained.hint(index)
        return self

    def limit(self, n):
        self.cursor, self.explained = self.cursor.limit(n), self.explained.limit(n)
        _count(self.owner, self.explained)
        return self.cursor

    def __iter__(self):  # a find that is never limited is counted whole
        _count(self.owner, self.explained)
        return iter(self.cursor)


def explaining(unit_of_work_class, *names: str):
    """A subclass of the unit of work counting what the finds on collections `names` (all of
    them, when none is named) examine."""

    class Explaining(unit_of_work_class):
        examined = 0
        queries = 0

        def __init__(self, *args, **kwargs):
            self.plans: list[str] = []
            super().__init__(*args, **kwargs)

        def collection(self, name):
            if not names or name in names:
                return _Explaining(self.db[name], self)
            return super().collection(name)

        def reset(self):
            self.examined = self.queries = 0
            self.plans = []

    return Explaining


# A plain collection counted the same way (for tests that read a collection directly).
class ExplainingCollection:
    def __init__(self, collection):
        self._collection = collection
        self.name = collection.name
        self.examined = 0
        self.queries = 0

    def find(self, criteria=None, *args, **kwargs):
        return _CountedCursor(self, self._collection.find(criteria, *args, **kwargs),
                        self._collection.find(criteria, *args, **kwargs))

    def __getattr__(self, name):
        return getattr(self._collection, name)

    def _count(self, explained) -> None:
        stats = explained.explain().get("executionStats", {})
        self.examined += stats.get("totalDocsExamined", 0)
        self.queries += 1


class _CountedCursor:
    """A cursor counted when it is limited (the page's query) or read whole."""

    def __init__(self, owner, cursor, explained):
        self.owner, self.cursor, self.explained = owner, cursor, explained

    def sort(self, *args, **kwargs):
        self.cursor = self.cursor.sort(*args, **kwargs)
        self.explained = self.explained.sort(*args, **kwargs)
        return self

    def limit(self, n):
        self.owner._count(self.explained.limit(n))
        return self.cursor.limit(n)

    def __iter__(self):
        self.owner._count(self.explained)
        return iter(self.cursor)


def page_costs(uow, schema, list_page, query: dict, page_size: int, deep: int) -> tuple[int, int]:
    """(documents examined for page 1, for the page `deep` cursors further — or the last
    page, for a filter with fewer pages), through an explaining unit of work."""
    loaded = load(schema(), {**query, "page_size": page_size})
    page = list_page(uow, loaded)
    first = uow.examined
    assert page["items"] and (len(page["items"]) == page_size or not page["has_more"]), query
    for _ in range(deep):
        if not page["has_more"]:
            break
        uow.reset()
        page = list_page(uow, {**loaded, "cursor": page["next_cursor"]})
        assert page["items"], query
    return first, uow.examined


def measure_lists(seeded, lists: dict, sizes, measure, deep: int) -> dict:
    """{list: {query: {size: (page 1, deep page)}}}: every list of `lists` ({kind: (schema,
    list_page, queries)}) measured by `measure(seeded, schema, list_page, query)` at each size
    the seeded database grows to; printed for the reader of the test's output."""
    measured: dict = {kind: {} for kind in lists}
    for size in sizes:
        seeded.grow_to(size)
        for kind, (schema, list_page, queries) in lists.items():
            for query in queries:
                measured[kind].setdefault(repr(query), {})[size] = measure(
                    seeded, schema, list_page, query)
    for kind, by_query in measured.items():
        print(f"\n{kind}: documents examined (page 1, page {deep + 1}) at {sizes} records")
        for query, by_size in by_query.items():
            print(f"  {query}: {[by_size[s] for s in sizes]}")
    return measured
