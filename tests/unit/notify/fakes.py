"""The notification service's repositories in memory (see tests/unit/fakes.py)."""
from __future__ import annotations

import copy

from services.notify import domain
from services.notify.exceptions import message_not_found
from tests.unit.fakes import FakeUnitOfWork, InMemoryAggregates


class FakeMessages(InMemoryAggregates):
    def __init__(self, uow):
        super().__init__(uow, "key", message_not_found)

    def add_new(self, message) -> bool:
        if message.key in self.stored:
            return False
        self.add(message)
        return True

    def find(self, criteria):
        found = self.stored.get(criteria["_id"])
        return copy.deepcopy(found) if found else None

    def due(self, at, limit):
        return [m.key for m in self.all() if m.state == domain.PENDING and m.not_before <= at]

    def sent_to(self, fingerprint, since):
        return [m.sent_at for m in self.all() if m.recipient_fp == fingerprint and m.sent_at
                and m.sent_at >= since and m.kind != "sign_in_code"]


class FakeDocuments:
    """A dict of documents by _id, rolled back with the unit of work."""

    def __init__(self, uow):
        self.stored: dict = {}
        uow.stores.append(self)


class FakeAttempts:
    def __init__(self, uow):
        self.log: list = []

    def record(self, message, outcome, at, error=None, ms=None):
        self.log.append({"key": message.key, "outcome": outcome, "error": error, "at": at})


class FakePreferences(FakeDocuments):
    def get(self, fingerprint):
        return self.stored.get(fingerprint)

    def save(self, fingerprint, masked, opted_out, topics_off, at, by):
        self.stored[fingerprint] = {"_id": fingerprint, "address_masked": masked,
                                    "opted_out": opted_out, "topics_off": sorted(topics_off),
                                    "updated_at": at, "updated_by": by}
        return self.stored[fingerprint]


class FakeCodes(FakeDocuments):
    def add(self, record):
        self.stored[record["_id"]] = dict(record)

    def since(self, fingerprint, at):
        return [c for c in self.stored.values() if c["fingerprint"] == fingerprint
                and c["created_at"] >= at]

    def by_client_since(self, client, at):
        return sum(1 for c in self.stored.values() if c["client"] == client
                   and c["created_at"] >= at)

    def latest_live(self, fingerprint, at):
        live = [c for c in self.stored.values() if c["fingerprint"] == fingerprint
                and c["used_at"] is None and not c["burned"] and c["expires_at"] > at]
        return max(live, key=lambda c: c["created_at"]) if live else None

    def update(self, code_id, changes):
        self.stored[code_id] = {**self.stored[code_id], **changes}


class FakeRegistry:
    def __init__(self, uow):
        self.activities, self.shifts, self.signups, self.problems = {}, {}, {}, {}

    def activity(self, activity_id):
        return self.activities.get(activity_id)

    def save_activity(self, document):
        self.activities[document["_id"]] = dict(document)

    def shift(self, shift_id):
        return self.shifts.get(shift_id)

    def save_shift(self, document):
        self.shifts[document["_id"]] = dict(document)

    def shifts_of_activity(self, activity_id):
        return [s for s in self.shifts.values() if s.get("activity_id") == activity_id]

    def sign_up(self, shift_id, volunteer_id, name, active, at):
        self.signups[(shift_id, volunteer_id)] = {"shift_id": shift_id, "name": name,
                                                  "volunteer_id": volunteer_id, "active": active}

    def signed_up(self, shift_id):
        return [s for s in self.signups.values() if s["shift_id"] == shift_id and s["active"]]

    def problem(self, problem_id):
        return self.problems.get(problem_id)

    def save_problem(self, document):
        self.problems[document["_id"]] = dict(document)


class FakeCallbacks(FakeDocuments):
    def add(self, document):
        if document["_id"] in self.stored:
            return False
        self.stored[document["_id"]] = dict(document)
        return True


class FakeFanouts(FakeCallbacks):
    pass


class FakeNotifyUnitOfWork(FakeUnitOfWork):
    source = "notify"

    def __init__(self, now=None, **config):
        super().__init__(now)
        self.config = {"NOTIFY_QUIET_HOURS": "22:00-08:00", **config}
        self.messages = FakeMessages(self)
        self.attempts = FakeAttempts(self)
        self.preferences = FakePreferences(self)
        self.codes = FakeCodes(self)
        self.registry = FakeRegistry(self)
        self.callbacks = FakeCallbacks(self)
        self.fanouts = FakeFanouts(self)

    @property
    def settings(self):
        return domain.Settings.from_config(self.config)
