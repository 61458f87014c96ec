"""Lists are sorted as asked, and a page of job postings is read in index order: the list's sort
(a field, then _id) is the order of an index, so the server reads one page of it instead of
sorting every match."""
from datetime import timedelta

import pytest
from pymongo import DESCENDING

from services.job.repository import INDEXES, POSTINGS
from shared import clock
from shared.errors import ValidationFailed
from shared.storage import ensure_indexes
from tests.integration.job.conftest import STAFF, TOY_WORKSHOP
from tests.integration.plans import stages


def test_list_pages_come_from_an_index_without_sorting(service_db):
    db = service_db("job")
    ensure_indexes(db, INDEXES)
    now = clock.now()
    db[POSTINGS].insert_many([
        {"_id": f"P{n:04d}", "community": ("浚河社区", "新宇社区")[n % 2], "state": "open",
         "posted_at": now - timedelta(minutes=n % 7)} for n in range(60)])
    order = [("posted_at", DESCENDING), ("_id", DESCENDING)]
    plan = stages(db[POSTINGS].find({}).sort(order).limit(20).explain())
    assert plan[-1] == "IXSCAN(newest_first)" and "SORT" not in plan, plan
    # With an equality first, real MongoDB reads the page in the index's order too; SecantusDB
    # picks the index but sorts the (few) matches it reads from it.
    plan = stages(db[POSTINGS].find({"community": "浚河社区", "state": "open"})
                  .sort(order).limit(20).explain())
    assert plan[-1] == "IXSCAN(community_state_newest)", plan


def test_staff_sort_employers_and_a_bad_sort_is_a_field_error(job, rpc):
    names = ["聚宝路毛绒玩具加工点", "新宇巷便民洗车行", "天宝社区家政服务站"]
    for name in names:
        rpc.job.register_employer(STAFF, **{**TOY_WORKSHOP, "name": name})

    def listed(sort):
        return [e["name"] for e in rpc.job.list_employers(community="天宝社区", sort=sort)["items"]]

    assert listed("-created_at") == names[::-1]
    assert listed("created_at") == names
    assert listed("name") == sorted(names) and listed("-name") == sorted(names, reverse=True)
    with pytest.raises(ValidationFailed) as refused:
        rpc.job.list_employers(sort="salary")
    assert list(refused.value.fields) == ["sort"]
