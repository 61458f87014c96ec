"""The activity service's repositories in memory (see tests/unit/fakes.py). They keep the
promises the handlers rely on: a place is booked by one activity at a time, a phone registers
once per activity, a volunteer has one open nomination per category, names of venues and
rooms are unique where they live, and a cancelled activity's registrations follow it."""
from __future__ import annotations

import copy

from services.activity import catalogue, exemplars
from services.activity import exceptions as errors
from services.activity.registrations import WAITLISTED
from services.activity.scheduling import window_text
from shared import clock
from tests.unit.fakes import FakeUnitOfWork, InMemoryAggregates, first_page


class FakeActivities(InMemoryAggregates):
    def __init__(self, uow):
        super().__init__(uow, "activity_id", errors.activity_not_found)

    def next_id(self, at) -> str:
        day = f"AC{clock.local_date(at):%Y%m%d}"
        return f"{day}{self.uow.next_number(day):04d}"

    def add(self, activity) -> None:
        self._book(activity)
        self._sweep(activity)
        super().add(activity)

    def save(self, activity) -> None:
        self._book(activity)
        self._sweep(activity)
        super().save(activity)

    def _book(self, activity) -> None:
        if (activity.state == catalogue.CANCELLED or not activity.venue
                or not activity.starts_at):
            return
        space = (activity.room or activity.venue)["id"]
        clashes = [{"activity_id": other.activity_id, "title": other.title,
                    "starts_at": clock.iso(other.starts_at), "ends_at": clock.iso(other.ends_at),
                    "when": window_text(other.starts_at, other.ends_at)}
                   for other in self.where(lambda a: (
                       a.activity_id != activity.activity_id
                       and a.state != catalogue.CANCELLED and a.venue and a.starts_at
                       and (a.room or a.venue)["id"] == space
                       and a.starts_at < activity.ends_at and a.ends_at > activity.starts_at))]
        if clashes:
            raise errors.room_booked(activity.place_name, clashes)

    def _sweep(self, activity) -> None:
        for statuses, to_status in activity.sweeps:
            for registration in self.uow.registrations.stored.values():
                if (registration.activity_id == activity.activity_id
                        and registration.status in statuses):
                    registration.status = to_status
                    registration.updated_at = activity.updated_at
        activity.sweeps = []

    def unfeature_everywhere(self, exemplar_id, at) -> int:
        changed = 0
        for activity in self.stored.values():
            shown = [f for f in activity.featured_exemplars if f["exemplar_id"] == exemplar_id]
            if shown and activity.state in catalogue.LIVE:
                activity.featured_exemplars = [f for f in activity.featured_exemplars
                                               if f["exemplar_id"] != exemplar_id]
                activity.updated_at, activity.version = at, activity.version + 1
                changed += 1
        return changed

    def by_source(self, service, ref):
        found = self.where(lambda a: a.source_ref == {"service": service, "ref": ref})
        return found[0] if found else None

    def page(self, query, at):
        found = self.where(lambda a: query.get("community") in (None, a.community))
        return first_page(found, query)

    def due(self, at, limit) -> list[str]:
        return [a.activity_id for a in self.where(
            lambda a: a.due_to_start(at) or a.due_to_finish(at))][:limit]

    def by_ids(self, ids) -> dict:
        return {a.activity_id: a for a in self.where(lambda a: a.activity_id in ids)}

    def in_series(self, series_id):
        return sorted(self.where(lambda a: a.series_id == series_id),
                      key=lambda a: a.starts_at)

    def featuring(self, exemplar_id, limit=50):
        return self.where(lambda a: any(f["exemplar_id"] == exemplar_id
                                        for f in a.featured_exemplars))[:limit]

    def statistics_buckets(self, first_month, last_month, community, venue_id, theme,
                           festival, group_by=None) -> list[dict]:
        """The buckets the figures the aggregates counted would have filled."""
        buckets: dict[tuple, dict] = {}
        for key, changes in self.uow.figures:
            counts = buckets.setdefault(tuple(key), {})
            for name, value in changes.items():
                counts[name] = counts.get(name, 0) + value
        dimensions = ("month", "community", "venue_id", "theme", "festival")
        found = [{**dict(zip(dimensions, key)), "counts": counts}
                 for key, counts in buckets.items()]
        return [b for b in found
                if (first_month is None or b["month"] >= first_month)
                and (last_month is None or b["month"] <= last_month)
                and community in (None, b["community"])]


