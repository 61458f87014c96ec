"""The registry in the volunteer service's database: volunteers, and the reference data that
goes with them (teams, recognition rules, the activities we heard of)."""
from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from services.volunteer import domain
from services.volunteer.exceptions import (already_registered, team_not_found,
                                           volunteer_not_found)
from services.volunteer.repositories.common import (cursor_page, day_number, newest, one_of,
                                                   total_of)
from services.volunteer.repositories.figures import HOURS, SNAPSHOT
from services.volunteer.shifts import Shift
from shared.paging import Extents, Order, matches
from shared.personal_data import AUDIT_LOG, record_reveal
from shared.repository import AggregateRepository, plain_fields
from shared.search import TERMS, search_criteria, terms
from shared.tallies import Tallies
from shared.unit_of_work import Repository

VOLUNTEERS = "volunteers"
TEAMS = "teams"
ACTIVITIES = "activities"
SETTINGS = "settings"

# The weekday and slot a volunteer is usually available, as flat "weekday:slot" strings: a
# list of them is one index key, where a list of {weekday, slot} would need `$elemMatch`.
SLOTS = "slots"
TALLIES = Tallies("volunteer_tallies", ("community", "team", "state"))
EXTENTS = Extents(VOLUNTEERS, ("registered_at", "updated_at"))
ORDERS = ("registered_at", "updated_at")
FILTERS = ("state", "community", "team", "skills", "min_star_level", "available", "q", "phone",
           "id_number")
STAR_LEVELS = range(0, 11)

INDEXES = {
    VOLUNTEERS: [
        # One registration per ID number (a rejected one frees it: the key is then absent).
        IndexModel([("registration_key", ASCENDING)], name="one_registration_per_id_number",
                   unique=True, sparse=True),
        # The roster pages by keyset on (registered_at or updated_at, _id), in windows of
        # time; each filter has an index starting with it, so that a window costs what it
        # holds (services/volunteer/repositories/common.py, shared/paging.py).
        newest(by="registered_at", name="newest"),
        newest("community", by="registered_at", name="community_listed"),
        newest("state", by="registered_at", name="state_listed"),
        newest("community", "state", by="registered_at", name="community_state_listed"),
        newest("team", by="registered_at", name="team_listed"),
        newest("team", "state", by="registered_at", name="team_state_listed"),
        newest("skills", by="registered_at", name="skill_listed"),
        newest("community", "skills", by="registered_at", name="community_skill_listed"),
        newest("star_level", by="registered_at", name="star_listed"),
        newest(SLOTS, by="registered_at", name="available_listed"),
        newest("phone.fingerprint", by="registered_at", name="phone_listed"),
        newest("id_number.fingerprint", by="registered_at", name="id_number_listed"),
        newest(TERMS, by="registered_at", name="search_listed"),
        newest(by="updated_at", name="updated"),
        newest("community", by="updated_at", name="community_updated"),
        newest("state", by="updated_at", name="state_updated"),
        # Suggestions for a shift: active volunteers by hours.
        IndexModel([("state", ASCENDING), ("total_hours", DESCENDING)], name="state_hours"),
        IndexModel([("state", ASCENDING), (SLOTS, ASCENDING), ("total_hours", DESCENDING)],
                   name="available_hours"),
    ],
    TEAMS: [IndexModel([("community", ASCENDING)], name="community")],
    **TALLIES.indexes,
}


def slots(availability: list) -> list[str]:
    return [f"{a['weekday']}:{a['slot']}" for a in availability]


