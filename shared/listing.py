"""A list's indexes and its pages: which filters each order of a list has an index for, and
how a page is asked of the database so that every query it makes walks one of them.

SecantusDB answers a query from an index only when the query's equality fields are exactly
the fields that index starts with, followed by one range (the page's window of the order
field); any other shape — a filter no index starts with, a second range, `$ne`, `$all` —
reads the whole collection. So a list declares, for each order it offers, the combinations
of filters it has an index for; a page asks the database for the largest indexed
combination of its filters, and tests the others on the documents read (shared.paging's
`keep`), whose windows are then sized by what passes.

    POSTINGS_LIST = Listing({
        "posted_at": Sort("posted_at", filters=(("community",), ("community", "state"))),
        "valid_through": Sort("valid_through", horizon=timedelta(days=3660)),
    })
    INDEXES = {POSTINGS: POSTINGS_LIST.indexes}
    page = POSTINGS_LIST.page(documents, criteria, "-posted_at", query, now, extent)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel

from shared.paging import Order, decode_cursor, keyset_page
from shared.search import TERMS, query_terms


@dataclass(frozen=True)
class Sort:
    """One order of a list: its stored time field, how far past now its values may reach,
    and the combinations of equality filters it has an index for (the list with no filter
    always has one)."""

    field: str
    horizon: timedelta = timedelta(days=1)
    filters: tuple[tuple[str, ...], ...] = ()
    names: dict = field(default_factory=dict)  # combination -> an index's existing name

    def combinations(self) -> list[tuple[str, ...]]:
        return [(), *self.filters]

    def index(self, combination: tuple[str, ...]) -> IndexModel:
        name = self.names.get(combination) or "by_{}{}".format(
            self.field, "".join(f"_{name.replace('.', '_')}" for name in combination))
        return IndexModel([*((name, ASCENDING) for name in combination),
                           (self.field, DESCENDING), ("_id", DESCENDING)], name=name)


class Listing:
    """The orders (`sort` keys, named as the API names them) of one list."""

    def __init__(self, sorts: dict[str, Sort]):
        self.sorts = sorts

    @property
    def indexes(self) -> list[IndexModel]:
        return [sort.index(combination) for sort in self.sorts.values()
                for combination in sort.combinations()]

    def order(self, sort_key: str) -> Order:
        """`posted_at` soonest first, `-posted_at` latest first."""
        sort = self.sorts[sort_key.lstrip("-")]
        return Order(sort.field, ascending=not sort_key.startswith("-"), horizon=sort.horizon)

    def split(self, criteria: dict, sort_key: str) -> tuple[dict, dict]:
        """The criteria the database is asked (the order field's range and the largest
        combination of equality filters with an index) and those tested on what it reads."""
        sort = self.sorts[sort_key.lstrip("-")]
        equal = {name for name, value in criteria.items()
                 if name != sort.field and not name.startswith("$") and _equality(value)}
        best: tuple[str, ...] = ()
        for combination in sort.combinations():
            if set(combination) <= equal and len(combination) > len(best):
                best = combination
        asked = {name: value for name, value in criteria.items()
                 if name in best or name == sort.field}
        tested = {name: value for name, value in criteria.items() if name not in asked}
        return asked, tested

    def page(self, documents, criteria: dict, sort_key: str, query: dict, now: datetime,
             extent: tuple[datetime, datetime] | None) -> dict:
        """A page (shared.paging.keyset_page) of the documents matching `criteria`."""
        asked, tested = self.split(criteria, sort_key)
        keep = (lambda document: matches(document, tested)) if tested else None
        return keyset_page(documents, asked, self.order(sort_key), query, now=now,
                           extent=extent, keep=keep)


def search(q: str) -> dict:
    """The criteria of a search (shared.search): the index is asked for its first (longest)
    term, the others are tested on what it reads."""
    wanted = query_terms(q)
    criteria: dict = {TERMS: wanted[0]}
    if len(wanted) > 1:
        criteria["$and"] = [{TERMS: {"$all": wanted[1:]}}]
    return criteria


def empty_page(query: dict, total: int | None = None) -> dict:
    """The answer of a list with nothing in it (a cursor given is still checked)."""
    if query.get("cursor"):
        decode_cursor(query["cursor"])
    return {"items": [], "next_cursor": None, "has_more": False,
            "page_size": query["page_size"], "total": total}


def _equality(value) -> bool:
    """A value the index can be asked for: a plain value, or `$in` of plain values (a query
    for each, see shared.paging)."""
    if isinstance(value, dict):
        return set(value) == {"$in"} and not any(isinstance(v, dict) for v in value["$in"])
    return True


# --- testing a document against criteria (the few operators lists use) ---------------------

def matches(document: dict, criteria: dict) -> bool:
    for name, wanted in criteria.items():
        if name == "$nor":
            if any(matches(document, alternative) for alternative in wanted):
                return False
            continue
        if name == "$and":
            if not all(matches(document, part) for part in wanted):
                return False
            continue
        values = _values(document, name.split("."))
        if isinstance(wanted, dict) and wanted and all(op.startswith("$") for op in wanted):
            if not all(_holds(values, op, argument) for op, argument in wanted.items()):
                return False
        elif wanted not in values:
            return False
    return True


def _values(value, path: list[str]) -> list:
    """What a dotted path reaches in a document, arrays searched as MongoDB does (an array and
    each of its elements); [None] when it reaches nothing."""
    if not path:
        return [value, *value] if isinstance(value, list) else [value]
    if isinstance(value, list):
        found = [v for element in value for v in _values(element, path) if v is not None]
        return found or [None]
    if not isinstance(value, dict):
        return [None]
    return _values(value.get(path[0]), path[1:])


def _holds(values: list, op: str, argument) -> bool:
    if op == "$in":
        return any(v in argument for v in values)
    if op == "$nin":
        return not any(v in argument for v in values)
    if op == "$all":
        return all(a in values for a in argument)
    if op == "$ne":
        return argument not in values
    if op == "$eq":
        return argument in values
    compare = {"$lt": lambda v: v < argument, "$lte": lambda v: v <= argument,
               "$gt": lambda v: v > argument, "$gte": lambda v: v >= argument}.get(op)
    if compare is None:
        raise ValueError(f"{op} is not tested on documents read")
    return any(v is not None and type(v) is type(argument) and compare(v) for v in values)
