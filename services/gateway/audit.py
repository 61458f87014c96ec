"""The audit log: every change made through the API and every read of personal data in clear,
with who, when, what and from where. The entry is written before the service is called and
completed with the outcome after, so a change can never happen without its entry."""
from __future__ import annotations

from bson import ObjectId
from pymongo import DESCENDING

from services.gateway.auth import AUDIT
from shared import clock
from shared.storage import count


def begin(db, principal, route, request, params, address) -> ObjectId:
    entry = {"_id": ObjectId(), "at": clock.now(), "actor": principal.actor,
             "action": route.id, "method": route.method, "path": request.path,
             "params": params, "status": None, "outcome": "PENDING", "address": address}
    db[AUDIT].insert_one(entry)
    return entry["_id"]


def finish(db, entry_id, status: int, outcome: str) -> None:
    db[AUDIT].update_one({"_id": entry_id}, {"$set": {"status": status, "outcome": outcome}})


def search(db, query: dict) -> dict:
    criteria = {}
    if query.get("actor_id"):
        criteria["actor.id"] = query["actor_id"]
    if query.get("action"):
        criteria["action"] = query["action"]
    if query.get("method"):
        criteria["method"] = query["method"]
    at = {}
    if query.get("since"):
        at["$gte"] = query["since"]
    if query.get("until"):
        at["$lt"] = query["until"]
    if at:
        criteria["at"] = at
    page, size = query["page"], query["page_size"]
    cursor = db[AUDIT].find(criteria).sort("at", DESCENDING).skip((page - 1) * size).limit(size)
    items = [{"id": str(e["_id"]), "at": clock.iso(e["at"]), "actor": e.get("actor"),
              "action": e["action"], "method": e["method"], "path": e["path"],
              "status": e.get("status"), "outcome": e.get("outcome"),
              "address": e.get("address")} for e in cursor]
    return {"items": items, "total": count(db[AUDIT], criteria), "page": page,
            "page_size": size}
