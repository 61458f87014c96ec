"""What each service's records look like in the growth benchmark, and the calls measured on
them: page 1 of its main lists, a deep page, a filtered page, a search, a total and its
statistics, each through the handler the RPC method runs.

Each service says how to make `count` records from number `start` on: `aggregates(start,
count, rng)` returns ({repository of its unit of work: [aggregates]}, {statistics collection:
{bucket id: bucket}}), and `queries()` the calls measured."""
from __future__ import annotations

import random
from datetime import timedelta

from bench.growth import Query, _add_counts
from shared import clock

COMMUNITIES = ("浚河社区", "天宝社区", "仁和社区", "千秋社区", "永福社区")
ALLEYS = ("新宇巷", "浚河巷", "聚宝路", "天宝巷", "仁和巷", "千秋巷", "永福巷")
MONTHS = 24
DEEP = 25  # pages followed before the deep page is measured


def instant(rng: random.Random):
    return clock.now() - timedelta(days=rng.uniform(0, MONTHS * 30.4), seconds=rng.random())


def list_queries(handler, filtered: dict, search: dict | None, extra=None,
                 prefix: str = "") -> dict[str, Query]:
    """Page 1, the page after DEEP pages, a filtered page and a search (for a list that has
    one) of one list; `prefix` names the list, for a service measured on several."""
    def deep(uow):
        cursor = None
        for _ in range(DEEP):
            cursor = handler(uow, {"cursor": cursor} if cursor else {})["next_cursor"]
        return cursor

    queries = {
        f"{prefix}page 1": Query("page 1", lambda uow, _: handler(uow, {})),
        f"{prefix}page {DEEP + 1} (by cursor)": Query(
            "deep page", lambda uow, cursor: handler(uow, {"cursor": cursor}), prepare=deep),
        f"{prefix}filtered page ({', '.join(filtered)})": Query(
            "filtered", lambda uow, _: handler(uow, filtered)),
    }
    if search is not None:
        queries[f"{prefix}search ({search['q']})"] = Query(
            "search", lambda uow, _: handler(uow, search))
    return {**queries, **(extra or {})}


