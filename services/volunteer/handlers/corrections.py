"""Corrections of recorded hours: a volunteer asks, the organiser approves or rejects. An
approval corrects the attendance and, if the hours were already credited, writes a correction
entry with the difference to the ledger; the entries written before stay as they are."""
from __future__ import annotations

from services.volunteer import corrections, exceptions, ledger, schemas
from services.volunteer.corrections import Correction
from services.volunteer.handlers.ledger import write_entry
from services.volunteer.handlers.shifts import instant
from services.volunteer.views import CorrectionView
from shared import clock
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@command
def request(uow, actor: dict, command: dict) -> dict:
    """A volunteer asks the organiser to correct recorded attendance or hours."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.RequestCorrection(), command)
    volunteer = uow.volunteers.get(command["volunteer_id"])
    shift_id, hours = command["shift_id"], command["hours"]
    if command["entry_id"]:
        entry = uow.ledger.get(command["entry_id"])
        if entry["volunteer_id"] != volunteer.id:
            raise exceptions.entry_not_found(command["entry_id"])
        root = entry["corrects"] or entry["id"]
        shift_id = uow.ledger.get(root)["source"].get("shift_id")
    if shift_id:  # attendance on a shift is corrected on the shift
        shift = uow.shifts.get(shift_id)
        old, new = corrections.attendance_values(
            shift, volunteer.id, instant(command["check_in_at"]),
            instant(command["check_out_at"]), hours)
        target = {"kind": "shift", "shift_id": shift.id}
        community, organiser = shift.community, shift.organiser
    else:
        old = {"hours": uow.ledger.net_hours(root)}
        new = {"hours": hours}
        if old == new:
            raise exceptions.invalid("hours", "更正后的值与现有记录相同。")
        target = {"kind": "entry", "entry_id": root}
        original = uow.ledger.get(root)
        community, organiser = original["community"], original["organiser"]
    correction = Correction.request(uow.corrections.next_id(uow.now), {
        "volunteer_id": volunteer.id, "volunteer_name": volunteer.name,
        "community": community, "organiser": organiser, "target": target,
        "old": old, "new": new, "reason": command["reason"]}, actor, uow.now)
    pending = uow.corrections.pending(correction.target_key)
    if pending:
        raise exceptions.correction_pending(pending)
    uow.corrections.add(correction)
    return CorrectionView(now=uow.now).dump(correction)


@command
def approve(uow, correction_id: str, actor: dict, command: dict) -> dict:
    """The organiser approves: the attendance is corrected and, if the hours were already
    credited, a correction entry with the difference is written to the ledger."""
    note = load(schemas.Note(), command)["note"]
    actor = load(ActorSchema(), actor)
    correction = uow.corrections.get(correction_id)
    correction.approve(actor, uow.now, note)
    volunteer = uow.volunteers.get(correction.volunteer_id)
    rules = uow.reference.rules()
    source = {"kind": "correction", "correction_id": correction.id}
    if correction.target["kind"] == "shift":
        shift = uow.shifts.get(correction.target["shift_id"])
        delta = shift.apply_correction(volunteer.id, correction.id, correction.old,
                                       correction.new, actor, uow.now)
        if delta:
            entry = _shift_correction_entry(uow, shift, volunteer, delta, actor, source)
            write_entry(uow, entry, volunteer, rules)
            shift.link_entry(volunteer.id, entry["id"])
            correction.entry_id = entry["id"]
        uow.shifts.save(shift)
    else:
        root = uow.ledger.get(correction.target["entry_id"])
        delta = round(correction.new["hours"] - uow.ledger.net_hours(root["id"]), 2)
        if delta:
            entry = ledger.ledger_entry(
                uow.ledger.new_entry_id(), f"correction:{correction.id}", volunteer,
                root["date"], root["content"], delta, root["organiser"], actor, uow.now,
                {**source, "activity_id": root["source"].get("activity_id")},
                root["skills"], corrects=root["id"], note=correction.reason)
            write_entry(uow, entry, volunteer, rules)
            correction.entry_id = entry["id"]
    uow.corrections.save(correction)
    return CorrectionView(now=uow.now).dump(correction)


def _shift_correction_entry(uow, shift, volunteer, delta, actor, source) -> dict:
    """The entry an approved shift correction writes: a correction of the credited entry,
    or the first credit of someone recorded absent."""
    assignment = shift.assignment(volunteer.id)
    root_id = assignment["entry_ids"][0] if assignment["entry_ids"] else None
    if root_id is None:
        existing = uow.ledger.by_key(shift.credit_key(volunteer.id))
        root_id = existing["id"] if existing else None
    activity_id = (shift.source or {}).get("activity_id")
    if root_id is None:
        served_on = clock.local_date(assignment["check_in_at"] or shift.starts_at)
        return ledger.ledger_entry(
            uow.ledger.new_entry_id(), shift.credit_key(volunteer.id), volunteer,
            served_on.isoformat(), shift.title, delta, shift.organiser, actor, uow.now,
            {"kind": "shift", "shift_id": shift.id, "activity_id": activity_id},
            [s for s in shift.skills if s in volunteer.skills])
    root = uow.ledger.get(root_id)
    return ledger.ledger_entry(
        uow.ledger.new_entry_id(), f"correction:{source['correction_id']}", volunteer,
        root["date"], root["content"], delta, root["organiser"], actor, uow.now,
        {**source, "shift_id": shift.id, "activity_id": activity_id}, root["skills"],
        corrects=root_id)


@command
def reject(uow, correction_id: str, actor: dict, command: dict) -> dict:
    reason = load(schemas.Reason(), command)["reason"]
    actor = load(ActorSchema(), actor)
    correction = uow.corrections.get(correction_id)
    correction.reject(actor, uow.now, reason)
    uow.corrections.save(correction)
    return CorrectionView(now=uow.now).dump(correction)


@query
def get(uow, correction_id: str) -> dict:
    return CorrectionView(now=uow.now).dump(uow.corrections.get(correction_id))


@query
def page(uow, query: dict) -> dict:
    query = load(schemas.ListCorrections(), query)
    page = uow.corrections.page(query)
    return {**page, "items": CorrectionView(many=True, now=uow.now).dump(page["items"])}
