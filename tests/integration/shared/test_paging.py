"""Keyset pages (shared.paging) against the real database: walking every page of a list by
its cursors gives exactly the list — every record once, in order — whatever the records'
times (ties included), the page size, the order, the filter and the range asked for; and every
query a page makes is bounded on both sides of the order field."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pymongo import ASCENDING, DESCENDING, IndexModel

from shared.errors import ValidationFailed
from shared.paging import Order, decode_cursor, encode_cursor, keyset_page, split_criteria
from shared.unit_of_work import BoundCollection

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=timezone.utc)
START = datetime(2023, 1, 1, tzinfo=timezone.utc)


class Recording(BoundCollection):
    """The bound collection, noting every filter it is asked for."""

    def __init__(self, collection):
        super().__init__(collection, None)
        self.filters: list[dict] = []

    def find(self, *args, **kwargs):
        self.filters.append(args[0])
        return super().find(*args, **kwargs)


@pytest.fixture(scope="module")
def records(mongo_client):
    db = mongo_client[f"paging_{uuid.uuid4().hex[:8]}"]
    yield db
    mongo_client.drop_database(db.name)


def walk(collection, criteria, order, page_size, extent=None):
    pages, cursor = [], None
    while True:
        page = keyset_page(collection, criteria, order,
                           {"page_size": page_size, "cursor": cursor}, now=NOW, extent=extent)
        pages.append(page["items"])
        assert len(page["items"]) <= page_size
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return pages
        assert len(page["items"]) == page_size
        cursor = page["next_cursor"]


moments = st.integers(min_value=0, max_value=4 * 365 * 24 * 3600).map(
    lambda seconds: START + timedelta(seconds=seconds))


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(times=st.lists(st.one_of(moments, st.sampled_from([START + timedelta(days=400)])),
                      max_size=60),
       page_size=st.integers(min_value=1, max_value=7), ascending=st.booleans(),
       kind=st.sampled_from(["a", "b", None]), ranged=st.booleans(), measured=st.booleans())
def test_walking_the_cursors_gives_every_record_once_in_order(records, times, page_size,
                                                              ascending, kind, ranged, measured):
    collection = records[f"c{uuid.uuid4().hex[:8]}"]
    collection.create_indexes([IndexModel([("kind", ASCENDING), ("at", DESCENDING),
                                           ("_id", DESCENDING)])])
    docs = [{"_id": f"R{n:04d}", "at": at, "kind": "ab"[n % 2]} for n, at in enumerate(times)]
    if docs:
        collection.insert_many(docs)
    criteria = {"kind": kind} if kind else {}
    low, high = START + timedelta(days=200), START + timedelta(days=900)
    if ranged:
        criteria["at"] = {"$gte": low, "$lt": high}
    expected = [d for d in docs if (kind is None or d["kind"] == kind)
                and (not ranged or low <= d["at"] < high)]
    expected.sort(key=lambda d: (d["at"], d["_id"]), reverse=not ascending)
    bound = Recording(collection)
    # The extent, as a repository keeps it, puts window edges on records' own values.
    extent = (min(times), max(times)) if measured and times else None
    pages = walk(bound, criteria, Order("at", ascending=ascending), page_size, extent)
    assert [d["_id"] for page in pages for d in page] == [d["_id"] for d in expected]
    for asked in bound.filters:  # every query names both ends of its range, or one value
        bounds = asked["at"]
        assert not isinstance(bounds, dict) or set(bounds) in ({"$lt", "$gt"}, {"$gt", "$lte"})


def test_a_page_reads_about_a_page_however_long_the_history(records):
    collection = records[f"c{uuid.uuid4().hex[:8]}"]
    collection.create_indexes([IndexModel([("at", DESCENDING), ("_id", DESCENDING)])])
    hourly = [{"_id": f"H{n:06d}", "at": NOW - timedelta(hours=n)} for n in range(3000)]
    collection.insert_many(hourly)
    bound = Recording(collection)
    page = keyset_page(bound, {}, Order("at"), {"page_size": 20, "cursor": None}, now=NOW)
    assert [d["_id"] for d in page["items"]] == [f"H{n:06d}" for n in range(20)]
    examined = sum(collection.count_documents(f) for f in bound.filters)
    assert examined <= 3 * 21  # the windows held a small multiple of the page


def test_a_forged_cursor_is_a_field_error():
    with pytest.raises(ValidationFailed) as refused:
        decode_cursor("not-a-cursor")
    assert "cursor" in refused.value.fields
    value, ident, window = decode_cursor(encode_cursor(NOW, "WO1", timedelta(hours=3)))
    assert (value, ident, window) == (NOW, "WO1", timedelta(hours=3))


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(times=st.lists(moments, max_size=50), page_size=st.integers(min_value=1, max_value=6),
       ascending=st.booleans(), kind=st.sampled_from(["a", "b", None]),
       colour=st.sampled_from(["red", "blue", None]), tagged=st.booleans())
def test_criteria_an_index_covers_in_part_are_checked_on_what_it_holds(
        records, times, page_size, ascending, kind, colour, tagged):
    """A filter without an index of its own: the server is asked for the window of the index
    that covers part of it, the rest is checked on what it sends — the same pages result."""
    collection = records[f"c{uuid.uuid4().hex[:8]}"]
    indexes = [IndexModel([("at", DESCENDING), ("_id", DESCENDING)], name="at"),
               IndexModel([("kind", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)],
                          name="kind_at")]
    collection.create_indexes(indexes)
    docs = [{"_id": f"R{n:04d}", "at": at, "kind": "ab"[n % 2],
             "colour": ["red", "blue", None][n % 3], "tags": [{"t": "x"}] if n % 4 else []}
            for n, at in enumerate(times)]
    if docs:
        collection.insert_many(docs)
    criteria = {"kind": kind} if kind else {}
    if colour:
        criteria["colour"] = colour
    if tagged:
        criteria["tags.t"] = "x"
    expected = [d for d in docs if (kind is None or d["kind"] == kind)
                and (colour is None or d["colour"] == colour)
                and (not tagged or d["tags"])]
    expected.sort(key=lambda d: (d["at"], d["_id"]), reverse=not ascending)
    pages, cursor = [], None
    while True:
        page = keyset_page(Recording(collection), criteria, Order("at", ascending=ascending),
                           {"page_size": page_size, "cursor": cursor}, now=NOW,
                           indexes=indexes)
        pages.append(page["items"])
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert [d["_id"] for page in pages for d in page] == [d["_id"] for d in expected]


def test_what_the_server_is_asked_is_what_an_index_covers():
    indexes = [IndexModel([("at", DESCENDING), ("_id", DESCENDING)]),
               IndexModel([("kind", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)]),
               IndexModel([("kind", ASCENDING), ("state", ASCENDING), ("at", DESCENDING),
                           ("_id", DESCENDING)]),
               IndexModel([("terms", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)])]
    assert split_criteria({"kind": "a", "state": "x"}, indexes, "at") == (
        {"kind": "a", "state": "x"}, {})
    assert split_criteria({"kind": "a", "colour": "red"}, indexes, "at") == (
        {"kind": "a"}, {"colour": "red"})
    assert split_criteria({"terms": {"$all": ["路灯", "灯不"]}}, indexes, "at") == (
        {"terms": "路灯"}, {"terms": {"$all": ["路灯", "灯不"]}})
    # What cannot be checked here goes to the server whole.
    assert split_criteria({"kind": "a", "note": {"$regex": "x"}}, indexes, "at") == (
        {"kind": "a", "note": {"$regex": "x"}}, {})


def test_a_first_page_asked_again_starts_with_the_window_that_found_it(records):
    """Given the list's total, the window the last first page of a list needed is learned: the
    same page again is one query, the same records; a list with another filter learns its
    own; a list grown denser since starts with a window narrowed as much."""
    collection = records[f"c{uuid.uuid4().hex[:8]}"]
    collection.create_index([("at", DESCENDING), ("_id", DESCENDING)])
    # Two records a day for a year and a half: FIRST_WINDOW (6 hours) holds less than one.
    collection.insert_many([{"_id": f"R{n:05d}", "at": NOW - timedelta(hours=12 * n + 1),
                             "kind": "ab"[n % 2]} for n in range(1100)])

    def first_page(criteria, total, page_size=20):
        recording = Recording(collection)
        page = keyset_page(recording, criteria, Order("at"),
                           {"page_size": page_size, "cursor": None}, now=NOW, total=total)
        return page["items"], len(recording.filters)

    items, queries = first_page({}, 1100)
    assert queries > 3
    assert first_page({}, 1100) == (items, 1)
    assert first_page({"kind": "a"}, 550)[1] > 3
    more, queries = first_page({}, 1100, page_size=40)
    assert more[:20] == items and queries == 1
    assert first_page({}, None)[1] > 3  # no total: not learned from
    # Four times as many records, as dense at the top: the window is a quarter as wide.
    collection.insert_many([{"_id": f"S{n:05d}", "at": NOW - timedelta(hours=3 * n + 2),
                             "kind": "a"} for n in range(3300)])
    denser = Recording(collection)
    page = keyset_page(denser, {}, Order("at"), {"page_size": 20, "cursor": None}, now=NOW,
                       total=4400)
    assert len(denser.filters) <= 2
    explained = collection.find(denser.filters[0]).sort(
        [("at", DESCENDING), ("_id", DESCENDING)]).explain()
    assert explained["executionStats"]["totalKeysExamined"] <= 2 * 21
    assert [d["_id"] for d in page["items"]] == [d["_id"] for d in collection.find().sort(
        [("at", DESCENDING), ("_id", DESCENDING)]).limit(20)]


def test_a_learned_first_page_of_dense_new_records_reads_about_a_page(records):
    """The list's edge stands up to a day ahead of its newest record (Extents keeps a day to
    spare), and its newest records may be dense — a busy morning, an import. The learned first
    window reaches from the edge to where the last first page's records lay, with a margin on
    those records only: the page is one query that reads about a page, not the hours the margin
    of a day-wide window would take in; records added since are read with it, and the page is
    still the newest ones."""
    collection = records[f"c{uuid.uuid4().hex[:8]}"]
    collection.create_index([("at", DESCENDING), ("_id", DESCENDING)])
    collection.insert_many([{"_id": f"R{n:05d}", "at": NOW - timedelta(hours=12 * n + 3)}
                            for n in range(500)])
    # 300 records in the last five minutes, one a second.
    collection.insert_many([{"_id": f"D{n:05d}", "at": NOW - timedelta(seconds=n + 1)}
                            for n in range(300)])
    extent = (START, NOW + timedelta(days=1))

    def first_page(total):
        recording = Recording(collection)
        page = keyset_page(recording, {}, Order("at"), {"page_size": 20, "cursor": None},
                           now=NOW, extent=extent, total=total)
        examined = sum(collection.find(f).sort([("at", DESCENDING), ("_id", DESCENDING)])
                       .explain()["executionStats"]["totalDocsExamined"]
                       for f in recording.filters)
        return [d["_id"] for d in page["items"]], len(recording.filters), examined

    def newest():
        return [d["_id"] for d in collection.find().sort(
            [("at", DESCENDING), ("_id", DESCENDING)]).limit(20)]

    first_page(800)  # learns
    items, queries, examined = first_page(800)
    assert items == newest() and queries == 1
    assert examined <= 2 * 21, examined
    # Thirty more in the next half minute (later than NOW, still before the edge).
    collection.insert_many([{"_id": f"E{n:05d}", "at": NOW + timedelta(seconds=n + 1)}
                            for n in range(30)])
    items, queries, examined = first_page(830)
    assert items == newest() and queries == 1
    assert examined <= 2 * 21 + 30, examined
