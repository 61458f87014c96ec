"""Growth: how the list and statistics queries cost with 1k, 10k and 100k documents.

Loading 100k documents through the services would take hours on SecantusDB (about 1,200
single writes a second, and a transaction per change), so the benchmark — never the product —
seeds its own database with `insert_many`: documents made by the services' own dataclasses and
`to_document` functions, spread over 8 communities and 24 months, and the counters documents
the statistics read, summed from those same documents. The services' indexes are created first,
as a service start creates them, so every insert maintains them.

Each query is the repository call the RPC method makes (plus the statistics roll-up), timed in
this process over several repetitions (median), so RPC and HTTP overheads, which do not grow,
are left out. Beside the time: the winning plan of each query (IXSCAN or COLLSCAN, and whether
a SORT stage had to sort the matches) from the server's `explain`.
"""
from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

from pymongo import DESCENDING

from bench.env import Environment, say
from shared import clock
from shared.schemas import load
from shared.storage import ensure_indexes

COMMUNITIES = ("浚河社区", "新宇社区", "运河社区", "文昌社区", "彩衣社区", "渡江社区", "解放社区",
               "东关社区")
ALLEYS = ("新宇巷", "彩衣街", "渡江路", "东关街", "大东门", "国庆路")
MONTHS = 24
SIZES = (1_000, 10_000, 100_000)


def _months_back(n: int) -> str:
    today = clock.local_date(clock.now())
    y, m = divmod(today.year * 12 + today.month - 1 - n, 12)
    return f"{y:04d}-{m + 1:02d}"


def _instant(rng: random.Random):
    return clock.now() - timedelta(days=rng.uniform(0, MONTHS * 30.4), seconds=rng.random())


def _add_counts(buckets: dict, key: str, fields: dict, counts: dict) -> None:
    bucket = buckets.setdefault(key, {**fields, "counts": {}})
    for name, value in counts.items():
        node = bucket["counts"]
        *path, leaf = name.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[leaf] = node.get(leaf, 0) + value


def _merge_counters(collection, buckets: dict) -> None:
    """Add the new documents' counts to the counters, as the services' $inc would."""
    for key, bucket in buckets.items():
        increments = {}

        def walk(node, prefix):
            for name, value in node.items():
                if isinstance(value, dict):
                    walk(value, f"{prefix}{name}.")
                else:
                    increments[f"{prefix}{name}"] = value
        walk(bucket["counts"], "counts.")
        fields = {k: v for k, v in bucket.items() if k != "counts"}
        collection.update_one({"_id": key}, {"$inc": increments, "$setOnInsert": fields},
                              upsert=True)


# --- what each service's data looks like -----------------------------------------------------

