"""Statistics kept in buckets of every dimension and in coarser roll-ups beside them: a query
reads the coarsest buckets that hold what it filters and groups by, and every roll-up sums to
the same figures as the buckets it rolls up — also when it is built afterwards (upgrade)."""
import uuid

from hypothesis import given, settings, strategies as st

from shared.statistics import StatBuckets, roll_up
from shared.unit_of_work import UnitOfWork

DIMENSIONS = ("month", "community", "alley", "category")
BUCKETS = StatBuckets("stats", DIMENSIONS, rollups=(("month", "community"),
                                                    ("month", "community", "category")))
change = st.tuples(st.sampled_from(["2026-01", "2026-02", "2026-03"]),
                   st.sampled_from(["天宝社区", "浚河社区"]), st.sampled_from(["聚宝路", "新宇巷"]),
                   st.sampled_from(["street_light", "road_surface"]), st.integers(-2, 5))


def figures(counts):
    return dict(sorted(counts.items()))


def test_the_coarsest_buckets_that_hold_the_query_serve_it():
    assert BUCKETS.serving({"community"}).dimensions == ("month", "community")
    assert BUCKETS.serving({"category"}).dimensions == ("month", "community", "category")
    assert BUCKETS.serving({"alley"}) is BUCKETS
    assert BUCKETS.serving(None) is BUCKETS


@settings(max_examples=25, deadline=None)
@given(st.lists(change, min_size=1, max_size=30))
def test_every_roll_up_gives_the_figures_of_the_buckets(mongo_client, changes):
    db = mongo_client[f"rollups_{uuid.uuid4().hex[:12]}"]
    uow = UnitOfWork(db, source="test")
    for month, community, alley, category, n in changes:
        BUCKETS.record(uow, [((month, community, alley, category), {"reported": n})])
    for group_by, filters in ((("community",), {}), (("month",), {}),
                              (("category",), {"community": "天宝社区"}), ((), {}),
                              (("alley",), {})):
        whole = roll_up(BUCKETS.read(uow, "2026-01", "2026-03", **filters), group_by, figures)
        served = roll_up(BUCKETS.read(uow, "2026-01", "2026-03", group_by, **filters), group_by,
                         figures)
        assert served == whole, (group_by, filters)
    # Roll-ups made afterwards from the buckets alone give the same figures too.
    for rollup in BUCKETS.rollups:
        db[rollup.collection].drop()
    BUCKETS.upgrade(uow)
    rebuilt = roll_up(BUCKETS.read(uow, None, None, ("community",)), ("community",), figures)
    assert rebuilt == roll_up(BUCKETS.read(uow, None, None), ("community",), figures)
