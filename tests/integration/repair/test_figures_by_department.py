"""Figures kept before they were by department are split among the departments once, at the
next start, by what the orders' records explain; the street's figures do not change, what the
records do not explain stays with no department, and a second start changes nothing."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from services.repair import domain, figures
from services.repair.repositories import INDEXES, STATISTICS
from services.repair.unit_of_work import RepairUnitOfWork
from shared.storage import ensure_indexes

STAFF = {"id": "s1", "name": "李伟", "role": "community_staff"}
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
POWER = {"code": "power", "name": "供电公司路灯所"}
MUNICIPAL = {"code": "municipal", "name": "市政工程管理处"}


@pytest.fixture
def db(mongo_client):
    database = mongo_client[f"deptfigures_{uuid.uuid4().hex[:12]}"]
    ensure_indexes(database, INDEXES)
    yield database
    mongo_client.drop_database(database.name)


def order(uow, n, steps):
    made = domain.WorkOrder.report(f"WO2026030200{n:02d}", {
        "category": "street_light", "community": "浚河社区", "alley": "新宇巷",
        "address": "新宇巷49号", "description": "路灯不亮", "channel": "resident",
        "reporter": {"name": "张清松"}}, STAFF, T0)
    uow.work_orders.add(made)
    for step in steps:
        made = uow.work_orders.get(made.number)
        step(made)
        uow.work_orders.save(made)


def as_kept_before(db):
    """The buckets as they were kept before the department: summed by the other dimensions,
    without it, and the roll-ups with it not yet made."""
    old: dict = {}
    for doc in db[STATISTICS.collection].find():
        key = (doc["month"], doc["community"], doc["alley"], doc["category"], doc["shard"])
        into = old.setdefault(key, {})
        for name, value in doc["counts"].items():
            if isinstance(value, dict):
                into.setdefault(name, {})
                for inner, amount in value.items():
                    into[name][inner] = into[name].get(inner, 0) + amount
            else:
                into[name] = into.get(name, 0) + value
    db[STATISTICS.collection].delete_many({})
    db[STATISTICS.collection].insert_many([
        {"_id": "|".join(map(str, key)), "month": key[0], "community": key[1],
         "alley": key[2], "category": key[3], "shard": key[4], "counts": counts}
        for key, counts in old.items()])
    for rollup in STATISTICS.rollups:
        if "department" in rollup.dimensions:
            db[rollup.collection].drop()


def test_figures_kept_before_are_split_by_the_departments_their_orders_have(db):
    uow = RepairUnitOfWork(db, source="repair")
    at = lambda hours: T0 + timedelta(hours=hours)  # noqa: E731
    order(uow, 1, [lambda o: o.accept(STAFF, at(1), at(100)),
                   lambda o: o.dispatch(STAFF, at(2), POWER),
                   lambda o: o.sign_for(STAFF, at(3)),
                   lambda o: o.complete(STAFF, at(4), [domain.quantity("street_lamp", 2)],
                                        ["https://img.example/a.jpg"], "已修复")])
    order(uow, 2, [lambda o: o.accept(STAFF, at(1), at(100))])
    order(uow, 3, [lambda o: o.accept(STAFF, at(1), at(100)),
                   lambda o: o.escalate(STAFF, at(24 * 40)),   # April
                   lambda o: o.dispatch(STAFF, at(24 * 41), MUNICIPAL)])
    as_kept_before(db)
    # A counter no record explains (counted by rules older than the records).
    db[STATISTICS.collection].update_one({"month": "2026-04"}, {"$inc": {"counts.escalated": 1}})
    before = figures.roll_up(STATISTICS.read(uow, None, None), ("community",))

    uow.work_orders.upgrade()
    assert db[STATISTICS.collection].find_one({"department": {"$exists": False}}) is None
    assert figures.roll_up(STATISTICS.read(uow, None, None), ("community",)) == before
    by_department = figures.roll_up(STATISTICS.read(uow, None, None, ("department",)),
                                    ("department",))
    groups = {g["department"]: g for g in by_department["groups"]}
    assert by_department["totals"] == before["totals"]
    assert (groups["power"]["reported"], groups["power"]["completed"],
            groups["power"]["quantities"]["street_lamp"]["amount"]) == (1, 1, 2)
    assert (groups["municipal"]["reported"], groups["municipal"]["by_state"]["dispatched"],
            groups["municipal"]["escalated"]) == (1, 1, 0)
    # The escalation the records show is the municipal order's; the one they do not, no one's:
    # the April bucket's escalations are not explained exactly, so they stay whole with none.
    assert (groups[""]["reported"], groups[""]["by_state"]["accepted"],
            groups[""]["escalated"]) == (1, 1, 2)
    april = STATISTICS.read(uow, "2026-04", "2026-04", ("department",), department="power")
    assert figures.roll_up(april)["totals"]["escalated"] == 0

    kept = sorted(map(str, db[STATISTICS.collection].find()))
    uow.work_orders.upgrade()  # the next start
    assert sorted(map(str, db[STATISTICS.collection].find())) == kept
