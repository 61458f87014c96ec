"""Lists that cost the same on page 1 and page 500, at a thousand records or a million.

A list is read by keyset: its order is a time field (newest first, or soonest first) with the
record's `_id` breaking ties, and a page continues after the last record of the previous one,
named by an opaque `cursor`. Every query is bounded on both sides of its index range: a page
is looked for in a window of time that starts small and doubles until the page is full (or
the list's bounds are reached), so a query never asks the database for "everything older than
this" — which some servers read in full before applying the limit. The window that filled the
last page travels in the cursor, so the next page starts with a window of the right size.

    page = keyset_page(uow.work_orders.documents, criteria, Order("reported_at"), query)
    # -> {"items": [documents], "next_cursor": "…" or None, "has_more": bool, "page_size": n}

Each filter a list offers needs an index that starts with the filter's equality fields and
ends with (order field, _id), so that a window costs what it holds. Records without a value
for the order field are not in the list (a list ordered by deadline shows those with one).
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Callable
from datetime import datetime, timedelta, timezone

from bson import ObjectId
from bson.errors import InvalidId
from marshmallow import fields, validate
from pymongo import IndexModel

from shared import clock
from shared.errors import ValidationFailed
from shared.schemas import Schema

FLOOR = datetime(2000, 1, 1, tzinfo=timezone.utc)     # no list reaches back further
FIRST_WINDOW = timedelta(hours=6)
MAX_PAGE_SIZE = 200
CURSOR_ERROR = "翻页游标无效,请从第一页重新开始。"


class CursorPageSchema(Schema):
    """A list's paging input: how many records, and where the previous page ended."""

    cursor = fields.String(load_default=None, validate=validate.Length(max=400))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1,
                                                                        max=MAX_PAGE_SIZE))


@dataclass(frozen=True)
class Order:
    """A list's order: a time field, newest (or latest) first unless `ascending`."""

    field: str
    ascending: bool = False
    horizon: timedelta = timedelta(days=1)  # how far past now the field's values may reach

    def floor(self) -> datetime:
        return FLOOR

    def ceiling(self, now: datetime) -> datetime:
        return now + self.horizon


MAX_WINDOW = timedelta(days=36600)


def encode_cursor(value: datetime, ident, window: timedelta) -> str:
    ident = {"oid": str(ident)} if isinstance(ident, ObjectId) else ident
    raw = json.dumps({"v": clock.iso(value), "id": ident, "w": int(window.total_seconds())},
                     separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, object, timedelta]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        state = json.loads(raw)
        window = min(timedelta(seconds=int(state["w"])), MAX_WINDOW)
        if window <= timedelta(0):
            raise ValueError("window")
        ident = state["id"]
        if isinstance(ident, dict):
            ident = ObjectId(ident["oid"])
        elif not isinstance(ident, (str, int)):
            raise ValueError("id")
        return clock.parse_iso(state["v"]), ident, window
    except (ValueError, KeyError, TypeError, AttributeError, InvalidId):
        raise ValidationFailed(fields={"cursor": [CURSOR_ERROR]}) from None


