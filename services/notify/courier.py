"""The courier: what the service's timers run to get messages out. It holds no rules of its
own: each decision is a handler function (services/notify/handlers/), each in its own short
transaction, and between them the courier does the I/O no transaction may wait on — asking
another service for an address, sending through a channel's adapter, posting to the 12345
hotline.

    message:  claim (lease) → address (RPC) → decide (opt-out, rate limit; the send is
              recorded as begun) → send (adapter) → finish (sent / failed attempt)
    fan-out:  claim → ask the other service who → expand into messages by key
    callback: claim (lease) → POST, signed → finish (delivered / retry later / failed)

Several processes may run it at once: leases keep them off each other's work.
"""
from __future__ import annotations

import logging
import time
import uuid

from services.notify import domain
from services.notify.channels import hotline as hotline_http
from services.notify.channels.base import DeliveryFailed, Outgoing
from services.notify.directory import Directory, RecipientUnknown
from services.notify.handlers import delivery, fanout, hotline
from shared.personal_data import mask_email, mask_phone, normalise

log = logging.getLogger(__name__)

OWNER = f"courier-{uuid.uuid4().hex[:12]}"  # this process, as a lease holder
BATCH = 50


def deliver_due(store, channels, services: dict, cipher) -> dict:
    """Every message due now, one at a time; one that fails does not hold up the rest."""
    adapters = channels(store.db, cipher)
    directory = Directory(services, cipher,
                          problem_lookup=lambda ref: store.run(delivery.problem, ref))
    counts: dict[str, int] = {}
    for key in store.run(delivery.due, BATCH):
        try:
            outcome = deliver(store, key, adapters, directory, cipher)
        except Exception:  # logged; the lease runs out and the message is tried again
            log.exception("could not deliver message %s", key)
            outcome = "error"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def deliver(store, key: str, adapters: dict, directory: Directory, cipher) -> str:
    job = store.run(delivery.claim, key, OWNER)
    if job is None:
        return "not_now"
    try:
        contact = directory.contact(job["recipient"])
    except RecipientUnknown:
        store.run(delivery.skip, key, OWNER, "recipient_unknown")
        return "skipped"
    except DeliveryFailed as failure:
        return store.run(delivery.finish, key, OWNER, _failed(failure, 0.0))
    enabled = {channel for channel, adapter in adapters.items() if adapter is not None}
    chosen = domain.choose_channel(contact, enabled)
    if chosen is None:
        reachable = contact.get("phone") or contact.get("email")
        store.run(delivery.skip, key, OWNER, "channel_off" if reachable else "no_address")
        return "skipped"
    channel, address = chosen
    if channel == "sms":
        address = normalise(address)
        masked = mask_phone(address)
    else:
        address = address.strip().lower()
        masked = mask_email(address)
    fingerprint = cipher.fingerprint(address)
    if not store.run(delivery.decide, key, OWNER, channel, masked, fingerprint)["go"]:
        return "held"
    data = {**job["data"], "name": contact.get("name") or ""}
    if job["secret"]:
        data["code"] = cipher.open(job["secret"])
    started = time.perf_counter()
    try:
        rendered = domain.render(job["kind"], data)
        reference = adapters[channel].send(Outgoing(
            key=key, kind=job["kind"], channel=channel, to=address, to_masked=masked,
            to_fingerprint=fingerprint, rendered=rendered, secret=bool(job["secret"])))
        outcome = {"sent": True, "provider_ref": reference, "ms": _ms(started)}
    except DeliveryFailed as failure:
        outcome = _failed(failure, _ms(started))
    except KeyError as missing:  # a template variable the message does not carry: a bug
        outcome = _failed(DeliveryFailed("TEMPLATE_ERROR", f"缺少模板变量 {missing}",
                                         permanent=True), _ms(started))
    return store.run(delivery.finish, key, OWNER, outcome)


def fan_out(store, services: dict) -> dict:
    """Activity reminders that fell due, then every fan-out waiting for another service's
    answer (registrants, matching job seekers)."""
    started = 0
    for activity_id in store.run(fanout.reminders_due):
        try:
            started += bool(store.run(fanout.start_reminder, activity_id))
        except Exception:
            log.exception("could not start the reminder of activity %s", activity_id)
    made = 0
    for ident in store.run(fanout.due):
        task = store.run(fanout.claim, ident)
        if task is None:
            continue
        try:
            answer = ask(services, task)
        except Exception as error:  # the other service did not answer: later, a few times
            log.warning("fan-out %s: %s", ident, error)
            store.run(fanout.failed, ident, f"{type(error).__name__}: {error}")
            continue
        made += store.run(fanout.expand, ident, answer)
    return {"reminders": started, "messages": made}


def ask(services: dict, task: dict) -> list:
    data = task["data"]
    if task["kind"] == "posting_matched":
        return services["job"].match_seekers_for_posting(data["posting_id"], limit=50)
    found, cursor = [], None
    while True:  # every registration of the activity, a page at a time
        answer = services["activity"].list_registrations(
            activity_id=data["activity_id"], status=["registered"], cursor=cursor,
            page_size=200)
        found.extend(answer["items"])
        if not answer["has_more"]:
            return found
        cursor = answer["next_cursor"]


def send_callbacks(store, config: dict) -> dict:
    """The 12345 hotline's callbacks that are due."""
    counts = {"delivered": 0, "failed": 0}
    if not hotline.configured(config):
        return counts
    url, secret = config["NOTIFY_HOTLINE_URL"], config.get("NOTIFY_HOTLINE_SECRET") or ""
    timeout = float(config.get("NOTIFY_HOTLINE_TIMEOUT") or 10)
    for ident in store.run(hotline.due):
        job = store.run(hotline.claim, ident)
        if job is None:
            continue
        outcome = hotline_http.post(url, secret, job["body"], timeout)
        store.run(hotline.finish, ident, outcome)
        counts["delivered" if outcome["ok"] else "failed"] += 1
    return counts


def _failed(failure: DeliveryFailed, ms: float) -> dict:
    return {"sent": False, "code": failure.code, "message": failure.message,
            "permanent": failure.permanent, "ms": ms}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
