"""The published figures of 一走四送 and employment, from the monthly counters the aggregates
keep (by office month and community). No I/O."""
from __future__ import annotations

from services.job.domain.reference import (DELIVERY_KINDS, EXPIRED, FILLED, PLACEMENT_STATES,
                                           STABLE, WITHDRAWN)
from shared.statistics import roll_up as sum_buckets

GROUP_DIMENSIONS = ("month", "community")


def roll_up(buckets: list[dict], group_by: tuple[str, ...] = ()) -> dict:
    """Sum monthly buckets ({"month", "community", "counts"}) into totals and groups."""
    return sum_buckets(buckets, group_by, figures)


def figures(counts: dict) -> dict:
    def n(name):
        return int(counts.get(name, 0))

    deliveries = {kind: {"name": label, "count": n(f"delivery.{kind}")}
                  for kind, label in DELIVERY_KINDS.items()}
    outcomes = {state: n(f"placement_state.{state}") for state in PLACEMENT_STATES}
    placements = n("placements")
    return {
        "visits": n("visits"),
        "deliveries": deliveries,
        "deliveries_total": sum(d["count"] for d in deliveries.values()),
        "problems_reported": n("problems_reported"),
        "problems_resolved": n("problems_resolved"),
        "problems_ended": n("problems_ended"),
        "training_requests": n("training_requests"),
        # 提供岗位招聘信息: postings published in the period, and the places they offered.
        "postings_provided": n("postings"),
        "openings_provided": n("openings"),
        "postings_via_visits": n("postings_via_visits"),
        "postings_closed": {state: n(f"postings_{state}") for state in (FILLED, EXPIRED,
                                                                         WITHDRAWN)},
        "seekers_registered": n("seekers_registered"),
        "applications": n("applications"),
        "interviews": n("interviews"),
        # Placements that started in the period, and where they stand now.
        "placements": placements,
        "placement_outcomes": outcomes,
        # 实现稳定就业: of the placements that started in the period, those now stable (the
        # same cohort as 实现就业 and 稳定就业率, so the three always agree).
        "stable_placements": outcomes[STABLE],
        # Stable placements confirmed at their 6-month follow-up within the period (a
        # follow-up workload figure: these started about six months earlier).
        "stable_confirmed": n("stable_placements"),
        "placements_ended": n("placements_ended"),
        "follow_ups_done": n("follow_ups_done"),
        # Of the placements that started in the period, the share now stable.
        "stable_rate": round(outcomes[STABLE] / placements, 4) if placements else None,
    }