class Repair:
    name = "repair"
    collection = "work_orders"

    def __init__(self, db):
        from services.repair import domain, repository, schemas
        self.domain, self.repository, self.schemas = domain, repository, schemas
        self.db = db
        self.repo = repository.RepairRepository(db)
        ensure_indexes(db, repository.INDEXES)

    def documents(self, start: int, count: int, rng: random.Random):
        d = self.domain
        states = ([d.CLOSED] * 12 + [d.COMPLETED] * 2 + [d.DISPATCHED] * 2 + ["in_progress",
                  d.REPORTED, "accepted", "cancelled"])
        categories = list(d.CATEGORIES)
        docs, buckets = [], {}
        for n in range(start, start + count):
            at = _instant(rng)
            community, alley = rng.choice(COMMUNITIES), rng.choice(ALLEYS)
            category = rng.choice(categories)
            order = d.WorkOrder(
                number=f"WO{n:09d}", category=category, community=community,
                address=f"{alley}{rng.randint(1, 120)}号", alley=alley,
                description="路灯不亮,晚上出行不便,请尽快维修。" * 2, channel="grid_worker",
                reported_at=at, reporter={"name": "张清松", "phone": {
                    "sealed": "x" * 64, "masked": "138****5678", "fingerprint": f"{n:032x}"}},
                location={"lat": 32.39 + rng.random() / 50, "long": 119.42 + rng.random() / 50},
                state=rng.choice(states), updated_at=at, version=3,
                history=[{"action": "report", "from_state": None, "to_state": "reported",
                          "actor": {"id": "u1", "name": "刘网格", "role": "grid_worker"},
                          "at": at, "note": None, "details": {}}] * 3)
            if order.state not in (d.REPORTED, "accepted", "cancelled"):
                order.department = {"code": "power", "name": "供电所"}
                order.due_at = at + timedelta(days=5)
            counts = {"reported": 1, f"state.{order.state}": 1}
            if order.state in (d.COMPLETED, d.CLOSED):
                order.completed_at = at + timedelta(days=3)
                counts.update({"completed": 1, "completed_on_time": 1,
                               "quantity.street_lamp": 1.0})
            if order.state == d.CLOSED:
                order.closed_at = at + timedelta(days=4)
                counts["follow_up.satisfied"] = 1
            docs.append(self.repository.to_document(order))
            month = clock.month_key(at)
            _add_counts(buckets, f"{month}|{community}|{alley}|{category}",
                        {"month": month, "community": community, "alley": alley,
                         "category": category}, counts)
        return docs, {self.repository.STATS: buckets}

    def queries(self):
        s, at = self.schemas, clock.now()
        year = clock.local_date(at).year

        def listing(**query):
            q = load(s.ListWorkOrders(), query)
            criteria = self.repo._criteria(q, at)
            key = q["sort"].lstrip("-")
            return (lambda: self.repo.list(q, at),
                    {"find": (self.collection, criteria, [(key, DESCENDING), ("_id", DESCENDING)],
                              q["page_size"]),
                     "count": (self.collection, criteria)})

        def stats(**query):
            q = load(s.Statistics(), query)
            first, last = (f"{year}-01", f"{year}-12") if q["period"] else (None, None)
            criteria = {"month": {"$gte": first, "$lte": last}} if first else {}
            return (lambda: self.domain.roll_up(self.repo.stat_buckets(
                        first, last, q["community"], q["alley"], q["category"]),
                        tuple(q["group_by"])),
                    {"find": (self.repository.STATS, criteria, None, 0)})

        return {
            "list_work_orders (newest first, page 1)": listing(),
            "list_work_orders (community + state)": listing(community=COMMUNITIES[0],
                                                            state=["dispatched"]),
            "work_order_statistics (this year, by community)": stats(
                period=str(year), group_by=["community"]),
        }


