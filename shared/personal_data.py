"""Personal information (PIPL): store the least, encrypt it, show it masked, audit every reveal.

Phone numbers and ID-card numbers are kept only encrypted (AES-256-GCM) next to a masked copy
for display (138****5678) and, where a service must find a record by them, a keyed fingerprint
(HMAC-SHA256) that cannot be reversed. The clear value leaves a service only through a reveal,
which is written to the service's `audit_log` first. Clear values are never logged and never
travel in events.

The key comes from `PII_KEY` (32 random bytes, base64); two sub-keys are derived from it so the
cipher and the fingerprints never share a key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from nameko.extensions import DependencyProvider
from pymongo.database import Database

from shared import clock

AUDIT_LOG = "audit_log"
_VERSION = "v1"


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class Cipher:
    def __init__(self, key_b64: str):
        master = base64.b64decode(key_b64)
        if len(master) != 32:
            raise ValueError("PII_KEY must be 32 bytes, base64-encoded")
        self._aead = AESGCM(_derive(master, b"xiuhua personal data v1"))
        self._mac_key = _derive(master, b"xiuhua fingerprint v1")

    def seal(self, clear: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, clear.encode("utf-8"), _VERSION.encode())
        return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, token: str) -> str:
        version, _, payload = token.partition(":")
        raw = base64.b64decode(payload)
        return self._aead.decrypt(raw[:12], raw[12:], version.encode()).decode("utf-8")

    def fingerprint(self, clear: str) -> str:
        return hmac.new(self._mac_key, normalise(clear).encode(), hashlib.sha256).hexdigest()

    def protect(self, clear: str | None, mask) -> dict | None:
        """What a record keeps of one personal value."""
        if not clear:
            return None
        clear = normalise(clear)
        return {"sealed": self.seal(clear), "masked": mask(clear),
                "fingerprint": self.fingerprint(clear)}


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def mask_phone(phone: str) -> str:
    digits = normalise(phone)
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(number: str) -> str:
    number = normalise(number)
    if len(number) <= 7:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def mask_email(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def id_number_is_valid(number: str) -> bool:
    """GB 11643-1999: 17 digits and a check character (0-9 or X)."""
    number = normalise(number)
    if len(number) != 18 or not number[:17].isdigit():
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(number, weights)) % 11]
    return number[17] == check


def record_reveal(audit_log, actor: dict, record_type: str, record_id: str, fields: list[str],
                  purpose: str) -> None:
    """Written (to the service's `audit_log` collection) before the clear value is returned:
    no audit entry, no reveal."""
    if isinstance(audit_log, Database):
        audit_log = audit_log[AUDIT_LOG]
    audit_log.insert_one({
        "at": clock.now(), "action": "reveal_personal_data", "actor": actor,
        "record_type": record_type, "record_id": record_id, "fields": fields,
        "purpose": purpose})


class PersonalData(DependencyProvider):
    """Gives workers the service's Cipher, keyed from the `PII_KEY` setting."""

    def setup(self):
        key = self.container.config.get("PII_KEY")
        if not key:
            raise RuntimeError("PII_KEY is not set: personal data cannot be stored safely")
        self.cipher = Cipher(key)

    def get_dependency(self, worker_ctx):
        return self.cipher
