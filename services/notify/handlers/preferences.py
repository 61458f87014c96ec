"""A person's say over what they are sent: off altogether, or by topic. Kept by the keyed
fingerprint of the phone or e-mail address (never the address itself), so the same person is
found whichever service's record a message came from."""
from __future__ import annotations

from services.notify import schemas
from services.notify.exceptions import forbidden_for
from services.notify.views import PreferenceView
from shared.personal_data import mask_email, mask_phone, normalise
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query

# The resident site acts for the person it has signed in (by phone and code); staff on the
# person's request; other services.
MAY_SET = ("resident", "street_admin", "community_staff", "system")


def address_of(uow, request: dict) -> tuple[str, str]:
    """(fingerprint, masked) of the phone or e-mail in the request."""
    if request.get("phone"):
        phone = normalise(request["phone"])
        return uow.cipher.fingerprint(phone), mask_phone(phone)
    email = request["email"].strip().lower()
    return uow.cipher.fingerprint(email), mask_email(email)


def _view(uow, stored: dict | None, masked: str) -> dict:
    preference = {"address_masked": masked, "opted_out": False, "topics_off": [],
                  "updated_at": None, **(stored or {})}
    return PreferenceView(now=uow.now).dump(preference)


@query
def get(uow, request: dict) -> dict:
    request = load(schemas.Address(), request)
    fingerprint, masked = address_of(uow, request)
    return _view(uow, uow.preferences.get(fingerprint), masked)


@command
def set_(uow, actor: dict, request: dict) -> dict:
    actor = load(ActorSchema(), actor)
    request = load(schemas.SetPreferences(), request)
    if actor["role"] not in MAY_SET:
        raise forbidden_for("修改消息设置")
    fingerprint, masked = address_of(uow, request)
    current = uow.preferences.get(fingerprint) or {}
    opted_out = (request["opted_out"] if request["opted_out"] is not None
                 else current.get("opted_out", False))
    topics_off = (request["topics_off"] if request["topics_off"] is not None
                  else current.get("topics_off", []))
    stored = uow.preferences.save(fingerprint, masked, opted_out, topics_off, uow.now,
                                  {k: actor.get(k) for k in ("id", "name", "role")})
    return _view(uow, stored, masked)
