"""From the other services' events to messages: who is told what. Each handler runs in one
transaction with the event's inbox mark, so the message (stored under a key naming the fact
and the person) and the mark commit together: an event delivered twice, or handled again
after a crash, makes no second message. Nothing here reaches anyone; the courier does, later.

No event carries a phone number or an e-mail address: a message names its recipient by the
owning service's record (the work order's reporter, a registration, a volunteer, an
employer, a job seeker), and the courier asks that service for the address when it sends
(see services/notify/directory.py).
"""
from __future__ import annotations

from services.notify import domain
from services.notify.handlers import hotline
from shared import clock, names
from shared.unit_of_work import command

HOTLINE = "hotline_12345"


def tell(uow, kind: str, parts: list, recipient: dict, data: dict, event) -> bool:
    message = domain.Message.new(domain.message_key(kind, *parts), kind, recipient, data,
                                 uow.now, cause=event.event_id if event else None)
    return uow.messages.add_new(message)


def _place(data: dict) -> str:
    return data.get("address") or data.get("alley") or data.get("community") or ""


def _reporter_is_told(data: dict) -> bool:
    """Residents who left a phone or e-mail; not 补录 history, and not 12345 tickets (the
    hotline tells its own caller, from the callback)."""
    return (bool(data.get("reporter_reachable")) and not data.get("imported")
            and data.get("channel") != HOTLINE)


def _reporter(data: dict) -> dict:
    return {"kind": "reporter", "number": data["number"], "name": data.get("reporter_name")}


# --- work orders (repair) ------------------------------------------------------------------

@command
def work_order_accepted(uow, event) -> None:
    data = event.data
    if data.get("channel") == HOTLINE and not data.get("imported"):
        hotline.queue(uow, data, "accepted", None, event)
    if _reporter_is_told(data):
        tell(uow, "work_order_accepted", [data["number"]], _reporter(data),
             {"number": data["number"], "address": _place(data),
              "due_date": domain.local_day(data["due_at"])}, event)


@command
def work_order_completed(uow, event) -> None:
    data = event.data
    answer = data.get("result_note") or "已办理完毕"
    if data.get("channel") == HOTLINE and not data.get("imported"):
        hotline.queue(uow, data, "completed", answer, event, moment=data["completed_at"])
    if _reporter_is_told(data):
        tell(uow, "work_order_completed", [data["number"], data["completed_at"]],
             _reporter(data), {"number": data["number"], "address": _place(data),
                               "answer": answer}, event)


@command
def work_order_closed(uow, event) -> None:
    data = event.data
    if data.get("imported"):
        return
    if data.get("channel") == HOTLINE and data["resolution"] == "answered":
        hotline.queue(uow, data, "completed", data.get("result_note") or "已答复", event,
                      moment=data["closed_at"])
    resolution = domain.RESOLUTIONS.get(data["resolution"], "已办结")
    source = data.get("source_ref") or {}
    if source.get("service") == "job":
        problem = uow.registry.problem(source["ref"]) or {}
        tell(uow, "employer_problem_resolved", [source["ref"], data["closed_at"]],
             {"kind": "employer", "problem_id": source["ref"],
              "employer_id": problem.get("employer_id"), "name": problem.get("employer_name")},
             {"number": data["number"], "problem": problem.get("description") or _place(data),
              "resolution_name": resolution}, event)
    elif _reporter_is_told(data):
        tell(uow, "work_order_closed", [data["number"], data["closed_at"]], _reporter(data),
             {"number": data["number"], "address": _place(data),
              "resolution_name": resolution}, event)


# --- activities ----------------------------------------------------------------------------

def _activity_place(data: dict) -> str:
    return names.place(data.get("venue"), data.get("room")) or \
        data.get("address") or data.get("community") or ""


@command
def activity_scheduled(uow, event) -> None:
    """Published or updated: when to remind its registrants; volunteers signed up for its
    shifts are told when its time or place changed."""
    data = event.data
    known = uow.registry.activity(data["activity_id"])
    version = data.get("activity_version")
    if known and version is not None and (known.get("version") or 0) > version:
        return  # a late event: what we keep is newer
    starts_at = clock.parse_iso(data["starts_at"])
    place = _activity_place(data)
    settings = uow.settings
    document = {"_id": data["activity_id"], "title": data["title"], "starts_at": starts_at,
                "ends_at": clock.parse_iso(data["ends_at"]), "place": place,
                "community": data["community"], "version": version, "state": "published",
                "reminder_at": domain.reminder_at(starts_at, settings),
                "reminded_for": (known or {}).get("reminded_for"),
                "updated_at": uow.now}
    document["reminder_pending"] = (starts_at > uow.now
                                    and document["reminded_for"] != starts_at)
    changed = bool(known) and (known["starts_at"] != starts_at or known.get("place") != place
                               or known["ends_at"] != document["ends_at"])
    # The last change of time or place, kept for sign-ups heard of after it (signed_up).
    document["change"] = ({"at": event.occurred_at, "starts_at": data["starts_at"],
                           "place": place} if changed else (known or {}).get("change"))
    uow.registry.save_activity(document)
    if changed:
        for shift in uow.registry.shifts_of_activity(data["activity_id"]):
            for signup in uow.registry.signed_up(shift["_id"]):
                _shift_changed(uow, shift, signup["volunteer_id"], signup.get("name"),
                               document, event)