class Volunteers(AggregateRepository):
    collection_name = VOLUNTEERS
    statistics = HOURS  # registrations, by the month they registered in
    tallies = TALLIES
    extents = EXTENTS
    derived_fields = (SLOTS, TERMS)
    # Fields stored as they are on the aggregate; the rest are mapped below.
    PLAIN = plain_fields(domain.Volunteer, "id", "counted")

    def to_document(self, volunteer: domain.Volunteer) -> dict:
        doc = {name: getattr(volunteer, name) for name in self.PLAIN}
        doc["_id"] = volunteer.id
        if volunteer.registration_key:  # absent, not null: the unique index skips it
            doc["registration_key"] = volunteer.registration_key
        doc[SLOTS] = slots(volunteer.availability)
        doc[TERMS] = terms(volunteer.id, volunteer.name)
        return doc

    def tally_values(self, volunteer: domain.Volunteer) -> dict:
        return {"community": volunteer.community, "team": volunteer.team,
                "state": volunteer.state}

    def from_document(self, doc: dict) -> domain.Volunteer:
        volunteer = domain.Volunteer(id=doc["_id"], **{n: doc[n] for n in self.PLAIN
                                                       if n in doc})
        volunteer.counted = volunteer.stat_vector()
        return volunteer

    def not_found(self, volunteer_id):
        return volunteer_not_found(volunteer_id)

    def next_id(self, at) -> str:
        return day_number(self.uow, "V", at)

    def add(self, volunteer: domain.Volunteer) -> None:
        try:
            super().add(volunteer)
        except DuplicateKeyError:
            # Numbers are unique by construction: only the ID number can collide, when the
            # same person registers twice at once (the first to commit wins). This
            # transaction is over; the winner is read outside it.
            found = self.uow.db[VOLUNTEERS].find_one(
                {"registration_key": volunteer.registration_key}, {"state": 1})
            if found is None:
                raise
            raise already_registered(found["_id"],
                                     domain.VOLUNTEER_STATE_NAMES[found["state"]]) from None

    def record_changes(self, volunteer: domain.Volunteer) -> None:
        """Events and registrations as every aggregate's; and the counts of volunteers as
        they are now move from what this one counted as to what it counts as now."""
        super().record_changes(volunteer)
        SNAPSHOT.record(self.uow, volunteer.snapshot_changes())

    def by_ids(self, ids) -> dict[str, domain.Volunteer]:
        return {v.id: v for v in self.many(self.documents.find({"_id": {"$in": list(ids)}}))}

    def registered(self, fingerprint: str) -> domain.Volunteer | None:
        """Who holds the registration of an ID number (by its fingerprint), if anyone."""
        return self.find({"registration_key": fingerprint})

    def lock_schedule(self, volunteer_id: str) -> None:
        """Sign-ups of one volunteer are serialised: two at once for overlapping shifts would
        each see no clash; touching the volunteer makes one of them retry and see it."""
        self.documents.update_one({"_id": volunteer_id}, {"$inc": {"schedule_lock": 1}})

    def page(self, query: dict) -> dict:
        """A page of the roster by cursor (shared.paging), newest registration (or change)
        first unless `sort` says otherwise; the total only where the counters give it (by
        community, team and state)."""
        field = query["sort"].lstrip("-")
        order = Order(field, ascending=not query["sort"].startswith("-"))
        return cursor_page(self, VOLUNTEERS, self._criteria(query), order, query, EXTENTS,
                           INDEXES[VOLUNTEERS], self._read,
                           total_of(TALLIES, self.uow, query, FILTERS))

    def _criteria(self, query: dict) -> dict:
        criteria: dict = {}
        if query.get("state"):
            criteria["state"] = one_of(query["state"])
        for name in ("community", "team"):
            if query.get(name):
                criteria[name] = query[name]
        if query.get("skills"):  # has every one; found by the first, checked for all
            skills = query["skills"]
            criteria["skills"] = skills[0] if len(skills) == 1 else {"$all": skills}
        if query.get("min_star_level"):  # one index range per level (0 is everyone)
            criteria["star_level"] = one_of([level for level in STAR_LEVELS
                                             if level >= query["min_star_level"]] or [-1])
        if query.get("available"):
            criteria[SLOTS] = slots([query["available"]])[0]
        if query.get("phone"):
            criteria["phone.fingerprint"] = self.uow.cipher.fingerprint(query["phone"])
        if query.get("id_number"):
            criteria["id_number.fingerprint"] = self.uow.cipher.fingerprint(query["id_number"])
        if query.get("q"):
            criteria.update(search_criteria(query["q"]))
        return criteria

    def candidates(self, shift: Shift, busy: set[str], limit: int):
        """Active volunteers who could take a shift: skills, community, free at the time;
        those who said they are usually available then come first, each by hours served.
        The server is asked for active volunteers (usually available at the time, first) by
        an index; skills, community and who is taken are checked here."""
        checked: dict = {}
        if shift.community_only:
            checked["community"] = shift.community
        if shift.skills:
            checked["skills"] = ({"$all": shift.skills} if shift.skill_match == "all"
                                 else {"$in": shift.skills})
        taken = {a["volunteer_id"] for a in shift.holding()} | busy
        weekday, slot = domain.slot_of(shift.starts_at)
        wanted = f"{weekday}:{slot}"
        found: list = []
        for preferred in (True, False):
            asked = {"state": domain.ACTIVE, **({SLOTS: wanted} if preferred else {})}
            for doc in self.documents.find(asked).sort([("total_hours", DESCENDING),
                                                        ("_id", ASCENDING)]):
                if doc["_id"] in taken or (not preferred and wanted in doc.get(SLOTS, [])) \
                        or not matches(doc, checked):
                    continue
                found.append((self._read(doc), preferred))
                if len(found) >= limit:
                    return found
        return found

    def record_reveal(self, actor: dict, volunteer_id: str, fields: list[str],
                      purpose: str) -> None:
        """Written before the clear values are returned: no audit entry, no reveal."""
        record_reveal(self.uow.collection(AUDIT_LOG), actor, "volunteer", volunteer_id, fields,
                      purpose)


