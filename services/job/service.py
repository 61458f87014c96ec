"""The job service: 一走四送 employer visits, job postings, seekers and matching, applications
and placements with their 1/3/6-month follow-ups, the community screen feed and the figures.

Entrypoints only: each hands its call to a handler function (services/job/handlers/), which
loads the input, applies a rule of services/job/domain/ and stores the result through the
repositories of its unit of work, in one transaction with the events it causes.
"""
from __future__ import annotations

import logging

from nameko.dependency_providers import Config
from nameko.timer import Timer, timer

from services.job.handlers import (applications, batch_import, employers, figures, matches,
                                   placements, postings, problems, seekers, visits)
from services.job.unit_of_work import JobUnitOfWork
from shared.events.repair import (WORK_ORDER_CANCELLED, WORK_ORDER_CLOSED,
                                  WORK_ORDER_MARKED_DUPLICATE, WORK_ORDER_REJECTED,
                                  WORK_ORDER_REPORTED)
from shared.events.volunteer import PLACEMENT_FOLLOW_UP_RECORDED
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData
from shared.storage import MongoStore

log = logging.getLogger(__name__)

EXPIRY_INTERVAL_SECONDS = 60
FOLLOW_UP_INTERVAL_SECONDS = 60


class ConfiguredTimer(Timer):
    """A timer whose interval the operator may set in the config under `key` (seconds),
    e.g. to look for due follow-ups more often than the default."""

    def __init__(self, key: str, interval: float, **kwargs):
        self.key = key
        super().__init__(interval, **kwargs)

    def setup(self):
        super().setup()
        self.interval = float(self.container.config.get(self.key) or self.interval)


