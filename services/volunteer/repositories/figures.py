"""The counters the published figures are read from, kept in the same transaction as the
change that moves them, so statistics read a few small documents however many volunteers and
entries there are:

- `volunteer_counts`: per community and team, volunteers by state, and active ones by star
  level and by skill (each volunteer's stored record says what it was counted as; see
  domain.Volunteer.snapshot_changes);
- `hours_stats`: per office month, community and team, hours, services and registrations, and
  hours and services by skill;
- `served_markers` + `served_stats`: one marker per volunteer and period (month, quarter, year,
  all time) the first time they serve in it, so distinct volunteers who served are counted
  without scanning the ledger.
"""
from __future__ import annotations

from pymongo import ASCENDING, IndexModel

from services.volunteer import ledger
from shared.statistics import StatBuckets
from shared.unit_of_work import Repository

VOLUNTEER_COUNTS = "volunteer_counts"
HOURS_STATS = "hours_stats"
SERVED_MARKERS = "served_markers"
SERVED_STATS = "served_stats"

PERIOD_KINDS = ("month", "quarter", "year", "all")  # as ledger.period_keys lists them


class CurrentCounts(StatBuckets):
    """Counters of volunteers as they are now: buckets by community and team with no month
    (a snapshot, not a history), updated and read as the monthly buckets are."""

    def __init__(self, collection: str, dimensions: tuple[str, ...], shards: int = 4):
        self.collection = collection
        self.dimensions = dimensions
        self.shards = shards

    @property
    def indexes(self) -> dict:
        return {}


HOURS = StatBuckets(HOURS_STATS, ("month", "community", "team"))
SNAPSHOT = CurrentCounts(VOLUNTEER_COUNTS, ("community", "team"))

INDEXES = {
    **HOURS.indexes,
    SERVED_MARKERS: [IndexModel([("kind", ASCENDING), ("key", ASCENDING),
                                 ("community", ASCENDING)], name="period")],
    SERVED_STATS: [IndexModel([("kind", ASCENDING), ("key", ASCENDING)], name="period")],
}


def count_entry(uow, entry: dict) -> None:
    """What a ledger entry adds to its month's figures and, the first time its volunteer
    serves in a period, to the distinct volunteers who served in it."""
    community, team, month = entry["community"], entry["team"] or "", entry["month"]
    HOURS.record(uow, [((month, community, team), ledger.entry_stat_changes(entry))])
    if entry["corrects"] is not None:
        return
    for kind, key in zip(PERIOD_KINDS, ledger.period_keys(month)):
        where = {"key": key, "kind": kind, "community": community, "team": team}
        marked = uow.collection(SERVED_MARKERS).update_one(
            {"_id": f"{entry['volunteer_id']}|{key}"},
            {"$setOnInsert": {"volunteer_id": entry["volunteer_id"], **where}}, upsert=True)
        if marked.upserted_id is not None:
            uow.collection(SERVED_STATS).update_one(
                {"_id": f"{key}|{community}|{team}"},
                {"$inc": {"counts.served": 1}, "$setOnInsert": where}, upsert=True)


class Figures(Repository):
    """Reading the counters for volunteer_statistics."""

    def snapshot_rows(self, community=None, team=None) -> list[dict]:
        return SNAPSHOT.read(self.uow, None, None, community=community, team=team)

    def monthly_rows(self, first, last, community=None, team=None) -> list[dict]:
        return HOURS.read(self.uow, first, last, community=community, team=team)

    def served_rows(self, keys: list[str], community=None, team=None) -> list[dict]:
        """Distinct volunteers who served, from the counters of whole periods."""
        criteria = {**_where(community, team), "key": {"$in": keys}}
        return [{"key": d["key"], "community": d["community"], "team": d["team"],
                 "served": int(d.get("counts", {}).get("served", 0))}
                for d in self.collection(SERVED_STATS).find(criteria)]

    def served_month_rows(self, first, last, community=None, team=None) -> list[dict]:
        criteria = {**_where(community, team), "kind": "month", "key": _between(first, last)}
        return [{"month": d["key"], "community": d["community"], "team": d["team"],
                 "served": int(d.get("counts", {}).get("served", 0))}
                for d in self.collection(SERVED_STATS).find(criteria)]

    def served_distinct(self, first, last, dims: tuple, community=None,
                        team=None) -> list[dict]:
        """Distinct volunteers who served in a range of months that is not a month, quarter
        or year, counted from the monthly markers (an index range, then a grouping)."""
        criteria = {**_where(community, team), "kind": "month", "key": _between(first, last)}
        rows = self.collection(SERVED_MARKERS).aggregate([
            {"$match": criteria},
            {"$group": {"_id": {**{d: f"${d}" for d in dims}, "v": "$volunteer_id"}}},
            {"$group": {"_id": {d: f"$_id.{d}" for d in dims}, "served": {"$sum": 1}}}])
        return [{**(row["_id"] or {}), "served": row["served"]} for row in rows]


def _between(first, last) -> dict:
    bounds = {"$type": "string"}
    if first:
        bounds["$gte"] = first
    if last:
        bounds["$lte"] = last
    return bounds


def _where(community, team) -> dict:
    criteria = {}
    if community:
        criteria["community"] = community
    if team:
        criteria["team"] = team
    return criteria
