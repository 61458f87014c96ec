"""The repair service: 背街小巷 work orders from report to close, and the figures they add up to.

Entrypoints only: each hands its call to a handler function (services/repair/handlers/),
which loads the input, applies a rule of services/repair/domain.py and stores the result
through the repositories of its unit of work, in one transaction with the events it causes.
"""
from __future__ import annotations

import logging

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.repair.handlers import flow, georeport, intake, photos, reading, settings
from services.repair.unit_of_work import RepairUnitOfWork
from shared.events.job import EMPLOYER_PROBLEM_REPORTED
from shared.events.volunteer import FOLLOW_UP_VISIT_RECORDED
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.storage import MongoStore

log = logging.getLogger(__name__)

ESCALATION_INTERVAL_SECONDS = 60


class RepairService:
    name = "repair"

    store = MongoStore(RepairUnitOfWork)
    config = Config()

    # --- reporting ---------------------------------------------------------------------------

    @rpc
    def report_work_order(self, actor, **report):
        return self.store.run(intake.report, actor, report)

    @rpc
    def import_work_order(self, actor, **record):
        return self.store.run(intake.import_order, actor, record)

    @rpc
    def suggest_duplicates(self, number):
        return self.store.run(intake.suggest_duplicates, number)

    @handle_event(EMPLOYER_PROBLEM_REPORTED)
    def open_work_order_for_employer(self, event):
        self.store.run(intake.open_for_employer, event)

    # --- the flow ----------------------------------------------------------------------------

    @rpc
    def accept_work_order(self, number, actor, **command):
        return self.store.run(flow.accept, number, actor, command)

    @rpc
    def answer_work_order(self, number, actor, **command):
        return self.store.run(flow.answer, number, actor, command)

    @rpc
    def dispatch_work_order(self, number, actor, **command):
        return self.store.run(flow.dispatch, number, actor, command)

    @rpc
    def return_work_order(self, number, actor, **command):
        return self.store.run(flow.return_to_dispatcher, number, actor, command)

    @rpc
    def sign_for_work_order(self, number, actor, **command):
        return self.store.run(flow.sign_for, number, actor, command)

    @rpc
    def request_extension(self, number, actor, **command):
        return self.store.run(flow.request_extension, number, actor, command)

    @rpc
    def approve_extension(self, number, actor, **command):
        return self.store.run(flow.approve_extension, number, actor, command)

    @rpc
    def reject_extension(self, number, actor, **command):
        return self.store.run(flow.reject_extension, number, actor, command)

    @rpc
    def escalate_work_order(self, number, actor, **command):
        return self.store.run(flow.escalate, number, actor, command)

    @timer(interval=ESCALATION_INTERVAL_SECONDS)
    def escalate_overdue_work_orders(self):
        escalated = []
        for number in self.store.run(flow.overdue):
            try:  # one bad order must not hold up the rest; the next tick retries it
                escalated.append(self.store.run(flow.escalate_overdue, number)["number"])
            except Exception:
                log.exception("could not escalate work order %s", number)
        return escalated

    @rpc
    def complete_work_order(self, number, actor, **command):
        return self.store.run(flow.complete, number, actor, command)

    @rpc
    def record_follow_up(self, number, actor, **command):
        return self.store.run(flow.record_follow_up, number, actor, command)

    @rpc
    def rate_work_order(self, number, actor, **command):
        return self.store.run(flow.rate, number, actor, command)

    @handle_event(FOLLOW_UP_VISIT_RECORDED)
    def apply_follow_up_visit(self, event):
        self.store.run(flow.apply_follow_up_visit, event)

    @rpc
    def reopen_work_order(self, number, actor, **command):
        return self.store.run(flow.reopen, number, actor, command)

    @rpc
    def mark_duplicate(self, number, actor, **command):
        return self.store.run(flow.mark_duplicate, number, actor, command)

    @rpc
    def reject_work_order(self, number, actor, **command):
        return self.store.run(flow.reject, number, actor, command)

    @rpc
    def cancel_work_order(self, number, actor, **command):
        return self.store.run(flow.cancel, number, actor, command)

    # --- photos ------------------------------------------------------------------------------

    @rpc
    def upload_photo(self, actor, **request):
        return self.store.run(photos.upload, actor, request)

    @rpc
    def get_photo(self, number, photo_id, **request):
        return self.store.run(photos.content, number, photo_id, request)

    # --- reading -----------------------------------------------------------------------------

    @rpc
    def get_work_order(self, number):
        return self.store.run(reading.get, number)

    @rpc
    def list_work_orders(self, **query):
        return self.store.run(reading.page, query)

    @rpc
    def list_work_orders_by_reporter(self, **query):
        return self.store.run(reading.by_reporter, query)

    @rpc
    def reveal_reporter_contact(self, number, actor, **command):
        return self.store.run(reading.reveal_contact, number, actor, command)

    @rpc
    def work_order_statistics(self, **query):
        return self.store.run(reading.statistics, query)

    # --- reference data ----------------------------------------------------------------------

    @rpc
    def list_categories(self):
        return self.store.run(settings.categories)

    @rpc
    def set_category_deadline(self, actor, **command):
        return self.store.run(settings.set_category_deadline, actor, command)

    @rpc
    def list_departments(self):
        return self.store.run(settings.departments)

    @rpc
    def save_department(self, actor, **department):
        return self.store.run(settings.save_department, actor, department)

    @rpc
    def list_communities(self):
        return self.store.run(settings.communities)

    @rpc
    def get_calendar(self):
        return self.store.run(settings.calendar)

    @rpc
    def set_calendar(self, actor, **calendar):
        return self.store.run(settings.set_calendar, actor, calendar)

    # --- Open311 GeoReport v2 ----------------------------------------------------------------

    @rpc
    def open311_services(self):
        return self.store.run(georeport.service_list)

    @rpc
    def open311_service_definition(self, service_code):
        return self.store.run(georeport.service_definition, service_code)

    @rpc
    def open311_create_request(self, actor, **request):
        return self.store.run(georeport.create_request, actor, request)

    @rpc
    def open311_requests(self, **query):
        return self.store.run(georeport.requests, query)

    @rpc
    def open311_request(self, service_request_id):
        return self.store.run(georeport.request, service_request_id)

    @rpc
    def open311_token(self, token):
        return self.store.run(georeport.token, token)

    # --- operations --------------------------------------------------------------------------

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)
