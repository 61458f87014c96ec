"""What the volunteer service's repositories share: an index for a list, a page of a list by
cursor, a total from the counters, and the day's numbers."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel

from shared import clock
from shared.paging import Extents, Order, empty_page, keyset_page
from shared.tallies import Tallies


def newest(*fields: str, by: str, name: str) -> IndexModel:
    """An index for a list filtered by `fields` in the order of `by` (shared.paging): a page's
    window of `by` is one bounded range of it, read either way. Descending in `by`:
    SecantusDB (0.7) leaves out a record equal to a `$lte` bound on an ascending field of a
    compound index."""
    return IndexModel([*((f, ASCENDING) for f in fields), (by, DESCENDING), ("_id", DESCENDING)],
                      name=name)


def cursor_page(repository, name: str, criteria: dict, order: Order, query: dict,
                extents: Extents, indexes: list[IndexModel], convert, total: int | None,
                now: datetime | None = None) -> dict:
    """A page of the list (shared.paging) of the collection `name`: {items, next_cursor,
    has_more, page_size, total}, the items converted. A list with nothing in it yet answers at
    once (its cursor still checked)."""
    extent = extents.of(repository.uow, order.field)
    if extent is None:
        return empty_page(query, total)
    page = keyset_page(repository.collection(name), criteria, order, query, now=now,
                       extent=extent, indexes=indexes)
    page["items"] = [convert(d) for d in page["items"]]
    page["total"] = total
    return page


def total_of(tallies: Tallies, uow, query: dict, filters: tuple[str, ...]) -> int | None:
    """The list's total from its counters when every filter given is one they count (the
    query's `filters` are all it may filter by); None otherwise (never a count)."""
    given = {name: query.get(name) for name in filters
             if query.get(name) not in (None, [], (), "", False)}
    if not tallies.covers(given):
        return None
    return tallies.total(uow, given)


def one_of(values: list):
    """A filter for any of `values`: a plain equality for one (shared.paging reads a list of
    values as one query per value)."""
    return values[0] if len(values) == 1 else {"$in": list(values)}


def day_number(uow, prefix: str, at: datetime) -> str:
    """V202612060001: a prefix, the office's day and the day's running number, allocated
    outside the transaction (shared.unit_of_work.UnitOfWork.next_number)."""
    day = clock.local_date(at).strftime("%Y%m%d")
    return f"{prefix}{day}{uow.next_number(f'{prefix}{day}'):04d}"