class Repair:
    name = "repair"

    def __init__(self):
        from services.repair import domain, repositories
        from services.repair.handlers import reading
        from services.repair.unit_of_work import RepairUnitOfWork
        self.domain, self.reading = domain, reading
        self.indexes = repositories.INDEXES
        self.stats = repositories.STATISTICS.collection
        self.unit_of_work = RepairUnitOfWork

    def aggregates(self, start: int, count: int, rng: random.Random):
        d = self.domain
        states = ([d.CLOSED] * 12 + [d.COMPLETED] * 2 + [d.DISPATCHED] * 2 + ["in_progress",
                  d.REPORTED, "accepted", "cancelled"])
        categories = list(d.CATEGORIES)
        orders, buckets = [], {}
        for n in range(start, start + count):
            at = instant(rng)
            community, alley = rng.choice(COMMUNITIES), rng.choice(ALLEYS)
            category = rng.choice(categories)
            # One report in twenty is about a manhole cover: what the search looks for.
            description = ("井盖松动,车辆经过时响声很大。" if n % 20 == 0 else
                           "路灯不亮,晚上出行不便,请尽快维修。")
            order = d.WorkOrder(
                number=f"WO{n:09d}", category=category, community=community,
                address=f"{alley}{rng.randint(1, 120)}号", alley=alley,
                description=description, channel="grid_worker",
                reported_at=at, reporter={"name": "张清松", "phone": {
                    "sealed": "x" * 64, "masked": "138****5678", "fingerprint": f"{n:032x}"}},
                location={"lat": 32.68 + rng.random() / 50, "long": 118.99 + rng.random() / 50},
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
            orders.append(order)
            month = clock.month_key(at)
            _add_counts(buckets, f"{month}|{community}|{alley}|{category}",
                        {"month": month, "community": community, "alley": alley,
                         "category": category}, counts)
        return {"work_orders": orders}, {self.stats: buckets}

    def queries(self) -> dict[str, Query]:
        year = str(clock.local_date(clock.now()).year)
        return list_queries(
            self.reading.page, {"community": COMMUNITIES[0], "state": ["dispatched"]},
            {"q": "井盖松动"}, {
                "total (community + state, tallies)": Query(
                    "count", lambda uow, _: uow.work_orders.tallies.total(
                        uow, {"community": COMMUNITIES[0], "state": ["dispatched"]})),
                "statistics (this year, by community)": Query(
                    "statistics", lambda uow, _: self.reading.statistics(
                        uow, {"period": year, "group_by": ["community"]})),
            })


class Activity:
    name = "activity"

    def __init__(self):
        from services.activity import catalogue, domain
        from services.activity.handlers import activities, figures
        from services.activity.repositories import indexes
        from services.activity.unit_of_work import ActivityUnitOfWork
        self.catalogue, self.domain = catalogue, domain
        self.handlers, self.figures = activities, figures
        self.indexes = indexes.INDEXES
        self.stats = indexes.STATISTICS.collection
        self.unit_of_work = ActivityUnitOfWork

    def aggregates(self, start: int, count: int, rng: random.Random):
        d = self.domain
        themes = list(self.catalogue.THEMES)
        activities, buckets = [], {}
        for n in range(start, start + count):
            at = instant(rng)
            community, theme = rng.choice(COMMUNITIES), rng.choice(themes)
            venue = {"id": f"VEN{COMMUNITIES.index(community)}", "name": "新时代文明实践站",
                     "address": "新宇巷1号"}
            title = "书法进社区" if n % 20 == 0 else "孝亲文化节"
            activities.append(d.Activity(
                activity_id=f"A{n:09d}", title=title, theme=theme, community=community,
                organiser=f"{community}新时代文明实践站", created_at=at,
                created_by={"id": "u1", "name": "王主任", "role": "community_staff"},
                description="组织居民开展主题活动。" * 5, venue=venue, starts_at=at,
                ends_at=at + timedelta(hours=2), capacity=50, state=self.catalogue.FINISHED,
                registered_count=30, checked_in_count=28, attendance=28, hours=2.0,
                updated_at=at, version=4))
            month = clock.month_key(at)
            _add_counts(buckets, "|".join((month, community, venue["id"], theme, "")),
                        {"month": month, "community": community, "venue_id": venue["id"],
                         "theme": theme, "festival": ""},
                        {"held": 1, "attendance": 28, "registered": 30})
        return {"activities": activities}, {self.stats: buckets}

    def queries(self) -> dict[str, Query]:
        year = str(clock.local_date(clock.now()).year)
        return list_queries(
            self.handlers.page, {"community": COMMUNITIES[0], "state": ["finished"]},
            {"q": "书法进社区"}, {
                "statistics (this year, by community)": Query(
                    "statistics", lambda uow, _: self.figures.statistics(
                        uow, {"period": year, "group_by": ["community"]})),
            })


class Job:
    name = "job"

    def __init__(self):
        from services.job import domain, repositories
        from services.job.handlers import figures, postings
        from services.job.unit_of_work import JobUnitOfWork
        self.domain, self.handlers, self.figures = domain, postings, figures
        self.indexes = repositories.INDEXES
        self.stats = repositories.STATISTICS.collection
        self.unit_of_work = JobUnitOfWork

    def aggregates(self, start: int, count: int, rng: random.Random):
        d = self.domain
        types = list(d.EMPLOYMENT_TYPES)
        postings, buckets = [], {}
        for n in range(start, start + count):
            at = instant(rng)
            community = rng.choice(COMMUNITIES)
            title = "快递分拣员" if n % 20 == 0 else "超市理货员"
            posting = d.JobPosting(
                posting_id=f"P{n:09d}", title=title, description="负责商品上架与整理。" * 4,
                employer_id=f"E{n % 500:05d}", employer_name="惠民超市", community=community,
                address="新宇巷8号", employment_type=rng.choice(types),
                work_schedule=[{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "17:00"}],
                hours_flexible=rng.random() < 0.3, openings=rng.randint(1, 5),
                valid_through=at + timedelta(days=30), posted_at=at,
                salary={"min": 3000, "max": 4500, "unit": "MONTH", "piece_rate": None},
                state=rng.choice(["open", "expired", "expired", "filled"]), updated_at=at,
                version=2)
            postings.append(posting)
            month = clock.month_key(at)
            _add_counts(buckets, f"{month}|{community}", {"month": month, "community": community},
                        {"postings": 1, "openings": posting.openings})
        return {"postings": postings}, {self.stats: buckets}

    def queries(self) -> dict[str, Query]:
        year = str(clock.local_date(clock.now()).year)
        return list_queries(
            self.handlers.page, {"community": COMMUNITIES[0], "state": ["open"]},
            {"q": "快递分拣"}, {
                "statistics (this year, by community)": Query(
                    "statistics", lambda uow, _: self.figures.statistics(
                        uow, {"period": year, "group_by": ["community"]})),
            })


class Volunteer:
    """The roster and the shifts: each size is that many volunteers and that many shifts."""

    name = "volunteer"
    TEAMS = ("junhe_medical", "tianbao_legal", "street_youth", None)
    NAMES = ("陈晓", "王秀英", "李桂兰", "张建国", "刘洋")

    def __init__(self):
        from services.volunteer import domain, ledger, shifts
        from services.volunteer.handlers import registry, shifts as shift_handlers, statistics
        from services.volunteer.repositories import INDEXES, figures
        from services.volunteer.unit_of_work import VolunteerUnitOfWork
        self.domain, self.rules, self.ledger, self.figures = domain, shifts, ledger, figures
        self.registry, self.shifts, self.statistics = registry, shift_handlers, statistics
        self.indexes = INDEXES
        self.unit_of_work = VolunteerUnitOfWork
        self.served: set[str] = set()  # volunteer|period already counted as having served

    def volunteer(self, n: int, rng: random.Random):
        d = self.domain
        at = instant(rng)
        state = rng.choice([d.ACTIVE] * 7 + [d.PENDING, d.SUSPENDED, d.WITHDRAWN])
        # One volunteer in twenty has the name the search looks for.
        name = "欧阳秀英" if n % 20 == 0 else rng.choice(self.NAMES)
        return d.Volunteer(
            id=f"V{n:09d}", name=name, community=rng.choice(COMMUNITIES),
            id_number={"sealed": "x" * 64, "masked": "3411**********0012",
                       "fingerprint": f"id{n:030x}"},
            registered_at=at, phone={"sealed": "x" * 64, "masked": "139****0001",
                                     "fingerprint": f"{n:032x}"},
            team=rng.choice(self.TEAMS), skills=rng.sample(sorted(d.SKILLS), 2),
            availability=[{"weekday": rng.randrange(1, 8), "slot": rng.choice(list(d.SLOTS))}],
            state=state, star_level=rng.randrange(6) if state == d.ACTIVE else 0,
            total_hours=round(rng.uniform(0, 300), 1), services=rng.randrange(60),
            approved_at=at if state != d.PENDING else None, updated_at=at, version=2,
            history=[{"action": "register", "from_state": None, "to_state": d.PENDING,
                      "actor": {"id": "u1", "name": "张永明", "role": "community_staff"},
                      "at": at, "note": None, "details": {}}] * 2)

    def shift(self, n: int, rng: random.Random, volunteers: int):
        r = self.rules
        kind = rng.choice([r.MANUAL] * 2 + [r.ACTIVITY, r.FOLLOW_UP_VISIT])
        flexible = kind in r.FLEXIBLE_KINDS
        starts = instant(rng)
        who = f"V{rng.randrange(volunteers):09d}"
        state = rng.choice([r.COMPLETED] * 8 + [r.CANCELLED])
        source = ({"activity_id": f"AC{n:09d}"} if kind == r.ACTIVITY else
                  {"work_order_number": f"WO{n:09d}"} if kind == r.FOLLOW_UP_VISIT else None)
        return r.Shift(
            id=f"S{n:09d}", kind=kind, title="敬老院陪伴", community=rng.choice(COMMUNITIES),
            place="新宇巷1号", starts_at=starts,
            ends_at=starts + (r.FOLLOW_UP_WINDOW if flexible else timedelta(hours=2)),
            needed=3, organiser="浚河社区", created_at=starts - timedelta(days=3),
            created_by={"id": "u1", "name": "张永明", "role": "community_staff"},
            skills=[rng.choice(sorted(self.domain.SKILLS))], source=source,
            source_key=f"{kind}:{n}" if source else None, state=state,
            assignments=[{"volunteer_id": who, "name": "陈晓",
                          "status": r.ATTENDED if state == r.COMPLETED else r.SIGNED_UP}],
            completed_at=starts + timedelta(hours=3) if state == r.COMPLETED else None,
            updated_at=starts, version=3)

    def aggregates(self, start: int, count: int, rng: random.Random):
        f = self.figures
        volunteers = [self.volunteer(n, rng) for n in range(start, start + count)]
        shifts = [self.shift(n, rng, start + count) for n in range(start, start + count)]
        hours, now, served = {}, {}, {}
        for v in volunteers:  # registrations by month; the volunteers as they are now
            team, month = v.team or "", clock.month_key(v.registered_at)
            _add_counts(hours, f"{month}|{v.community}|{team}",
                        {"month": month, "community": v.community, "team": team},
                        {"registered": 1})
            _, counts = v.stat_vector()
            _add_counts(now, f"{v.community}|{team}", {"community": v.community, "team": team},
                        counts)
        for shift in shifts:  # the hours each completed shift credited, as the ledger adds
            if shift.state != self.rules.COMPLETED:
                continue
            month = clock.month_key(shift.starts_at)
            entry = {"hours": 2.0, "corrects": None, "skills": shift.skills}
            _add_counts(hours, f"{month}|{shift.community}|",
                        {"month": month, "community": shift.community, "team": ""},
                        self.ledger.entry_stat_changes(entry))
            who = shift.assignments[0]["volunteer_id"]
            for kind, key in zip(f.PERIOD_KINDS, self.ledger.period_keys(month)):
                if f"{who}|{key}" in self.served:
                    continue
                self.served.add(f"{who}|{key}")
                _add_counts(served, f"{key}|{shift.community}|",
                            {"kind": kind, "key": key, "community": shift.community,
                             "team": ""}, {"served": 1})
        return ({"volunteers": volunteers, "shifts": shifts},
                {f.HOURS_STATS: hours, f.VOLUNTEER_COUNTS: now, f.SERVED_STATS: served})

    def queries(self) -> dict[str, Query]:
        year = str(clock.local_date(clock.now()).year)
        return {
            **list_queries(self.registry.page, {"community": COMMUNITIES[0],
                                                "state": ["active"]},
                           {"q": "欧阳秀英"}, prefix="volunteers: "),
            **list_queries(self.shifts.page, {"community": COMMUNITIES[0],
                                              "state": ["completed"]},
                           None, prefix="shifts: "),
            "statistics (this year, by community)": Query(
                "statistics", lambda uow, _: self.statistics.statistics(
                    uow, {"period": year, "group_by": ["community"]})),
        }


SERVICES = (Repair, Activity, Job, Volunteer)
