"""What admins see of the notifications: messages and every delivery attempt (filterable),
sending a failed message again, and the development mailbox (消息记录)."""
from __future__ import annotations

from datetime import timedelta

from services.notify import domain, schemas
from services.notify.exceptions import forbidden, not_retryable
from services.notify.handlers import hotline
from services.notify.handlers.preferences import address_of
from services.notify.views import AttemptView, DevMessageView, MessageDetailView, MessageView
from shared.schemas import ActorSchema, load, page_of
from shared.unit_of_work import command, query


def _recipient(uow, query_: dict) -> str | None:
    if query_.get("phone") or query_.get("email"):
        return address_of(uow, query_)[0]
    return None


@query
def messages(uow, query_: dict) -> dict:
    query_ = load(schemas.ListMessages(), query_)
    found, total = uow.messages.page(query_, _recipient(uow, query_))
    return page_of(MessageView(many=True, now=uow.now).dump(found), total, query_["page"],
                   query_["page_size"])


@query
def message(uow, key: str) -> dict:
    found = uow.messages.get(key)
    return {**MessageDetailView(now=uow.now).dump(found),
            "attempts_made": AttemptView(many=True, now=uow.now).dump(
                uow.attempts.of_message(key))}


@query
def attempts(uow, query_: dict) -> dict:
    query_ = load(schemas.ListAttempts(), query_)
    found, total = uow.attempts.page(query_)
    return page_of(AttemptView(many=True, now=uow.now).dump(found), total, query_["page"],
                   query_["page_size"])


@command
def retry(uow, key: str, actor: dict, command_: dict) -> dict:
    actor = load(ActorSchema(), actor)
    load(schemas.Retry(), command_)
    if actor["role"] not in ("street_admin", "system"):
        raise forbidden("重新发送通知")
    found = uow.messages.get(key)
    if found.state != domain.FAILED or found.urgent:
        raise not_retryable(key)
    found.retry(uow.now)
    uow.messages.save(found)
    return MessageView(now=uow.now).dump(found)


@query
def dev_messages(uow, query_: dict) -> dict:
    """The development adapter's mailbox, newest first. A sign-in code's text is kept sealed
    and opened here only: this page is the phone of a development system."""
    query_ = load(schemas.ListDevMessages(), query_)
    found, total = uow.mailbox.page(query_, _recipient(uow, query_))
    for item in found:
        item["id"] = item["_id"]
        if item.get("text_sealed"):
            item["text"] = uow.cipher.open(item["text_sealed"])
    return page_of(DevMessageView(many=True, now=uow.now).dump(found), total, query_["page"],
                   query_["page_size"])


@query
def health_sections(uow) -> dict:
    """What the health report adds for notify: the delivery backlog and failures of the last
    day, and the 12345 callbacks (failed ones need an admin: see list_hotline_callbacks)."""
    day_ago = uow.now - timedelta(hours=24)
    failed = uow.messages.failed_since(day_ago)
    delivery = {**uow.messages.backlog(uow.now), "failed_messages_24h": failed,
                "failed_attempts_24h": uow.attempts.failures_since(day_ago), "ok": failed == 0}
    return {"delivery": delivery, "hotline": hotline.summary(uow)}
