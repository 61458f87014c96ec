"""The repair service's repositories in memory (see tests/unit/fakes.py)."""
from __future__ import annotations

from services.repair import domain
from services.repair.exceptions import department_not_found, work_order_not_found
from shared import clock
from shared.statistics import add_counts
from tests.unit.fakes import FakeUnitOfWork, InMemoryAggregates


class FakeWorkOrders(InMemoryAggregates):
    def __init__(self, uow):
        super().__init__(uow, "number", work_order_not_found)
        self.reveals: list = []

    def next_number(self, at) -> str:
        day = clock.local_date(at).strftime("%Y%m%d")
        return f"WO{day}{self.uow.next_number(day):04d}"

    def by_ticket(self, channel, external_ref):
        found = self.where(lambda o: external_ref and o.channel == channel
                           and o.external_ref == external_ref)
        return found[0] if found else None

    def by_token(self, token):
        found = self.where(lambda o: o.token == token)
        return found[0] if found else None

    def duplicate_candidates(self, report, exclude=None):
        return self.where(lambda o: o.number != exclude and o.category == report["category"])

    def overdue(self, at, limit):
        return [o.number for o in self.where(lambda o: o.needs_escalation(at))][:limit]

    def page(self, query, at):
        orders = self.where(lambda o: query.get("community") in (None, o.community))
        return orders[:query["page_size"]], len(orders)

    def reported_by(self, resident, query, at):
        """Newest first (report time, then number); the cursor is the last number given."""
        orders = sorted(self.where(lambda o: (o.reporter.get("phone") or {}).get(
            "fingerprint") == resident), key=lambda o: (o.reported_at, o.number), reverse=True)
        if query.get("cursor"):
            numbers = [o.number for o in orders]
            orders = orders[numbers.index(query["cursor"]) + 1:]
        page = orders[:query["page_size"]]
        more = len(orders) > len(page)
        return {"items": page, "next_cursor": page[-1].number if more else None,
                "has_more": more, "page_size": query["page_size"], "total": None}

    def statistics_buckets(self, first_month, last_month, community, alley, category,
                           department=None, group_by=None):
        """The monthly buckets, summed from the figures the unit of work collected."""
        buckets: dict = {}
        for key, changes in self.uow.figures:
            month, where, lane, kind, unit = key
            if (first_month and month < first_month) or (last_month and month > last_month) \
                    or community not in (None, where) or category not in (None, kind) \
                    or (alley and alley.strip() != lane) or department not in (None, unit):
                continue
            bucket = buckets.setdefault(tuple(key), {
                "month": month, "community": where, "alley": lane, "category": kind,
                "department": unit, "counts": {}})
            add_counts(bucket["counts"], changes)
        return list(buckets.values())

    def record_reveal(self, actor, number, fields, purpose):
        self.reveals.append((actor["id"], number, tuple(fields), purpose))


class FakeReference:
    def __init__(self):
        self.departments_by_code = {d["code"]: {**d, "phone": None, "active": True}
                                    for d in domain.DEFAULT_DEPARTMENTS}
        self.days = {code: c.deadline_days for code, c in domain.CATEGORIES.items()}
        self.working = clock.WorkingCalendar(holidays=set(), extra_workdays=set())

    def department(self, code):
        if code not in self.departments_by_code:
            raise department_not_found(code)
        return self.departments_by_code[code]

    def route(self, category):
        return self.department(domain.CATEGORIES[category].default_department)

    def departments(self, active_only=False):
        return [d for d in self.departments_by_code.values() if d["active"] or not active_only]


    def deadline_days(self, category):
        return self.days[category]

    def all_deadline_days(self):
        return dict(self.days)

    def deadline(self, category, at):
        return self.working.add_working_days(at, self.days[category])


class FakeRepairUnitOfWork(FakeUnitOfWork):
    source = "repair"

    def __init__(self, now=None):
        super().__init__(now)
        self.work_orders = FakeWorkOrders(self)
        self.reference = FakeReference()
