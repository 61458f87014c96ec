"""Activities, stored with the booking of their place, and the recurring series they belong to."""
from __future__ import annotations

from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING

from services.activity import catalogue, domain
from services.activity import exceptions as errors
from services.activity.repositories.indexes import (ACTIVITIES, ACTIVITY_TALLIES, BOOKINGS,
                                                    LIST_AT, REGISTRATION_TALLIES,
                                                    INDEXES, REGISTRATIONS, ROOMS, SERIES,
                                                    STATISTICS, VENUES)
from services.activity.scheduling import window_text
from shared import clock
from shared.paging import Extents, Order, empty_page, keyset_page
from shared.repository import AggregateRepository, plain_fields
from shared.search import TERMS, search_criteria, terms
from shared.unit_of_work import Repository

# The orders the list may be sorted in (`sort`, "-" for latest first): by start (an activity
# without a time yet is listed at its creation), or by the last change.
ORDERS = {"starts_at": LIST_AT, "updated_at": "updated_at"}
# How far past now an order's values may reach: activities are planned up to years ahead.
HORIZONS = {LIST_AT: timedelta(days=3660), "updated_at": timedelta(days=1)}
EXTENTS = Extents(ACTIVITIES, (LIST_AT, "updated_at"))
# The filters the counters can total (any other filter: no total).
COUNTED = ("community", "state")
FILTERS = ("community", "state", "theme", "festival", "venue_id", "room_id", "series_id",
           "exemplar_id", "target_group", "starts_from", "starts_to", "registration_open", "q")


def list_at(activity: domain.Activity) -> datetime:
    return activity.starts_at or activity.created_at


