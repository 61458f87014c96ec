"""The activity service's collections and their indexes, created when the service starts."""
from pymongo import ASCENDING, DESCENDING, IndexModel

from shared.search import TERMS
from shared.statistics import StatBuckets
from shared.tallies import Tallies

ACTIVITIES = "activities"
REGISTRATIONS = "registrations"
BOOKINGS = "bookings"
VENUES = "venues"
ROOMS = "rooms"
SERIES = "series"
EXEMPLARS = "exemplars"
STATISTICS = StatBuckets("activity_stats", ("month", "community", "venue_id", "theme",
                                            "festival"),
                         rollups=(("month", "community"), ("month", "community", "theme")))

_TEXT = {"$type": "string"}

# Tallies (shared.tallies): the totals of the lists, kept with the changes they count.
ACTIVITY_TALLIES = Tallies("activity_tallies", ("community", "state"))
REGISTRATION_TALLIES = Tallies("registration_tallies", ("activity_id", "status"))
EXEMPLAR_TALLIES = Tallies("exemplar_tallies", ("community", "state"))

# The field activities are listed by: an activity's start, or — while it has no time yet (a
# draft asked for by another service) — its creation. Stored beside the activity.
LIST_AT = "list_at"


def newest(*fields: str, by: str, name: str) -> IndexModel:
    """An index for a list filtered by `fields` in the order of `by` (shared.paging): a page's
    window of `by` is then one bounded range of it, read either way."""
    return IndexModel([*((f, ASCENDING) for f in fields), (by, DESCENDING), ("_id", DESCENDING)],
                      name=name)


INDEXES = {
    # Lists page by keyset on (order field, _id) in windows of the order field; each filter a
    # list offers has an index that starts with it (and with the community as well, for the
    # filters a community's staff use), so that a window costs what it holds.
    ACTIVITIES: [
        newest(by=LIST_AT, name="listed"),
        newest("community", by=LIST_AT, name="community_listed"),
        newest("state", by=LIST_AT, name="state_listed"),
        newest("community", "state", by=LIST_AT, name="community_state_listed"),
        newest("theme", by=LIST_AT, name="theme_listed"),
        newest("community", "theme", by=LIST_AT, name="community_theme_listed"),
        newest("festival", by=LIST_AT, name="festival_listed"),
        newest("venue.id", by=LIST_AT, name="venue_listed"),
        newest("room.id", by=LIST_AT, name="room_listed"),
        newest("series_id", by=LIST_AT, name="series_listed"),
        newest("target_groups", by=LIST_AT, name="target_group_listed"),
        newest("featured_exemplars.exemplar_id", by=LIST_AT, name="exemplar_listed"),
        newest(TERMS, by=LIST_AT, name="search_listed"),
        newest(by="updated_at", name="updated"),
        newest("community", by="updated_at", name="community_updated"),
        IndexModel([("series_id", ASCENDING), ("starts_at", ASCENDING)], name="series",
                   partialFilterExpression={"series_id": _TEXT}),
        IndexModel([("featured_exemplars.exemplar_id", ASCENDING)], name="featured"),
        # One activity per request of another service, however often the request arrives.
        IndexModel([("source_ref.service", ASCENDING), ("source_ref.ref", ASCENDING)],
                   name="source_ref", unique=True,
                   partialFilterExpression={"source_ref.ref": _TEXT}),
        # What the clock moves on: published activities that start, ongoing ones that end.
        IndexModel([("state", ASCENDING), ("starts_at", ASCENDING)], name="state_start"),
        IndexModel([("state", ASCENDING), ("ends_at", ASCENDING)], name="state_end"),
    ],
    REGISTRATIONS: [
        # An activity's registrations in the order they came, by each filter of the list.
        # (Descending in the order field, read either way: SecantusDB 0.7 leaves out a record
        # equal to a `$lte` bound on an ascending field of a compound index.)
        newest("activity_id", by="registered_at", name="activity_listed"),
        newest("activity_id", "status", by="registered_at", name="activity_status_listed"),
        newest("activity_id", "role", by="registered_at", name="activity_role_listed"),
        newest("activity_id", "checked_in", by="registered_at", name="activity_door_listed"),
        newest("activity_id", TERMS, by="registered_at", name="activity_search_listed"),
        IndexModel([("activity_id", ASCENDING), ("status", ASCENDING),
                    ("waitlisted_at", ASCENDING), ("_id", ASCENDING)], name="waitlist_order"),
        IndexModel([("activity_id", ASCENDING), ("code", ASCENDING)], name="code",
                   unique=True),
        # No double registration: the same phone (or volunteer) once per activity.
        IndexModel([("dedupe_key", ASCENDING)], name="no_double_registration", unique=True,
                   partialFilterExpression={"dedupe_key": _TEXT}),
        # One person's registrations, newest first, found by the phone's fingerprint.
        # (Not partial: a partial index is left unused by some servers for a query that
        # implies its filter, and a page of it would read the collection.)
        newest("phone.fingerprint", by="registered_at", name="person_order"),
        IndexModel([("activity_id", ASCENDING), ("checked_in_at", ASCENDING),
                    ("_id", ASCENDING)], name="checked_in_order"),
    ],
    BOOKINGS: [
        IndexModel([("space_id", ASCENDING), ("starts_at", ASCENDING)], name="space_time"),
        IndexModel([("venue_id", ASCENDING), ("starts_at", ASCENDING)], name="venue_time"),
    ],
    VENUES: [IndexModel([("community", ASCENDING), ("name", ASCENDING)],
                        name="name_in_community", unique=True)],
    ROOMS: [
        IndexModel([("venue_id", ASCENDING), ("name", ASCENDING)], name="name_in_venue",
                   unique=True),
        IndexModel([("community", ASCENDING), ("kind", ASCENDING)], name="by_kind"),
    ],
    EXEMPLARS: [
        newest(by="nominated_at", name="nominated"),
        newest("community", by="nominated_at", name="community_order"),
        newest("state", by="nominated_at", name="state_order"),
        newest("community", "state", by="nominated_at", name="community_state_order"),
        newest("category", by="nominated_at", name="category_order"),
        newest("volunteer_id", by="nominated_at", name="volunteer_order"),
        newest("year", by="nominated_at", name="year_order"),
        newest(TERMS, by="nominated_at", name="search_order"),
        IndexModel([("category", ASCENDING), ("state", ASCENDING)], name="category"),
        # One open nomination per volunteer and category (proposals are added to it).
        IndexModel([("open_key", ASCENDING)], name="open_per_volunteer", unique=True,
                   partialFilterExpression={"open_key": _TEXT}),
    ],
    **STATISTICS.indexes,
    **ACTIVITY_TALLIES.indexes,
    **REGISTRATION_TALLIES.indexes,
    **EXEMPLAR_TALLIES.indexes,
}
