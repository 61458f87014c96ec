"""The figures activities add up to, and the codes they are described by."""
from __future__ import annotations

from services.activity import catalogue, domain, exemplars, registrations, schemas
from shared.schemas import load, month_range
from shared.unit_of_work import query


@query
def statistics(uow, query: dict) -> dict:
    """Activities held, attendance and the rest, for a period of office months (by the month
    an activity starts), optionally grouped."""
    query = load(schemas.Statistics(), query)
    first, last = month_range(query["period"], query["from_month"], query["to_month"])
    group_by = tuple("venue_id" if g == "venue" else g for g in query["group_by"])
    buckets = uow.activities.statistics_buckets(first, last, query["community"],
                                                query["venue_id"], query["theme"],
                                                query["festival"], group_by)
    result = domain.roll_up(buckets, tuple(query["group_by"]))
    if "venue" in query["group_by"]:
        names = uow.venues.names({g["venue_id"] for g in result["groups"]})
        for group in result["groups"]:
            group["venue_name"] = names.get(group["venue_id"])
    result["period"] = {"from_month": first, "to_month": last}
    return result


@query
def reference_data(uow) -> dict:
    """Codes and their Chinese names: themes, festivals, target groups, venue and room kinds,
    exemplar categories, forms of featuring, states."""
    def coded(names):
        return [{"code": code, "name": name} for code, name in names.items()]
    return {"themes": coded(catalogue.THEMES), "festivals": coded(catalogue.FESTIVALS),
            "target_groups": coded(catalogue.TARGET_GROUPS),
            "venue_kinds": coded(catalogue.VENUE_KINDS),
            "room_kinds": coded(catalogue.ROOM_KINDS),
            "exemplar_categories": coded(exemplars.CATEGORIES),
            "feature_forms": coded(catalogue.FEATURE_FORMS),
            "volunteer_skills": coded(catalogue.VOLUNTEER_SKILLS),
            "activity_states": coded(catalogue.STATE_NAMES),
            "registration_statuses": coded(registrations.REGISTRATION_STATUS_NAMES),
            "exemplar_states": coded(exemplars.STATE_NAMES)}
