"""The notification service: tells people what concerns them, by SMS or e-mail, from the
other services' events; sends sign-in codes for the resident site; answers 12345 tickets.

Entrypoints only: events become messages in handler functions (services/notify/handlers/),
each in one transaction with the event's inbox mark; timers hand due work to the courier
(services/notify/courier.py), which sends it through the channels' adapters
(services/notify/channels/) between short transactions of the handlers.
"""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.notify import courier
from services.notify.channels.configured import Channels
from services.notify.handlers import admin, codes, events, history, hotline, preferences
from services.notify.timers import every
from services.notify.unit_of_work import NotifyUnitOfWork
from shared.events import activity as activity_events, job as job_events
from shared.events import repair as repair_events, volunteer as volunteer_events
from shared.health import health_report
from shared.messaging import handle_event, rpc
from shared.personal_data import PersonalData
from shared.rpc import ServiceRpc
from shared.storage import MongoStore


class NotifyService:
    name = "notify"

    store = MongoStore(NotifyUnitOfWork)
    config = Config()
    cipher = PersonalData()
    channels = Channels()
    # Where addresses are asked for at sending time (services/notify/directory.py).
    repair = ServiceRpc("repair")
    activity = ServiceRpc("activity")
    volunteer = ServiceRpc("volunteer")
    job = ServiceRpc("job")

    @property
    def directory_services(self) -> dict:
        return {"repair": self.repair, "activity": self.activity, "volunteer": self.volunteer,
                "job": self.job}

    # --- sign-in codes and preferences (for the resident site) -------------------------------

    @rpc
    def send_sign_in_code(self, **request):
        return self.store.run(codes.send_code, request)

    @rpc
    def check_sign_in_code(self, **request):
        return self.store.run(codes.check_code, request)

    @rpc
    def get_preferences(self, **request):
        return self.store.run(preferences.get, request)

    @rpc
    def set_preferences(self, actor, **request):
        return self.store.run(preferences.set_, actor, request)

    # --- what happened: messages, attempts, the development mailbox --------------------------

    @rpc
    def list_messages(self, **query):
        return self.store.run(admin.messages, query)

    @rpc
    def get_message(self, key):
        return self.store.run(admin.message, key)

    @rpc
    def list_delivery_attempts(self, **query):
        return self.store.run(admin.attempts, query)

    @rpc
    def retry_message(self, key, actor, **command):
        return self.store.run(admin.retry, key, actor, command)

    @rpc
    def list_dev_messages(self, **query):
        return self.store.run(admin.dev_messages, query)

    @rpc
    def record_past_message(self, actor, **record):
        return self.store.run(history.record_past, actor, record)

    # --- the 12345 hotline ---------------------------------------------------------------------

    @rpc
    def list_hotline_callbacks(self, **query):
        return self.store.run(hotline.page, query)

    @rpc
    def retry_hotline_callback(self, callback_id, actor, **command):
        return self.store.run(hotline.retry, callback_id, actor, command)

    # --- events that become messages ---------------------------------------------------------

    @handle_event(repair_events.WORK_ORDER_ACCEPTED)
    def tell_work_order_accepted(self, event):
        self.store.run(events.work_order_accepted, event)

    @handle_event(repair_events.WORK_ORDER_COMPLETED)
    def tell_work_order_completed(self, event):
        self.store.run(events.work_order_completed, event)

    @handle_event(repair_events.WORK_ORDER_CLOSED)
    def tell_work_order_closed(self, event):
        self.store.run(events.work_order_closed, event)

    @handle_event(activity_events.ACTIVITY_PUBLISHED)
    def note_activity_published(self, event):
        self.store.run(events.activity_scheduled, event)

    @handle_event(activity_events.ACTIVITY_UPDATED)
    def note_activity_updated(self, event):
        self.store.run(events.activity_scheduled, event)

    @handle_event(activity_events.ACTIVITY_CANCELLED)
    def note_activity_cancelled(self, event):
        self.store.run(events.activity_cancelled, event)

    @handle_event(activity_events.REGISTRATION_PROMOTED)
    def tell_registration_promoted(self, event):
        self.store.run(events.registration_promoted, event)

    @handle_event(volunteer_events.VOLUNTEER_SHIFT_OPENED)
    def note_shift_opened(self, event):
        self.store.run(events.shift_opened, event)

    @handle_event(volunteer_events.VOLUNTEER_SIGNED_UP)
    def note_signed_up(self, event):
        self.store.run(events.signed_up, event)

    @handle_event(volunteer_events.VOLUNTEER_SIGN_UP_WITHDRAWN)
    def note_sign_up_withdrawn(self, event):
        self.store.run(events.sign_up_withdrawn, event)

    @handle_event(volunteer_events.VOLUNTEER_SHIFT_CANCELLED)
    def tell_shift_cancelled(self, event):
        self.store.run(events.shift_cancelled, event)

    @handle_event(job_events.EMPLOYER_PROBLEM_REPORTED)
    def note_employer_problem(self, event):
        self.store.run(events.employer_problem_reported, event)

    @handle_event(job_events.JOB_POSTING_OPENED)
    def match_posting_opened(self, event):
        self.store.run(events.job_posting_opened, event)

    # --- getting messages out ----------------------------------------------------------------

    @every("NOTIFY_DELIVERY_SECONDS", 2)
    def deliver_messages(self):
        return courier.deliver_due(self.store, self.channels, self.directory_services,
                                   self.cipher)

    @every("NOTIFY_FANOUT_SECONDS", 30)
    def prepare_messages(self):
        return courier.fan_out(self.store, self.directory_services)

    @every("NOTIFY_HOTLINE_SECONDS", 5)
    def send_hotline_callbacks(self):
        return courier.send_callbacks(self.store, self.config)

    # --- operations --------------------------------------------------------------------------

    @rpc
    def health(self):
        return health_report(self.name, self.store, self.config,
                             extra=lambda: self.store.run(admin.health_sections))
