"""What grows with every request stays bounded: sessions, failed sign-ins, the services'
published outbox events, inbox marks and remembered commands carry TTL indexes, and the
database deletes what has expired (SecantusDB's sweeper runs every minute; here it is asked
to run at once). The audit log is kept: it has no TTL index."""
from __future__ import annotations

import random
from datetime import timedelta

from shared import clock
from shared.outbox import OUTBOX, OUTBOX_INDEXES
from shared.storage import COMMANDS, INBOX, INBOX_INDEXES, command_indexes, ensure_indexes
from services.gateway.auth import AUDIT, FAILURES, INDEXES, SESSIONS


def _expiring(db) -> dict:
    return {name: {i["key"][0][0]: i["expireAfterSeconds"]
                   for i in db[name].index_information().values() if "expireAfterSeconds" in i}
            for name in db.list_collection_names()}


def test_what_grows_with_every_request_expires_and_the_audit_log_is_kept(mongo_client):
    db = mongo_client[f"expiry_{random.randrange(1 << 30)}"]
    try:
        ensure_indexes(db, {**INDEXES, **OUTBOX_INDEXES, **INBOX_INDEXES,
                            **command_indexes(7)})
        ttl = _expiring(db)
        assert ttl[SESSIONS] == {"expires_at": 0} and ttl[FAILURES] == {"expires_at": 0}
        assert ttl[OUTBOX] == {"published_at": 7 * 24 * 3600}
        assert ttl[INBOX] == {"applied_at": 90 * 24 * 3600}
        assert ttl[COMMANDS] == {"at": 7 * 24 * 3600}
        assert ttl[AUDIT] == {}
        now = clock.now()
        old, fresh = now - timedelta(days=100), now - timedelta(minutes=5)
        db[SESSIONS].insert_many([{"_id": "gone", "expires_at": now - timedelta(seconds=1)},
                                  {"_id": "kept", "expires_at": now + timedelta(hours=8)}])
        db[FAILURES].insert_many([{"_id": "gone", "expires_at": fresh},
                                  {"_id": "kept", "expires_at": now + timedelta(minutes=9)}])
        db[OUTBOX].insert_many([
            {"_id": "gone", "event_id": "e1", "published_at": old},
            {"_id": "kept", "event_id": "e2", "published_at": fresh},
            {"_id": "pending", "event_id": "e3", "pending": True}])  # never expires unsent
        db[INBOX].insert_many([{"_id": "gone", "applied_at": old},
                               {"_id": "kept", "applied_at": fresh}])
        db[COMMANDS].insert_many([{"_id": "gone", "at": old}, {"_id": "kept", "at": fresh}])
        db[AUDIT].insert_one({"_id": "kept", "at": old})
        mongo_client.admin.command({"secantusAdmin.pruneTtl": 1})
        for name in (SESSIONS, FAILURES, INBOX, COMMANDS, AUDIT):
            assert [d["_id"] for d in db[name].find({})] == ["kept"], name
        assert sorted(d["_id"] for d in db[OUTBOX].find({})) == ["kept", "pending"]
    finally:
        mongo_client.drop_database(db.name)