class Volunteer:
    name = "volunteer"
    collection = "volunteers"

    def __init__(self, db):
        from services.volunteer import domain, figures, repository, schemas
        self.domain, self.figures, self.repository, self.schemas = (domain, figures,
                                                                    repository, schemas)
        self.db = db
        self.repo = repository.VolunteerRepository(db)
        ensure_indexes(db, repository.INDEXES)

    def documents(self, start: int, count: int, rng: random.Random):
        d, r = self.domain, self.repository
        skills = list(d.SKILLS)[:6]
        docs = []
        counts_by_group, hours, served = {}, {}, {}
        for n in range(start, start + count):
            at = _instant(rng)
            community = rng.choice(COMMUNITIES)
            team = f"T{COMMUNITIES.index(community)}{rng.randint(0, 3)}"
            state = rng.choice([d.ACTIVE] * 8 + [d.PENDING, "suspended"])
            volunteer = d.Volunteer(
                id=f"V{n:09d}", name=f"志愿者{n}", community=community,
                id_number={"sealed": "x" * 80, "masked": "3210**********1234",
                           "fingerprint": f"id{n:030x}"},
                phone={"sealed": "x" * 64, "masked": "138****5678", "fingerprint": f"ph{n:030x}"},
                registered_at=at, team=team, skills=rng.sample(skills, 2),
                availability=[{"weekday": rng.randint(1, 7), "slot": "morning"}], state=state,
                total_hours=round(rng.uniform(0, 300), 1), services=rng.randint(0, 80),
                updated_at=at, version=2)
            docs.append(r.volunteer_document(volunteer))
            _add_counts(counts_by_group, f"{community}|{team}",
                        {"community": community, "team": team},
                        {f"state.{state}": 1, **({"active": 1} if state == d.ACTIVE else {})})
            month = clock.month_key(at)
            _add_counts(hours, f"{month}|{community}|{team}",
                        {"month": month, "community": community, "team": team},
                        {"registered": 1, "hours": 3.0, "services": 1})
            _add_counts(served, f"month|{month}|{community}|{team}",
                        {"kind": "month", "key": month, "community": community, "team": team},
                        {"served": 1})
            year = month[:4]
            _add_counts(served, f"year|{year}|{community}|{team}",
                        {"kind": "year", "key": year, "community": community, "team": team},
                        {"served": 1})
        return docs, {r.VOLUNTEER_COUNTS: counts_by_group, r.HOURS_STATS: hours,
                      r.SERVED_STATS: served}

    def queries(self):
        s, r = self.schemas, self.repository
        year = str(clock.local_date(clock.now()).year)

        def listing(**query):
            q = load(s.ListVolunteers(), query)
            criteria = {"state": q["state"][0]} if q.get("state") else {}
            if q.get("community"):
                criteria["community"] = q["community"]
            key = q["sort"].lstrip("-")
            return (lambda: self.repo.list_volunteers(q, None),
                    {"find": (self.collection, criteria, [(key, DESCENDING), ("_id", DESCENDING)],
                              q["page_size"]),
                     "count": (self.collection, criteria)})

        def stats():
            first, last = f"{year}-01", f"{year}-12"
            return (lambda: self.figures.roll_up(
                        self.repo.snapshot_rows(), self.repo.monthly_rows(first, last),
                        sum(row["served"] for row in self.repo.served_rows([year])), None,
                        ("community",)),
                    {"find": (r.HOURS_STATS, {"month": {"$gte": first, "$lte": last}}, None, 0)})

        return {
            "list_volunteers (newest first, page 1)": listing(),
            "list_volunteers (community + state)": listing(community=COMMUNITIES[0],
                                                           state=["active"]),
            "volunteer_statistics (this year, by community)": stats(),
        }


class Activity:
    name = "activity"
    collection = "activities"

    def __init__(self, db):
        from services.activity import domain, repository, schemas
        self.domain, self.repository, self.schemas = domain, repository, schemas
        self.db = db
        self.repo = repository.ActivityRepository(db)
        ensure_indexes(db, repository.INDEXES)

    def documents(self, start: int, count: int, rng: random.Random):
        d, r = self.domain, self.repository
        themes = list(d.THEMES)
        docs, buckets = [], {}
        for n in range(start, start + count):
            at = _instant(rng)
            community, theme = rng.choice(COMMUNITIES), rng.choice(themes)
            venue = {"id": f"VEN{COMMUNITIES.index(community)}", "name": "新时代文明实践站",
                     "address": "新宇巷1号"}
            activity = d.Activity(
                activity_id=f"A{n:09d}", title="孝亲文化节", theme=theme, community=community,
                organiser=f"{community}新时代文明实践站", created_at=at,
                created_by={"id": "u1", "name": "王主任", "role": "community_staff"},
                description="组织居民开展主题活动。" * 5, venue=venue, starts_at=at,
                ends_at=at + timedelta(hours=2), capacity=50, state=d.FINISHED,
                registered_count=30, checked_in_count=28, attendance=28, hours=2.0,
                updated_at=at, version=4)
            docs.append(r.activity_document(activity))
            month = clock.month_key(at)
            key = (month, community, venue["id"], theme, "")
            _add_counts(buckets, "|".join(key),
                        {"month": month, "community": community, "venue_id": venue["id"],
                         "theme": theme, "festival": ""},
                        {"held": 1, "attendance": 28, "registered": 30})
        return docs, {r.STATS: buckets}

    def queries(self):
        s, r, at = self.schemas, self.repository, clock.now()
        year = str(clock.local_date(at).year)

        def listing(**query):
            q = load(s.ListActivities(), query)
            criteria = self.repo._criteria(q, at)
            key = q["sort"].lstrip("-")
            return (lambda: self.repo.list(q, at),
                    {"find": (self.collection, criteria, [(key, DESCENDING), ("_id", DESCENDING)],
                              q["page_size"]),
                     "count": (self.collection, criteria)})

        def stats():
            first, last = f"{year}-01", f"{year}-12"
            return (lambda: self.domain.roll_up(self.repo.stat_buckets(first, last, {}),
                                                ("community",)),
                    {"find": (r.STATS, {"month": {"$gte": first, "$lte": last}}, None, 0)})

        return {
            "list_activities (newest first, page 1)": listing(),
            "list_activities (community)": listing(community=COMMUNITIES[0]),
            "activity_statistics (this year, by community)": stats(),
        }


