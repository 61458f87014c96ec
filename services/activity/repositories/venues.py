"""Venues (场地), their rooms (功能室), and the calendar of what is booked where."""
from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.activity import catalogue, domain
from services.activity import exceptions as errors
from services.activity.repositories.indexes import BOOKINGS, ROOMS, VENUES
from shared.unit_of_work import Repository


class Venues(Repository):
    """Venues and rooms are plain records (no versioned aggregate): places change seldom and
    a booking bumps its place's own document, so two bookings of one place still conflict."""

    def next_venue_id(self) -> str:
        return f"V{self.uow.next_number('V'):03d}"

    def next_room_id(self, venue_id: str) -> str:
        return f"{venue_id}-R{self.uow.next_number(f'{venue_id}-R'):02d}"

    def venue(self, venue_id: str, active_only: bool = True) -> dict:
        doc = self.collection(VENUES).find_one({"_id": venue_id})
        if doc is None or (active_only and not doc.get("active", True)):
            raise errors.venue_not_found(venue_id)
        return _venue(doc)

    def room(self, room_id: str, active_only: bool = True) -> dict:
        doc = self.collection(ROOMS).find_one({"_id": room_id})
        if doc is None or (active_only and not doc.get("active", True)):
            raise errors.room_not_found(room_id)
        return _room(doc)

    def place(self, venue_id: str | None, room_id: str | None) -> dict | None:
        """What the activity rules need to know of a place, or None when none is chosen."""
        if room_id and not venue_id:
            venue_id = self.room(room_id)["venue_id"]
        if not venue_id:
            return None
        return {"venue": self.venue(venue_id),
                "room": self.room(room_id) if room_id else None}

    def citizen_school(self, community: str) -> dict | None:
        """The community's 市民学校, where requested training is held."""
        doc = self.collection(ROOMS).find_one(
            {"community": community, "kind": catalogue.CITIZEN_SCHOOL, "active": True},
            sort=[("_id", ASCENDING)])
        return self.place(doc["venue_id"], doc["_id"]) if doc else None

    def venues(self, community: str | None, kind: str | None,
               include_inactive: bool) -> list[dict]:
        criteria: dict = {}
        if community:
            criteria["community"] = {"$in": [community, None]}
        if kind:
            criteria["kind"] = kind
        if not include_inactive:
            criteria["active"] = True
        venues = [_venue(d) for d in self.collection(VENUES).find(criteria).sort("_id")]
        rooms: dict[str, list] = {}
        room_criteria = {"venue_id": {"$in": [v["id"] for v in venues]}}
        if not include_inactive:
            room_criteria["active"] = True
        for doc in self.collection(ROOMS).find(room_criteria).sort("_id"):
            rooms.setdefault(doc["venue_id"], []).append(_room(doc))
        return [{**v, "rooms": rooms.get(v["id"], [])} for v in venues]

    def with_rooms(self, venue_id: str) -> dict:
        venue = self.venue(venue_id, active_only=False)
        rooms = [_room(d) for d in
                 self.collection(ROOMS).find({"venue_id": venue_id}).sort("_id")]
        return {**venue, "rooms": rooms}

    def names(self, venue_ids) -> dict[str, str]:
        return {d["_id"]: d["name"] for d in self.collection(VENUES).find(
            {"_id": {"$in": list(venue_ids)}}, {"name": 1})}

    def save_venue(self, venue: dict, at: datetime) -> None:
        """A venue's name is its community's (or the street's) own: a second one is refused,
        checked first and held by the unique index when two saves race."""
        what = f"{venue['community'] or '街道'}的场地“{venue['name']}”"
        if self._name_taken(VENUES, {"community": venue["community"]}, venue):
            raise errors.exists(what)
        fields = {k: v for k, v in venue.items() if k != "id"}
        try:
            self.collection(VENUES).update_one({"_id": venue["id"]},
                                               {"$set": {**fields, "updated_at": at},
                                                "$setOnInsert": {"created_at": at}},
                                               upsert=True)
        except DuplicateKeyError:  # ids are allocated unique: only the name can collide
            raise errors.exists(what) from None
        # Rooms know their venue's community, for finding a community's 市民学校.
        self.collection(ROOMS).update_many({"venue_id": venue["id"]},
                                           {"$set": {"community": venue["community"]}})

    def save_room(self, room: dict, venue: dict, at: datetime) -> None:
        """A room's name is its venue's own, as a venue's is its community's."""
        what = f"“{venue['name']}”的功能室“{room['name']}”"
        if self._name_taken(ROOMS, {"venue_id": venue["id"]}, room):
            raise errors.exists(what)
        fields = {k: v for k, v in room.items() if k != "id"}
        try:
            self.collection(ROOMS).update_one({"_id": room["id"]},
                                              {"$set": {**fields, "updated_at": at},
                                               "$setOnInsert": {"created_at": at}},
                                              upsert=True)
        except DuplicateKeyError:
            raise errors.exists(what) from None

    def _name_taken(self, collection: str, scope: dict, record: dict) -> bool:
        criteria = {**scope, "name": record["name"], "_id": {"$ne": record["id"]}}
        return self.collection(collection).count_documents(criteria, limit=1) > 0

    def bookings(self, query: dict) -> list[dict]:
        criteria: dict = {"starts_at": {"$gt": query["from"] - domain.MAX_DURATION,
                                        "$lt": query["to"]},
                          "ends_at": {"$gt": query["from"]}}
        if query.get("room_id"):
            criteria["space_id"] = query["room_id"]
        elif query.get("venue_id"):
            criteria["venue_id"] = query["venue_id"]
        if query.get("community"):
            criteria["community"] = query["community"]
        return [{"activity_id": d["_id"], "title": d["title"], "community": d["community"],
                 "venue_id": d["venue_id"], "room_id": d.get("room_id"), "place": d["place"],
                 "starts_at": d["starts_at"], "ends_at": d["ends_at"]}
                for d in self.collection(BOOKINGS).find(criteria).sort("starts_at").limit(1000)]


def _venue(doc: dict) -> dict:
    return {"id": doc["_id"], "community": doc.get("community"), "name": doc["name"],
            "kind": doc["kind"], "address": doc.get("address"),
            "capacity": doc.get("capacity"), "opening_hours": doc.get("opening_hours", []),
            "active": doc.get("active", True)}


def _room(doc: dict) -> dict:
    return {"id": doc["_id"], "venue_id": doc["venue_id"], "community": doc.get("community"),
            "name": doc["name"], "kind": doc["kind"], "capacity": doc.get("capacity"),
            "opening_hours": doc.get("opening_hours", []), "active": doc.get("active", True)}