def _shift_changed(uow, shift: dict, volunteer_id: str, name: str | None, activity: dict,
                   event) -> None:
    change = activity["change"]
    tell(uow, "shift_changed", [shift["_id"], volunteer_id, change["starts_at"],
                                change["place"]],
         {"kind": "volunteer", "volunteer_id": volunteer_id, "name": name},
         {"title": shift["title"], "start_time": domain.local_text(activity["starts_at"]),
          "end_time": domain.local_text(activity["ends_at"]), "place": change["place"]}, event)


@command
def activity_cancelled(uow, event) -> None:
    known = uow.registry.activity(event.data["activity_id"])
    if known:
        uow.registry.save_activity({**known, "state": "cancelled", "reminder_pending": False,
                                    "updated_at": uow.now})


@command
def registration_promoted(uow, event) -> None:
    data = event.data
    tell(uow, "registration_promoted", [data["registration_id"]],
         {"kind": "registrant", "registration_id": data["registration_id"],
          "name": data["name"]},
         {"title": data["title"], "start_time": domain.local_text(data["starts_at"])}, event)


# --- volunteers ----------------------------------------------------------------------------

FOLLOW_UP_VISIT = "follow_up_visit"


def _assigned(uow, shift: dict, volunteer_id: str, name: str | None, event) -> None:
    tell(uow, "follow_up_assigned", [shift["_id"], volunteer_id],
         {"kind": "volunteer", "volunteer_id": volunteer_id, "name": name},
         {"number": shift.get("work_order_number") or "", "place": shift["place"],
          "end_time": domain.local_text(shift["ends_at"])}, event)


@command
def shift_opened(uow, event) -> None:
    data = event.data
    shift = {"_id": data["shift_id"], "kind": data["kind"], "title": data["title"],
             "starts_at": data["starts_at"], "ends_at": data["ends_at"],
             "place": data["place"], "activity_id": data.get("activity_id"),
             "work_order_number": data.get("work_order_number")}
    uow.registry.save_shift(shift)
    if shift["kind"] == FOLLOW_UP_VISIT:  # sign-ups that arrived before the shift did
        for signup in uow.registry.signed_up(shift["_id"]):
            _assigned(uow, shift, signup["volunteer_id"], signup.get("name"), event)


@command
def signed_up(uow, event) -> None:
    data = event.data
    uow.registry.sign_up(data["shift_id"], data["volunteer_id"], data["volunteer_name"], True,
                         uow.now)
    shift = uow.registry.shift(data["shift_id"])
    if shift and shift["kind"] == FOLLOW_UP_VISIT:
        _assigned(uow, shift, data["volunteer_id"], data["volunteer_name"], event)
    elif shift and shift.get("activity_id"):
        # The activity's events and the volunteer service's come by different queues: a
        # sign-up made before the activity's time or place changed may be heard of after the
        # change was told to those signed up. They are told now (the same message, once).
        activity = uow.registry.activity(shift["activity_id"])
        change = (activity or {}).get("change")
        if change and clock.as_utc(change["at"]) > clock.as_utc(event.occurred_at):
            _shift_changed(uow, shift, data["volunteer_id"], data["volunteer_name"], activity,
                           event)


@command
def sign_up_withdrawn(uow, event) -> None:
    data = event.data
    uow.registry.sign_up(data["shift_id"], data["volunteer_id"], data["volunteer_name"], False,
                         uow.now)


@command
def shift_cancelled(uow, event) -> None:
    data = event.data
    names = {s["volunteer_id"]: s.get("name") for s in uow.registry.signed_up(data["shift_id"])}
    for volunteer_id in data["volunteer_ids"]:
        tell(uow, "shift_cancelled", [data["shift_id"], volunteer_id],
             {"kind": "volunteer", "volunteer_id": volunteer_id,
              "name": names.get(volunteer_id)},
             {"title": data["title"], "start_time": domain.local_text(data["starts_at"]),
              "reason": data["reason"]}, event)


# --- employment (job) ----------------------------------------------------------------------

@command
def employer_problem_reported(uow, event) -> None:
    data = event.data
    uow.registry.save_problem({"_id": data["problem_id"], "employer_id": data["employer_id"],
                               "employer_name": data["employer_name"],
                               "description": data["description"], "at": uow.now})


@command
def job_posting_opened(uow, event) -> None:
    """Matching people are found by asking job (outside this transaction): a fan-out."""
    data = event.data
    uow.fanouts.add({"_id": f"posting_matched|{data['posting_id']}|{data['valid_through']}",
                     "kind": "posting_matched", "state": domain.PENDING, "next_at": uow.now,
                     "attempts": 0, "created_at": uow.now, "cause": event.event_id,
                     "data": {k: data.get(k) for k in ("posting_id", "employer_name", "title",
                                                       "summary", "hours_flexible")}})
