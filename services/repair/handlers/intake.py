"""How work orders come in: reported by people and systems, opened for employers' problems,
补录 of orders handled before they were in the system, and the duplicates a report may be."""
from __future__ import annotations

from services.repair import domain, importing, open311, schemas
from services.repair.views import DuplicateView, WorkOrderView
from shared.errors import Forbidden, ValidationFailed
from shared.personal_data import mask_email, mask_phone
from shared.schemas import ActorSchema, load, validation_failed
from shared.unit_of_work import command, query

# Who may 补录 historic orders: the office, a community for its own, other systems.
IMPORTERS = ("street_admin", "community_staff", "system")


@command
def report(uow, actor: dict, report: dict) -> dict:
    """上报: a resident, a grid worker or the 12345 hotline reports a problem. A report of a
    ticket already reported on the same channel answers the order it made."""
    actor = load(ActorSchema(), actor)
    report = load(schemas.ReportWorkOrder(), report)
    if report["attributes"]:
        report["attributes"], errors = open311.check_attributes(
            report["category"], report["attributes"])
        if errors:
            raise validation_failed(errors)
    return file_report(uow, report, actor)


def file_report(uow, report: dict, actor: dict, token: str | None = None) -> dict:
    """Store a checked report as a new order (or find the one its ticket already made)."""
    existing = uow.work_orders.by_ticket(report.get("channel"), report.get("external_ref"))
    if existing is not None:
        return {**WorkOrderView(now=uow.now).dump(existing), "possible_duplicates": [],
                "already_reported": True}
    order = domain.WorkOrder.report(uow.work_orders.next_number(uow.now),
                                    order_details(uow, report, token), actor, uow.now)
    if report.get("photos"):
        order.photos = uow.photos.attach(report["photos"], actor, order.number, "report",
                                         uow.now)
    uow.work_orders.add(order)
    return {**WorkOrderView(now=uow.now).dump(order),
            "possible_duplicates": duplicates_of(uow, report, exclude=order.number),
            "already_reported": False}


def order_details(uow, report: dict, token: str | None = None) -> dict:
    reporter = report.get("reporter") or {}
    return {
        **{k: report.get(k) for k in ("category", "community", "alley", "location",
                                      "description", "channel", "external_ref",
                                      "source_ref")},
        "address": report.get("address") or report.get("alley") or _place(report),
        "media_urls": report.get("media_urls") or [],
        "attributes": report.get("attributes") or {},
        "reporter": {"name": reporter.get("name"),
                     "phone": uow.cipher.protect(reporter.get("phone"), mask_phone),
                     "email": uow.cipher.protect(reporter.get("email"), mask_email)},
        "token": token,
    }


@command
def open_for_employer(uow, event) -> None:
    """一走四送: a problem found on an employer visit becomes a work order."""
    data = event.data
    file_report(uow, {
        "category": data["category"], "community": data["community"],
        "alley": data["alley"], "address": data["address"], "location": data["location"],
        "description": f"{data['employer_name']}反映:{data['description']}",
        "channel": "employer_visit",
        "reporter": {"name": data["employer_name"]},
        "source_ref": {"service": "job", "ref": data["problem_id"]},
    }, {"id": "job", "name": data["visitor_name"], "role": "system"})


@command
def import_order(uow, actor: dict, record: dict) -> dict:
    """补录: an order handled before it was in the system (a paper ledger, another platform),
    stored with the real time of each step so the figures fall in the months the work was
    done. Each step goes through the same rules as in the flow; the order keeps who recorded
    it, when and from what, and only its final event is published."""
    actor = load(ActorSchema(), actor)
    if actor["role"] not in IMPORTERS:
        raise Forbidden("只有街道管理员或社区工作人员可以补录工单", code="FORBIDDEN")
    record = load(schemas.ImportWorkOrder(), record)
    if actor["role"] == "community_staff" and actor.get("community") != record["community"]:
        raise Forbidden(f"只能补录本社区({actor.get('community')})的工单", code="FORBIDDEN")
    errors = importing.check_import_times(record, uow.now)
    if errors:
        raise ValidationFailed(fields=errors)
    note = f"补录:{record['reason']}"
    reference = uow.reference
    order = domain.WorkOrder.report(uow.work_orders.next_number(record["reported_at"]),
                                    order_details(uow, record), actor, record["reported_at"])
    order.imported = {"by": {k: actor.get(k) for k in ("id", "name", "role")},
                      "at": uow.now, "reason": record["reason"]}
    if record["photos"]:  # uploaded first by the one recording, dated when it was taken
        order.photos = uow.photos.attach(record["photos"], actor, order.number, "report",
                                         record["reported_at"])
    if record["accepted_at"]:
        order.accept(actor, record["accepted_at"],
                     reference.deadline(order.category, record["accepted_at"]), note)
    if record["dispatched_at"]:
        department = (reference.department(record["department_code"])
                      if record["department_code"] else reference.route(order.category))
        order.dispatch(actor, record["dispatched_at"], department, note)
    if record["signed_for_at"]:
        order.sign_for(actor, record["signed_for_at"], note)
    if record["completed_at"]:
        order.complete(actor, record["completed_at"],
                       [domain.quantity(q["kind"], q["amount"]) for q in record["quantities"]],
                       record["evidence_urls"], record["result_note"],
                       uow.photos.attach(record["completion_photos"], actor, order.number,
                                         "completion", record["completed_at"])
                       if record["completion_photos"] else [])
    # The 回访 and the reporter's own rating, in the order they were given.
    follow_up, rating = record["follow_up"], record["rating"]
    answers = sorted([(a["at"], kind, a) for kind, a in (("follow_up", follow_up),
                                                          ("rate", rating)) if a],
                     key=lambda found: found[0])
    for at, kind, answer in answers:
        if kind == "rate":
            order.rate(importing.rater(order), at, answer["result"], answer["note"])
        else:
            order.record_follow_up(actor, at, answer["result"], answer["note"],
                                   reference.deadline(order.category, at))
    importing.only_final_event(order)
    uow.work_orders.add(order)
    return WorkOrderView(now=uow.now).dump(order)


@query
def suggest_duplicates(uow, number: str) -> list[dict]:
    """Open orders of the same category within 50 m, or in the same alley."""
    order = uow.work_orders.get(number)
    return duplicates_of(uow, {"category": order.category, "community": order.community,
                               "alley": order.alley, "location": order.location},
                         exclude=number)


def duplicates_of(uow, report: dict, exclude: str) -> list[dict]:
    suggestions = []
    for candidate in uow.work_orders.duplicate_candidates(report, exclude=exclude):
        reasons = domain.duplicate_reasons(report, candidate)
        if reasons:
            suggestions.append({"number": candidate.number, "state": candidate.state,
                                "address": candidate.address,
                                "reported_at": candidate.reported_at, "reasons": reasons})
    suggestions.sort(key=lambda s: s["reported_at"], reverse=True)
    return DuplicateView(many=True, now=uow.now).dump(suggestions)


def _place(report: dict) -> str:
    location = report.get("location") or {}
    return f"{location.get('lat')}, {location.get('long')}"
