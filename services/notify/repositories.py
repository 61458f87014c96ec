"""The notification service's own records, in its own database (xiuhua_notify).

Repositories are bound to the unit of work (shared.unit_of_work): they never take a session.
Every list here is read from an index range bounded by the page (newest first, by a time and
the id), never by the history.
"""
from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.notify import domain
from services.notify.exceptions import callback_not_found, message_not_found
from shared.repository import AggregateRepository
from shared.storage import count
from shared.unit_of_work import Repository

MESSAGES = "messages"
ATTEMPTS = "delivery_attempts"
PREFERENCES = "preferences"
CODES = "sign_in_codes"
ACTIVITIES = "activities"
SHIFTS = "shifts"
SIGNUPS = "signups"
PROBLEMS = "employer_problems"
FANOUTS = "fanouts"
CALLBACKS = "hotline_callbacks"
MAILBOX = "dev_messages"
NEWEST = [("created_at", DESCENDING), ("_id", DESCENDING)]

INDEXES = {
    MESSAGES: [
        # Only pending messages are in it: finding what is due stays cheap however many are
        # kept.
        IndexModel([("not_before", ASCENDING)], name="due",
                   partialFilterExpression={"state": domain.PENDING}),
        IndexModel(NEWEST, name="newest_first"),
        IndexModel([("state", ASCENDING), *NEWEST], name="state_newest"),
        IndexModel([("kind", ASCENDING), *NEWEST], name="kind_newest"),
        # A person's messages, and those sent to them lately (the rate limit).
        IndexModel([("recipient_fp", ASCENDING), ("sent_at", DESCENDING)], name="recipient_sent",
                   partialFilterExpression={"recipient_fp": {"$type": "string"}}),
    ],
    ATTEMPTS: [
        IndexModel([("at", DESCENDING), ("_id", DESCENDING)], name="newest_first"),
        IndexModel([("outcome", ASCENDING), ("at", DESCENDING), ("_id", DESCENDING)],
                   name="outcome_newest"),
        IndexModel([("message_key", ASCENDING), ("at", ASCENDING)], name="of_message"),
    ],
    CODES: [
        IndexModel([("fingerprint", ASCENDING), ("created_at", DESCENDING)], name="of_phone"),
        IndexModel([("client", ASCENDING), ("created_at", DESCENDING)], name="of_client",
                   partialFilterExpression={"client": {"$type": "string"}}),
        IndexModel([("expires_at", ASCENDING)], name="expiry", expireAfterSeconds=86400),
    ],
    ACTIVITIES: [IndexModel([("reminder_at", ASCENDING)], name="reminder_due",
                            partialFilterExpression={"reminder_pending": True})],
    SHIFTS: [IndexModel([("activity_id", ASCENDING)], name="of_activity", sparse=True)],
    SIGNUPS: [IndexModel([("shift_id", ASCENDING)], name="of_shift")],
    FANOUTS: [IndexModel([("next_at", ASCENDING)], name="due",
                         partialFilterExpression={"state": domain.PENDING})],
    CALLBACKS: [
        IndexModel([("next_at", ASCENDING)], name="due",
                   partialFilterExpression={"state": domain.PENDING}),
        IndexModel(NEWEST, name="newest_first"),
        IndexModel([("state", ASCENDING), *NEWEST], name="state_newest"),
        IndexModel([("ticket", ASCENDING), *NEWEST], name="of_ticket"),
    ],
    MAILBOX: [
        IndexModel([("sent_at", DESCENDING), ("_id", DESCENDING)], name="newest_first"),
        IndexModel([("to_fp", ASCENDING), ("sent_at", DESCENDING)], name="of_recipient"),
    ],
}

_MESSAGE_FIELDS = [f.name for f in dataclasses.fields(domain.Message) if f.name != "key"]


def _window(criteria: dict, name: str, query: dict) -> dict:
    bounds = {}
    if query.get("created_from"):
        bounds["$gte"] = query["created_from"]
    if query.get("created_to"):
        bounds["$lt"] = query["created_to"]
    if bounds:
        criteria[name] = bounds
    return criteria


def _page(repository: Repository, name: str, criteria: dict, query: dict,
          sort: list) -> tuple[list[dict], int]:
    skip = (query["page"] - 1) * query["page_size"]
    docs = list(repository.collection(name).find(criteria).sort(sort).skip(skip)
                .limit(query["page_size"]))
    return docs, count(repository.uow.db[name], criteria)


