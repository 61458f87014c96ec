"""What the server examines to answer a call: a unit of work whose collections explain every
query they run (with the same criteria, sort and limit) and add up the documents and index keys
examined, beside running it. Used by the growth benchmark and by the tests that hold each list
to a small multiple of its page."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.unit_of_work import BoundCollection


@dataclass
class Examined:
    documents: int = 0
    keys: int = 0
    queries: int = 0
    plans: list = field(default_factory=list)
    each: list = field(default_factory=list)  # (documents examined, plan) of each query

    def add(self, explained: dict) -> None:
        stats = explained.get("executionStats") or {}
        documents = int(stats.get("totalDocsExamined") or 0)
        self.documents += documents
        self.keys += int(stats.get("totalKeysExamined") or 0)
        self.queries += 1
        self.plans.append(stages(explained))
        self.each.append((documents, self.plans[-1]))

    def costliest(self) -> str:
        """The plan of the query that examined the most documents (the last of equals)."""
        return max(reversed(self.each), key=lambda cost: cost[0])[1] if self.each else ""


def stages(explained: dict) -> str:
    """The winning plan's stages, innermost last: "LIMIT ← FETCH ← IXSCAN(newest_first)"."""
    planner = explained.get("queryPlanner") or {}
    node = planner.get("winningPlan") or {}
    node = node.get("queryPlan", node)
    found = []
    while node:
        stage = node.get("stage")
        if stage:
            found.append(f"{stage}({node['indexName']})" if node.get("indexName") else stage)
        children = node.get("inputStages") or ([node["inputStage"]] if node.get("inputStage")
                                               else [])
        node = children[0] if children else None
    return " ← ".join(found)


class _ExplainedCursor:
    """A find cursor that, when first read, has the server explain the same query."""

    def __init__(self, collection, args, kwargs, examined: Examined):
        self._cursor = collection.find(*args, **kwargs)
        self._explain = collection.find(*args, **kwargs)
        self._examined = examined
        self._done = False

    def _both(self, name, *args, **kwargs):
        self._cursor = getattr(self._cursor, name)(*args, **kwargs)
        self._explain = getattr(self._explain, name)(*args, **kwargs)
        return self

    def sort(self, *args, **kwargs):
        return self._both("sort", *args, **kwargs)

    def limit(self, *args):
        return self._both("limit", *args)

    def skip(self, *args):
        return self._both("skip", *args)

    def hint(self, *args):
        return self._both("hint", *args)

    def __iter__(self):
        if not self._done:
            self._done = True
            self._examined.add(self._explain.explain())
        return iter(self._cursor)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


class ExplainingCollection(BoundCollection):
    def __init__(self, collection, session, examined: Examined):
        super().__init__(collection, session)
        self.examined = examined

    def find(self, *args, **kwargs):
        return _ExplainedCursor(self._collection, args, {"session": self._session, **kwargs},
                                self.examined)

    def find_one(self, criteria=None, *args, **kwargs):
        found = list(self.find(criteria or {}, *args, **kwargs).limit(1))
        return found[0] if found else None

    def count_documents(self, criteria, **kwargs):
        self.examined.add(self._collection.database.command(
            "explain", {"count": self.name, "query": criteria}, verbosity="executionStats"))
        return super().count_documents(criteria, **kwargs)


def explaining(unit_of_work_class):
    """A subclass of the service's unit of work whose collections explain what they run; the
    total is in `uow.examined`."""
    def collection(self, name):
        return ExplainingCollection(self.db[name], self.session, self.examined)

    def __init__(self, *args, **kwargs):
        self.examined = Examined()
        unit_of_work_class.__init__(self, *args, **kwargs)

    return type(f"Explaining{unit_of_work_class.__name__}", (unit_of_work_class,),
                {"collection": collection, "__init__": __init__})
