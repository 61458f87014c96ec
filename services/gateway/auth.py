"""Accounts, passwords, sessions, login throttling and Open311 API keys: the gateway's own data.

Passwords are hashed with argon2id (time and memory cost from `PASSWORD_HASH_TIME_COST` and
`PASSWORD_HASH_MEMORY_KIB`; a stored hash keeps the parameters it was made with, so changing
them locks nobody out), in a real thread so that other requests go on meanwhile. A session is
a random token given to the browser (an HttpOnly cookie) or to an API client (a Bearer token);
only its SHA-256 is stored, and it expires after `SESSION_HOURS`. Too many failed logins for a
username or from one address within 15 minutes are answered with 429 until the window passes;
every attempt is counted atomically before it is checked, so attempts sent at once cannot slip
past the limit. API keys are stored the same way as session tokens: only their hash, so a
leaked database does not leak working keys.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

import eventlet
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.gateway import exceptions
from services.gateway.access import Principal
from services.gateway.audit_list import AUDIT_LIST
from services.gateway.session_cache import SESSIONS as SESSION_CACHE, cache_seconds
from shared import clock

ACCOUNTS, SESSIONS, FAILURES, API_KEYS, AUDIT = (
    "accounts", "sessions", "login_failures", "api_keys", "audit_log")
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20

INDEXES = {
    ACCOUNTS: [IndexModel([("username", ASCENDING)], name="username", unique=True)],
    SESSIONS: [IndexModel([("expires_at", ASCENDING)], name="expiry", expireAfterSeconds=0),
               IndexModel([("account_id", ASCENDING)], name="account")],
    FAILURES: [IndexModel([("expires_at", ASCENDING)], name="expiry", expireAfterSeconds=0)],
    API_KEYS: [IndexModel([("key_hash", ASCENDING)], name="key_hash", unique=True)],
    AUDIT: AUDIT_LIST.indexes,
}

DEFAULT_TIME_COST, DEFAULT_MEMORY_KIB = 3, 65536  # RFC 9106's second recommended option


def password_hasher(config=None) -> PasswordHasher:
    config = config or {}
    return PasswordHasher(
        time_cost=int(config.get("PASSWORD_HASH_TIME_COST") or DEFAULT_TIME_COST),
        memory_cost=int(config.get("PASSWORD_HASH_MEMORY_KIB") or DEFAULT_MEMORY_KIB))


_hashers: dict = {}
_threading = eventlet.patcher.original("threading")


def off_the_loop(function, *args):
    """argon2 takes a tenth of a second or more of CPU: run in eventlet's pool of real threads
    so the event loop serves other requests meanwhile (directly when already off the loop)."""
    if _threading.current_thread() is _threading.main_thread():
        return tpool.execute(function, *args)
    return function(*args)


def hasher_of(config) -> PasswordHasher:
    key = (config or {}).get("PASSWORD_HASH_TIME_COST"), (config or {}).get(
        "PASSWORD_HASH_MEMORY_KIB")
    if key not in _hashers:
        _hashers[key] = password_hasher(config)
    return _hashers[key]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_policy(password: str) -> None:
    if len(password) < 8 or password.isdigit() or password.isalpha():
        raise exceptions.weak_password()


def principal_of(account: dict) -> Principal:
    return Principal(account_id=account["_id"], username=account["username"],
                     name=account["name"], role=account["role"],
                     community=account.get("community"), department=account.get("department"),
                     volunteer=account.get("volunteer"), resident=account.get("resident"),
                     whole_street=bool(account.get("whole_street")))


def present_account(account: dict) -> dict:
    return {"id": account["_id"], "username": account["username"], "name": account["name"],
            "role": account["role"], "community": account.get("community"),
            "department": account.get("department"), "volunteer": account.get("volunteer"),
            "whole_street": bool(account.get("whole_street")),
            "active": account.get("active", True),
            "created_at": clock.iso(account.get("created_at")),
            "last_login_at": clock.iso(account.get("last_login_at"))}


class Auth:
    def __init__(self, db, session_hours: float = 8, config=None):
        self.db = db
        self.session_length = timedelta(hours=session_hours)
        self._hasher = hasher_of(config)
        self._cache_seconds = cache_seconds(config)

    def _hash(self, password: str) -> str:
        return off_the_loop(self._hasher.hash, password)

    def _verify(self, stored: str, password: str) -> bool:
        return off_the_loop(self._hasher.verify, stored, password)

    # -- accounts ---------------------------------------------------------------------------

    def create_account(self, data: dict) -> dict:
        check_password_policy(data["password"])
        now = clock.now()
        account = {"_id": uuid.uuid4().hex, "username": data["username"], "name": data["name"],
                   "role": data["role"], "community": data.get("community"),
                   "department": data.get("department"), "volunteer": data.get("volunteer"),
                   "whole_street": bool(data.get("whole_street")),
                   "password_hash": self._hash(data["password"]), "active": True,
                   "created_at": now, "updated_at": now}
        try:
            self.db[ACCOUNTS].insert_one(account)
        except DuplicateKeyError:
            raise exceptions.username_taken(data["username"]) from None
        return account

    def update_account(self, account_id: str, changes: dict) -> dict:
        changes = dict(changes)
        if "password" in changes:
            check_password_policy(changes["password"])
            changes["password_hash"] = self._hash(changes.pop("password"))
        changes["updated_at"] = clock.now()
        account = self.db[ACCOUNTS].find_one_and_update(
            {"_id": account_id}, {"$set": changes}, return_document=ReturnDocument.AFTER)
        if account is None:
            raise exceptions.account_not_found(account_id)
        if not account.get("active", True) or "password_hash" in changes:
            # a disabled account or a new password ends every open session
            self.db[SESSIONS].delete_many({"account_id": account_id})
        # Its sessions are read again: their role, limits and state as they now are.
        SESSION_CACHE.forget_account(self.db.name, account_id)
        return account

    def account(self, account_id: str) -> dict:
        account = self.db[ACCOUNTS].find_one({"_id": account_id})
        if account is None:
            raise exceptions.account_not_found(account_id)
        return account

    def accounts(self) -> list[dict]:
        """The console's accounts (residents of the resident site are not among them)."""
        return list(self.db[ACCOUNTS].find({"role": {"$ne": "resident"}})
                    .sort("username", ASCENDING))

    def resident_session(self, phone: dict) -> tuple[str, dict]:
        """A session for the resident whose phone (protected: sealed, masked, fingerprint) a
        one-time code has just proved: their account is made on first sign-in. No password."""
        now = clock.now()
        account = self.db[ACCOUNTS].find_one_and_update(
            {"username": f"resident:{phone['fingerprint'][:24]}"},
            {"$setOnInsert": {"_id": uuid.uuid4().hex, "name": f"居民{phone['masked'][-4:]}",
                              "role": "resident", "resident": phone["fingerprint"],
                              "phone": phone, "active": True, "created_at": now},
             "$set": {"last_login_at": now, "updated_at": now}},
            upsert=True, return_document=ReturnDocument.AFTER)
        token = secrets.token_urlsafe(32)
        self.db[SESSIONS].insert_one({"_id": digest(token), "account_id": account["_id"],
                                      "created_at": now,
                                      "expires_at": now + self.session_length})
        return token, account

    def ensure_admin(self, username: str, password: str) -> bool:
        """The first account, on an empty system only."""
        if self.db[ACCOUNTS].estimated_document_count():
            return False
        self.create_account({"username": username, "password": password,
                             "name": "街道管理员", "role": "street_admin"})
        return True

    # -- sessions ---------------------------------------------------------------------------

    def login(self, username: str, password: str, address: str) -> tuple[str, dict]:
        """Every attempt is counted first — atomically, for the username and for the address —
        and only then checked against the limits, so that attempts sent at once cannot all
        pass a check made before any of them was counted. A successful sign-in takes its
        attempt back: only failures hold anyone back."""
        now = clock.now()
        keys = (f"user:{username}", f"address:{address}")
        counted = [self._count_attempt(key, now) for key in keys]
        for record, limit in zip(counted, (MAX_FAILURES_PER_USER, MAX_FAILURES_PER_ADDRESS)):
            if record["count"] > limit:
                wait = int((record["expires_at"] - now).total_seconds()) + 1
                raise exceptions.too_many_attempts(wait)
        account = self.db[ACCOUNTS].find_one({"username": username})
        valid = False
        if account is not None and account.get("active", True):
            try:
                valid = self._verify(account["password_hash"], password)
            except (VerificationError, InvalidHashError):
                valid = False
        else:
            # Spend the same time as a real check, so response times do not reveal usernames.
            self._hash(password)
        if not valid:
            raise exceptions.bad_credentials()
        self.db[FAILURES].delete_one({"_id": keys[0]})
        self.db[FAILURES].update_one({"_id": keys[1], "expires_at": counted[1]["expires_at"]},
                                     {"$inc": {"count": -1}})
        token = secrets.token_urlsafe(32)
        self.db[SESSIONS].insert_one({"_id": digest(token), "account_id": account["_id"],
                                      "created_at": now,
                                      "expires_at": now + self.session_length})
        self.db[ACCOUNTS].update_one({"_id": account["_id"]}, {"$set": {"last_login_at": now}})
        return token, account

    def _count_attempt(self, key: str, now) -> dict:
        """One more attempt in the key's current window, atomically; a window that has passed
        starts again at this attempt (its record may linger until the TTL sweep, but it is
        never counted in). Returns the record after counting: count, expires_at.

        The record is made first (attempts arriving at once may race to make it: one wins)
        and then counted by an update that returns what it wrote. An upsert that counts would
        save a round trip, but the embedded database may answer such an upsert with no
        document when attempts arrive at once, and reading the record afterwards would see
        later attempts' counts too."""
        window = {"started_at": now, "expires_at": now + FAILURE_WINDOW}
        for _ in range(5):
            try:
                self.db[FAILURES].update_one(
                    {"_id": key}, {"$setOnInsert": {"count": 0, **window}}, upsert=True)
            except DuplicateKeyError:
                pass  # made by an attempt that arrived at the same moment
            counted = self.db[FAILURES].find_one_and_update(
                {"_id": key, "expires_at": {"$gt": now}}, {"$inc": {"count": 1}},
                return_document=ReturnDocument.AFTER)
            if counted is not None:
                return counted
            restarted = self.db[FAILURES].find_one_and_update(
                {"_id": key, "expires_at": {"$lte": now}}, {"$set": {"count": 1, **window}},
                return_document=ReturnDocument.AFTER)
            if restarted is not None:
                return restarted
        raise exceptions.too_many_attempts(int(FAILURE_WINDOW.total_seconds()))

    def principal(self, token: str | None) -> tuple[Principal, dict] | None:
        """Who a session token belongs to, or None: no such session, an expired one, or a
        disabled account. A session read in the last `SESSION_CACHE_SECONDS` is not read
        again (services/gateway/session_cache.py); its expiry is checked every time."""
        if not token:
            return None
        key = digest(token)
        found = SESSION_CACHE.get(self.db.name, key, self._cache_seconds)
        if found is None:
            generation = SESSION_CACHE.generation()
            found = self._read_session(key)
            if found is None:
                return None
            if self._cache_seconds > 0:
                SESSION_CACHE.put(self.db.name, key, found[0].account_id, found, generation)
        principal, session = found
        if session["expires_at"] <= clock.now():
            return None
        return principal, dict(session)

    def _read_session(self, key: str) -> tuple[Principal, dict] | None:
        session = self.db[SESSIONS].find_one({"_id": key})
        if session is None or session["expires_at"] <= clock.now():
            return None
        account = self.db[ACCOUNTS].find_one({"_id": session["account_id"]})
        if account is None or not account.get("active", True):
            return None
        return principal_of(account), session

    def logout(self, token: str) -> None:
        self.db[SESSIONS].delete_one({"_id": digest(token)})
        SESSION_CACHE.forget_session(self.db.name, digest(token))

    # -- Open311 API keys -------------------------------------------------------------------

    def create_api_key(self, name: str, created_by: dict) -> tuple[str, dict]:
        key = f"x311_{secrets.token_urlsafe(24)}"
        record = {"_id": uuid.uuid4().hex, "name": name, "key_hash": digest(key),
                  "prefix": key[:9], "created_at": clock.now(), "created_by": created_by,
                  "revoked_at": None}
        self.db[API_KEYS].insert_one(record)
        return key, record

    def api_keys(self) -> list[dict]:
        return list(self.db[API_KEYS].find().sort("created_at", DESCENDING))

    def revoke_api_key(self, key_id: str) -> dict:
        record = self.db[API_KEYS].find_one_and_update(
            {"_id": key_id}, {"$set": {"revoked_at": clock.now()}},
            return_document=ReturnDocument.AFTER)
        if record is None:
            raise exceptions.api_key_not_found(key_id)
        return record

    def api_key(self, key: str | None) -> dict | None:
        if not key:
            return None
        record = self.db[API_KEYS].find_one({"key_hash": digest(key)})
        return record if record and not record.get("revoked_at") else None


def present_api_key(record: dict) -> dict:
    return {"id": record["_id"], "name": record["name"], "prefix": record["prefix"],
            "created_at": clock.iso(record["created_at"]), "created_by": record["created_by"],
            "revoked_at": clock.iso(record.get("revoked_at"))}
