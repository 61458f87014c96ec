"""The audit log reads like any list: newest first by cursor, every entry once, whatever the
filters, and a page examines a small multiple of itself however long the log — for each
filter a reader starts from (who, which action, which outcome) and for those tested on what
is read (method, status, refused)."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from bson import ObjectId

from services.gateway import audit, schemas
from services.gateway.auth import AUDIT, INDEXES
from shared import clock
from shared.errors import ValidationFailed
from shared.schemas import load
from shared.storage import ensure_indexes
from tests.integration.explaining import ExplainingCollection

PAGE = 20
ACTIONS = ("work_orders.report", "work_orders.accept", "employers.create", "session.login",
           "job_seekers.reveal_contact")
OUTCOMES = (("OK", 200), ("OK", 201), ("FORBIDDEN", 403), ("VALIDATION_FAILED", 422),
            ("ILLEGAL_TRANSITION", 409))


def entries(rng, n, now):
    made = []
    for _ in range(n):
        at = now - timedelta(milliseconds=rng.randrange(400 * 24 * 3600 * 1000))
        outcome, status = rng.choice(OUTCOMES[:2] * 4 + OUTCOMES[2:])
        made.append({"_id": ObjectId(), "at": at, "actor": {"id": f"u{rng.randrange(30)}",
                                                            "name": "李伟"},
                     "action": rng.choice(ACTIONS), "method": rng.choice(("POST", "PATCH")),
                     "path": "/api/x", "params": {}, "status": status, "outcome": outcome,
                     "address": "10.0.0.1"})
    return made


class Explained(dict):
    """A database whose audit log explains what each query examined."""

    def __init__(self, db):
        super().__init__()
        self.log = ExplainingCollection(db[AUDIT])

    def __getitem__(self, name):
        assert name == AUDIT
        return self.log


@pytest.fixture(scope="module")
def log(mongo_client):
    db = mongo_client[f"audit_{random.randrange(1 << 30)}"]
    ensure_indexes(db, INDEXES)
    yield db
    mongo_client.drop_database(db.name)


def walk(db, query, page_size=PAGE):
    pages, cursor = [], None
    while True:
        page = audit.search(db, load(schemas.AuditQuery(), {
            **query, "page_size": page_size, **({"cursor": cursor} if cursor else {})}))
        assert page["total"] is None and len(page["items"]) <= page_size
        pages.append(page["items"])
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return [e["id"] for p in pages for e in p]
        cursor = page["next_cursor"]


# Each filter, with the share of entries that pass the part of it tested on what is read (no
# index starts with method, status or refused): a page reads about a page of those.
TESTED_SHARE = {"refused": 3 / 11, "status": 1 / 11, "method": 1 / 2}
QUERIES = [{}, {"actor_id": "u7"}, {"action": "session.login"}, {"outcome": "FORBIDDEN"},
           {"refused": True}, {"method": "PATCH", "action": "employers.create"},
           {"status": 422, "actor_id": "u3"}]


def test_walking_the_log_gives_every_entry_once_newest_first(log):
    rng, now = random.Random(13), clock.now()
    made = entries(rng, 600, now)
    made += [{**e, "_id": ObjectId()} for e in made[:40]]  # entries of the same millisecond
    log[AUDIT].insert_many(made)
    since, until = now - timedelta(days=200), now - timedelta(days=20)
    for query in [*QUERIES, {"since": clock.iso(since), "until": clock.iso(until)},
                  {"refused": False, "action": "work_orders.accept"}]:
        def wanted(e):
            return (query.get("actor_id") in (None, e["actor"]["id"])
                    and query.get("action") in (None, e["action"])
                    and query.get("outcome") in (None, e["outcome"])
                    and query.get("method") in (None, e["method"])
                    and query.get("status") in (None, e["status"])
                    and query.get("refused") in (None, e["status"] >= 400)
                    and (not query.get("since") or since <= e["at"] < until))
        expected = sorted((e for e in made if wanted(e)), key=lambda e: (e["at"], e["_id"]),
                          reverse=True)
        assert expected, query
        assert walk(log, query, page_size=rng.choice((1, 9, 50))) == [
            str(e["_id"]) for e in expected], query
    log.drop_collection(AUDIT)
    ensure_indexes(log, INDEXES)


def test_a_bad_cursor_is_a_field_error(log):
    with pytest.raises(ValidationFailed) as refused:
        audit.search(log, load(schemas.AuditQuery(), {"cursor": "nope"}))
    assert list(refused.value.fields) == ["cursor"]
    with pytest.raises(ValidationFailed) as refused:
        load(schemas.AuditQuery(), {"page": 3})
    assert "page" in refused.value.fields


def test_a_page_of_the_log_examines_a_small_multiple_of_itself_however_long_the_log(log):
    rng, now = random.Random(16), clock.now()
    costs = {}
    for size, more in (("2k", 2000), ("8k", 6000)):
        log[AUDIT].insert_many(entries(rng, more, now))
        for query in QUERIES:
            db = Explained(log)
            loaded = load(schemas.AuditQuery(), {**query, "page_size": PAGE})
            page, examined = audit.search(db, loaded), []
            examined.append(db.log.examined)
            for _ in range(3):  # and a few cursors deep
                before = db.log.examined
                page = audit.search(db, {**loaded, "cursor": page["next_cursor"]})
                examined.append(db.log.examined - before)
            assert page["items"], query
            costs.setdefault(repr(query), []).append(examined)
    for query in QUERIES:
        small, large = costs[repr(query)]
        print(f"audit {query}: examined {small} at 2k, {large} at 8k")
        share = min([TESTED_SHARE[name] for name in query if name in TESTED_SHARE] or [1])
        assert max(small + large) <= 6 * (PAGE + 1) / share, (query, small, large)
        if share == 1:  # an indexed filter: four times the log costs about the same
            assert max(large) <= max(2 * max(small), 3 * (PAGE + 1)), (query, small, large)