class Messages(AggregateRepository):
    collection_name = MESSAGES

    def to_document(self, message: domain.Message) -> dict:
        doc = {name: getattr(message, name) for name in _MESSAGE_FIELDS}
        doc["_id"] = message.key
        doc["topic"] = message.topic
        return doc

    def from_document(self, doc: dict) -> domain.Message:
        values = {name: doc.get(name) for name in _MESSAGE_FIELDS if name in doc}
        return domain.Message(key=doc["_id"], **values)

    def not_found(self, key):
        return message_not_found(key)

    def add_new(self, message: domain.Message) -> bool:
        """Stores a message unless one with its key exists: False if it did (the same fact,
        told again)."""
        if self.documents.find_one({"_id": message.key}, {"_id": 1}) is not None:
            return False
        try:
            self.add(message)
        except DuplicateKeyError:  # only the key is unique: the same message, stored first
            return False
        return True

    def due(self, at: datetime, limit: int) -> list[str]:
        cursor = self.documents.find({"state": domain.PENDING, "not_before": {"$lte": at}},
                                     {"_id": 1}).sort("not_before", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def sent_to(self, fingerprint: str, since: datetime) -> list[datetime]:
        """When messages (codes aside) went to this person since `since`."""
        cursor = self.documents.find({"recipient_fp": fingerprint, "sent_at": {"$gte": since},
                                      "kind": {"$ne": "sign_in_code"}}, {"sent_at": 1})
        return [d["sent_at"] for d in cursor]

    def page(self, query: dict, fingerprint: str | None) -> tuple[list, int]:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        for name in ("kind", "topic", "channel"):
            if query.get(name):
                criteria[name] = query[name]
        if fingerprint:
            criteria["recipient_fp"] = fingerprint
        _window(criteria, "created_at", query)
        docs, total = _page(self, MESSAGES, criteria, query, NEWEST)
        return self.many(docs), total

    def failed_since(self, since: datetime) -> int:
        return self.documents.count_documents({"state": domain.FAILED,
                                                "ended_at": {"$gte": since}})

    def backlog(self, at: datetime) -> dict:
        pending = self.documents.count_documents({"state": domain.PENDING})
        overdue = self.documents.count_documents({"state": domain.PENDING,
                                                  "not_before": {"$lte": at}})
        return {"pending": pending, "due_now": overdue}


class Attempts(Repository):
    """Every delivery attempt and its outcome, for admins."""

    def record(self, message: domain.Message, outcome: str, at: datetime,
               error: dict | None = None, ms: float | None = None) -> None:
        self.collection(ATTEMPTS).insert_one({
            "_id": uuid.uuid4().hex, "message_key": message.key, "kind": message.kind,
            "channel": message.channel, "outcome": outcome,
            "address_masked": message.address_masked, "error": error,
            "provider_ref": message.provider_ref if outcome == "sent" else None,
            "ms": ms, "at": at})

    def page(self, query: dict) -> tuple[list[dict], int]:
        criteria: dict = {}
        if query.get("outcome"):
            criteria["outcome"] = {"$in": query["outcome"]}
        for name in ("channel", "kind", "message_key"):
            if query.get(name):
                criteria[name] = query[name]
        _window(criteria, "at", query)
        docs, total = _page(self, ATTEMPTS, criteria, query,
                            [("at", DESCENDING), ("_id", DESCENDING)])
        return [{**d, "id": d["_id"]} for d in docs], total

    def of_message(self, key: str) -> list[dict]:
        return [{**d, "id": d["_id"]} for d in
                self.collection(ATTEMPTS).find({"message_key": key}).sort("at", ASCENDING)]

    def failures_since(self, since: datetime) -> int:
        return self.collection(ATTEMPTS).count_documents({"outcome": "failed",
                                                          "at": {"$gte": since}})


class Preferences(Repository):
    """Per recipient, by the keyed fingerprint of their phone or e-mail address."""

    def get(self, fingerprint: str) -> dict | None:
        return self.collection(PREFERENCES).find_one({"_id": fingerprint})

    def save(self, fingerprint: str, masked: str, opted_out: bool, topics_off: list[str],
             at: datetime, by: dict) -> dict:
        document = {"_id": fingerprint, "address_masked": masked, "opted_out": opted_out,
                    "topics_off": sorted(set(topics_off)), "updated_at": at, "updated_by": by}
        self.collection(PREFERENCES).replace_one({"_id": fingerprint}, document, upsert=True)
        return document


class Codes(Repository):
    """One-time sign-in codes: only a keyed hash of each is kept."""

    def add(self, record: dict) -> None:
        self.collection(CODES).insert_one(record)

    def since(self, fingerprint: str, at: datetime) -> list[dict]:
        return list(self.collection(CODES).find({"fingerprint": fingerprint,
                                                 "created_at": {"$gte": at}}))

    def by_client_since(self, client: str, at: datetime) -> int:
        return self.collection(CODES).count_documents({"client": client,
                                                       "created_at": {"$gte": at}})

    def latest_live(self, fingerprint: str, at: datetime) -> dict | None:
        return self.collection(CODES).find_one(
            {"fingerprint": fingerprint, "used_at": None, "burned": {"$ne": True},
             "expires_at": {"$gt": at}}, sort=[("created_at", DESCENDING)])

    def update(self, code_id: str, changes: dict) -> None:
        self.collection(CODES).update_one({"_id": code_id}, {"$set": changes})


class Registry(Repository):
    """What notify keeps of the other services' records from their events: activities (for
    reminders), shifts and who signed up for them, employers' problems."""

    def activity(self, activity_id: str) -> dict | None:
        return self.collection(ACTIVITIES).find_one({"_id": activity_id})

    def save_activity(self, document: dict) -> None:
        self.collection(ACTIVITIES).replace_one({"_id": document["_id"]}, document, upsert=True)

    def reminders_due(self, at: datetime, limit: int) -> list[str]:
        cursor = self.collection(ACTIVITIES).find(
            {"reminder_pending": True, "reminder_at": {"$lte": at}}, {"_id": 1}
        ).sort("reminder_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def shift(self, shift_id: str) -> dict | None:
        return self.collection(SHIFTS).find_one({"_id": shift_id})

    def save_shift(self, document: dict) -> None:
        self.collection(SHIFTS).replace_one({"_id": document["_id"]}, document, upsert=True)

    def shifts_of_activity(self, activity_id: str) -> list[dict]:
        return list(self.collection(SHIFTS).find({"activity_id": activity_id}))

    def sign_up(self, shift_id: str, volunteer_id: str, name: str, active: bool,
                at: datetime) -> None:
        self.collection(SIGNUPS).update_one(
            {"_id": f"{shift_id}|{volunteer_id}"},
            {"$set": {"shift_id": shift_id, "volunteer_id": volunteer_id, "name": name,
                      "active": active, "at": at}}, upsert=True)

    def signed_up(self, shift_id: str) -> list[dict]:
        return list(self.collection(SIGNUPS).find({"shift_id": shift_id, "active": True}))

    def problem(self, problem_id: str) -> dict | None:
        return self.collection(PROBLEMS).find_one({"_id": problem_id})

    def save_problem(self, document: dict) -> None:
        self.collection(PROBLEMS).replace_one({"_id": document["_id"]}, document, upsert=True)


class Fanouts(Repository):
    """Work that needs another service's answer before it becomes messages (who matches a
    posting, who registered for an activity): done outside any transaction, then turned into
    messages by key, so doing it twice makes no second message."""

    def add(self, document: dict) -> bool:
        try:
            self.collection(FANOUTS).insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    def get(self, ident: str) -> dict | None:
        return self.collection(FANOUTS).find_one({"_id": ident})

    def due(self, at: datetime, limit: int) -> list[str]:
        cursor = self.collection(FANOUTS).find(
            {"state": domain.PENDING, "next_at": {"$lte": at}}, {"_id": 1}
        ).sort("next_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def update(self, ident: str, changes: dict) -> None:
        self.collection(FANOUTS).update_one({"_id": ident}, {"$set": changes})


class Callbacks(Repository):
    """The 12345 hotline's answers: one per ticket and stage, retried until delivered."""

    def add(self, document: dict) -> bool:
        try:
            self.collection(CALLBACKS).insert_one(document)
        except DuplicateKeyError:  # only the id (ticket, stage, moment) is unique
            return False
        return True

    def get(self, ident: str) -> dict:
        document = self.collection(CALLBACKS).find_one({"_id": ident})
        if document is None:
            raise callback_not_found(ident)
        return document

    def due(self, at: datetime, limit: int) -> list[str]:
        cursor = self.collection(CALLBACKS).find(
            {"state": domain.PENDING, "next_at": {"$lte": at}}, {"_id": 1}
        ).sort("next_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def update(self, ident: str, changes: dict, expected: dict | None = None) -> bool:
        result = self.collection(CALLBACKS).update_one({"_id": ident, **(expected or {})},
                                                       {"$set": changes})
        return result.matched_count == 1

    def page(self, query: dict) -> tuple[list[dict], int]:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        if query.get("ticket"):
            criteria["ticket"] = query["ticket"]
        _window(criteria, "created_at", query)
        docs, total = _page(self, CALLBACKS, criteria, query, NEWEST)
        return [{**d, "id": d["_id"]} for d in docs], total

    def summary(self) -> dict:
        docs = self.collection(CALLBACKS)
        failed = docs.count_documents({"state": domain.FAILED})
        pending = docs.count_documents({"state": domain.PENDING})
        retrying = docs.count_documents({"state": domain.PENDING, "attempts": {"$gt": 0}})
        last = docs.find_one({"state": {"$in": [domain.FAILED, domain.PENDING]},
                              "last_error": {"$ne": None}}, sort=NEWEST)
        return {"pending": pending, "retrying": retrying, "failed": failed,
                "last_error": (last or {}).get("last_error")}


class Mailbox(Repository):
    """The development adapter's messages (消息记录): what a development system 'sent'."""

    def page(self, query: dict, fingerprint: str | None) -> tuple[list[dict], int]:
        criteria: dict = {}
        if query.get("channel"):
            criteria["channel"] = query["channel"]
        if fingerprint:
            criteria["to_fp"] = fingerprint
        _window(criteria, "sent_at", query)
        docs, total = _page(self, MAILBOX, criteria, query,
                            [("sent_at", DESCENDING), ("_id", DESCENDING)])
        return docs, total

    def put(self, document: dict) -> bool:
        try:
            self.collection(MAILBOX).insert_one(document)
        except DuplicateKeyError:  # the same message again: the mailbox keeps one
            return False
        return True
