"""The volunteer statistics read a bounded number of counters however long the history: a
period's figures — by community, by month, by team, by skill, filtered, and the distinct
volunteers who served — examine the same documents (asked of the server by explain) with two
years of history behind them as with five, the hours from the roll-up by month and community
unless the query is about teams, and the same figures, which add up to the entries counted.
Counters kept before the roll-up existed are rolled up once, at start.

Entries are counted as the ledger counts them (figures.count_entry): each month, one entry of
1.5 hours for each community and team (a volunteer of its own), so a month of a community has
more buckets by team (TEAMS) than the roll-up has shards."""
from __future__ import annotations

import uuid

import pytest

from services.volunteer.handlers.statistics import statistics
from services.volunteer.repositories import INDEXES
from services.volunteer.repositories.figures import (HOURS, HOURS_STATS, SERVED_STATS, SNAPSHOT,
                                                     VOLUNTEER_COUNTS, count_entry)
from services.volunteer.unit_of_work import VolunteerUnitOfWork, seed
from shared.storage import ensure_indexes
from tests.integration.explaining import explaining

COMMUNITIES = ("浚河社区", "天宝社区", "永福社区", "新宇社区")
TEAMS = ("junhe_medical", "tianbao_legal", "street_youth", "red_vest", None)
SKILLS = ("medical", "legal")
YEAR = 2026  # the year asked about; the history runs back from its December
HOURS_EACH = 1.5
HISTORIES = (24, 60)  # months of history
ROLLUP = HOURS.rollups[0].collection


def months_back(count: int) -> list[str]:
    return [f"{YEAR - n // 12}-{12 - n % 12:02d}" for n in range(count)]


def grow(uow, months: list[str]) -> None:
    for month in months:
        for c, community in enumerate(COMMUNITIES):
            for t, team in enumerate(TEAMS):
                count_entry(uow, {"community": community, "team": team, "month": month,
                                  "hours": HOURS_EACH, "corrects": None,
                                  "skills": [SKILLS[t % 2]], "volunteer_id": f"V{c}{t}"})


# (query, months it covers, whether it is about teams: then the buckets by team are read)
QUERIES = [
    ({"period": str(YEAR), "group_by": ["community"]}, 12, False),
    ({"period": str(YEAR)}, 12, False),
    ({"period": str(YEAR), "community": COMMUNITIES[1]}, 12, False),
    ({"period": str(YEAR), "group_by": ["month"]}, 12, False),
    ({"period": str(YEAR), "group_by": ["skill"]}, 12, False),
    ({"period": f"{YEAR}-Q2", "group_by": ["team"]}, 3, True),
    ({"period": str(YEAR), "team": TEAMS[0], "group_by": ["month"]}, 12, True),
    ({"period": f"{YEAR}-11", "community": COMMUNITIES[0], "team": TEAMS[2]}, 1, True),
]


def budget(db, months: int, by_team: bool, monthly_served: bool) -> int:
    """The most a query may examine: the period's buckets of the roll-up (at most `shards` a
    month and community) or, about teams, by team (one here); the served counters of the
    period (of each of its months, grouped by month), one per community and team; and the
    counts of volunteers as they are now (no history), whole."""
    hours = months * len(COMMUNITIES) * (len(TEAMS) if by_team else HOURS.shards)
    served = len(COMMUNITIES) * len(TEAMS) * (months if monthly_served else 1)
    return hours + served + db[VOLUNTEER_COUNTS].count_documents({})


def measure(db, query: dict) -> tuple[int, list[str], dict]:
    """(documents examined by the whole call, the plans of its reads of the hours and the
    served counters, the answer)."""
    whole = explaining(VolunteerUnitOfWork)(db, source="volunteer")
    answer = statistics(whole, dict(query))
    counters = explaining(VolunteerUnitOfWork, HOURS_STATS, ROLLUP, SERVED_STATS)(
        db, source="volunteer")
    statistics(counters, dict(query))
    return whole.examined, counters.plans, answer


@pytest.fixture(scope="module")
def measured(mongo_client):
    db = mongo_client[f"volunteer_statistics_{uuid.uuid4().hex[:8]}"]
    ensure_indexes(db, INDEXES)
    uow = VolunteerUnitOfWork(db, source="volunteer")
    seed(uow)
    for community in COMMUNITIES:  # volunteers as they are now
        for team in TEAMS:
            SNAPSHOT.record(uow, [((community, team or ""), {"state.active": 1,
                                                             "skill.medical": 1})])
    results, have = {}, []
    try:
        for size in HISTORIES:
            months = months_back(size)
            grow(uow, months[len(have):])
            have = months
            results[size] = {repr(q): measure(db, q) for q, _, _ in QUERIES}
        yield db, results
    finally:
        mongo_client.drop_database(db.name)