class Activities(AggregateRepository):
    collection_name = ACTIVITIES
    statistics = STATISTICS
    tallies = ACTIVITY_TALLIES
    extents = EXTENTS
    derived_fields = (LIST_AT, TERMS)
    # Fields stored as they are on the aggregate; sweeps are applied, never stored.
    PLAIN = plain_fields(domain.Activity, "activity_id", "sweeps")

    def to_document(self, activity: domain.Activity) -> dict:
        return {"_id": activity.activity_id, **{n: getattr(activity, n) for n in self.PLAIN},
                LIST_AT: list_at(activity),
                TERMS: terms(activity.activity_id, activity.title, activity.organiser,
                             activity.description)}

    def tally_values(self, activity: domain.Activity) -> dict:
        return {"community": activity.community, "state": activity.state}

    def _widen(self, activity: domain.Activity) -> None:
        self.extents.widen(self.uow, {LIST_AT: list_at(activity),
                                      "updated_at": activity.updated_at})

    def from_document(self, doc: dict) -> domain.Activity:
        return domain.Activity(activity_id=doc["_id"],
                               **{n: doc[n] for n in self.PLAIN if n in doc})

    def not_found(self, activity_id):
        return errors.activity_not_found(activity_id)

    def next_id(self, at: datetime) -> str:
        day = f"AC{clock.local_date(at):%Y%m%d}"
        return f"{day}{self.uow.next_number(day):04d}"

    # -- writing: with the booking of the place -------------------------------------------------

    def add(self, activity: domain.Activity) -> None:
        """Store a new activity with its booking; a clash refuses it before anything is
        written for it. (Ids are unique by construction; only another service's request can
        collide, when it is delivered twice at once: the repeat fails, is retried and then
        finds the activity the first made.)"""
        self._book(activity)
        super().add(activity)

    def save(self, activity: domain.Activity) -> None:
        """Store a changed activity with its booking, events, figures and registration
        sweeps; the version check refuses a change made from a stale copy."""
        self._book(activity)
        super().save(activity)

    def record_changes(self, activity: domain.Activity) -> None:
        for statuses, to_status in activity.sweeps:
            for status in statuses:  # one status at a time, for the registrations' totals
                moved = self.collection(REGISTRATIONS).update_many(
                    {"activity_id": activity.activity_id, "status": status},
                    {"$set": {"status": to_status, "updated_at": activity.updated_at}}
                ).modified_count
                if moved:
                    REGISTRATION_TALLIES.add(self.uow, (activity.activity_id, status), -moved)
                    REGISTRATION_TALLIES.add(self.uow, (activity.activity_id, to_status),
                                             moved)
        activity.sweeps = []
        super().record_changes(activity)

    def _book(self, activity: domain.Activity) -> None:
        """Hold the room (or the venue's open space, with no room) for the activity's time,
        or release it once cancelled. Taking a booking first bumps the space's own document,
        so two transactions booking the same space conflict and one is retried: a clash can
        never slip in between the check and the write."""
        bookings = self.collection(BOOKINGS)
        if (activity.state == catalogue.CANCELLED or not activity.venue
                or not activity.starts_at):
            bookings.delete_one({"_id": activity.activity_id})
            return
        room = activity.room
        space_id = room["id"] if room else activity.venue["id"]
        wanted = {"_id": activity.activity_id, "space_id": space_id,
                  "venue_id": activity.venue["id"], "room_id": room and room["id"],
                  "place": activity.place_name, "title": activity.title,
                  "community": activity.community, "starts_at": activity.starts_at,
                  "ends_at": activity.ends_at}
        current = bookings.find_one({"_id": activity.activity_id})
        moved = current is None or any(
            current.get(k) != wanted[k] for k in ("space_id", "starts_at", "ends_at"))
        if moved:
            self.collection(ROOMS if room else VENUES).update_one(
                {"_id": space_id}, {"$inc": {"booking_seq": 1}})
            # No activity lasts longer than MAX_DURATION, which bounds the index range read.
            earliest = activity.starts_at - domain.MAX_DURATION
            clashes = [{"activity_id": c["_id"], "title": c["title"],
                        "starts_at": clock.iso(c["starts_at"]),
                        "ends_at": clock.iso(c["ends_at"]),
                        "when": window_text(c["starts_at"], c["ends_at"])}
                       for c in bookings.find({"space_id": space_id,
                                               "starts_at": {"$gt": earliest,
                                                             "$lt": activity.ends_at},
                                               "ends_at": {"$gt": activity.starts_at},
                                               "_id": {"$ne": activity.activity_id}}
                                              ).sort("starts_at").limit(10)]
            if clashes:
                raise errors.room_booked(activity.place_name, clashes)
        if current != wanted:
            bookings.replace_one({"_id": activity.activity_id}, wanted, upsert=True)

    def unfeature_everywhere(self, exemplar_id: str, at: datetime) -> int:
        """A withdrawn exemplar leaves the boards of activities still to come or under way;
        what was shown at finished activities stays on their record."""
        result = self.documents.update_many(
            {"featured_exemplars.exemplar_id": exemplar_id,
             "state": {"$in": list(catalogue.LIVE)}},
            {"$pull": {"featured_exemplars": {"exemplar_id": exemplar_id}},
             "$set": {"updated_at": at}, "$inc": {"version": 1}})
        if result.modified_count:
            EXTENTS.widen(self.uow, {"updated_at": at})
        return result.modified_count

    # -- reading --------------------------------------------------------------------------------

    def by_source(self, service: str, ref: str) -> domain.Activity | None:
        return self.find({"source_ref.service": service, "source_ref.ref": ref})

    def page(self, query: dict, at: datetime) -> dict:
        """A page of the list (shared.paging): {items: [Activity], next_cursor, has_more,
        page_size, total}; the total only where the counters can give it."""
        field = ORDERS[query["sort"].lstrip("-")]
        order = Order(field, ascending=not query["sort"].startswith("-"),
                      horizon=HORIZONS[field])
        extent = EXTENTS.of(self.uow, field)
        total = ACTIVITY_TALLIES.total(self.uow, {
            name: query.get(name) for name in FILTERS}) \
            if not any(query.get(name) for name in FILTERS if name not in COUNTED) else None
        if extent is None:  # no activity yet: an empty list, at once
            return empty_page(query, total)
        page = keyset_page(self.documents, self._criteria(query, at, field), order, query,
                           now=at, extent=extent, indexes=INDEXES[ACTIVITIES])
        page["items"] = self.many(page["items"])
        page["total"] = total
        return page

    @staticmethod
    def _criteria(query: dict, at: datetime, field: str = LIST_AT) -> dict:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = {"$in": query["state"]}
        for name in ("community", "theme", "festival", "series_id"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("venue_id"):
            criteria["venue.id"] = query["venue_id"]
        if query.get("room_id"):
            criteria["room.id"] = query["room_id"]
        if query.get("target_group"):
            criteria["target_groups"] = query["target_group"]
        if query.get("exemplar_id"):
            criteria["featured_exemplars.exemplar_id"] = query["exemplar_id"]
        starts = {}
        if query.get("starts_from"):
            starts["$gte"] = query["starts_from"]
        if query.get("starts_to"):
            starts["$lt"] = query["starts_to"]
        if query.get("registration_open"):
            criteria["state"] = catalogue.PUBLISHED
            starts["$gt"] = at
        if starts:
            # Listed by start, the range bounds the list's windows; an activity without a
            # time is never in a range of starts.
            criteria["starts_at"] = {"$ne": None} if field == LIST_AT else starts
            if field == LIST_AT:
                criteria[LIST_AT] = starts
        if query.get("q"):
            criteria.update(search_criteria(query["q"]))
        return criteria

    def due(self, at: datetime, limit: int) -> list[str]:
        """Published activities whose start has come, and activities long past their end: ids
        only, each is loaded again in its own transaction."""
        cursor = self.documents.find({"$or": [
            {"state": catalogue.PUBLISHED, "starts_at": {"$lte": at}},
            {"state": catalogue.ONGOING, "ends_at": {"$lte": at - domain.AUTO_FINISH_AFTER}},
        ]}, {"_id": 1}).sort("starts_at", ASCENDING).limit(limit)
        return [d["_id"] for d in cursor]

    def by_ids(self, ids) -> dict[str, domain.Activity]:
        return {a.activity_id: a
                for a in self.many(self.documents.find({"_id": {"$in": list(ids)}}))}

    def in_series(self, series_id: str) -> list[domain.Activity]:
        return self.many(self.documents.find({"series_id": series_id}).sort(
            "starts_at", ASCENDING))

    def featuring(self, exemplar_id: str, limit: int = 50) -> list[domain.Activity]:
        return self.many(self.documents.find(
            {"featured_exemplars.exemplar_id": exemplar_id}).sort(
            "starts_at", DESCENDING).limit(limit))

    def statistics_buckets(self, first_month, last_month, community, venue_id, theme,
                           festival, group_by: tuple[str, ...] | None = None) -> list[dict]:
        return STATISTICS.read(self.uow, first_month, last_month, group_by,
                               community=community, venue_id=venue_id, theme=theme,
                               festival=festival)


class Series(Repository):
    """A recurring series: its rule and the activities it made."""

    def next_id(self, at: datetime) -> str:
        day = f"SR{clock.local_date(at):%Y%m%d}"
        return f"{day}{self.uow.next_number(day):02d}"

    def add(self, series: dict) -> None:
        self.collection(SERIES).insert_one(series)

    def get(self, series_id: str) -> dict:
        doc = self.collection(SERIES).find_one({"_id": series_id})
        if doc is None:
            raise errors.series_not_found(series_id)
        return doc