def keyset_page(documents, criteria: dict, order: Order, query: dict,
                now: datetime | None = None, first_window: timedelta = FIRST_WINDOW,
                extent: tuple[datetime, datetime] | None = None,
                indexes: list[IndexModel] | None = None,
                keep: Callable[[dict], bool] | None = None,
                total: int | None = None) -> dict:
    """One page of `documents` (a bound collection) matching `criteria` in `order`. A range
    the criteria set on the order field narrows the list's bounds, and so does `extent`, the
    lowest and highest values the field has in the collection (see Extents). Given the
    collection's `indexes`, each query asks the server only for what the index that serves
    it best holds, and the rest of the criteria are checked here (see split_criteria).
    `keep`, when given, is a further test of each document read (a filter no index serves):
    a window is then read whole, and its windows are sized by what passes the test. `total`,
    the number of records the list holds when the caller knows it, lets a first page start
    where the last one of the same list found its records (_FIRST_WINDOWS)."""
    given = criteria
    criteria = dict(criteria)
    low_bound, high_bound = _bounds(criteria.pop(order.field, None), order,
                                    now or clock.now(), extent)
    variants = _equalities(criteria)
    size = query["page_size"]
    wanted = size + 1  # one more than the page: whether there is a next page
    direction = 1 if order.ascending else -1
    key = (lambda d: (d[order.field], d["_id"])) if order.ascending else \
        (lambda d: (_Reverse(d[order.field]), _Reverse(d["_id"])))

    plans = [split_criteria(variant, indexes, order.field) if indexes else (variant, {})
             for variant in variants]

    def read(bounds: dict, sort: list, limit: int) -> list[dict]:
        """The first `limit` matches in order, one bounded query per variant of the criteria."""
        merged = []
        for asked, checked in plans:
            found = documents.find({**asked, **bounds}).sort(sort)
            if checked or keep is not None:
                # The server reads the whole window of the index whatever the limit; what it
                # sends back is checked here.
                merged.extend(d for d in found.limit(0) if (not checked or matches(d, checked))
                              and (keep is None or keep(d)))
            else:
                merged.extend(found.limit(limit))
        return sorted(merged, key=key)[:limit]

    found: list[dict] = []
    learning = None
    if query.get("cursor"):
        edge, last_id, window = decode_cursor(query["cursor"])
        # First the rest of the records that share the last one's value.
        found.extend(read({order.field: edge,
                           "_id": {"$gt" if order.ascending else "$lt": last_id}},
                          [("_id", direction)], wanted))
    else:
        edge = low_bound if order.ascending else high_bound
        if first_window is FIRST_WINDOW and total:  # learned, if it can be (see above)
            learning = _first_page_key(documents, given, order)
            window = _learned_window(learning, edge, wanted, total) or first_window
        else:
            window = first_window
    sort = [(order.field, direction), ("_id", direction)]
    searched, seen = timedelta(0), 0  # the windows' span since the first record seen
    while len(found) < wanted and (edge < high_bound if order.ascending else edge > low_bound):
        start = edge
        if order.ascending:  # the window (edge, edge + window]
            edge = min(edge + window, high_bound)
            bounds = {"$gt": start, "$lte": edge}
        else:                # the window [edge - window, edge)
            edge = max(edge - window, low_bound)
            # Written "after one millisecond less" rather than "from": SecantusDB (0.7) leaves
            # out a record equal to a `$gte` bound on a descending field of a compound index.
            # Times are kept to the millisecond, so the two say the same.
            bounds = {"$gt": edge - MILLISECOND, "$lt": start}
        batch = read({order.field: bounds}, sort, wanted - len(found))
        found.extend(batch)
        if batch or seen:
            # The density counts from the first record seen, to where the page filled up
            # (or the window ended).
            begin = start if seen else batch[0][order.field]
            end = batch[-1][order.field] if len(found) >= wanted else edge
            searched, seen = searched + abs(end - begin), seen + len(batch)
        if len(found) < wanted:
            # Size the next window for what is still missing at the density seen so far
            # (twice as far when nothing was seen yet).
            window = (window * 2 if not seen else
                      max(searched, timedelta(seconds=1)) * (wanted - len(found)) / seen * 1.25)
            window = _whole_seconds(window)
    if learning is not None and len(found) >= wanted:
        # Where the page's records lay: its first one and the record after it. (A list shorter
        # than a page teaches nothing: the window that found it all could hold any number of
        # records added since.)
        _learn_window(learning, found[0][order.field], found[wanted - 1][order.field], wanted,
                      total)
    if seen:  # the next page's first window: one that holds about a page at this density
        window = _whole_seconds(max(searched, timedelta(seconds=1)) * wanted / seen * 1.1)
    items = found[:size]
    has_more = len(found) > size
    next_cursor = (encode_cursor(items[-1][order.field], items[-1]["_id"], window)
                   if has_more else None)
    return {"items": items, "next_cursor": next_cursor, "has_more": has_more,
            "page_size": size}


