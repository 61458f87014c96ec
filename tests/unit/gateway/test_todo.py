"""The to-do list's counting: through the list routes' own limits, by counters when they
total, else by paging (due soon: until the first order due later)."""
from datetime import timedelta
from types import SimpleNamespace

from services.gateway.access import Principal
from services.gateway.routes import console
from shared import clock


class FakeList:
    def __init__(self, items, total=None):
        self.items, self.total, self.calls = items, total, []

    def __call__(self, page_size, cursor=None, **query):
        self.calls.append(query)
        start = int(cursor or 0)
        window = self.items[start:start + page_size]
        more = start + page_size < len(self.items)
        return {"items": window, "has_more": more, "total": self.total,
                "next_cursor": str(start + page_size) if more else None}


def api_with(work_orders, corrections=None, volunteers=None):
    empty = FakeList([], total=0)
    worker = SimpleNamespace(
        repair=SimpleNamespace(list_work_orders=work_orders),
        volunteer=SimpleNamespace(list_corrections=corrections or empty,
                                  list_volunteers=volunteers or empty),
        config={})
    return SimpleNamespace(worker=worker)


def due(hours):
    return {"due_at": clock.iso(clock.now() + timedelta(hours=hours))}


def test_due_soon_counts_until_the_first_order_due_later():
    orders = FakeList([due(1), due(20), due(47), due(49), due(100)], total=None)
    found = console.todo(api_with(orders), Principal("a", "u", "n", "department",
                                                     department="power"), {}, {}, None)
    items = {i["key"]: i for i in found["items"]}
    assert items["due_soon"]["count"] == 3 and not items["due_soon"]["more"]
    # Every call the department made was limited to its department.
    assert all(call["department_code"] == "power" for call in orders.calls)
    assert set(items) == {"to_sign_for", "due_soon", "overdue"}


def test_a_long_list_is_counted_up_to_the_limit():
    orders = FakeList([due(1)] * (console.COUNT_LIMIT + 50), total=None)
    found = console.todo(api_with(orders), Principal("a", "u", "n", "street_admin"),
                         {}, {}, None)
    overdue = next(i for i in found["items"] if i["key"] == "overdue")
    assert overdue["count"] == console.COUNT_LIMIT and overdue["more"] is True
    assert overdue["query"] == {"overdue": "true"}


def test_counters_answer_when_they_can_and_viewers_see_no_staff_entries():
    orders = FakeList([], total=7)
    found = console.todo(api_with(orders), Principal("a", "u", "n", "viewer",
                                                     community="浚河社区"), {}, {}, None)
    items = {i["key"]: i for i in found["items"]}
    assert set(items) == {"due_soon", "overdue"}
    assert items["overdue"]["count"] == 7
    assert items["overdue"]["query"] == {"overdue": "true", "community": "浚河社区"}


def test_a_street_admin_chooses_a_department_and_sees_only_what_can_be_limited_to_it():
    orders = FakeList([], total=None)
    found = console.todo(api_with(orders), Principal("a", "u", "n", "street_admin"), {},
                         {"department": "power"}, None)
    keys = {i["key"] for i in found["items"]}
    assert "registrations" not in keys and "corrections" not in keys and "to_accept" in keys
    assert all(call["department_code"] == "power" for call in orders.calls)
