"""What the activity service tells us: an activity with volunteer slots opens a shift (and
updates it when published again), a cancelled one cancels it, and a finished one credits the
volunteers who served, once."""
from __future__ import annotations

import logging

from services.volunteer import ledger, sources
from services.volunteer.handlers.ledger import credit_shift, write_entry
from services.volunteer.shifts import OPEN, Shift
from shared import clock
from shared.unit_of_work import command

log = logging.getLogger(__name__)

# What an activity published again may change on its shift; sign-ups are kept.
RESCHEDULED = ("title", "place", "starts_at", "ends_at", "needed", "skills", "organiser",
               "description")


@command
def open_activity_shift(uow, event) -> None:
    """An activity with volunteer slots opens a shift; published again, it updates it."""
    data = event.data
    organiser = {"id": "activity", "name": data["organiser"], "role": "system"}
    uow.reference.remember_activity(data)
    details = sources.activity_shift(data)
    shift = uow.shifts.by_source(details["source_key"])
    if shift is not None:
        if shift.state != OPEN:
            return
        if details["needed"] <= 0:
            shift.cancel(organiser, uow.now, "活动不再需要志愿者")
        else:
            shift.reschedule({k: details[k] for k in RESCHEDULED}, organiser, uow.now)
        uow.shifts.save(shift)
    elif details["needed"] > 0:
        uow.shifts.add(Shift.open(uow.shifts.next_id(uow.now), details, organiser, uow.now))


@command
def cancel_activity_shift(uow, event) -> None:
    data = event.data
    shift = uow.shifts.by_source(f"activity:{data['activity_id']}")
    if shift is not None and shift.state == OPEN:
        shift.cancel({"id": "activity", "name": "活动组织方", "role": "system"}, uow.now,
                     f"活动已取消:{data['reason']}")
        uow.shifts.save(shift)


@command
def credit_activity_hours(uow, event) -> None:
    """Volunteers checked in on the activity's shift, and those on its check-in list with
    a volunteer id, are credited once; the organiser is the activity's."""
    data = event.data
    at = uow.now
    activity_id = data["activity_id"]
    listed = {p["volunteer_id"] for p in data["checked_in"] if p.get("volunteer_id")}
    shift = uow.shifts.by_source(f"activity:{activity_id}")
    known = uow.reference.activity(activity_id) or {}
    organiser = (shift.organiser if shift else known.get("organiser")
                 or data["community"])
    recorder = {"id": "activity", "name": f"{organiser}(活动签到)", "role": "system"}
    rules = uow.reference.rules()
    holders = set()
    if shift is not None:
        holders = {a["volunteer_id"] for a in shift.holding()}
        if shift.state == OPEN and data["hours"] > 0:
            shift.finish_activity(listed, data["hours"], recorder, at)
            credit_shift(uow, shift, recorder)
            uow.shifts.save(shift)
    served_on = clock.local_date(clock.parse_iso(data["starts_at"])).isoformat()
    for volunteer_id in sorted(listed):
        key = f"activity:{activity_id}:{volunteer_id}"
        if data["hours"] <= 0 or uow.ledger.has_entry(key):
            continue
        volunteer = uow.volunteers.by_ids([volunteer_id]).get(volunteer_id)
        if volunteer is None or not volunteer.can_be_credited():
            log.warning("activity %s: no volunteer %s to credit", activity_id, volunteer_id)
            continue
        entry = ledger.ledger_entry(
            uow.ledger.new_entry_id(), key, volunteer, served_on, data["title"],
            data["hours"], organiser, recorder, at,
            {"kind": "activity", "activity_id": activity_id,
             "shift_id": shift.id if shift and volunteer_id in holders else None})
        write_entry(uow, entry, volunteer, rules)
