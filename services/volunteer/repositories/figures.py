"""The counters the published figures are read from, kept in the same transaction as the
change that moves them, so statistics read a few small documents however many volunteers and
entries there are:

- `volunteer_counts`: per community and team, volunteers by state, and active ones by star
  level and by skill (each volunteer's stored record says what it was counted as; see
  domain.Volunteer.snapshot_changes);
- `hours_stats`: per office month, community and team, hours, services and registrations, and
  hours and services by skill; rolled up beside them by month and community
  (`hours_stats.community`), which serves every query that neither filters nor groups by team:
  a year by community reads a dozen months of a few communities, not every team's;
- `served_markers` + `served_stats`: one marker per volunteer and period (month, quarter, year,
  all time) the first time they serve in it, so distinct volunteers who served are counted
  without scanning the ledger. `served_stats` is read by period kind and key (and community,
  team), each combination an index of its own: SecantusDB uses a compound index only when a
  query's equalities are exactly its leading fields.
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


HOURS = StatBuckets(HOURS_STATS, ("month", "community", "team"),
                    rollups=(("month", "community"),))
SNAPSHOT = CurrentCounts(VOLUNTEER_COUNTS, ("community", "team"))


def _period(*fields: str, name: str) -> IndexModel:
    """The period kind, the filters, then the period key (an equality or a range of months)."""
    return IndexModel([("kind", ASCENDING), *((f, ASCENDING) for f in fields),
                       ("key", ASCENDING)], name=name)


INDEXES = {
    **HOURS.indexes,
    SERVED_MARKERS: [IndexModel([("kind", ASCENDING), ("key", ASCENDING),
                                 ("community", ASCENDING)], name="period")],
    SERVED_STATS: [_period(name="period"), _period("community", name="community_period"),
                   _period("team", name="team_period"),
                   _period("community", "team", name="community_team_period")],
}


def period_kind(key: str) -> str:
    """Which kind of period a key names: 'all', a year '2026', a quarter '2026-Q3' or a month
    '2026-11' (as ledger.period_keys makes them)."""
    if key == "all":
        return "all"
    if len(key) == 4:
        return "year"
    return "quarter" if "-Q" in key else "month"


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

    def monthly_rows(self, first, last, community=None, team=None,
                     group_by: tuple = ()) -> list[dict]:
        """The monthly buckets, from the roll-up by month and community unless the query
        filters or groups by team (`group_by`: the bucket dimensions the caller groups by)."""
        return HOURS.read(self.uow, first, last, tuple(group_by), community=community,
                          team=team)

    def served_rows(self, key: str, community=None, team=None) -> list[dict]:
        """Distinct volunteers who served, from the counters of a whole period."""
        criteria = {"kind": period_kind(key), "key": key, **_where(community, team)}
        return [{"key": d["key"], "community": d["community"], "team": d["team"],
                 "served": int(d.get("counts", {}).get("served", 0))}
                for d in self.collection(SERVED_STATS).find(criteria)]

    def served_month_rows(self, first, last, community=None, team=None) -> list[dict]:
        criteria = _months(first, last, community, team)
        return [{"month": d["key"], "community": d["community"], "team": d["team"],
                 "served": int(d.get("counts", {}).get("served", 0))}
                for d in self.collection(SERVED_STATS).find(criteria)]

    def served_distinct(self, first, last, dims: tuple, community=None,
                        team=None) -> list[dict]:
        """Distinct volunteers who served in a range of months that is not a month, quarter
        or year, counted from the monthly markers (an index range, then a grouping)."""
        criteria = _months(first, last, community, team)
        rows = self.collection(SERVED_MARKERS).aggregate([
            {"$match": criteria},
            {"$group": {"_id": {**{d: f"${d}" for d in dims}, "v": "$volunteer_id"}}},
            {"$group": {"_id": {d: f"$_id.{d}" for d in dims}, "served": {"$sum": 1}}}])
        return [{**(row["_id"] or {}), "served": row["served"]} for row in rows]


def _months(first, last, community, team) -> dict:
    """The monthly counters or markers from month `first` to `last` (None: open). Range
    operators only, and an open end left out: SecantusDB walks an index for no other (all
    month keys are strings, and a range on a string compares only strings). The last month
    is bounded by the next one, excluded: SecantusDB (0.7) leaves out a key equal to a `$lte`
    bound on a field of a compound index that other fields follow (the markers' index)."""
    criteria = {"kind": "month", **_where(community, team)}
    bounds = {}
    if first:
        bounds["$gte"] = first
    if last:
        bounds["$lt"] = _next_month(last)
    if bounds:
        criteria["key"] = bounds
    return criteria


def _next_month(month: str) -> str:
    """'2026-12' -> '2027-01'."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def _where(community, team) -> dict:
    criteria = {}
    if community:
        criteria["community"] = community
    if team:
        criteria["team"] = team
    return criteria
