"""补录 of messages sent before (the demo's month of messages): each goes through the same
rules as a live one, at the moment it was due — the recipient's opt-out, quiet hours (a
message due at night is sent in the morning), the rate limit per recipient — and is kept as
the development adapter keeps what it sends. A key already recorded answers that message."""
from __future__ import annotations

from services.notify import domain, schemas
from services.notify.exceptions import forbidden
from services.notify.handlers.preferences import address_of
from services.notify.views import MessageView
from shared.errors import ValidationFailed
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command


@command
def record_past(uow, actor: dict, record: dict) -> dict:
    actor = load(ActorSchema(), actor)
    if actor["role"] not in ("street_admin", "system"):
        raise forbidden("补录消息记录")
    record = load(schemas.RecordPastMessage(), record)
    existing = uow.messages.find({"_id": record["key"]})
    if existing is not None:
        return MessageView(now=uow.now).dump(existing)
    person = record["recipient"]
    fingerprint, masked = address_of(uow, person if person.get("phone") else
                                     {"email": person.get("email") or ""})
    channel = "sms" if person.get("phone") else "email"
    data = {"name": person["name"], **record["data"]}
    try:
        rendered = domain.render(record["kind"], data)
    except KeyError as missing:
        raise ValidationFailed(fields={"data": [f"缺少模板变量 {missing.args[0]}。"]}) from None
    settings = uow.settings
    message = domain.Message.new(record["key"], record["kind"],
                                 {"kind": "past", "name": person["name"]}, record["data"],
                                 record["at"])
    message.imported = {"by": {k: actor.get(k) for k in ("id", "name", "role")},
                        "reason": record["reason"]}
    message.channel, message.address_masked = channel, masked
    if domain.opted_out(uow.preferences.get(fingerprint), message.topic):
        message.skip("opted_out", record["at"])
    else:
        at = domain.quiet_until(record["at"], settings) or record["at"]
        while True:  # the rate limit, as the courier would have applied it then
            recent = uow.messages.sent_to(fingerprint, at - settings.rate_window)
            later = domain.rate_limited_until([t for t in recent if t <= at], at, settings)
            if later is None:
                break
            at = domain.quiet_until(later, settings) or later
        message.recipient_fp = fingerprint
        message.mark_sent(at, f"dev:{record['key']}")
        uow.mailbox.put({"_id": record["key"], "kind": record["kind"], "channel": channel,
                         "to_masked": masked, "to_fp": fingerprint,
                         "subject": rendered.subject, "text": rendered.text, "sent_at": at})
    uow.messages.add(message)
    uow.attempts.record(message, "sent" if message.state == domain.SENT else "skipped",
                        message.sent_at or record["at"])
    return MessageView(now=uow.now).dump(message)

