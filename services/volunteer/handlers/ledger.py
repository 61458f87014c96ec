"""The hours ledger (志愿服务记录): hours credited from shifts and recorded by hand, the
entries, and a volunteer's hours. Entries are written here and nowhere else."""
from __future__ import annotations

from services.volunteer import domain, exceptions, ledger, schemas
from services.volunteer.shifts import Shift
from services.volunteer.views import LedgerEntryView, VolunteerHoursView
from shared import clock
from shared.schemas import ActorSchema, load, month_range
from shared.unit_of_work import command, query


def write_entry(uow, entry: dict, volunteer: domain.Volunteer,
                rules: domain.RecognitionRules) -> None:
    """One ledger entry, the volunteer's totals and recognition, figures and events."""
    uow.ledger.add(entry)
    volunteer.credit(entry["hours"], entry["date"], uow.now, rules,
                     counts_as_service=entry["corrects"] is None)
    uow.emit(*ledger.credited_event(entry, volunteer.total_hours))
    uow.volunteers.save(volunteer)


def credit_shift(uow, shift: Shift, recorder: dict) -> None:
    """Ledger entries for the hours a shift step settled: organiser = the shift's
    organiser, recorder = whoever completed it. A service already credited is not again."""
    rules = uow.reference.rules()
    activity_id = (shift.source or {}).get("activity_id")
    for credit in shift.credits:
        if uow.ledger.has_entry(credit["key"]):
            continue
        volunteer = uow.volunteers.get(credit["volunteer_id"])
        entry = ledger.ledger_entry(
            uow.ledger.new_entry_id(), credit["key"], volunteer, credit["date"],
            credit["content"], credit["hours"], shift.organiser, recorder, uow.now,
            {"kind": "shift", "shift_id": shift.id, "activity_id": activity_id},
            credit["skills"])
        write_entry(uow, entry, volunteer, rules)
        shift.link_entry(volunteer.id, entry["id"])
    shift.credits = []


@command
def record_hours(uow, actor: dict, command: dict) -> dict:
    """补录: the organiser records service done outside a shift."""
    actor = load(ActorSchema(), actor)
    command = load(schemas.RecordHours(), command)
    domain.require_staff(actor, "补录志愿服务时长")
    volunteer = uow.volunteers.get(command["volunteer_id"])
    if not volunteer.can_be_credited():
        raise exceptions.not_serving(volunteer.name,
                                     domain.VOLUNTEER_STATE_NAMES[volunteer.state])
    if command["date"] > clock.local_date(uow.now):
        raise exceptions.invalid("date", "服务日期不能晚于今天。")
    entry_id = uow.ledger.new_entry_id()
    entry = ledger.ledger_entry(
        entry_id, f"manual:{entry_id}", volunteer, command["date"].isoformat(),
        command["content"], command["hours"], command["organiser"], actor, uow.now,
        {"kind": "manual"}, note=command["note"])
    write_entry(uow, entry, volunteer, uow.reference.rules())
    return LedgerEntryView(now=uow.now).dump(uow.ledger.get(entry_id))


@query
def entry(uow, entry_id: str) -> dict:
    return LedgerEntryView(now=uow.now).dump(uow.ledger.get(entry_id))


@query
def entries(uow, query: dict) -> dict:
    query = load(schemas.ListEntries(), query)
    page = uow.ledger.page(query)
    return {**page, "items": LedgerEntryView(many=True, now=uow.now).dump(page["items"])}


@query
def volunteer_hours(uow, volunteer_id: str, query: dict) -> dict:
    """A volunteer's hours: all-time, in a period and by month, and the next star."""
    query = load(schemas.VolunteerHours(), query)
    volunteer = uow.volunteers.get(volunteer_id)
    first, last = month_range(query["period"], query["from_month"], query["to_month"])
    return VolunteerHoursView(now=uow.now).dump({
        "volunteer": volunteer, "rules": uow.reference.rules(),
        "period": {"from_month": first, "to_month": last},
        "by_month": uow.ledger.hours_by_month(volunteer_id, first, last)})
