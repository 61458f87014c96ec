"""The audit log: every attempt to change something through the API — served or refused (401,
403, 404, 409, 413, 415, 422, 429), failed sign-ins included — every read of personal data in
clear and every Open311 submission, with who, when, what, from where and the outcome. The
entry is written before anything else is done for the request and completed with the
outcome after, so a change can never happen without its entry. Request bodies are never
written (they hold passwords and residents' details); a sign-in records the username tried."""
from __future__ import annotations

from bson import ObjectId

from services.gateway.audit_list import AUDIT_LIST
from services.gateway.auth import AUDIT
from shared import clock


OUTCOME_OK = "OK"
PENDING = "PENDING"


def begin(db, actor: dict | None, action: str, method: str, path: str, params: dict,
          address: str) -> ObjectId:
    """The entry of an attempt, before anything is done for it (`actor` None: not known
    yet, or nobody signed in)."""
    entry = {"_id": ObjectId(), "at": clock.now(), "actor": actor, "action": action,
             "method": method, "path": path[:500], "params": params, "status": None,
             "outcome": PENDING, "address": address}
    db[AUDIT].insert_one(entry)
    return entry["_id"]


def finish(db, entry_id, status: int, outcome: str, actor: dict | None = None,
           username: str | None = None) -> None:
    """The outcome: the HTTP status and `OK` or the error's code; who it turned out to be
    (the account that signed in, the Open311 key) and the username a sign-in tried."""
    changes = {"status": status, "outcome": outcome}
    if actor is not None:
        changes["actor"] = actor
    if username is not None:
        changes["username"] = str(username)[:64]
    db[AUDIT].update_one({"_id": entry_id}, {"$set": changes})


def search(db, query: dict) -> dict:
    """A page of the log, newest first, by cursor (services/gateway/audit_list.py): {items,
    next_cursor, has_more, page_size, total: None}."""
    criteria = {}
    if query.get("actor_id"):
        criteria["actor.id"] = query["actor_id"]
    if query.get("action"):
        criteria["action"] = query["action"]
    if query.get("method"):
        criteria["method"] = query["method"]
    if query.get("outcome"):
        criteria["outcome"] = query["outcome"]
    if query.get("status"):
        criteria["status"] = query["status"]
    if query.get("refused") is not None:
        criteria["status"] = {"$gte": 400} if query["refused"] else {"$lt": 400}
    at = {}
    if query.get("since"):
        at["$gte"] = query["since"]
    if query.get("until"):
        at["$lt"] = query["until"]
    if at:
        criteria["at"] = at
    page = AUDIT_LIST.page(db[AUDIT], criteria, "-at", query, clock.now(), None)
    items = [{"id": str(e["_id"]), "at": clock.iso(e["at"]), "actor": e.get("actor"),
              "action": e["action"], "method": e["method"], "path": e["path"],
              "status": e.get("status"), "outcome": e.get("outcome"),
              "username": e.get("username"), "address": e.get("address")}
             for e in page["items"]]
    return {**page, "items": items, "total": None}