class Job:
    name = "job"
    collection = "job_postings"

    def __init__(self, db):
        from services.job import domain, repository, schemas
        self.domain, self.repository, self.schemas = domain, repository, schemas
        self.db = db
        self.repo = repository.JobRepository(db)
        ensure_indexes(db, repository.INDEXES)

    def documents(self, start: int, count: int, rng: random.Random):
        d, r = self.domain, self.repository
        types = list(d.EMPLOYMENT_TYPES)
        docs, buckets = [], {}
        for n in range(start, start + count):
            at = _instant(rng)
            community = rng.choice(COMMUNITIES)
            posting = d.JobPosting(
                posting_id=f"P{n:09d}", title="超市理货员", description="负责商品上架与整理。" * 4,
                employer_id=f"E{n % 500:05d}", employer_name="惠民超市", community=community,
                address="新宇巷8号", employment_type=rng.choice(types),
                work_schedule=[{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "17:00"}],
                hours_flexible=rng.random() < 0.3, openings=rng.randint(1, 5),
                valid_through=at + timedelta(days=30), posted_at=at,
                salary={"min": 3000, "max": 4500, "unit": "month", "piece_rate": None},
                state=rng.choice(["open", "closed", "closed", "filled"]), updated_at=at,
                version=2)
            docs.append(r.to_document(posting))
            month = clock.month_key(at)
            _add_counts(buckets, f"{month}|{community}", {"month": month, "community": community},
                        {"postings": 1, "openings": posting.openings})
        return docs, {r.STATS: buckets}

    def queries(self):
        s, r = self.schemas, self.repository
        year = str(clock.local_date(clock.now()).year)

        def listing(**query):
            q = load(s.ListPostings(), query)
            criteria = {k: q[k] for k in ("community",) if q.get(k)}
            if q.get("state"):
                criteria["state"] = {"$in": q["state"]}
            key = q["sort"].lstrip("-")
            return (lambda: self.repo.list_postings(q),
                    {"find": (self.collection, criteria, [(key, DESCENDING), ("_id", DESCENDING)],
                              q["page_size"]),
                     "count": (self.collection, criteria)})

        def stats():
            first, last = f"{year}-01", f"{year}-12"
            return (lambda: self.domain.roll_up(self.repo.stat_buckets(first, last, None),
                                                ("community",)),
                    {"find": (r.STATS, {"month": {"$gte": first, "$lte": last}}, None, 0)})

        return {
            "list_job_postings (newest first, page 1)": listing(),
            "list_job_postings (community + open)": listing(community=COMMUNITIES[0],
                                                            state=["open"]),
            "job_statistics (this year, by community)": stats(),
        }


SERVICES = (Repair, Volunteer, Activity, Job)


# --- measuring --------------------------------------------------------------------------------