def test_a_period_examines_the_same_few_counters_however_long_the_history(measured):
    db, results = measured
    short, long = (results[size] for size in HISTORIES)
    print(f"\ndocuments examined with {HISTORIES} months of history:")
    for query, months, by_team in QUERIES:
        key = repr(query)
        (small, _, _), (large, plans, _) = short[key], long[key]
        print(f"  {query}: {small}, {large}")
        assert large <= small, (query, small, large)
        bound = budget(db, months, by_team, "month" in query.get("group_by", ()))
        assert large <= bound, (query, large, bound, plans)
        assert plans and all("IXSCAN" in plan for plan in plans), (query, plans)


def test_the_hours_of_a_year_by_community_come_from_the_roll_up(measured):
    db, _ = measured
    hours = explaining(VolunteerUnitOfWork, HOURS_STATS, ROLLUP)(db, source="volunteer")
    statistics(hours, {"period": str(YEAR), "group_by": ["community"]})
    by_team = 12 * len(COMMUNITIES) * len(TEAMS)  # what the buckets by team hold for it
    assert len(TEAMS) > HOURS.shards
    assert hours.examined <= 12 * len(COMMUNITIES) * HOURS.shards < by_team


def test_the_figures_add_up_to_the_entries_whatever_the_history(measured):
    _, results = measured
    year = {repr(q): results[HISTORIES[0]][repr(q)][2] for q, _, _ in QUERIES}
    for size in HISTORIES[1:]:
        assert {repr(q): results[size][repr(q)][2] for q, _, _ in QUERIES} == year
    combos = len(COMMUNITIES) * len(TEAMS)
    by_community = year[repr(QUERIES[0][0])]
    assert by_community["totals"]["hours"] == 12 * combos * HOURS_EACH
    assert by_community["totals"]["services"] == 12 * combos
    assert by_community["totals"]["serving_volunteers"] == combos
    assert [(g["community"], g["hours"], g["serving_volunteers"], g["volunteers"]["active"])
            for g in by_community["groups"]] == [
        (c, 12 * len(TEAMS) * HOURS_EACH, len(TEAMS), len(TEAMS)) for c in sorted(COMMUNITIES)]
    one = year[repr(QUERIES[2][0])]["totals"]
    assert (one["hours"], one["serving_volunteers"]) == (12 * len(TEAMS) * HOURS_EACH,
                                                         len(TEAMS))
    by_month = year[repr(QUERIES[3][0])]["groups"]
    assert [(g["month"], g["hours"], g["serving_volunteers"]) for g in by_month] == [
        (m, combos * HOURS_EACH, combos) for m in sorted(months_back(12))]
    by_skill = {g["skill"]: g["hours"] for g in year[repr(QUERIES[4][0])]["groups"]}
    medical_teams = len([t for t in range(len(TEAMS)) if t % 2 == 0])
    assert by_skill["medical"] == 12 * len(COMMUNITIES) * medical_teams * HOURS_EACH
    by_team = {g["team"]: (g["hours"], g["serving_volunteers"])
               for g in year[repr(QUERIES[5][0])]["groups"]}
    assert by_team == {t or "": (3 * len(COMMUNITIES) * HOURS_EACH, len(COMMUNITIES))
                       for t in TEAMS}
    one_month = year[repr(QUERIES[7][0])]["totals"]
    assert (one_month["hours"], one_month["services"], one_month["serving_volunteers"]) == (
        HOURS_EACH, 1, 1)


def test_hours_counted_before_the_roll_up_are_rolled_up_once_at_start(measured):
    db, _ = measured
    uow = VolunteerUnitOfWork(db, source="volunteer")
    queries = [q for q, _, _ in QUERIES] + [{"group_by": ["community"]}]
    before = [statistics(uow, dict(q)) for q in queries]
    db[ROLLUP].drop()  # as kept before the roll-up existed
    seed(uow)  # a start
    assert db[ROLLUP].count_documents({}) > 0
    assert [statistics(uow, dict(q)) for q in queries] == before
    seed(uow)  # a second start changes nothing
    assert [statistics(uow, dict(q)) for q in queries] == before
