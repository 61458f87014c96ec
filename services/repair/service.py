"""The repair service: 背街小巷 work orders from report to close, and the figures they add up to.

Entrypoints and wiring only: input is loaded through `schemas`, rules live in `domain`,
storage in `repository`. Every change runs in one transaction with the events it causes.
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.repair import domain, exceptions, open311, schemas
from services.repair.repository import INDEXES, RepairRepository, seed_reference_data
from shared import clock
from shared.errors import Forbidden, ValidationFailed
from shared.events.job import EMPLOYER_PROBLEM_REPORTED
from shared.events.volunteer import FOLLOW_UP_VISIT_RECORDED
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData, mask_email, mask_phone, record_reveal
from shared.schemas import ActorSchema, load, month_range, page_of
from shared.storage import MongoStore

log = logging.getLogger(__name__)

SYSTEM = {"id": "repair", "name": "系统", "role": "system", "community": None}
ESCALATION_INTERVAL_SECONDS = 60
# Who may 补录 historic orders: the office, a community for its own, other systems.
IMPORTERS = ("street_admin", "community_staff", "system")


class RepairService:
    name = "repair"

    store = MongoStore(INDEXES, seed=seed_reference_data)
    config = Config()
    cipher = PersonalData()

    @property
    def repository(self) -> RepairRepository:
        return RepairRepository(self.store.db)

    # --- reporting ---------------------------------------------------------------------------

    @rpc
    def report_work_order(self, actor, **report):
        """上报: a resident, a grid worker or the 12345 hotline reports a problem."""
        actor = load(ActorSchema(), actor)
        report = load(schemas.ReportWorkOrder(), report)
        if report["attributes"]:
            report["attributes"], errors = open311.check_attributes(
                report["category"], report["attributes"], self.repository.communities())
            if errors:
                raise ValidationFailed(fields=errors)
        return self._report(report, actor)

    def _report(self, report: dict, actor: dict, token: str | None = None) -> dict:
        at = clock.now()
        reporter = report.get("reporter") or {}
        details = {
            **{k: report.get(k) for k in ("category", "community", "alley", "location",
                                          "description", "channel", "external_ref",
                                          "source_ref")},
            "address": report.get("address") or report.get("alley") or _place(report),
            "media_urls": report.get("media_urls") or [],
            "attributes": report.get("attributes") or {},
            "reporter": {"name": reporter.get("name"),
                         "phone": self.cipher.protect(reporter.get("phone"), mask_phone),
                         "email": self.cipher.protect(reporter.get("email"), mask_email)},
            "token": token,
        }
        repository = self.repository

        def report_it(tx):
            order = domain.WorkOrder.report(repository.next_number(tx, at), details, actor, at)
            repository.add(tx, order)
            return order

        order = self.store.transaction(report_it)
        view = schemas.present_work_order(order, at)
        view["possible_duplicates"] = self._duplicates_of(report, exclude=order.number)
        return view

    @rpc
    def import_work_order(self, actor, **record):
        """补录: an order handled before it was in the system (a paper ledger, another
        platform), stored with the real time of each step so the figures fall in the months
        the work was done. Each step goes through the same rules as in the flow; the order
        keeps who recorded it, when and from what, and only its final event is published."""
        actor = load(ActorSchema(), actor)
        if actor["role"] not in IMPORTERS:
            raise Forbidden("只有街道管理员或社区工作人员可以补录工单", code="FORBIDDEN")
        record = load(schemas.ImportWorkOrder(), record)
        if actor["role"] == "community_staff" and actor.get("community") != record["community"]:
            raise Forbidden(f"只能补录本社区({actor.get('community')})的工单", code="FORBIDDEN")
        at = clock.now()
        errors = domain.check_import_times(record, at)
        if errors:
            raise ValidationFailed(fields=errors)
        reporter = record.get("reporter") or {}
        details = {
            **{k: record.get(k) for k in ("category", "community", "alley", "location",
                                          "description", "channel", "external_ref",
                                          "source_ref")},
            "address": record.get("address") or record.get("alley") or _place(record),
            "media_urls": record["media_urls"], "attributes": record["attributes"],
            "reporter": {"name": reporter.get("name"),
                         "phone": self.cipher.protect(reporter.get("phone"), mask_phone),
                         "email": self.cipher.protect(reporter.get("email"), mask_email)},
        }
        note = f"补录:{record['reason']}"
        repository = self.repository

        def replay(tx):
            order = domain.WorkOrder.report(repository.next_number(tx, record["reported_at"]),
                                            details, actor, record["reported_at"])
            order.imported = {"by": {k: actor.get(k) for k in ("id", "name", "role")},
                              "at": at, "reason": record["reason"]}
            if record["accepted_at"]:
                order.accept(actor, record["accepted_at"], self._deadline(
                    order.category, record["accepted_at"], tx), note)
            if record["dispatched_at"]:
                department = (repository.department(record["department_code"], tx.session)
                              if record["department_code"]
                              else repository.route(order.category, tx.session))
                order.dispatch(actor, record["dispatched_at"], department, note)
            if record["signed_for_at"]:
                order.sign_for(actor, record["signed_for_at"], note)
            if record["completed_at"]:
                order.complete(actor, record["completed_at"],
                               [domain.quantity(q["kind"], q["amount"])
                                for q in record["quantities"]],
                               record["evidence_urls"], record["result_note"])
            follow_up = record["follow_up"]
            if follow_up:
                order.record_follow_up(actor, follow_up["at"], follow_up["result"],
                                       follow_up["note"],
                                       self._deadline(order.category, follow_up["at"], tx))
            domain.only_final_event(order)
            repository.add(tx, order)
            return order

        return schemas.present_work_order(self.store.transaction(replay), at)

    @rpc
    def suggest_duplicates(self, number):
        """Open orders of the same category within 50 m, or in the same alley."""
        order = self.repository.get(number)
        return self._duplicates_of(
            {"category": order.category, "community": order.community, "alley": order.alley,
             "location": order.location}, exclude=number)

    def _duplicates_of(self, report: dict, exclude: str) -> list[dict]:
        suggestions = []
        for candidate in self.repository.duplicate_candidates(report, exclude=exclude):
            reasons = domain.duplicate_reasons(report, candidate)
            if reasons:
                suggestions.append({"number": candidate.number, "state": candidate.state,
                                    "state_name": domain.STATE_NAMES[candidate.state],
                                    "address": candidate.address,
                                    "reported_at": clock.iso(candidate.reported_at),
                                    "reasons": reasons})
        return sorted(suggestions, key=lambda s: s["reported_at"], reverse=True)

    # --- the flow ----------------------------------------------------------------------------

    @rpc
    def accept_work_order(self, number, actor, **command):
        command = load(schemas.Note(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.accept(
            who, at, self._deadline(order.category, at, tx), command["note"]))

    @rpc
    def answer_work_order(self, number, actor, **command):
        command = load(schemas.Answer(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.answer(
            who, at, command["answer"]))

    @rpc
    def dispatch_work_order(self, number, actor, **command):
        command = load(schemas.Dispatch(), command)

        def dispatch(order, who, at, tx):
            department = (self.repository.department(command["department_code"], tx.session)
                          if command["department_code"]
                          else self.repository.route(order.category, tx.session))
            order.dispatch(who, at, department, command["note"])
        return self._change(number, actor, dispatch)

    @rpc
    def return_work_order(self, number, actor, **command):
        command = load(schemas.Return(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.return_to_dispatcher(
            who, at, command["grounds"]))

    @rpc
    def sign_for_work_order(self, number, actor, **command):
        command = load(schemas.Note(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.sign_for(
            who, at, command["note"]))

    @rpc
    def request_extension(self, number, actor, **command):
        command = load(schemas.RequestExtension(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.request_extension(
            who, at, clock.as_utc(command["requested_due_at"]), command["reason"]))

    @rpc
    def approve_extension(self, number, actor, **command):
        command = load(schemas.Note(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.approve_extension(
            who, at, command["note"]))

    @rpc
    def reject_extension(self, number, actor, **command):
        command = load(schemas.Note(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.reject_extension(
            who, at, command["note"]))

    @rpc
    def escalate_work_order(self, number, actor, **command):
        """督办 by hand; overdue orders are also escalated by the timer below."""
        command = load(schemas.Note(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.escalate(
            who, at, command["note"]))

    @timer(interval=ESCALATION_INTERVAL_SECONDS)
    def escalate_overdue_work_orders(self):
        at = clock.now()
        escalated = []
        for number in self.repository.overdue(at, limit=200):
            def escalate(order, who, at, tx):
                if order.needs_escalation(at):  # another process may have got there first
                    order.escalate(who, at, "超过办理时限,系统自动督办", automatic=True)
            try:
                escalated.append(self._change(number, SYSTEM, escalate)["number"])
            except Exception:  # one bad order must not hold up the rest; the next tick retries
                log.exception("could not escalate work order %s", number)
        return escalated

    @rpc
    def complete_work_order(self, number, actor, **command):
        command = load(schemas.Complete(), command)
        quantities = [domain.quantity(q["kind"], q["amount"]) for q in command["quantities"]]
        return self._change(number, actor, lambda order, who, at, tx: order.complete(
            who, at, quantities, command["evidence_urls"], command["result_note"]))

    @rpc
    def record_follow_up(self, number, actor, **command):
        """回访: satisfied (or unreachable) closes the order; dissatisfied reopens it."""
        command = load(schemas.FollowUp(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.record_follow_up(
            who, at, command["result"], command["note"],
            self._deadline(order.category, at, tx)))

    @rpc
    def reopen_work_order(self, number, actor, **command):
        command = load(schemas.Reason(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.reopen(
            who, at, command["reason"], self._deadline(order.category, at, tx)))

    @rpc
    def mark_duplicate(self, number, actor, **command):
        command = load(schemas.MarkDuplicate(), command)

        def mark(order, who, at, tx):
            self.repository.get(command["duplicate_of"], tx.session)  # must exist
            order.mark_duplicate(who, at, command["duplicate_of"], command["note"])
        return self._change(number, actor, mark)

    @rpc
    def reject_work_order(self, number, actor, **command):
        command = load(schemas.Reason(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.reject(
            who, at, command["reason"]))

    @rpc
    def cancel_work_order(self, number, actor, **command):
        command = load(schemas.Reason(), command)
        return self._change(number, actor, lambda order, who, at, tx: order.cancel(
            who, at, command["reason"]))

    def _change(self, number: str, actor: dict, change) -> dict:
        """Load the order, apply one domain step, store it with its events and figures."""
        actor = load(ActorSchema(), actor)
        at = clock.now()
        repository = self.repository

        def apply(tx):
            order = repository.get(number, tx.session)
            change(order, actor, at, tx)
            if order.events or order.stat_changes:  # nothing happened, nothing to store
                repository.save(tx, order)
            return order

        return schemas.present_work_order(self.store.transaction(apply), at)

    def _deadline(self, category: str, at, tx):
        days = self.repository.deadline_days(category, tx.session)
        return self.repository.calendar(tx.session).add_working_days(at, days)

    # --- what other services tell us ---------------------------------------------------------

    @handle_event(FOLLOW_UP_VISIT_RECORDED)
    def apply_follow_up_visit(self, event):
        """A volunteer's 回访 closes the order, or reopens it if the resident is dissatisfied.
        An order no longer awaiting follow-up (staff recorded one first) is left as it is."""
        data = event.data
        visitor = {"id": f"volunteer:{data['visitor_id']}", "name": data["visitor_name"],
                   "role": "volunteer"}

        def follow_up(order, who, at, tx):
            if "follow_up" in order.allowed_actions():
                order.record_follow_up(visitor, at, data["result"], data["note"],
                                       self._deadline(order.category, at, tx))
        self._change(data["work_order_number"], SYSTEM, follow_up)

    @handle_event(EMPLOYER_PROBLEM_REPORTED)
    def open_work_order_for_employer(self, event):
        """一走四送: a problem found on an employer visit becomes a work order."""
        data = event.data
        self._report({
            "category": data["category"], "community": data["community"],
            "alley": data["alley"], "address": data["address"], "location": data["location"],
            "description": f"{data['employer_name']}反映:{data['description']}",
            "channel": "employer_visit",
            "reporter": {"name": data["employer_name"]},
            "source_ref": {"service": "job", "ref": data["problem_id"]},
        }, {"id": "job", "name": data["visitor_name"], "role": "system"})

    # --- reading -----------------------------------------------------------------------------

    @rpc
    def get_work_order(self, number):
        return schemas.present_work_order(self.repository.get(number), clock.now())

    @rpc
    def list_work_orders(self, **query):
        query = load(schemas.ListWorkOrders(), query)
        at = clock.now()
        orders, total = self.repository.list(query, at)
        return page_of([schemas.present_work_order(o, at) for o in orders], total,
                       query["page"], query["page_size"])

    @rpc
    def reveal_reporter_contact(self, number, actor, **command):
        """The reporter's phone and e-mail in clear, for a call back; every reveal is audited
        before anything is returned."""
        actor = load(ActorSchema(), actor)
        command = load(schemas.Reveal(), command)
        order = self.repository.get(number)
        record_reveal(self.store.db, actor, "work_order", number, ["phone", "email"],
                      command["purpose"])
        reporter = order.reporter or {}
        return {"name": reporter.get("name"),
                "phone": _opened(self.cipher, reporter.get("phone")),
                "email": _opened(self.cipher, reporter.get("email"))}

    @rpc
    def work_order_statistics(self, **query):
        """Counts by state, work quantities and the on-time, satisfaction and resolution
        rates, for a period of office months, optionally grouped."""
        query = load(schemas.Statistics(), query)
        first, last = month_range(query["period"], query["from_month"], query["to_month"])
        buckets = self.repository.stat_buckets(first, last, query["community"], query["alley"],
                                               query["category"])
        result = domain.roll_up(buckets, tuple(query["group_by"]))
        result["period"] = {"from_month": first, "to_month": last}
        return result

    # --- reference data ----------------------------------------------------------------------

    @rpc
    def list_categories(self):
        days = self.repository.all_deadline_days()
        return [{"code": c.code, "name": c.name, "description": c.description,
                 "deadline_days": days[c.code], "default_department": c.default_department}
                for c in domain.CATEGORIES.values()]

    @rpc
    def set_category_deadline(self, actor, **command):
        load(ActorSchema(), actor)
        command = load(schemas.CategoryDeadline(), command)
        self.store.transaction(lambda tx: self.repository.set_deadline_days(
            tx, command["category"], command["working_days"]))
        return self.list_categories()

    @rpc
    def list_departments(self):
        return self.repository.departments()

    @rpc
    def save_department(self, actor, **department):
        load(ActorSchema(), actor)
        department = load(schemas.Department(), department)
        self.store.transaction(lambda tx: self.repository.save_department(tx, department))
        return self.repository.department(department["code"]) if department["active"] \
            else department

    @rpc
    def list_communities(self):
        return self.repository.communities()

    @rpc
    def save_community(self, actor, **community):
        load(ActorSchema(), actor)
        community = load(schemas.Community(), community)
        self.store.transaction(lambda tx: self.repository.save_community(tx, community))
        return community

    @rpc
    def get_calendar(self):
        calendar = self.repository.calendar()
        return {"holidays": sorted(d.isoformat() for d in calendar.holidays),
                "extra_workdays": sorted(d.isoformat() for d in calendar.extra_workdays)}

    @rpc
    def set_calendar(self, actor, **calendar):
        load(ActorSchema(), actor)
        calendar = load(schemas.Calendar(), calendar)
        self.store.transaction(lambda tx: self.repository.set_calendar(
            tx, calendar["holidays"], calendar["extra_workdays"]))
        return self.get_calendar()

    # --- Open311 GeoReport v2 ----------------------------------------------------------------

    @rpc
    def open311_services(self):
        return open311.services()

    @rpc
    def open311_service_definition(self, service_code):
        if service_code not in domain.CATEGORIES:
            raise exceptions.service_not_found(service_code)
        return open311.service_definition(service_code, self.repository.communities())

    @rpc
    def open311_create_request(self, actor, **request):
        actor = load(ActorSchema(), actor)
        request = load(schemas.Open311Request(), request)
        communities = self.repository.communities()
        attributes, errors = open311.check_attributes(
            request["service_code"], request["attribute"], communities)
        location = ({"lat": request["lat"], "long": request["long"]}
                    if request["lat"] is not None and request["long"] is not None else None)
        community = attributes.pop("community", None) or open311.nearest_community(
            location, communities)
        if not request["description"]:
            errors["description"] = ["请描述问题。"]
        if not community:
            errors["attribute[community]"] = ["无法按位置判断所在社区,请选择社区。"]
        if errors:
            raise ValidationFailed(fields=errors)
        name = "".join(filter(None, (request["last_name"], request["first_name"]))) or None
        token = uuid.uuid4().hex
        view = self._report({
            "category": request["service_code"], "community": community,
            "address": request["address_string"] or request["address_id"],
            "location": location, "description": request["description"],
            "media_urls": [request["media_url"]] if request["media_url"] else [],
            "attributes": attributes, "channel": "open311",
            "reporter": {"name": name, "phone": request["phone"], "email": request["email"]},
        }, actor, token=token)
        days = self.repository.deadline_days(request["service_code"])
        return [{"service_request_id": view["number"], "token": token,
                 "service_notice": f"处理时限 {days} 个工作日",
                 "account_id": request["account_id"]}]

    @rpc
    def open311_requests(self, **query):
        query = load(schemas.Open311Query(), query)
        repository = self.repository
        if query["service_request_id"]:
            numbers = [n.strip() for n in query["service_request_id"].split(",") if n.strip()]
            orders = repository.by_reported_period({"_id": {"$in": numbers}}, None, None, 1000)
        else:
            start, end = query["start_date"], query["end_date"]
            if start and end and (end - start).days > 90:
                raise exceptions.invalid("end_date", "start_date 与 end_date 相隔不能超过 90 天。")
            if not start:
                start = (end or clock.now()) - timedelta(days=90)
            criteria = {}
            if query["service_code"]:
                criteria["category"] = {"$in": query["service_code"].split(",")}
            if query["status"]:
                wanted = set(query["status"].split(","))
                if wanted == {"open"}:
                    criteria["state"] = {"$nin": list(open311.ENDED)}
                elif wanted == {"closed"}:
                    criteria["state"] = {"$in": list(open311.ENDED)}
            orders = repository.by_reported_period(criteria, start, end, 1000)
        days = repository.all_deadline_days()
        return [open311.to_request(o, days[o.category]) for o in orders]

    @rpc
    def open311_request(self, service_request_id):
        order = self.repository.get(service_request_id)
        return [open311.to_request(order, self.repository.deadline_days(order.category))]

    @rpc
    def open311_token(self, token):
        order = self.repository.find_by_token(token)
        if order is None:
            raise exceptions.token_not_found(token)
        return [{"token": token, "service_request_id": order.number}]

    # --- operations --------------------------------------------------------------------------

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)


def _place(report: dict) -> str:
    location = report.get("location") or {}
    return f"{location.get('lat')}, {location.get('long')}"


def _opened(cipher, protected: dict | None) -> str | None:
    return cipher.open(protected["sealed"]) if protected else None