class JobService:
    name = "job"

    store = MongoStore(JobUnitOfWork)
    config = Config()
    # Refuses to start without PII_KEY: seekers' and employers' phones are stored sealed.
    cipher = PersonalData()

    # --- employers ---------------------------------------------------------------------------

    @rpc
    def register_employer(self, actor, **employer):
        return self.store.run(employers.register, actor, employer)

    @rpc
    def import_employers(self, actor, **command):
        return self.store.run(batch_import.employers, actor, command)

    @rpc
    def import_job_postings(self, actor, **command):
        return self.store.run(batch_import.job_postings, actor, command)

    @rpc
    def update_employer(self, employer_id, actor, **changes):
        return self.store.run(employers.update, employer_id, actor, changes)

    @rpc
    def get_employer(self, employer_id):
        return self.store.run(employers.get, employer_id)

    @rpc
    def list_employers(self, **query):
        return self.store.run(employers.page, query)

    @rpc
    def reveal_employer_contact(self, employer_id, actor, **command):
        return self.store.run(employers.reveal_contact, employer_id, actor, command)

    # --- visits (走访) -------------------------------------------------------------------------

    @rpc
    def record_visit(self, actor, **visit):
        return self.store.run(visits.record, actor, visit)

    @rpc
    def complete_visit_action(self, visit_id, action_id, actor, **command):
        return self.store.run(visits.complete_action, visit_id, action_id, actor, command)

    @rpc
    def get_visit(self, visit_id):
        return self.store.run(visits.get, visit_id)

    @rpc
    def list_visits(self, **query):
        return self.store.run(visits.page, query)

    # --- job postings --------------------------------------------------------------------------

    @rpc
    def publish_job_posting(self, actor, **posting):
        return self.store.run(postings.publish, actor, posting)

    @rpc
    def update_job_posting(self, posting_id, actor, **changes):
        return self.store.run(postings.update, posting_id, actor, changes)

    @rpc
    def withdraw_job_posting(self, posting_id, actor, **command):
        return self.store.run(postings.withdraw, posting_id, actor, command)

    @rpc
    def mark_job_posting_filled(self, posting_id, actor, **command):
        return self.store.run(postings.mark_filled, posting_id, actor, command)

    @rpc
    def renew_job_posting(self, posting_id, actor, **command):
        return self.store.run(postings.renew, posting_id, actor, command)

    @timer(interval=EXPIRY_INTERVAL_SECONDS)
    def expire_job_postings(self):
        """Closes open postings past their deadline, each in its own transaction."""
        expired = []
        for posting_id in self.store.run(postings.past_deadline):
            try:  # one bad record must not stop the others; the next tick retries it
                if self.store.run(postings.expire, posting_id):
                    expired.append(posting_id)
            except Exception:
                log.exception("could not expire job posting %s", posting_id)
        return expired

    @rpc
    def get_job_posting(self, posting_id):
        return self.store.run(postings.get, posting_id)

    @rpc
    def list_job_postings(self, **query):
        return self.store.run(postings.page, query)

    @rpc
    def job_posting_schema_org(self, posting_id):
        return self.store.run(postings.schema_org, posting_id)

    # --- job seekers ---------------------------------------------------------------------------

    @rpc
    def register_seeker(self, actor, **seeker):
        return self.store.run(seekers.register, actor, seeker)

    @rpc
    def update_seeker(self, seeker_id, actor, **changes):
        return self.store.run(seekers.update, seeker_id, actor, changes)

    @rpc
    def pause_job_seeking(self, seeker_id, actor, **command):
        return self.store.run(seekers.pause, seeker_id, actor, command)

    @rpc
    def resume_job_seeking(self, seeker_id, actor, **command):
        return self.store.run(seekers.resume, seeker_id, actor, command)

    @rpc
    def get_seeker(self, seeker_id):
        return self.store.run(seekers.get, seeker_id)

    @rpc
    def list_seekers(self, **query):
        return self.store.run(seekers.page, query)

    @rpc
    def reveal_seeker_contact(self, seeker_id, actor, **command):
        return self.store.run(seekers.reveal_contact, seeker_id, actor, command)

    # --- matching ------------------------------------------------------------------------------

    @rpc
    def match_postings_for_seeker(self, seeker_id, **query):
        return self.store.run(matches.postings_for_seeker, seeker_id, query)

    @rpc
    def match_seekers_for_posting(self, posting_id, **query):
        return self.store.run(matches.seekers_for_posting, posting_id, query)

    # --- applications, interviews, placements --------------------------------------------------

    @rpc
    def apply_for_job(self, actor, **command):
        return self.store.run(applications.apply, actor, command)

    @rpc
    def schedule_interview(self, application_id, actor, **command):
        return self.store.run(applications.schedule_interview, application_id, actor, command)

    @rpc
    def record_interview_result(self, application_id, actor, **command):
        return self.store.run(applications.record_interview_result, application_id, actor,
                              command)

    @rpc
    def hire_applicant(self, application_id, actor, **command):
        return self.store.run(applications.hire, application_id, actor, command)

    @rpc
    def decline_application(self, application_id, actor, **command):
        return self.store.run(applications.decline, application_id, actor, command)

    @rpc
    def withdraw_application(self, application_id, actor, **command):
        return self.store.run(applications.withdraw, application_id, actor, command)

    @rpc
    def get_application(self, application_id):
        return self.store.run(applications.get, application_id)

    @rpc
    def list_applications(self, **query):
        return self.store.run(applications.page, query)

    @rpc
    def record_placement_follow_up(self, placement_id, actor, **command):
        return self.store.run(placements.record_follow_up, placement_id, actor, command)

    @rpc
    def end_placement(self, placement_id, actor, **command):
        return self.store.run(placements.end, placement_id, actor, command)

    @ConfiguredTimer.decorator("FOLLOW_UP_TIMER_SECONDS", FOLLOW_UP_INTERVAL_SECONDS)
    def announce_due_follow_ups(self):
        """Announces each follow-up that has fallen due once, a placement per transaction."""
        announced = []
        for placement_id in self.store.run(placements.with_follow_ups_to_announce):
            try:  # one bad record must not stop the others; the next tick retries it
                announced.extend(self.store.run(placements.announce_due, placement_id))
            except Exception:
                log.exception("could not announce follow-ups of placement %s", placement_id)
        return announced

    @handle_event(PLACEMENT_FOLLOW_UP_RECORDED)
    def apply_volunteer_follow_up(self, event):
        self.store.run(placements.apply_volunteer_follow_up, event)

    @rpc
    def get_placement(self, placement_id):
        return self.store.run(placements.get, placement_id)

    @rpc
    def list_placements(self, **query):
        return self.store.run(placements.page, query)

    # --- what repair tells us about the problems found on visits ------------------------------

    @handle_event(WORK_ORDER_REPORTED)
    def note_work_order_opened(self, event):
        self.store.run(problems.note_work_order_opened, event)

    @handle_event(WORK_ORDER_CLOSED)
    def resolve_visit_problem(self, event):
        self.store.run(problems.resolve, event)

    @handle_event(WORK_ORDER_REJECTED)
    def end_rejected_visit_problem(self, event):
        self.store.run(problems.end_rejected, event)

    @handle_event(WORK_ORDER_CANCELLED)
    def end_cancelled_visit_problem(self, event):
        self.store.run(problems.end_cancelled, event)

    @handle_event(WORK_ORDER_MARKED_DUPLICATE)
    def end_duplicate_visit_problem(self, event):
        self.store.run(problems.end_duplicate, event)

    # --- notifications to employers ------------------------------------------------------------

    @rpc
    def list_employer_notifications(self, **query):
        return self.store.run(problems.notifications, query)

    @rpc
    def mark_notification_read(self, notification_id, actor):
        return self.store.run(problems.mark_read, notification_id, actor)

    # --- the community screen ------------------------------------------------------------------

    @rpc
    def screen_feed(self, **query):
        return self.store.run(postings.screen_feed, query)

    @rpc
    def screen_page(self, **query):
        return self.store.run(postings.screen_page, query)

    # --- figures and reference data ------------------------------------------------------------

    @rpc
    def job_statistics(self, **query):
        return self.store.run(figures.statistics, query)

    @rpc
    def reference_data(self):
        return self.store.run(figures.reference_data)

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)