class FakeSeries:
    def __init__(self, uow):
        self.uow = uow
        self.stored: dict = {}
        uow.stores.append(self)

    def next_id(self, at) -> str:
        day = f"SR{clock.local_date(at):%Y%m%d}"
        return f"{day}{self.uow.next_number(day):02d}"

    def add(self, series) -> None:
        self.stored[series["_id"]] = copy.deepcopy(series)

    def get(self, series_id) -> dict:
        if series_id not in self.stored:
            raise errors.series_not_found(series_id)
        return copy.deepcopy(self.stored[series_id])


class FakeRegistrations:
    def __init__(self, uow):
        self.uow = uow
        self.stored: dict = {}
        self.reveals: list = []
        uow.stores.append(self)

    def _all(self) -> list:
        return [copy.deepcopy(r) for r in self.stored.values()]

    def get(self, registration_id):
        if registration_id not in self.stored:
            raise errors.registration_not_found(registration_id)
        return copy.deepcopy(self.stored[registration_id])

    def by_code(self, activity_id, code):
        found = [r for r in self._all() if (r.activity_id, r.code) == (activity_id, code)]
        if not found:
            raise errors.registration_not_found(f"(签到码 {code})")
        return found[0]

    def by_key(self, key):
        found = [r for r in self._all() if key is not None and r.dedupe_key == key]
        return found[0] if found else None

    def code_taken(self, activity_id, code) -> bool:
        return any((r.activity_id, r.code) == (activity_id, code) for r in self._all())

    def add(self, registration) -> None:
        if registration.dedupe_key and self.by_key(registration.dedupe_key):
            raise errors.already_registered(registration.phone["masked"])
        self.stored[registration.registration_id] = copy.deepcopy(registration)

    def save(self, registration) -> None:
        self.stored[registration.registration_id] = copy.deepcopy(registration)

    def waitlisted(self, activity_id, limit):
        waiting = [r for r in self._all()
                   if r.activity_id == activity_id and r.status == WAITLISTED]
        return sorted(waiting, key=lambda r: (r.waitlisted_at, r.registration_id))[:limit]

    def checked_in(self, activity_id):
        return sorted((r for r in self._all()
                       if r.activity_id == activity_id and r.checked_in_at is not None),
                      key=lambda r: (r.checked_in_at, r.registration_id))

    def waitlist_position(self, registration):
        if registration.status != WAITLISTED:
            return None
        waiting = self.waitlisted(registration.activity_id, len(self.stored))
        return [r.registration_id for r in waiting].index(registration.registration_id) + 1

    def page(self, query, fingerprint):
        found = [r for r in self._all()
                 if query.get("activity_id") in (None, r.activity_id)
                 and (fingerprint is None or (r.phone or {}).get("fingerprint") == fingerprint)]
        return first_page(found, query)

    def record_reveal(self, actor, registration_id, fields, purpose) -> None:
        self.reveals.append((actor["id"], registration_id, tuple(fields), purpose))


