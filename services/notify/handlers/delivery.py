"""Delivering a message, step by step, each step its own short transaction (the courier,
services/notify/courier.py, runs them and does the sending in between):

1. `claim`: the message is leased to this worker (quiet hours move it to the morning instead);
2. the courier finds the address (an RPC to the service that holds it) and then `decide`s:
   opted out → skipped; over the rate limit → deferred; else the send is begun (recorded);
3. the courier sends through the channel's adapter and `finish`es: sent, or the attempt
   failed and the message waits for its next try (or has failed for good).

A worker that dies between 3's send and its record leaves a lease that runs out: the message
is claimed again and sent again, under the same key (the development mailbox and the
receivers that de-duplicate by it keep one; an SMS provider does not — see docs/api/notify.md).
"""
from __future__ import annotations

from services.notify import domain
from shared.unit_of_work import command, query


@query
def due(uow, limit: int = 50) -> list[str]:
    return uow.messages.due(uow.now, limit)


@command
def claim(uow, key: str, owner: str) -> dict | None:
    """What the courier needs to send the message (nothing in clear), or None."""
    message = uow.messages.get(key)
    if message.state != domain.PENDING:
        return None
    outcome = message.claim(owner, uow.now, uow.settings)
    if outcome == "busy":
        return None
    if message.interrupted():
        uow.attempts.record(message, "interrupted", uow.now,
                            {"code": "INTERRUPTED", "message": "上次发送后未能记录结果,再次发送"})
    uow.messages.save(message)
    if outcome == "waiting":
        return None
    return {"key": message.key, "kind": message.kind, "topic": message.topic,
            "recipient": message.recipient, "data": message.data, "secret": message.secret,
            "urgent": message.urgent}


@command
def decide(uow, key: str, owner: str, channel: str, masked: str, fingerprint: str) -> dict:
    """Opt-out and the rate limit, now that we know who it is: {"go": bool}."""
    message = uow.messages.get(key)
    if not message.holds(owner, uow.now):
        return {"go": False}
    if domain.opted_out(uow.preferences.get(fingerprint), message.topic):
        message.address_masked, message.channel = masked, channel
        message.skip("opted_out", uow.now)
        uow.attempts.record(message, "skipped", uow.now, {"code": "OPTED_OUT",
                                                          "message": "收件人已退订"})
        uow.messages.save(message)
        return {"go": False}
    settings = uow.settings
    if not message.urgent:
        recent = uow.messages.sent_to(fingerprint, uow.now - settings.rate_window)
        until = domain.rate_limited_until(recent, uow.now, settings)
        if until is not None:
            message.defer(until, uow.now)
            message.address_masked, message.channel = masked, channel
            uow.attempts.record(message, "deferred", uow.now, {
                "code": "RATE_LIMITED", "message": "该收件人近期消息过多,稍后发送"})
            uow.messages.save(message)
            return {"go": False}
    message.begin_sending(owner, uow.now, channel, masked, fingerprint)
    uow.messages.save(message)
    return {"go": True}


@command
def skip(uow, key: str, owner: str, reason: str, detail: str = "") -> None:
    """Nothing to send: no address, no such recipient, the channel not open."""
    message = uow.messages.get(key)
    if not message.holds(owner, uow.now):
        return
    message.skip(reason, uow.now)
    uow.attempts.record(message, "skipped", uow.now,
                        {"code": reason.upper(), "message": detail or domain.SKIP_REASONS[reason]})
    uow.messages.save(message)


@command
def finish(uow, key: str, owner: str, outcome: dict) -> str:
    """outcome: {"sent": True, "provider_ref", "ms"} or {"sent": False, "code", "message",
    "permanent", "ms"}. The message's state after it."""
    message = uow.messages.get(key)
    if message.state != domain.PENDING:
        return message.state  # recorded already (another worker took over and finished)
    if outcome["sent"]:
        message.mark_sent(uow.now, outcome.get("provider_ref"))
        uow.attempts.record(message, "sent", uow.now, ms=outcome.get("ms"))
    else:
        message.attempt_failed(uow.now, outcome["code"], outcome["message"],
                               outcome.get("permanent", False), uow.settings)
        uow.attempts.record(message, "failed", uow.now,
                            {"code": outcome["code"], "message": outcome["message"][:500]},
                            ms=outcome.get("ms"))
    uow.messages.save(message)
    return message.state


@query
def problem(uow, problem_id: str) -> dict | None:
    """The employer an employer's problem came from, as job's event told us."""
    found = uow.registry.problem(problem_id)
    return None if found is None else {"employer_id": found["employer_id"],
                                       "employer_name": found["employer_name"]}
