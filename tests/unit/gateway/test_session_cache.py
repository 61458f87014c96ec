"""The sessions a gateway process keeps for a few seconds (services/gateway/session_cache.py):
a burst of requests on one session reads it once, yet every request is still checked — an
expired session is refused at once, a sign-out or an account change in the process is seen at
once, and a change made elsewhere is seen when the entry has aged out."""
import copy
from datetime import timedelta

import pytest
from pymongo import ReturnDocument

from services.gateway import auth as auth_module, session_cache
from services.gateway.auth import ACCOUNTS, SESSIONS, Auth, digest
from shared import clock


class Collection:
    def __init__(self, reads: list, name: str):
        self.docs, self.reads, self.name = {}, reads, name

    def find_one(self, criteria):
        self.reads.append(self.name)
        doc = self.docs.get(criteria["_id"])
        return copy.deepcopy(doc)

    def insert_one(self, doc):
        self.docs[doc["_id"]] = copy.deepcopy(doc)

    def delete_one(self, criteria):
        self.docs.pop(criteria["_id"], None)

    def delete_many(self, criteria):
        for key in [k for k, d in self.docs.items() if d["account_id"] == criteria["account_id"]]:
            del self.docs[key]

    def find_one_and_update(self, criteria, update, return_document=ReturnDocument.AFTER):
        doc = self.docs.get(criteria["_id"])
        if doc is None:
            return None
        doc.update(update["$set"])
        return copy.deepcopy(doc)


class Database:
    def __init__(self, name="gw_test"):
        self.name, self.reads = name, []
        self.collections = {n: Collection(self.reads, n) for n in (ACCOUNTS, SESSIONS)}

    def __getitem__(self, name):
        return self.collections[name]


@pytest.fixture
def seconds(monkeypatch):
    """The cache's clock, moved by the test."""
    now = [1000.0]
    monkeypatch.setattr(session_cache.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(session_cache, "SESSIONS", session_cache.SessionCache())
    monkeypatch.setattr(auth_module, "SESSION_CACHE", session_cache.SESSIONS)
    return now


def signed_in(db, token="token-1", role="community_staff", expires_in=timedelta(hours=8)):
    db[ACCOUNTS].insert_one({"_id": "a1", "username": "liwei", "name": "李伟", "role": role,
                             "community": "天宝社区", "active": True})
    db[SESSIONS].insert_one({"_id": digest(token), "account_id": "a1",
                             "expires_at": clock.now() + expires_in})
    return token


def test_a_session_read_is_used_again_for_a_few_seconds_then_read_again(seconds):
    db = Database()
    auth = Auth(db, config={"SESSION_CACHE_SECONDS": 5})
    token = signed_in(db)
    first = auth.principal(token)
    assert first[0].role == "community_staff" and len(db.reads) == 2
    assert auth.principal(token)[0] == first[0] and len(db.reads) == 2
    # Another gateway process changes the role: seen once the entry has aged out.
    db[ACCOUNTS].docs["a1"]["role"] = "viewer"
    seconds[0] += 4.9
    assert auth.principal(token)[0].role == "community_staff"
    seconds[0] += 0.2
    assert auth.principal(token)[0].role == "viewer" and len(db.reads) == 4


def test_signing_out_is_seen_at_once(seconds):
    db = Database()
    auth = Auth(db, config={})
    token = signed_in(db)
    assert auth.principal(token) is not None
    auth.logout(token)
    assert auth.principal(token) is None


def test_an_account_change_in_the_process_is_seen_at_once(seconds):
    db = Database()
    auth = Auth(db, config={})
    token = signed_in(db)
    assert auth.principal(token)[0].role == "community_staff"
    auth.update_account("a1", {"role": "viewer", "whole_street": True})
    assert auth.principal(token)[0].role == "viewer"
    auth.update_account("a1", {"active": False})
    assert auth.principal(token) is None and db[SESSIONS].docs == {}


def test_an_expired_session_is_refused_even_when_kept(seconds, monkeypatch):
    db = Database()
    auth = Auth(db, config={})
    token = signed_in(db, expires_in=timedelta(seconds=30))
    assert auth.principal(token) is not None
    later = clock.now() + timedelta(seconds=31)
    monkeypatch.setattr(auth_module.clock, "now", lambda: later)
    assert auth.principal(token) is None


def test_unknown_tokens_are_looked_for_every_time(seconds):
    db = Database()
    auth = Auth(db, config={})
    assert auth.principal("no-such-token") is None
    assert auth.principal("no-such-token") is None
    assert db.reads == [SESSIONS, SESSIONS]


def test_zero_seconds_reads_the_session_on_every_request(seconds):
    db = Database()
    auth = Auth(db, config={"SESSION_CACHE_SECONDS": "0"})
    token = signed_in(db)
    for _ in range(3):
        assert auth.principal(token) is not None
    assert len(db.reads) == 6


def test_a_look_up_that_raced_a_sign_out_is_not_kept(seconds):
    cache = session_cache.SESSIONS
    started = cache.generation()
    cache.forget_session("gw_test", digest("token-1"))   # the sign-out, meanwhile
    cache.put("gw_test", digest("token-1"), "a1", ("principal", {}), started)
    assert cache.get("gw_test", digest("token-1"), 5) is None


def test_kept_per_database_and_bounded(seconds):
    cache = session_cache.SessionCache(max_entries=3)
    for n in range(5):
        cache.put("gw_a", f"d{n}", "a1", n, cache.generation())
    assert [cache.get("gw_a", f"d{n}", 5) for n in range(5)] == [None, None, 2, 3, 4]
    assert cache.get("gw_b", "d4", 5) is None
    cache.forget_account("gw_b", "a1")
    assert cache.get("gw_a", "d4", 5) == 4


def test_a_negative_setting_is_refused():
    with pytest.raises(ValueError):
        session_cache.cache_seconds({"SESSION_CACHE_SECONDS": "-1"})
    assert session_cache.cache_seconds({}) == session_cache.DEFAULT_SECONDS
