"""Messages to people another service has to name first: the registrants of an activity the
day before it (activity's list of registrations), the job seekers a new posting suits (job's
matching). The courier asks the other service outside any transaction and hands the answer
to `expand`, which turns it into messages by key — doing it twice makes no second message."""
from __future__ import annotations

from services.notify import domain
from services.notify.handlers.events import tell
from shared.unit_of_work import command, query


@query

def due(uow, limit: int = 20) -> list[str]:
    return uow.fanouts.due(uow.now, limit)


@command

def claim(uow, ident: str) -> dict | None:
    task = uow.fanouts.get(ident)
    if task is None or task["state"] != domain.PENDING or task["next_at"] > uow.now:
        return None
    uow.fanouts.update(ident, {"next_at": uow.now + uow.settings.lease})
    return {"id": ident, "kind": task["kind"], "data": task["data"]}


@command

def expand(uow, ident: str, answer: list) -> int:
    """Messages from the other service's answer; the task is done with them."""
    task = uow.fanouts.get(ident)
    if task is None or task["state"] != domain.PENDING:
        return 0
    made = sum(1 for recipient, parts, data in _messages(uow, task, answer)
               if tell(uow, task["kind"], parts, recipient, data, None))
    uow.fanouts.update(ident, {"state": domain.SENT, "done_at": uow.now, "messages": made})
    return made


@command

def failed(uow, ident: str, error: str) -> None:
    """The other service could not answer: try again later, a few times."""
    task = uow.fanouts.get(ident)
    if task is None or task["state"] != domain.PENDING:
        return
    attempts = task["attempts"] + 1
    settings = uow.settings
    changes = {"attempts": attempts, "last_error": error[:300]}
    if attempts >= settings.max_attempts:
        changes["state"] = domain.FAILED
    else:
        changes["next_at"] = uow.now + domain.retry_after(attempts, settings)
    uow.fanouts.update(ident, changes)


def _messages(uow, task: dict, answer: list):
    data = task["data"]
    if task["kind"] == "posting_matched":
        least = float(uow.config.get("NOTIFY_MATCH_MIN_SCORE") or 70)
        for match in answer:
            if match["score"] < least or match.get("application_id"):
                continue  # a poor fit, or already applied
            seeker = match["seeker"]
            yield ({"kind": "seeker", "seeker_id": seeker["seeker_id"], "name": seeker["name"]},
                   [data["posting_id"], seeker["seeker_id"]],
                   {"employer_name": data["employer_name"], "title": data["title"],
                    "summary": data["summary"],
                    "reasons": ";".join(match["reasons"][:3])})
    elif task["kind"] == "activity_reminder":
        for registration in answer:
            if registration["status"] != "registered":
                continue
            yield ({"kind": "registrant", "registration_id": registration["registration_id"],
                    "name": registration["name"]},
                   [data["activity_id"], data["starts_at"], registration["registration_id"]],
                   {"title": data["title"], "start_time": domain.local_text(data["starts_at"]),
                    "place": data["place"]})


# --- activity reminders: the day before ---------------------------------------------------


@query

def reminders_due(uow, limit: int = 20) -> list[str]:
    return uow.registry.reminders_due(uow.now, limit)


@command

def start_reminder(uow, activity_id: str) -> bool:
    """The day before: a fan-out over the activity's registrations (unless it has started,
    been cancelled, or been reminded of for this start already)."""
    activity = uow.registry.activity(activity_id)
    if not activity or not activity.get("reminder_pending"):
        return False
    uow.registry.save_activity({**activity, "reminder_pending": False,
                                "reminded_for": activity["starts_at"]})
    if activity["state"] != "published" or activity["starts_at"] <= uow.now:
        return False
    starts = activity["starts_at"]
    return uow.fanouts.add({
        "_id": f"activity_reminder|{activity_id}|{starts.isoformat()}",
        "kind": "activity_reminder", "state": domain.PENDING, "next_at": uow.now, "attempts": 0,
        "created_at": uow.now, "cause": None,
        "data": {"activity_id": activity_id, "title": activity["title"],
                 "starts_at": starts.isoformat(), "place": activity["place"]}})
