"""A list's unfiltered total reads a few counters of all records, not one per combination of
the dimensions; counters kept before that count existed are made whole once, and until then
the total still sums the combinations."""
import uuid

from hypothesis import given, settings, strategies as st

from shared.tallies import Tallies
from shared.unit_of_work import UnitOfWork
from tests.integration.explaining import explaining

TALLIES = Tallies("t", ("community", "state"))
move = st.tuples(st.sampled_from([None, ("天宝社区", "a"), ("天宝社区", "b"), ("浚河社区", "a")]),
                 st.sampled_from([None, ("天宝社区", "a"), ("浚河社区", "b")]))


@settings(max_examples=20, deadline=None)
@given(st.lists(move, max_size=25), st.integers(0, 25))
def test_the_total_of_all_agrees_with_the_combinations_before_and_after_an_upgrade(
        mongo_client, moves, cut):
    db = mongo_client[f"tallies_{uuid.uuid4().hex[:12]}"]
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


def test_the_total_of_all_reads_only_its_own_counters_through_an_index(mongo_client):
    """However many combinations are counted (here 40, on up to 8 shards each), the total of
    all records examines its shards and the mark that it is whole, each found by its `_id`."""
    db = mongo_client[f"tallies_{uuid.uuid4().hex[:12]}"]
    try:
        uow = UnitOfWork(db, source="test")
        TALLIES.upgrade(uow)  # a first start, on no records: the count of all is whole
        combinations = [(f"社区{c}", state) for c in range(10) for state in "abcd"]
        for _ in range(6):
            for combination in combinations:
                TALLIES.record(uow, None, combination)
        assert db.t.count_documents({}) > 2 * len(combinations)
        counting = explaining(UnitOfWork)(db, source="test")
        assert TALLIES.total(counting, {}) == 6 * len(combinations)
        assert counting.examined <= TALLIES.shards + 1, (counting.examined, counting.plans)
        assert counting.plans and all("IXSCAN(_id_)" in plan for plan in counting.plans), \
            counting.plans
    finally:
        mongo_client.drop_database(db.name)