class Reference(Repository):
    """Teams, the recognition rules, and the activities we heard of."""

    def teams(self, community: str | None = None, include_inactive=False) -> list[dict]:
        criteria: dict = {}
        if community:
            criteria["community"] = community
        if not include_inactive:
            criteria["active"] = True
        return [_team(d) for d in self.collection(TEAMS).find(criteria).sort("_id")]

    def team_names(self) -> dict[str, str]:
        return {d["_id"]: d["name"] for d in self.collection(TEAMS).find({}, {"name": 1})}

    def team(self, code: str) -> dict:
        doc = self.collection(TEAMS).find_one({"_id": code})
        if doc is None:
            raise team_not_found(code)
        return _team(doc)

    def find_team(self, code: str) -> dict | None:
        doc = self.collection(TEAMS).find_one({"_id": code})
        return _team(doc) if doc else None

    def require_team(self, code: str | None) -> None:
        """A volunteer may join only a team that exists and is active (or none)."""
        if code is None:
            return
        doc = self.collection(TEAMS).find_one({"_id": code})
        if doc is None or not doc.get("active", True):
            raise team_not_found(code)

    def save_team(self, team: dict) -> None:
        fields = {k: v for k, v in team.items() if k != "code"}
        self.collection(TEAMS).update_one({"_id": team["code"]}, {"$set": fields}, upsert=True)

    def rules(self) -> domain.RecognitionRules:
        return domain.rules_from(self.collection(SETTINGS).find_one({"_id": "recognition"}))

    def set_rules(self, rules: dict) -> None:
        self.collection(SETTINGS).update_one({"_id": "recognition"}, {"$set": rules},
                                             upsert=True)

    def remember_activity(self, data: dict) -> None:
        """What an ACTIVITY_PUBLISHED said of an activity, for crediting its hours later."""
        self.collection(ACTIVITIES).update_one(
            {"_id": data["activity_id"]},
            {"$set": {"title": data["title"], "organiser": data["organiser"],
                      "community": data["community"], "starts_at": data["starts_at"],
                      "ends_at": data["ends_at"]}}, upsert=True)

    def activity(self, activity_id: str) -> dict | None:
        return self.collection(ACTIVITIES).find_one({"_id": activity_id})


def _team(doc: dict) -> dict:
    return {"code": doc["_id"], "name": doc["name"], "community": doc.get("community"),
            "leader": doc.get("leader"), "description": doc.get("description"),
            "active": doc.get("active", True)}