MILLISECOND = timedelta(milliseconds=1)

# The first page of a list is asked again and again (the console opens on it). When the caller
# knows how many records the list holds (`total`, from its tallies), where the last first page
# of the same list in this process found its records starts the next one, instead of
# FIRST_WINDOW doubling until it meets the records (four or five queries on a sparse list, one
# here): the window reaches from the list's edge to the last page's first record as it is (the
# stretch before it is empty but for records added since, and the edge may stand up to a day
# ahead, Extents.SLACK), and beyond it as far as the last page's records reached, with a tenth
# to spare — narrowed as the list has grown since, widened as it has shrunk. (Taking the tenth
# of the whole window read hours of a list whose newest records are dense.) It only decides
# how the list is read, never what the page holds.
_FIRST_WINDOWS: dict = {}
MAX_LEARNED = 1024


def _first_page_key(documents, criteria: dict, order: Order):
    name = getattr(documents, "full_name", None)
    if name is None:
        return None
    try:
        return name, order.field, order.ascending, repr(sorted(criteria.items()))
    except TypeError:  # criteria that cannot be put in order: not learned
        return None


def _learned_window(key, edge: datetime, wanted: int, total: int) -> timedelta | None:
    learned = _FIRST_WINDOWS.get(key) if key is not None else None
    if learned is None:
        return None
    first, reach, then_wanted, then_total = learned
    held = abs(reach - first) * (wanted / then_wanted) * (then_total / total) * 1.1
    # Whole seconds, rounded up: the window never stops short of what it is to hold.
    return _whole_seconds(abs(first - edge) + held + timedelta(seconds=0.5))


def _learn_window(key, first: datetime, reach: datetime, wanted: int, total: int) -> None:
    if key is None:
        return
    if key not in _FIRST_WINDOWS and len(_FIRST_WINDOWS) >= MAX_LEARNED:
        _FIRST_WINDOWS.pop(next(iter(_FIRST_WINDOWS)))
    _FIRST_WINDOWS[key] = (first, reach, wanted, total)


def empty_page(query: dict, total: int | None = 0) -> dict:
    """The answer of a list with nothing in it (its order field has no extent yet); a cursor
    given is still checked, so a forged one is refused whatever the list holds."""
    if query.get("cursor"):
        decode_cursor(query["cursor"])
    return {"items": [], "next_cursor": None, "has_more": False,
            "page_size": query["page_size"], "total": total}


def _whole_seconds(window: timedelta) -> timedelta:
    """Windows of whole seconds keep every edge on a millisecond, as the stored times are."""
    return min(timedelta(seconds=max(1, round(window.total_seconds()))), MAX_WINDOW)


