"""The volunteer service's repositories in memory (see tests/unit/fakes.py). They keep the
promises the handlers rely on: one registration per ID number, one pending correction per
attendance, one ledger entry per service key, figures moved with every change."""
from __future__ import annotations

import itertools

from services.volunteer import domain, ledger
from services.volunteer.exceptions import (already_registered, certificate_not_found,
                                           correction_not_found, correction_pending,
                                           entry_not_found, shift_not_found, team_not_found,
                                           volunteer_not_found)
from services.volunteer.shifts import FLEXIBLE_KINDS, HOLDING, OPEN, SIGNED_UP
from shared import clock
from tests.unit.fakes import FakeUnitOfWork, InMemoryAggregates, first_page


def _day_number(uow, prefix, at) -> str:
    day = clock.local_date(at).strftime("%Y%m%d")
    return f"{prefix}{day}{uow.next_number(f'{prefix}{day}'):04d}"


class FakeVolunteers(InMemoryAggregates):
    def __init__(self, uow):
        super().__init__(uow, "id", volunteer_not_found)
        self.reveals: list = []

    def next_id(self, at) -> str:
        return _day_number(self.uow, "V", at)

    def add(self, volunteer) -> None:
        holder = self.registered(volunteer.registration_key)
        if volunteer.registration_key and holder is not None:
            raise already_registered(holder.id, domain.VOLUNTEER_STATE_NAMES[holder.state])
        super().add(volunteer)
        self.uow.figures.extend(volunteer.snapshot_changes())
        self.stored[volunteer.id].counted = volunteer.counted

    def save(self, volunteer) -> None:
        super().save(volunteer)
        self.uow.figures.extend(volunteer.snapshot_changes())
        self.stored[volunteer.id].counted = volunteer.counted

    def registered(self, fingerprint):
        found = self.where(lambda v: fingerprint and v.registration_key == fingerprint)
        return found[0] if found else None

    def by_ids(self, ids):
        return {v.id: v for v in self.where(lambda v: v.id in ids)}

    def lock_schedule(self, volunteer_id) -> None:
        pass

    def page(self, query):
        found = self.where(lambda v: query.get("community") in (None, v.community))
        return first_page(found, query)

    def candidates(self, shift, busy, limit):
        taken = {a["volunteer_id"] for a in shift.holding()} | busy
        return [(v, False) for v in self.where(
            lambda v: v.state == domain.ACTIVE and v.id not in taken
            and not shift.missing_skills(v))][:limit]

    def record_reveal(self, actor, volunteer_id, fields, purpose) -> None:
        self.reveals.append((actor["id"], volunteer_id, tuple(fields), purpose))


class FakeShifts(InMemoryAggregates):
    def __init__(self, uow):
        super().__init__(uow, "id", shift_not_found)

    def next_id(self, at) -> str:
        return _day_number(self.uow, "S", at)

    def by_source(self, source_key):
        found = self.where(lambda s: source_key and s.source_key == source_key)
        return found[0] if found else None

    def open_visits_for_work_order(self, number):
        return self.where(lambda s: (s.source or {}).get("work_order_number") == number
                          and s.state == OPEN)

    def overlapping(self, volunteer_id, shift):
        return [s for s in self.where(lambda s: shift.overlaps(s))
                if (s.assignment(volunteer_id) or {}).get("status") in HOLDING]

    def upcoming_sign_ups(self, volunteer_id, at):
        return self.where(lambda s: s.state == OPEN
                          and (s.assignment(volunteer_id) or {}).get("status") == SIGNED_UP
                          and (s.starts_at > at or s.kind in FLEXIBLE_KINDS))

    def busy_volunteers(self, shift):
        return {a["volunteer_id"] for s in self.where(lambda s: shift.overlaps(s))
                for a in s.holding()}

    def due_for_completion(self, before, limit):
        return [s.id for s in self.where(lambda s: s.state == OPEN and s.ends_at <= before
                                         and s.kind not in FLEXIBLE_KINDS)][:limit]

    def page(self, query, at):
        found = self.where(lambda s: query.get("community") in (None, s.community))
        return first_page(found, query)


class FakeCorrections(InMemoryAggregates):
    def __init__(self, uow):
        super().__init__(uow, "id", correction_not_found)

    def next_id(self, at) -> str:
        return _day_number(self.uow, "C", at)

    def pending(self, target_key):
        found = self.where(lambda c: c.state == "requested" and c.target_key == target_key)
        return found[0].id if found else None

    def add(self, correction) -> None:
        pending = self.pending(correction.target_key)
        if pending:
            raise correction_pending(pending)
        super().add(correction)

    def page(self, query):
        found = self.where(lambda c: query.get("volunteer_id") in (None, c.volunteer_id))
        return first_page(found, query)


