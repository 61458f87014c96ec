"""A list's unfiltered total reads a few counters of all records, not one per combination of
the dimensions; counters kept before that count existed are made whole once, and until then
the total still sums the combinations. A filtered total reads only the counters of the
combinations it counts, by whichever dimensions it filters."""
import uuid

from hypothesis import given, settings, strategies as st

from shared.storage import ensure_indexes
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


def test_a_filtered_total_reads_only_the_counters_of_what_it_asks_for(mongo_client):
    """Whichever of the dimensions a list filters by, and with one value or several, its total
    is read through an index (one for each combination of the dimensions that is not the
    leading part of another): it examines the counters of the combinations it counts, at most
    `shards` each, however many other combinations there are."""
    tallies = Tallies("t3", ("community", "team", "state"))
    db = mongo_client[f"tallies_{uuid.uuid4().hex[:12]}"]
    try:
        ensure_indexes(db, tallies.indexes)
        uow = UnitOfWork(db, source="test")
        tallies.upgrade(uow)
        communities, teams, states = [f"社区{c}" for c in range(6)], "xyz", "abcd"
        for community in communities:
            for team in teams:
                for state in states:
                    for _ in range(3):
                        tallies.record(uow, None, (community, team, state))
        assert db.t3.count_documents({}) > 2 * len(communities) * len(teams) * len(states)
        for filters, combinations in (
                ({"community": "社区1", "state": ["a", "b"]}, len(teams) * 2),
                ({"state": ["c"]}, len(communities) * len(teams)),
                ({"team": "y", "state": ["a", "d"]}, len(communities) * 2),
                ({"community": "社区2", "team": "z", "state": ["b"]}, 1),
                ({"community": "社区3"}, len(teams) * len(states)),
                ({"team": "x"}, len(communities) * len(states))):
            counting = explaining(UnitOfWork)(db, source="test")
            assert tallies.total(counting, filters) == 3 * combinations, filters
            assert counting.examined <= 3 * combinations, (filters, counting.examined)
            assert counting.plans and all("IXSCAN" in plan for plan in counting.plans), \
                (filters, counting.plans)
    finally:
        mongo_client.drop_database(db.name)
