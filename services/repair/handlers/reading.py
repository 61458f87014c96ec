"""Reading work orders: one, a page of them, the reporter's contact (audited) and the
figures they add up to."""
from __future__ import annotations

from services.repair import figures, schemas
from services.repair.views import ReporterWorkOrderView, WorkOrderView
from shared.schemas import ActorSchema, load, month_range
from shared.unit_of_work import command, query


@query
def get(uow, number: str) -> dict:
    return WorkOrderView(now=uow.now).dump(uow.work_orders.get(number))


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListWorkOrders(), query)
    page = uow.work_orders.page(query, uow.now)
    return {**page, "items": WorkOrderView(many=True, now=uow.now).dump(page["items"])}


@command(remember=False)  # the answer holds personal data in clear: never kept
def reveal_contact(uow, number: str, actor: dict, command: dict) -> dict:
    """The reporter's phone and e-mail in clear, for a call back; every reveal is audited
    before anything is returned."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.Reveal(), command)
    order = uow.work_orders.get(number)
    uow.work_orders.record_reveal(actor, number, ["phone", "email"], command["purpose"])
    reporter = order.reporter or {}
    return {"name": reporter.get("name"),
            "phone": _opened(uow.cipher, reporter.get("phone")),
            "email": _opened(uow.cipher, reporter.get("email"))}


@query
def statistics(uow, query: dict) -> dict:
    """Counts by state, work quantities and the on-time, satisfaction and resolution rates,
    for a period of office months, optionally grouped."""
    query = load(schemas.Statistics(), query)
    first, last = month_range(query["period"], query["from_month"], query["to_month"])
    group_by = tuple(query["group_by"])
    buckets = uow.work_orders.statistics_buckets(first, last, query["community"],
                                                 query["alley"], query["category"],
                                                 query["department"], group_by)
    names = ({d["code"]: d["name"] for d in uow.reference.departments()}
             if "department" in group_by else None)
    result = figures.roll_up(buckets, group_by, names)
    result["period"] = {"from_month": first, "to_month": last}
    return result


@query
def by_reporter(uow, query: dict) -> dict:
    """A resident's own orders (居民端 我的报修), newest first, a page at a time: every order
    whose reporter's phone is theirs — reported on the resident site or taken down by staff —
    found by the phone's keyed fingerprint."""
    query = load(schemas.WorkOrdersByReporter(), query)
    page = uow.work_orders.reported_by(query["resident"], query, uow.now)
    return {**page, "items": ReporterWorkOrderView(many=True, now=uow.now).dump(page["items"])}


def _opened(cipher, protected: dict | None) -> str | None:
    return cipher.open(protected["sealed"]) if protected else None
