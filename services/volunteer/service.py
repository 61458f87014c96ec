"""The volunteer service: the volunteer registry, shifts and attendance, the hours ledger,
certificates, recognition, follow-up visits and the figures they add up to.

Entrypoints only: each hands its call to a handler function (services/volunteer/handlers/),
which loads the input, applies a rule of the service's domain modules and stores the result
through the repositories of its unit of work, in one transaction with the events it causes.
"""
from __future__ import annotations

import logging

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.volunteer.handlers import (activities, certificates, corrections, ledger,
                                         registry, settings, shifts, statistics, visits)
from services.volunteer.unit_of_work import VolunteerUnitOfWork
from shared.events.activity import ACTIVITY_CANCELLED, ACTIVITY_FINISHED, ACTIVITY_PUBLISHED
from shared.events.job import PLACEMENT_FOLLOW_UP_DUE
from shared.events.repair import (WORK_ORDER_COMPLETED, WORK_ORDER_FOLLOWED_UP,
                                  WORK_ORDER_REOPENED)
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData
from shared.storage import MongoStore

log = logging.getLogger(__name__)

AUTO_COMPLETE_INTERVAL_SECONDS = 300


class VolunteerService:
    name = "volunteer"

    store = MongoStore(VolunteerUnitOfWork)
    config = Config()
    # The service keeps ID and phone numbers: it refuses to start without PII_KEY.
    personal_data = PersonalData()

    # --- the registry ------------------------------------------------------------------------

    @rpc
    def register_volunteer(self, actor, **registration):
        return self.store.run(registry.register, actor, registration)

    @rpc
    def import_volunteers(self, actor, **command):
        return self.store.run(registry.import_volunteers, actor, command)

    @rpc
    def approve_volunteer(self, volunteer_id, actor, **command):
        return self.store.run(registry.approve, volunteer_id, actor, command)

    @rpc
    def reject_volunteer(self, volunteer_id, actor, **command):
        return self.store.run(registry.reject, volunteer_id, actor, command)

    @rpc
    def suspend_volunteer(self, volunteer_id, actor, **command):
        return self.store.run(registry.suspend, volunteer_id, actor, command)

    @rpc
    def reinstate_volunteer(self, volunteer_id, actor, **command):
        return self.store.run(registry.reinstate, volunteer_id, actor, command)

    @rpc
    def withdraw_volunteer(self, volunteer_id, actor, **command):
        return self.store.run(registry.withdraw, volunteer_id, actor, command)

    @rpc
    def update_volunteer(self, volunteer_id, actor, **changes):
        return self.store.run(registry.update, volunteer_id, actor, changes)

    @rpc
    def commend_volunteer(self, volunteer_id, actor, **command):
        return self.store.run(registry.commend, volunteer_id, actor, command)

    @rpc
    def get_volunteer(self, volunteer_id):
        return self.store.run(registry.get, volunteer_id)

    @rpc
    def list_volunteers(self, **query):
        return self.store.run(registry.page, query)

    @rpc
    def reveal_volunteer_personal_data(self, volunteer_id, actor, **command):
        return self.store.run(registry.reveal_personal_data, volunteer_id, actor, command)

    # --- teams and rules ---------------------------------------------------------------------

    @rpc
    def list_teams(self, **query):
        return self.store.run(settings.teams, query)

    @rpc
    def save_team(self, actor, **team):
        return self.store.run(settings.save_team, actor, team)

    @rpc
    def list_skills(self):
        return self.store.run(settings.skills)

    @rpc
    def get_recognition_rules(self):
        return self.store.run(settings.recognition_rules)

    @rpc
    def set_recognition_rules(self, actor, **rules):
        return self.store.run(settings.set_recognition_rules, actor, rules)

    # --- shifts ------------------------------------------------------------------------------

    @rpc
    def open_shift(self, actor, **shift):
        return self.store.run(shifts.open_shift, actor, shift)

    @rpc
    def cancel_shift(self, shift_id, actor, **command):
        return self.store.run(shifts.cancel, shift_id, actor, command)

    @rpc
    def sign_up(self, shift_id, actor, **command):
        return self.store.run(shifts.sign_up, shift_id, actor, command)

    @rpc
    def withdraw_sign_up(self, shift_id, actor, **command):
        return self.store.run(shifts.withdraw_sign_up, shift_id, actor, command)

    @rpc
    def check_in(self, shift_id, actor, **command):
        return self.store.run(shifts.check_in, shift_id, actor, command)

    @rpc
    def check_out(self, shift_id, actor, **command):
        return self.store.run(shifts.check_out, shift_id, actor, command)

    @rpc
    def mark_attended(self, shift_id, actor, **command):
        return self.store.run(shifts.mark_attended, shift_id, actor, command)

    @rpc
    def complete_shift(self, shift_id, actor, **command):
        return self.store.run(shifts.complete, shift_id, actor, command)

    @rpc
    def record_follow_up_visit(self, shift_id, actor, **command):
        return self.store.run(visits.record_follow_up_visit, shift_id, actor, command)

    @rpc
    def record_placement_visit(self, shift_id, actor, **command):
        return self.store.run(visits.record_placement_visit, shift_id, actor, command)

    @timer(interval=AUTO_COMPLETE_INTERVAL_SECONDS)
    def complete_finished_shifts(self):
        """Shifts left open some days after they ended are completed by the system, one
        transaction each (each re-reads its shift: safe with several processes)."""
        completed = []
        for shift_id in self.store.run(shifts.forgotten):
            try:  # one bad shift must not hold up the rest; the next tick retries it
                if self.store.run(shifts.complete_forgotten, shift_id):
                    completed.append(shift_id)
            except Exception:
                log.exception("could not complete shift %s", shift_id)
        return completed

    @rpc
    def get_shift(self, shift_id):
        return self.store.run(shifts.get, shift_id)

    @rpc
    def list_shifts(self, **query):
        return self.store.run(shifts.page, query)

    @rpc
    def suggest_volunteers(self, shift_id, **query):
        return self.store.run(shifts.suggest_volunteers, shift_id, query)

    # --- corrections -------------------------------------------------------------------------

    @rpc
    def request_correction(self, actor, **command):
        return self.store.run(corrections.request, actor, command)

    @rpc
    def approve_correction(self, correction_id, actor, **command):
        return self.store.run(corrections.approve, correction_id, actor, command)

    @rpc
    def reject_correction(self, correction_id, actor, **command):
        return self.store.run(corrections.reject, correction_id, actor, command)

    @rpc
    def get_correction(self, correction_id):
        return self.store.run(corrections.get, correction_id)

    @rpc
    def list_corrections(self, **query):
        return self.store.run(corrections.page, query)

    # --- the hours ledger --------------------------------------------------------------------

    @rpc
    def record_hours(self, actor, **command):
        return self.store.run(ledger.record_hours, actor, command)

    @rpc
    def get_ledger_entry(self, entry_id):
        return self.store.run(ledger.entry, entry_id)

    @rpc
    def list_ledger_entries(self, **query):
        return self.store.run(ledger.entries, query)

    @rpc
    def volunteer_hours(self, volunteer_id, **query):
        return self.store.run(ledger.volunteer_hours, volunteer_id, query)

    # --- certificates ------------------------------------------------------------------------

    @rpc
    def issue_certificate(self, actor, **command):
        return self.store.run(certificates.issue, actor, command)

    @rpc
    def get_certificate(self, number):
        return self.store.run(certificates.get, number)

    @rpc
    def verify_certificate(self, number):
        return self.store.run(certificates.verify, number)

    @rpc
    def render_certificate(self, number, check_url=None):
        return self.store.run(certificates.render, number, check_url)

    @rpc
    def revoke_certificate(self, number, actor, **command):
        return self.store.run(certificates.revoke, number, actor, command)

    @rpc
    def list_certificates(self, **query):
        return self.store.run(certificates.page, query)

    # --- figures -----------------------------------------------------------------------------

    @rpc
    def volunteer_statistics(self, **query):
        return self.store.run(statistics.statistics, query)

    # --- what other services tell us ---------------------------------------------------------

    @handle_event(ACTIVITY_PUBLISHED)
    def open_activity_shift(self, event):
        self.store.run(activities.open_activity_shift, event)

    @handle_event(ACTIVITY_CANCELLED)
    def cancel_activity_shift(self, event):
        self.store.run(activities.cancel_activity_shift, event)

    @handle_event(ACTIVITY_FINISHED)
    def credit_activity_hours(self, event):
        self.store.run(activities.credit_activity_hours, event)

    @handle_event(WORK_ORDER_COMPLETED)
    def open_follow_up_visit(self, event):
        self.store.run(visits.open_follow_up_visit, event)

    @handle_event(WORK_ORDER_FOLLOWED_UP)
    def close_visits_followed_up_by_staff(self, event):
        self.store.run(visits.close_visits_followed_up_by_staff, event)

    @handle_event(WORK_ORDER_REOPENED)
    def close_visits_of_reopened_order(self, event):
        self.store.run(visits.close_visits_of_reopened_order, event)

    @handle_event(PLACEMENT_FOLLOW_UP_DUE)
    def open_placement_visit(self, event):
        self.store.run(visits.open_placement_visit, event)

    # --- operations --------------------------------------------------------------------------

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)