def plan_summary(explained: dict) -> dict:
    """The stages of the winning plan, innermost last, and whether it sorted in memory."""
    planner = explained.get("queryPlanner") or explained.get("stages", [{}])[0].get(
        "$cursor", {}).get("queryPlanner", {})
    stages = []
    node = planner.get("winningPlan") or {}
    node = node.get("queryPlan", node)
    while node:
        stage = node.get("stage")
        if stage:
            stages.append(f"{stage}({node['indexName']})" if node.get("indexName") else stage)
        children = node.get("inputStages") or ([node["inputStage"]] if node.get("inputStage")
                                               else [])
        node = children[0] if children else None
    stats = explained.get("executionStats", {})
    return {"stages": stages, "uses_index": any(s.startswith(("IXSCAN", "COUNT_SCAN",
                                                               "DISTINCT_SCAN", "IDHACK",
                                                               "EXPRESS"))
                                                for s in stages),
            "sorts_in_memory": "SORT" in stages,
            "docs_examined": stats.get("totalDocsExamined"),
            "keys_examined": stats.get("totalKeysExamined")}


def explain(db, spec: dict) -> dict:
    plans = {}
    if "find" in spec:
        collection, criteria, sort, limit = spec["find"]
        cursor = db[collection].find(criteria)
        if sort:
            cursor = cursor.sort(sort)
        if limit:
            cursor = cursor.limit(limit)
        try:
            plans["find"] = plan_summary(cursor.explain())
        except Exception as error:
            plans["find"] = {"error": str(error)[:200]}
    if "count" in spec:
        collection, criteria = spec["count"]
        try:
            plans["count"] = plan_summary(db.command(
                "explain", {"count": collection, "query": criteria},
                verbosity="executionStats"))
        except Exception as error:
            plans["count"] = {"error": str(error)[:200]}
    return plans


def timed(call, repeats: int) -> float:
    started = time.perf_counter()
    call()  # warm-up
    if time.perf_counter() - started > 5:  # a query of seconds: three runs tell enough
        repeats = min(repeats, 3)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return round(1000 * statistics.median(samples), 2)


def count_time(db, spec: dict, repeats: int) -> float | None:
    if "count" not in spec:
        return None
    collection, criteria = spec["count"]
    return timed(lambda: db[collection].count_documents(criteria), repeats)


def seed(db, service, target: int, have: int, rng: random.Random, chunk: int = 2000) -> float:
    started = time.perf_counter()
    while have < target:
        count = min(chunk, target - have)
        docs, counters = service.documents(have, count, rng)
        db[service.collection].insert_many(docs, ordered=False)
        for collection, buckets in counters.items():
            _merge_counters(db[collection], buckets)
        have += count
    return time.perf_counter() - started


def run(env: Environment, sizes=SIZES, repeats: int = 7, services=SERVICES,
        sizes_of: dict | None = None, progress=None) -> dict:
    """sizes_of: other sizes for some services, e.g. {"volunteer": (1_000, 10_000)};
    progress(results) is called after each service, so a long run keeps what it measured."""
    rng = random.Random(8)
    sizes_of = sizes_of or {}
    results = {"sizes": list(sizes), "services": {}}
    for cls in services:
        sizes = tuple(sizes_of.get(cls.name, results["sizes"]))
        db = env.mongo[f"bgrowth_{cls.__name__.lower()}"]
        service = cls(db)
        rows: dict[str, dict] = {}
        have = 0
        for size in sizes:
            took = seed(db, service, size, have, rng)
            say(f"growth: {service.name} seeded to {size} {service.collection} "
                f"in {took:.0f}s")
            have = size
            for label, (call, spec) in service.queries().items():
                row = rows.setdefault(label, {"ms": {}, "count_ms": {}, "plans": {}})
                row["ms"][str(size)] = timed(call, repeats)
                row["count_ms"][str(size)] = count_time(db, spec, repeats)
                row["plans"][str(size)] = explain(db, spec)
                say(f"growth: {label} at {size}: {row['ms'][str(size)]} ms "
                    f"(count {row['count_ms'][str(size)]} ms)")
        first, last = str(sizes[0]), str(sizes[-1])
        for row in rows.values():
            row["growth"] = round(row["ms"][last] / row["ms"][first], 2) if row["ms"][first] \
                else None
            row["flat"] = row["growth"] is not None and row["growth"] <= 2.0
        results["services"][service.name] = rows
        results.setdefault("sizes_of", {})[service.name] = list(sizes)
        if progress is not None:
            progress(results)
    return results
