"""Where a message's recipient is reached: asked, at sending time, of the service that holds
the person's record, through its audited reveal RPC (every reveal is written to that
service's audit log with the purpose below, by the actor `notify`).

Why at sending time, and not an address carried in the event: events never carry a phone
number or an e-mail address, sealed or not (every service holds the same PII_KEY, so a
sealed value in an event could be opened by any consumer); the owner keeps the only copy,
decides who may see it and audits each look; a number changed after the event is still
reached; and nothing about the address is stored by notify beyond the masked form and a
keyed fingerprint (for opt-out and the rate limit). The cost: the owner must answer when a
message goes out — if it does not, the message waits and is tried again.

    recipient kind  asks                                       for
    reporter        repair.reveal_reporter_contact(number)     phone, e-mail
    registrant      activity.reveal_registrant_contact(id)     phone
    volunteer       volunteer.reveal_volunteer_personal_data   phone (only that field)
    employer        job.reveal_employer_contact(employer_id)   the contact person's phone
    seeker          job.reveal_seeker_contact(seeker_id)       phone (the answer's ID number
                                                               is dropped at once)
    phone           nobody: the number was given for this message (a sign-in code), sealed
"""
from __future__ import annotations

from services.notify.channels.base import DeliveryFailed
from shared.errors import Forbidden, NotFound, Unavailable, ValidationFailed

ACTOR = {"id": "notify", "name": "通知服务", "role": "system"}
PURPOSE = "发送通知:告知本人办理进度或服务安排"


class RecipientUnknown(Exception):
    """The record the message names is gone: nobody to tell."""


class Directory:
    def __init__(self, services: dict, cipher, problem_lookup=None):
        self.services = services   # {"repair": proxy, "activity": …, "volunteer": …, "job": …}
        self.cipher = cipher
        self.problem_lookup = problem_lookup

    def contact(self, recipient: dict) -> dict:
        """{"phone", "email", "name"} in clear (any may be None)."""
        kind = recipient["kind"]
        if kind == "phone":
            sealed = (recipient.get("phone") or {}).get("sealed")
            return {"phone": self.cipher.open(sealed) if sealed else None, "email": None,
                    "name": recipient.get("name")}
        try:
            found = self._ask(kind, recipient)
        except NotFound:
            raise RecipientUnknown(kind) from None
        except (Forbidden, ValidationFailed) as error:
            raise DeliveryFailed("ADDRESS_FORBIDDEN",
                                 f"{kind}: {getattr(error, 'message', error)}",
                                 permanent=True) from None
        except Unavailable as error:
            raise DeliveryFailed("DIRECTORY_UNAVAILABLE", error.message) from None
        return {"phone": found.get("phone"), "email": found.get("email"),
                "name": recipient.get("name") or found.get("name")}

    def _ask(self, kind: str, recipient: dict) -> dict:
        if kind == "reporter":
            return self.services["repair"].reveal_reporter_contact(
                recipient["number"], actor=ACTOR, purpose=PURPOSE)
        if kind == "registrant":
            return self.services["activity"].reveal_registrant_contact(
                recipient["registration_id"], actor=ACTOR, purpose=PURPOSE)
        if kind == "volunteer":
            return self.services["volunteer"].reveal_volunteer_personal_data(
                recipient["volunteer_id"], actor=ACTOR, purpose=PURPOSE, fields=["phone"])
        if kind == "employer":
            employer_id = recipient.get("employer_id")
            if not employer_id and self.problem_lookup is not None:
                employer_id = (self.problem_lookup(recipient["problem_id"]) or {}).get(
                    "employer_id")
            if not employer_id:
                raise NotFound("问题所属的用工单位未知")
            return self.services["job"].reveal_employer_contact(
                employer_id, actor=ACTOR, purpose=PURPOSE)
        if kind == "seeker":
            found = self.services["job"].reveal_seeker_contact(
                recipient["seeker_id"], actor=ACTOR, purpose=PURPOSE)
            return {"name": found.get("name"), "phone": found.get("phone")}
        raise RecipientUnknown(kind)
