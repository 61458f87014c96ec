"""One interface for every channel: `send(outgoing)` delivers one rendered message to one
address and returns the provider's reference, or raises `DeliveryFailed` saying whether
trying again could help. Which adapter serves SMS and which e-mail is configuration
(`NOTIFY_SMS_CHANNEL`, `NOTIFY_EMAIL_CHANNEL`); `configured.Channels` builds them when the service
starts."""
from __future__ import annotations

from dataclasses import dataclass

from services.notify.domain import Rendered


@dataclass(frozen=True)
class Outgoing:
    key: str            # the message's key: the same on every attempt (a receiver may dedupe)
    kind: str
    channel: str        # "sms" or "email"
    to: str             # the address, in clear, in memory only: never logged or stored
    to_masked: str
    to_fingerprint: str
    rendered: Rendered
    secret: bool = False  # the text holds a one-time code


class DeliveryFailed(Exception):
    def __init__(self, code: str, message: str, permanent: bool = False):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.permanent = code, message, permanent


class Adapter:
    channel = ""   # what it carries: "sms" or "email"
    name = ""      # which adapter: "development", "smtp", "tencent"

    def send(self, outgoing: Outgoing) -> str | None:
        raise NotImplementedError
