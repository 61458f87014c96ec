"""The figures of 一走四送 and employment, and the codes forms and filters use."""
from __future__ import annotations

from services.job import domain, schemas
from shared.schemas import load, month_range
from shared.unit_of_work import query


@query
def statistics(uow, query: dict) -> dict:
    """Visits and deliveries by kind, postings provided, placements and stable placements,
    for a period of office months, by community and month if asked."""
    query = load(schemas.Statistics(), query)
    first, last = month_range(query["period"], query["from_month"], query["to_month"])
    buckets = uow.statistics.buckets(first, last, query["community"])
    result = domain.roll_up(buckets, tuple(query["group_by"]))
    result["period"] = {"from_month": first, "to_month": last}
    return result


@query
def reference_data(uow) -> dict:
    """Codes and their Chinese names, for forms and filters."""
    def labelled(mapping):
        return [{"code": code, "name": name} for code, name in mapping.items()]
    return {
        "sectors": labelled(domain.SECTORS), "employer_sizes": labelled(domain.EMPLOYER_SIZES),
        "delivery_kinds": labelled(domain.DELIVERY_KINDS),
        "problem_categories": labelled(domain.PROBLEM_CATEGORY_NAMES),
        "employment_types": labelled(domain.EMPLOYMENT_TYPES),
        "salary_units": labelled(domain.SALARY_UNITS),
        "posting_states": labelled(domain.POSTING_STATES),
        "seeker_states": labelled(domain.SEEKER_STATES),
        "application_states": labelled(domain.APPLICATION_STATES),
        "application_channels": labelled(domain.APPLICATION_CHANNELS),
        "interview_results": labelled(domain.INTERVIEW_RESULTS),
        "placement_states": labelled(domain.PLACEMENT_STATES),
        "follow_up_results": labelled(domain.FOLLOW_UP_RESULTS),
        "hour_presets": [{"code": code, **preset}
                         for code, preset in domain.HOUR_PRESETS.items()],
    }