class FakeVenues:
    def __init__(self, uow):
        self.uow = uow
        self.stored: dict = {"venues": {}, "rooms": {}}
        uow.stores.append(self)

    def next_venue_id(self) -> str:
        return f"V{self.uow.next_number('V'):03d}"

    def next_room_id(self, venue_id) -> str:
        return f"{venue_id}-R{self.uow.next_number(f'{venue_id}-R'):02d}"

    def venue(self, venue_id, active_only=True) -> dict:
        venue = self.stored["venues"].get(venue_id)
        if venue is None or (active_only and not venue["active"]):
            raise errors.venue_not_found(venue_id)
        return copy.deepcopy(venue)

    def room(self, room_id, active_only=True) -> dict:
        room = self.stored["rooms"].get(room_id)
        if room is None or (active_only and not room["active"]):
            raise errors.room_not_found(room_id)
        return copy.deepcopy(room)

    def place(self, venue_id, room_id):
        if room_id and not venue_id:
            venue_id = self.room(room_id)["venue_id"]
        if not venue_id:
            return None
        return {"venue": self.venue(venue_id), "room": self.room(room_id) if room_id else None}

    def citizen_school(self, community):
        for room in sorted(self.stored["rooms"].values(), key=lambda r: r["id"]):
            if (room["community"], room["kind"], room["active"]) == (
                    community, catalogue.CITIZEN_SCHOOL, True):
                return self.place(room["venue_id"], room["id"])
        return None

    def with_rooms(self, venue_id) -> dict:
        rooms = sorted((copy.deepcopy(r) for r in self.stored["rooms"].values()
                        if r["venue_id"] == venue_id), key=lambda r: r["id"])
        return {**self.venue(venue_id, active_only=False), "rooms": rooms}

    def venues(self, community, kind, include_inactive):
        return [self.with_rooms(v) for v in sorted(self.stored["venues"])]

    def names(self, venue_ids) -> dict:
        return {v: self.stored["venues"][v]["name"] for v in venue_ids
                if v in self.stored["venues"]}

    def save_venue(self, venue, at) -> None:
        if any(v["community"] == venue["community"] and v["name"] == venue["name"]
               and v["id"] != venue["id"] for v in self.stored["venues"].values()):
            raise errors.exists(f"{venue['community'] or '街道'}的场地“{venue['name']}”")
        self.stored["venues"][venue["id"]] = copy.deepcopy(venue)

    def save_room(self, room, venue, at) -> None:
        if any(r["venue_id"] == venue["id"] and r["name"] == room["name"]
               and r["id"] != room["id"] for r in self.stored["rooms"].values()):
            raise errors.exists(f"“{venue['name']}”的功能室“{room['name']}”")
        self.stored["rooms"][room["id"]] = copy.deepcopy(room)


class FakeExemplars(InMemoryAggregates):
    def __init__(self, uow):
        super().__init__(uow, "exemplar_id", errors.exemplar_not_found)

    def next_id(self, at) -> str:
        year = f"EX{clock.local_date(at).year}"
        return f"{year}{self.uow.next_number(year):04d}"

    def open_for(self, category, volunteer_id):
        found = self.where(lambda e: e.open_key == f"{category}|{volunteer_id}")
        return found[0] if found else None

    def add(self, exemplar) -> None:
        if exemplar.open_key and self.open_for(exemplar.category, exemplar.volunteer_id):
            raise errors.exists(f"志愿者 {exemplar.volunteer_id} 的"
                                f"{exemplars.CATEGORIES[exemplar.category]}推荐")
        super().add(exemplar)

    def page(self, query):
        found = self.where(lambda e: query.get("community") in (None, e.community))
        return first_page(found, query)


class FakeActivityUnitOfWork(FakeUnitOfWork):
    source = "activity"

    def __init__(self, now=None):
        super().__init__(now)
        self.registrations = FakeRegistrations(self)
        self.activities = FakeActivities(self)
        self.series = FakeSeries(self)
        self.venues = FakeVenues(self)
        self.exemplars = FakeExemplars(self)
        self.sequences: dict[str, int] = {}

    def next_number(self, name: str) -> int:
        """One sequence per name, as the real counters keep them."""
        self.sequences[name] = self.sequences.get(name, 0) + 1
        return self.sequences[name]
