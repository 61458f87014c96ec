"""Accounts, passwords, sessions, login throttling and Open311 API keys: the gateway's own data.

Passwords are hashed with argon2id. A session is a random token given to the browser (an
HttpOnly cookie) or to an API client (a Bearer token); only its SHA-256 is stored, and it
expires after `SESSION_HOURS`. Too many failed logins for a username or from one address
within 15 minutes are answered with 429 until the window passes. API keys are stored the same
way as session tokens: only their hash, so a leaked database does not leak working keys.
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.gateway import exceptions
from services.gateway.access import Principal
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
    AUDIT: [IndexModel([("at", DESCENDING)], name="newest"),
            IndexModel([("actor.id", ASCENDING), ("at", DESCENDING)], name="actor"),
            IndexModel([("action", ASCENDING), ("at", DESCENDING)], name="action")],
}

_hasher = PasswordHasher()


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_password_policy(password: str) -> None:
    if len(password) < 8 or password.isdigit() or password.isalpha():
        raise exceptions.weak_password()


def principal_of(account: dict) -> Principal:
    return Principal(account_id=account["_id"], username=account["username"],
                     name=account["name"], role=account["role"],
                     community=account.get("community"), department=account.get("department"),
                     volunteer=account.get("volunteer"))


def present_account(account: dict) -> dict:
    return {"id": account["_id"], "username": account["username"], "name": account["name"],
            "role": account["role"], "community": account.get("community"),
            "department": account.get("department"), "volunteer": account.get("volunteer"),
            "active": account.get("active", True),
            "created_at": clock.iso(account.get("created_at")),
            "last_login_at": clock.iso(account.get("last_login_at"))}


class Auth:
    def __init__(self, db, session_hours: float = 8):
        self.db = db
        self.session_length = timedelta(hours=session_hours)

    # -- accounts ---------------------------------------------------------------------------

    def create_account(self, data: dict) -> dict:
        check_password_policy(data["password"])
        now = clock.now()
        account = {"_id": uuid.uuid4().hex, "username": data["username"], "name": data["name"],
                   "role": data["role"], "community": data.get("community"),
                   "department": data.get("department"), "volunteer": data.get("volunteer"),
                   "password_hash": _hasher.hash(data["password"]), "active": True,
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
            changes["password_hash"] = _hasher.hash(changes.pop("password"))
        changes["updated_at"] = clock.now()
        account = self.db[ACCOUNTS].find_one_and_update(
            {"_id": account_id}, {"$set": changes}, return_document=ReturnDocument.AFTER)
        if account is None:
            raise exceptions.account_not_found(account_id)
        if not account.get("active", True) or "password_hash" in changes:
            # a disabled account or a new password ends every open session
            self.db[SESSIONS].delete_many({"account_id": account_id})
        return account

    def accounts(self) -> list[dict]:
        return list(self.db[ACCOUNTS].find().sort("username", ASCENDING))

    def ensure_admin(self, username: str, password: str) -> bool:
        """The first account, on an empty system only."""
        if self.db[ACCOUNTS].estimated_document_count():
            return False
        self.create_account({"username": username, "password": password,
                             "name": "街道管理员", "role": "street_admin"})
        return True

    # -- sessions ---------------------------------------------------------------------------

    def login(self, username: str, password: str, address: str) -> tuple[str, dict]:
        now = clock.now()
        keys = (f"user:{username}", f"address:{address}")
        self._refuse_if_throttled(keys, now)
        account = self.db[ACCOUNTS].find_one({"username": username})
        valid = False
        if account is not None and account.get("active", True):
            try:
                valid = _hasher.verify(account["password_hash"], password)
            except (VerificationError, InvalidHashError):
                valid = False
        else:
            # Spend the same time as a real check, so response times do not reveal usernames.
            _hasher.hash(password)
        if not valid:
            for key in keys:
                self.db[FAILURES].update_one(
                    {"_id": key}, {"$inc": {"count": 1},
                                   "$setOnInsert": {"expires_at": now + FAILURE_WINDOW}},
                    upsert=True)
            raise exceptions.bad_credentials()
        self.db[FAILURES].delete_one({"_id": keys[0]})
        token = secrets.token_urlsafe(32)
        self.db[SESSIONS].insert_one({"_id": digest(token), "account_id": account["_id"],
                                      "created_at": now,
                                      "expires_at": now + self.session_length})
        self.db[ACCOUNTS].update_one({"_id": account["_id"]}, {"$set": {"last_login_at": now}})
        return token, account

    def _refuse_if_throttled(self, keys, now) -> None:
        for key, limit in zip(keys, (MAX_FAILURES_PER_USER, MAX_FAILURES_PER_ADDRESS)):
            record = self.db[FAILURES].find_one({"_id": key})
            if record and record["expires_at"] > now and record["count"] >= limit:
                wait = int((record["expires_at"] - now).total_seconds()) + 1
                raise exceptions.too_many_attempts(wait)

    def principal(self, token: str | None) -> tuple[Principal, dict] | None:
        if not token:
            return None
        session = self.db[SESSIONS].find_one({"_id": digest(token)})
        if session is None or session["expires_at"] <= clock.now():
            return None
        account = self.db[ACCOUNTS].find_one({"_id": session["account_id"]})
        if account is None or not account.get("active", True):
            return None
        return principal_of(account), session

    def logout(self, token: str) -> None:
        self.db[SESSIONS].delete_one({"_id": digest(token)})

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
