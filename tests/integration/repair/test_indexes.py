"""The work orders' indexes: a page of work orders is read in index order (the list's sort, a
field then _id, is the order of an index, so the server reads one page of it instead of sorting
every match), and the indexes are created again, unchanged, when the service restarts."""

from datetime import timedelta

from pymongo import DESCENDING

from services.repair.repository import INDEXES, WORK_ORDERS
from shared import clock
from shared.storage import ensure_indexes
from tests.integration.plans import stages


def test_list_pages_come_from_an_index_without_sorting(service_db):
    db = service_db("repair")
    ensure_indexes(db, INDEXES)
    now = clock.now()
    db[WORK_ORDERS].insert_many([
        {"_id": f"WO{n:04d}", "community": ("浚河社区", "新宇社区")[n % 2], "state": "reported",
         "reported_at": now - timedelta(minutes=n % 7)} for n in range(60)])
    order = [("reported_at", DESCENDING), ("_id", DESCENDING)]
    plan = stages(db[WORK_ORDERS].find({}).sort(order).limit(20).explain())
    assert plan[-1] == "IXSCAN(newest_first)" and "SORT" not in plan, plan
    # With an equality first, real MongoDB reads the page in the index's order too; SecantusDB
    # picks the index but sorts the (few) matches it reads from it.
    plan = stages(db[WORK_ORDERS].find({"community": "浚河社区"}).sort(order).limit(20).explain())
    assert plan[-1] == "IXSCAN(community_newest)", plan
    # A community's orders in some states: one index holds both equalities.
    plan = stages(db[WORK_ORDERS].find({"state": {"$in": ["reported"]}, "community": "浚河社区"})
                  .sort(order).limit(20).explain())
    assert plan[-1] == "IXSCAN(community_state_newest)", plan


def test_the_indexes_are_created_again_at_the_next_start(service_db):
    db = service_db("repair")
    ensure_indexes(db, INDEXES)
    ensure_indexes(db, INDEXES)  # a restart on the same database
    assert {"geo", "newest_first", "community_newest"} <= set(
        db[WORK_ORDERS].index_information())
