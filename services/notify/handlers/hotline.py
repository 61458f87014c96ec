"""The 12345 hotline both ways: an order that came from the hotline (channel hotline_12345,
its ticket in external_ref) has its outcome sent back — 受理 when it is accepted, 办结 with
the answer when it is completed or answered directly — to the hotline's callback URL
(`NOTIFY_HOTLINE_URL`), signed, and retried with a doubling pause until the hotline takes it
(`NOTIFY_HOTLINE_MAX_ATTEMPTS`). What could not be delivered stays `failed`, in the health
report and in `list_hotline_callbacks`, until an admin sends it again."""
from __future__ import annotations

from datetime import timedelta

from services.notify import domain, schemas
from services.notify.exceptions import callback_not_retryable, forbidden
from services.notify.views import CallbackView
from shared import clock
from shared.schemas import ActorSchema, load, page_of
from shared.unit_of_work import command, query

STAGES = {"accepted": "受理", "completed": "办结"}


def configured(config: dict) -> bool:
    return bool(config.get("NOTIFY_HOTLINE_URL"))


def queue(uow, data: dict, stage: str, answer: str | None, event, moment: str | None = None):
    """Called inside an event handler's transaction: the callback is stored with the inbox
    mark. Without a callback URL nothing is queued (the health report says so)."""
    if not configured(uow.config) or not data.get("external_ref"):
        return False
    ticket = data["external_ref"]
    ident = f"{ticket}|{stage}" + (f"|{moment}" if moment else "")
    body = {"delivery_id": ident, "ticket": ticket, "work_order_number": data["number"],
            "stage": stage, "stage_name": STAGES[stage],
            "occurred_at": clock.iso(event.occurred_at), "community": data["community"],
            "category": data["category"], "state": data["state"]}
    if stage == "accepted":
        body["due_at"] = data.get("due_at")
    else:
        body["answer"] = answer
    return uow.callbacks.add({
        "_id": ident, "ticket": ticket, "work_order_number": data["number"], "stage": stage,
        "stage_name": STAGES[stage], "body": body, "state": domain.PENDING, "attempts": 0,
        "next_at": uow.now, "lease_until": None, "last_error": None, "delivered_at": None,
        "created_at": uow.now, "cause": event.event_id})


def _settings(config: dict) -> tuple[int, timedelta, timedelta]:
    return (int(config.get("NOTIFY_HOTLINE_MAX_ATTEMPTS") or 10),
            timedelta(seconds=float(config.get("NOTIFY_HOTLINE_RETRY_SECONDS") or 30)),
            timedelta(seconds=float(config.get("NOTIFY_LEASE_SECONDS") or 60)))


@query
def due(uow, limit: int = 50) -> list[str]:
    return uow.callbacks.due(uow.now, limit)


@command
def claim(uow, ident: str) -> dict | None:
    """The callback's body to send, leased to this worker; None if another holds it."""
    callback = uow.callbacks.get(ident)
    if callback["state"] != domain.PENDING or callback["next_at"] > uow.now:
        return None
    _, _, lease = _settings(uow.config)
    if not uow.callbacks.update(ident, {"next_at": uow.now + lease},
                                {"next_at": callback["next_at"]}):
        return None
    return {"id": ident, "body": callback["body"], "attempt": callback["attempts"] + 1}


@command
def finish(uow, ident: str, outcome: dict) -> None:
    """outcome: {"ok": bool, "status": int|None, "error": str|None, "ms": float}."""
    callback = uow.callbacks.get(ident)
    if callback["state"] != domain.PENDING:
        return
    attempts = callback["attempts"] + 1
    if outcome["ok"]:
        uow.callbacks.update(ident, {"state": domain.SENT, "attempts": attempts,
                                     "delivered_at": uow.now, "next_at": None,
                                     "response_status": outcome.get("status")})
        return
    most, base, _ = _settings(uow.config)
    error = {"code": f"HTTP_{outcome['status']}" if outcome.get("status") else "NO_ANSWER",
             "message": (outcome.get("error") or "")[:300], "at": uow.now}
    if attempts >= most:
        uow.callbacks.update(ident, {"state": domain.FAILED, "attempts": attempts,
                                     "last_error": error, "next_at": None})
    else:
        pause = min(base * 2 ** (attempts - 1), timedelta(hours=1))
        uow.callbacks.update(ident, {"attempts": attempts, "last_error": error,
                                     "next_at": uow.now + pause})


@query
def page(uow, query_: dict) -> dict:
    query_ = load(schemas.ListCallbacks(), query_)
    docs, total = uow.callbacks.page(query_)
    return page_of(CallbackView(many=True, now=uow.now).dump(docs), total, query_["page"],
                   query_["page_size"])


@command
def retry(uow, ident: str, actor: dict, command_: dict) -> dict:
    actor = load(ActorSchema(), actor)
    load(schemas.Retry(), command_)
    if actor["role"] not in ("street_admin", "system"):
        raise forbidden("重新回传 12345 工单结果")
    callback = uow.callbacks.get(ident)
    if callback["state"] != domain.FAILED:
        raise callback_not_retryable(ident)
    uow.callbacks.update(ident, {"state": domain.PENDING, "attempts": 0, "next_at": uow.now})
    return CallbackView(now=uow.now).dump(uow.callbacks.get(ident))


@query
def summary(uow) -> dict:
    """For the health report: configured or not, and what waits or failed."""
    found = uow.callbacks.summary()
    return {"configured": configured(uow.config), "ok": found["failed"] == 0, **found,
            "last_error": _plain(found["last_error"])}


def _plain(error: dict | None) -> dict | None:
    return None if error is None else {**error, "at": clock.iso(error["at"])}