class FakeLedger:
    def __init__(self, uow):
        self.uow = uow
        self.stored: dict = {}
        self._ids = itertools.count(1)
        uow.stores.append(self)

    def new_entry_id(self) -> str:
        return f"E{next(self._ids):024d}"

    def has_entry(self, key) -> bool:
        return self.by_key(key) is not None

    def get(self, entry_id) -> dict:
        if entry_id not in self.stored:
            raise entry_not_found(entry_id)
        return dict(self.stored[entry_id])

    def by_key(self, key):
        return next((dict(e) for e in self.stored.values() if e["key"] == key), None)

    def net_hours(self, entry_id) -> float:
        return round(sum(e["hours"] for e in self.stored.values()
                         if entry_id in (e["id"], e["corrects"])), 2)

    def add(self, entry) -> None:
        if self.has_entry(entry["key"]):
            raise AssertionError(f"{entry['key']} credited twice")
        self.stored[entry["id"]] = dict(entry)
        self.uow.figures.append(((entry["month"], entry["community"], entry["team"] or ""),
                                 ledger.entry_stat_changes(entry)))

    def all(self) -> list[dict]:
        return [dict(e) for e in self.stored.values()]

    def page(self, query):
        found = [e for e in self.all()
                 if query.get("volunteer_id") in (None, e["volunteer_id"])]
        return first_page(found, query)

    def entries_of(self, volunteer_id, organiser=None, first=None, last=None):
        return [e for e in self.all() if e["volunteer_id"] == volunteer_id
                and organiser in (None, e["organiser"])
                and (first or "") <= e["date"] <= (last or "9999")]

    def hours_by_month(self, volunteer_id, first, last):
        months: dict = {}
        for e in self.entries_of(volunteer_id):
            month = months.setdefault(e["month"], {"month": e["month"], "hours": 0,
                                                   "services": 0})
            month["hours"] = round(month["hours"] + e["hours"], 2)
            month["services"] += 0 if e["corrects"] else 1
        return [months[m] for m in sorted(months)]


class FakeCertificates:
    def __init__(self, uow):
        self.uow = uow
        self.stored: dict = {}
        uow.stores.append(self)

    def next_sequence(self, year) -> int:
        return self.uow.next_number(f"certificate{year}")

    def get(self, number) -> dict:
        if number not in self.stored:
            raise certificate_not_found(number)
        return dict(self.stored[number])

    def add(self, cert) -> None:
        self.stored[cert["number"]] = dict(cert)

    def save(self, cert) -> None:
        self.stored[cert["number"]] = dict(cert)

    def page(self, query):
        found = list(self.stored.values())
        return first_page(found, query)


class FakeReference:
    def __init__(self, uow):
        self.stored = {"teams": {}, "rules": None, "activities": {}}
        uow.stores.append(self)

    def teams(self, community=None, include_inactive=False):
        return [t for t in self.stored["teams"].values()
                if community in (None, t["community"]) and (include_inactive or t["active"])]

    def team_names(self):
        return {code: t["name"] for code, t in self.stored["teams"].items()}

    def find_team(self, code):
        return self.stored["teams"].get(code)

    def team(self, code):
        if code not in self.stored["teams"]:
            raise team_not_found(code)
        return dict(self.stored["teams"][code])

    def require_team(self, code):
        if code is not None and not (self.find_team(code) or {}).get("active"):
            raise team_not_found(code)

    def save_team(self, team):
        self.stored["teams"][team["code"]] = {"leader": None, "description": None, **team}

    def rules(self):
        return domain.rules_from(self.stored["rules"])

    def set_rules(self, rules):
        self.stored["rules"] = dict(rules)

    def remember_activity(self, data):
        self.stored["activities"][data["activity_id"]] = {
            k: data[k] for k in ("title", "organiser", "community", "starts_at", "ends_at")}

    def activity(self, activity_id):
        return self.stored["activities"].get(activity_id)


class FakeVolunteerUnitOfWork(FakeUnitOfWork):
    source = "volunteer"

    def __init__(self, now=None):
        super().__init__(now)
        self.volunteers = FakeVolunteers(self)
        self.shifts = FakeShifts(self)
        self.corrections = FakeCorrections(self)
        self.ledger = FakeLedger(self)
        self.certificates = FakeCertificates(self)
        self.reference = FakeReference(self)
        self.sequences: dict = {}

    def next_number(self, name: str) -> int:
        """Each sequence on its own, as the real counters are (one per day's prefix, one per
        year of certificates)."""
        self.sequences[name] = self.sequences.get(name, 0) + 1
        return self.sequences[name]
