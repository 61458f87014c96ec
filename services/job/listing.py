"""The job service's lists: the orders each offers, the filters each order has an index for,
the counters that give their totals and the extents of their order fields (shared.listing,
shared.paging, shared.tallies).

Every list pages by cursor in bounded windows of a time field. Visits and placements are
listed by an office date (`visited_on`, `started_on`, the next follow-up's date); each is
stored a second time as an instant to order by — the date's office midnight plus the time of
day the record was made — so that the records of one date keep the order they were made in
and a page never has to read a whole day of ties.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from shared import clock
from shared.listing import Listing, Sort
from shared.paging import Extents
from shared.search import TERMS
from shared.tallies import Tallies

FAR = timedelta(days=3660)  # deadlines and start dates may lie years ahead

EMPLOYERS = Listing({
    "updated_at": Sort("updated_at", filters=(
        ("community",), ("community", "active"), ("sector",), ("community", "sector"),
        ("size",), ("community", "size"), ("active",), (TERMS,), ("community", TERMS))),
    "created_at": Sort("created_at", filters=(
        ("community",), ("community", "active"), ("sector",), ("community", "sector"))),
})
VISITS = Listing({
    "visited_on": Sort("visited_key", horizon=timedelta(days=2), filters=(
        ("employer_id",), ("community",), ("deliveries.kind",),
        ("community", "deliveries.kind"), ("problems.state",),
        ("community", "problems.state"))),
})
POSTINGS = Listing({
    "posted_at": Sort("posted_at", filters=(
        ("community",), ("community", "state"), ("state",), ("employer_id",),
        ("employer_id", "state"), ("employment_type",), ("community", "employment_type"),
        ("hours_flexible",), ("community", "hours_flexible"), ("visit_id",), (TERMS,),
        ("community", TERMS)),
        # Indexes of these keys existed before under these names.
        names={(): "newest_first", ("community", "state"): "community_state_newest"}),
    "valid_through": Sort("valid_through", horizon=FAR, filters=(
        ("community",), ("state",), ("community", "state"))),
})
SEEKERS = Listing({
    "registered_at": Sort("registered_at", filters=(
        ("community",), ("community", "state"), ("state",), ("skills",),
        ("community", "skills"), (TERMS,), ("community", TERMS), ("phone.fingerprint",))),
    "updated_at": Sort("updated_at", filters=(
        ("community",), ("community", "state"), ("state",))),
})
APPLICATIONS = Listing({
    "applied_at": Sort("applied_at", filters=(
        ("posting_id",), ("seeker_id",), ("employer_id",), ("community",),
        ("community", "state"), ("state",))),
    "updated_at": Sort("updated_at", filters=(
        ("community",), ("community", "state"), ("state",))),
})
PLACEMENTS = Listing({
    "started_on": Sort("started_key", horizon=FAR, filters=(
        ("community",), ("community", "state"), ("state",), ("employer_id",),
        ("seeker_id",))),
    # Only placements with a follow-up still to record have a value: the others are not in
    # a list in this order.
    "open_follow_up_on": Sort("follow_up_key", horizon=FAR, filters=(("community",),)),
})
NOTIFICATIONS = Listing({
    "created_at": Sort("created_at", filters=(
        ("employer_id",), ("community",), ("read_at",), ("community", "read_at"),
        ("employer_id", "read_at"))),
})

TALLIES = {
    "employers": Tallies("employer_tallies", ("community", "active")),
    "visits": Tallies("visit_tallies", ("community",)),
    "job_postings": Tallies("posting_tallies", ("community", "state")),
    "job_seekers": Tallies("seeker_tallies", ("community", "state")),
    "applications": Tallies("application_tallies", ("community", "state")),
    "placements": Tallies("placement_tallies", ("community", "state")),
    "notifications": Tallies("notification_tallies", ("community", "unread")),
}
EXTENTS = {
    "employers": Extents("employers", ("updated_at", "created_at")),
    "visits": Extents("visits", ("visited_key",)),
    "job_postings": Extents("job_postings", ("posted_at", "valid_through")),
    "job_seekers": Extents("job_seekers", ("registered_at", "updated_at")),
    "applications": Extents("applications", ("applied_at", "updated_at")),
    "placements": Extents("placements", ("started_key", "follow_up_key")),
    "notifications": Extents("notifications", ("created_at",)),
}


def day_key(day: str | None, made_at: datetime | None) -> datetime | None:
    """An office date as an instant to order by: its office midnight plus the time of day
    (to the millisecond) at which the record was made."""
    if not day:
        return None
    midnight = clock.start_of_local_day(date.fromisoformat(day))
    if made_at is None:
        return midnight
    local = clock.as_utc(made_at).astimezone(clock.OFFICE_TZ)
    since = timedelta(hours=local.hour, minutes=local.minute, seconds=local.second,
                      milliseconds=local.microsecond // 1000)
    return midnight + since


def day_range(first: str | None = None, last: str | None = None) -> dict:
    """The instants of `day_key` for the office dates from `first` to `last`, both included."""
    bounds = {}
    if first:
        bounds["$gte"] = clock.start_of_local_day(date.fromisoformat(first))
    if last:
        bounds["$lt"] = clock.start_of_local_day(date.fromisoformat(last) + timedelta(days=1))
    return bounds


def equal(query: dict, *names) -> dict:
    """The filters given (not None) among `names`, as equality criteria."""
    return {name: query[name] for name in names if query.get(name) is not None}


def one_of(values: list | None) -> dict | None:
    return {"$in": list(values)} if values else None
