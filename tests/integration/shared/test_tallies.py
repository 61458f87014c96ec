"""A list's unfiltered total reads a few counters of all records, not one per combination of
the dimensions; counters kept before that count existed are made whole once, and until then
the total still sums the combinations."""
import uuid

from hypothesis import given, settings, strategies as st

from shared.storage import ensure_indexes
from shared.tallies import Tallies
from shared.unit_of_work import UnitOfWork
from tests.integration.plans import stages

TALLIES = Tallies("t", ("community", "state"))
move = st.tuples(st.sampled_from([None, ("天宝社区", "a"), ("天宝社区", "b"), ("浚河社区", "a")]),
                 st.sampled_from([None, ("天宝社区", "a"), ("浚河社区", "b")]))


@settings(max_examples=20, deadline=None)
@given(st.lists(move, max_size=25), st.integers(0, 25))
def test_the_total_of_all_agrees_with_the_combinations_before_and_after_an_upgrade(
        mongo_client, moves, cut):
    db = mongo_client[f"tallies_{uuid.uuid4().hex[:12]}"]
    ensure_indexes(db, TALLIES.indexes)
    uow = UnitOfWork(db, source="test")
    records = []
    for n, (old, new) in enumerate(moves):
        if n == cut:  # counters kept by an earlier version: no count of all yet
            db.t.delete_many({"_id": {"$regex": r"^\*\|"}})
            assert TALLIES.total(uow, {}) == len(records)
        # Only moves that make sense: a record leaves a combination it is in.
        old = records.pop() if old is not None and records else None
        TALLIES.record(uow, old, new)
        if new is not None:
            records.append(new)
    TALLIES.upgrade(uow)
    assert TALLIES.total(uow, {}) == len(records)
    assert TALLIES.total(uow, {"community": "天宝社区"}) == \
        sum(1 for c, _ in records if c == "天宝社区")
    TALLIES.upgrade(uow)  # a second start changes nothing
    assert TALLIES.total(uow, {}) == len(records)


def test_the_total_of_all_is_read_through_the_index_whatever_the_combinations(mongo_client):
    db = mongo_client[f"tallies_{uuid.uuid4().hex[:12]}"]
    ensure_indexes(db, TALLIES.indexes)
    uow = UnitOfWork(db, source="test")
    for n in range(60):
        TALLIES.record(uow, None, (f"社区{n % 12}", f"state{n % 5}"))
    TALLIES.record(uow, None, (None, None))  # a record counted under no value at all
    TALLIES.upgrade(uow)
    assert TALLIES.total(uow, {}) == 61
    explained = db.t.find(TALLIES.everything(), {"n": 1}).explain()
    assert "IXSCAN(dimensions)" in stages(explained)
    assert explained["executionStats"]["totalDocsExamined"] <= TALLIES.shards + 2
