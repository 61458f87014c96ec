"""The activity service: themed civic activities (主题活动) at the communities' venues, with
registration, check-in at the door, exemplars (先进典型) and the figures they add up to.

Entrypoints only: each hands its call to a handler function (services/activity/handlers/),
which loads the input, applies a rule of the domain (domain.py, registrations.py,
exemplars.py) and stores the result through the repositories of its unit of work, in one
transaction with the events it causes.
"""
from __future__ import annotations

import logging

from nameko.dependency_providers import Config
from nameko.timer import timer

from services.activity.handlers import (activities, exemplars, figures, places, registrations,
                                        series)
from services.activity.unit_of_work import ActivityUnitOfWork
from shared.events.job import TRAINING_REQUESTED
from shared.events.volunteer import VOLUNTEER_EXEMPLAR_PROPOSED
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData
from shared.storage import MongoStore

log = logging.getLogger(__name__)

TIMER_INTERVAL_SECONDS = 30
TIMER_BATCH = 200


class ActivityService:
    name = "activity"

    store = MongoStore(ActivityUnitOfWork)
    config = Config()
    # Registrants' phones are personal data: the service does not start without PII_KEY.
    cipher = PersonalData()

    # --- venues and rooms (场地, 功能室) -----------------------------------------------------

    @rpc
    def save_venue(self, actor, **venue):
        return self.store.run(places.save_venue, actor, venue)

    @rpc
    def save_room(self, actor, **room):
        return self.store.run(places.save_room, actor, room)

    @rpc
    def get_venue(self, venue_id):
        return self.store.run(places.get_venue, venue_id)

    @rpc
    def list_venues(self, **query):
        return self.store.run(places.venues, query)

    @rpc
    def list_bookings(self, **query):
        return self.store.run(places.bookings, query)

    # --- activities --------------------------------------------------------------------------

    @rpc
    def create_activity(self, actor, **details):
        return self.store.run(activities.create, actor, details)

    @rpc
    def record_held_activity(self, actor, **record):
        return self.store.run(activities.record_held, actor, record)

    @rpc
    def update_activity(self, activity_id, actor, **changes):
        return self.store.run(activities.update, activity_id, actor, changes)

    @rpc
    def publish_activity(self, activity_id, actor):
        return self.store.run(activities.publish, activity_id, actor)

    @rpc
    def cancel_activity(self, activity_id, actor, **command):
        return self.store.run(activities.cancel, activity_id, actor, command)

    @rpc
    def finish_activity(self, activity_id, actor, **command):
        return self.store.run(activities.finish, activity_id, actor, command)

    @rpc
    def record_minutes(self, activity_id, actor, **command):
        return self.store.run(activities.record_minutes, activity_id, actor, command)

    @rpc
    def feature_exemplar(self, activity_id, actor, **command):
        return self.store.run(activities.feature_exemplar, activity_id, actor, command)

    @rpc
    def unfeature_exemplar(self, activity_id, actor, **command):
        return self.store.run(activities.unfeature_exemplar, activity_id, actor, command)

    @timer(interval=TIMER_INTERVAL_SECONDS)
    def advance_activities(self):
        """Published activities whose start has come become ongoing; those not finished by
        hand are finished AUTO_FINISH_AFTER their end, each in its own transaction."""
        changed = []
        for activity_id in self.store.run(activities.due, TIMER_BATCH):
            try:  # one bad activity must not hold up the rest; the next tick retries it
                changed.append(self.store.run(activities.advance, activity_id))
            except Exception:
                log.exception("could not advance activity %s", activity_id)
        return [c for c in changed if c]

    @rpc
    def get_activity(self, activity_id):
        return self.store.run(activities.get, activity_id)

    @rpc
    def list_activities(self, **query):
        return self.store.run(activities.page, query)

    @handle_event(TRAINING_REQUESTED)
    def schedule_requested_training(self, event):
        self.store.run(activities.schedule_requested_training, event)

    # --- recurring series --------------------------------------------------------------------

    @rpc
    def create_activity_series(self, actor, **details):
        return self.store.run(series.create, actor, details)

    @rpc
    def get_series(self, series_id):
        return self.store.run(series.get, series_id)

    @rpc
    def publish_series(self, series_id, actor):
        return self.store.run(series.publish, series_id, actor)

    @rpc
    def cancel_series(self, series_id, actor, **command):
        return self.store.run(series.cancel, series_id, actor, command)

    # --- registration and check-in -----------------------------------------------------------

    @rpc
    def register(self, activity_id, actor, **person):
        return self.store.run(registrations.register, activity_id, actor, person)

    @rpc
    def cancel_registration(self, registration_id, actor, **command):
        return self.store.run(registrations.cancel, registration_id, actor, command)

    @rpc
    def check_in(self, activity_id, actor, **command):
        return self.store.run(registrations.check_in, activity_id, actor, command)

    @rpc
    def get_registration(self, registration_id):
        return self.store.run(registrations.get, registration_id)

    @rpc
    def list_registrations(self, **query):
        return self.store.run(registrations.page, query)

    @rpc
    def reveal_registrant_contact(self, registration_id, actor, **command):
        return self.store.run(registrations.reveal_contact, registration_id, actor, command)

    # --- exemplars (先进典型) ------------------------------------------------------------------

    @rpc
    def nominate_exemplar(self, actor, **details):
        return self.store.run(exemplars.nominate, actor, details)

    @rpc
    def update_exemplar(self, exemplar_id, actor, **changes):
        return self.store.run(exemplars.update, exemplar_id, actor, changes)

    @rpc
    def review_exemplar(self, exemplar_id, actor, **command):
        return self.store.run(exemplars.review, exemplar_id, actor, command)

    @rpc
    def publish_exemplar(self, exemplar_id, actor):
        return self.store.run(exemplars.publish, exemplar_id, actor)

    @rpc
    def withdraw_exemplar(self, exemplar_id, actor, **command):
        return self.store.run(exemplars.withdraw, exemplar_id, actor, command)

    @rpc
    def get_exemplar(self, exemplar_id):
        return self.store.run(exemplars.get, exemplar_id)

    @rpc
    def list_exemplars(self, **query):
        return self.store.run(exemplars.page, query)

    @handle_event(VOLUNTEER_EXEMPLAR_PROPOSED)
    def nominate_volunteer_exemplar(self, event):
        self.store.run(exemplars.nominate_volunteer, event)

    # --- figures and reference data ----------------------------------------------------------

    @rpc
    def activity_statistics(self, **query):
        return self.store.run(figures.statistics, query)

    @rpc
    def list_reference_data(self):
        return self.store.run(figures.reference_data)

    # --- operations --------------------------------------------------------------------------

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config)