class _Reverse:
    """Sorts its value the other way round (for merging newest-first results)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value

    def __eq__(self, other):
        return self.value == other.value


def _equalities(criteria: dict) -> list[dict]:
    """The criteria as queries without `$in` on any field (one per combination of values): a
    server may read a whole collection for an `$in`, but reads an index range for each
    value. At most MAX_VARIANTS queries; beyond that the `$in` stays as it is."""
    variants = [criteria]
    for name, value in criteria.items():
        if isinstance(value, dict) and set(value) == {"$in"} and \
                len(variants) * len(value["$in"]) <= MAX_VARIANTS:
            variants = [{**variant, name: one} for variant in variants for one in value["$in"]]
    return variants


MAX_VARIANTS = 12


def split_criteria(criteria: dict, indexes: list[IndexModel], field: str
                   ) -> tuple[dict, dict]:
    """(what the server is asked, what is checked on the documents it returns) for a window
    of `field` under `criteria`. Some servers (SecantusDB 0.7) read the whole collection for
    criteria that no index covers exactly — equality fields, then the window's field — rather
    than read an index covering part of them and filter the rest. So the server is asked for
    the equalities of the index with the most of them (made of equality fields followed by
    (field, _id)), and the rest is checked here: a window then costs what that index holds in
    it. Criteria this module cannot check are all sent to the server."""
    best: list[str] | None = None
    for index in indexes:
        keys = list(index.document["key"])
        if keys[-2:] != [field, "_id"]:
            continue
        prefix = keys[:-2]
        if all(name in criteria and _equality(criteria[name]) for name in prefix) and \
                (best is None or len(prefix) > len(best)):
            best = prefix
    if best is None:
        return criteria, {}
    checked = {name: value for name, value in criteria.items() if name not in best}
    if not _checkable(checked):
        return criteria, {}
    asked = {}
    for name in best:
        value = criteria[name]
        if isinstance(value, dict):
            if "$all" in value:  # found by the first term, checked for all of them
                asked[name] = value["$all"][0]
                checked[name] = value
            else:
                asked[name] = value["$eq"]
        else:
            asked[name] = value
    return asked, checked


def _equality(value) -> bool:
    """Whether a criterion is one value of an index key (an equality, or all of some terms)."""
    if not isinstance(value, dict):
        return True
    return (set(value) == {"$eq"}) or (set(value) == {"$all"} and bool(value["$all"]))


_OPERATORS = {"$eq", "$ne", "$in", "$nin", "$all", "$gt", "$gte", "$lt", "$lte", "$exists"}


def _checkable(criteria: dict) -> bool:
    for name, value in criteria.items():
        if name in ("$and", "$or", "$nor"):
            if not all(_checkable(part) for part in value):
                return False
        elif name.startswith("$"):
            return False
        elif isinstance(value, dict) and any(k.startswith("$") for k in value) and \
                not set(value) <= _OPERATORS:
            return False
    return True


def matches(document: dict, criteria: dict) -> bool:
    """Whether a document meets criteria, read as MongoDB reads them (equalities, comparisons,
    $in, $nin, $all, $ne, $exists, $and, $or, $nor; a list field matches by any element)."""
    for name, condition in criteria.items():
        if name == "$and":
            if not all(matches(document, part) for part in condition):
                return False
        elif name == "$or":
            if not any(matches(document, part) for part in condition):
                return False
        elif name == "$nor":
            if any(matches(document, part) for part in condition):
                return False
        elif not _meets(_values(document, name), condition):
            return False
    return True


_MISSING = object()


def _values(document, path: str) -> list:
    """The values a dotted path reaches (through lists, element by element); a list is also
    a value itself. Missing: [_MISSING]."""
    current = [document]
    for part in path.split("."):
        reached = []
        for value in current:
            if isinstance(value, dict):
                reached.append(value.get(part, _MISSING))
            elif isinstance(value, list):
                reached.extend(v.get(part, _MISSING) for v in value if isinstance(v, dict))
        current = reached or [_MISSING]
    found = []
    for value in current:
        if isinstance(value, list):
            found.extend(value)
        found.append(value)
    return found


def _equal(value, wanted) -> bool:
    if wanted is None:
        return value is None or value is _MISSING
    return value is not _MISSING and value == wanted


def _compare(value, op: str, bound) -> bool:
    if value is _MISSING or value is None or isinstance(value, list):
        return False
    try:
        if isinstance(value, datetime) and isinstance(bound, datetime):
            value, bound = clock.as_utc(value), clock.as_utc(bound)
        return {"$gt": value > bound, "$gte": value >= bound,
                "$lt": value < bound, "$lte": value <= bound}[op]
    except TypeError:
        return False


def _meets(values: list, condition) -> bool:
    if not (isinstance(condition, dict) and any(k.startswith("$") for k in condition)):
        return any(_equal(v, condition) for v in values)
    for op, operand in condition.items():
        if op == "$eq":
            ok = any(_equal(v, operand) for v in values)
        elif op == "$ne":
            ok = not any(_equal(v, operand) for v in values)
        elif op == "$in":
            ok = any(_equal(v, one) for v in values for one in operand)
        elif op == "$nin":
            ok = not any(_equal(v, one) for v in values for one in operand)
        elif op == "$all":
            ok = all(any(_equal(v, one) for v in values) for one in operand)
        elif op == "$exists":
            ok = any(v is not _MISSING for v in values) == bool(operand)
        else:
            ok = any(_compare(v, op, operand) for v in values)
        if not ok:
            return False
    return True


def _bounds(given, order: Order, now: datetime,
            extent: tuple[datetime, datetime] | None = None) -> tuple[datetime, datetime]:
    """The list's edges in the order field, narrowed by a range the query gives ({"$gte": …,
    "$lt": …}). Newest first, windows are [low, high): the low edge is included, the high one
    not; soonest first, windows are (low, high]. Times are kept to the millisecond."""
    low, high = order.floor(), order.ceiling(now)
    ms = timedelta(milliseconds=1)
    shift = -ms if order.ascending else timedelta(0)
    if extent is not None:
        low, high = max(low, extent[0] + shift), min(high, extent[1] + shift + ms)
    if given is None:
        return low, high
    if not isinstance(given, dict):
        raise ValueError(f"{order.field} may only be given as a range")
    if "$gte" in given:
        low = max(low, given["$gte"] + shift)
    if "$gt" in given:
        low = max(low, given["$gt"] + shift + ms)
    if "$lt" in given:
        high = min(high, given["$lt"] + shift)
    if "$lte" in given:
        high = min(high, given["$lte"] + shift + ms)
    return low, high


EXTENTS = "extents"


class Extents:
    """The lowest and highest value each order field has in a collection, so that a list's
    windows start where its records are rather than at the floor or the ceiling. Widened in the
    same transaction as a record that falls outside them — and written only then, with a day
    to spare (`SLACK`), so that the newest records, each later than the last, do not all write
    it: it is written about once a day, and never a point where writes queue. The windows of a
    list start at most a day's worth of empty windows away from its first record."""

    SLACK = timedelta(days=1)

    def __init__(self, collection: str, fields: tuple[str, ...]):
        self.collection = collection
        self.fields = fields

    def _stored(self, uow) -> dict:
        cache = uow.__dict__.setdefault("_extents", {})
        if self.collection not in cache:
            cache[self.collection] = uow.collection(EXTENTS).find_one(
                {"_id": self.collection}) or {"min": {}, "max": {}}
        return cache[self.collection]

    def widen(self, uow, values: dict) -> None:
        stored = self._stored(uow)
        lower = {f"min.{name}": value - self.SLACK for name, value in values.items()
                 if value is not None and (stored["min"].get(name) is None
                                           or value < clock.as_utc(stored["min"][name]))}
        higher = {f"max.{name}": value + self.SLACK for name, value in values.items()
                  if value is not None and (stored["max"].get(name) is None
                                            or value > clock.as_utc(stored["max"][name]))}
        if not lower and not higher:
            return
        update = {"$min": lower} if lower else {}
        if higher:
            update["$max"] = higher
        uow.collection(EXTENTS).update_one({"_id": self.collection}, update, upsert=True)
        for key, value in {**lower, **higher}.items():
            side, name = key.split(".", 1)
            stored[side][name] = value

    def of(self, uow, name: str) -> tuple[datetime, datetime] | None:
        """(lowest, highest) of the field, or None when no record has a value for it."""
        stored = self._stored(uow)
        low, high = stored["min"].get(name), stored["max"].get(name)
        return None if low is None else (clock.as_utc(low), clock.as_utc(high))
