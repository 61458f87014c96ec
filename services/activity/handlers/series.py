"""Recurring series (every Saturday for 8 weeks): created all or none, published and
cancelled together."""
from __future__ import annotations

from typing import Callable

from services.activity import catalogue, domain, exceptions, schemas
from services.activity.permissions import authorise
from services.activity.scheduling import occurrences, parse_hhmm
from services.activity.views import SeriesView
from shared.domain import actor_ref
from shared.errors import Conflict, ValidationFailed
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@command
def create(uow, actor: dict, details: dict) -> dict:
    """One draft activity per date, all or none: a clash on any date refuses the series and
    names every clash."""
    actor = load(ActorSchema(), actor)
    details = load(schemas.CreateSeries(), details)
    authorise(actor, "manage", details["community"], "创建系列活动")
    rule = details.pop("recurrence")
    venue_id, room_id = details.pop("venue_id"), details.pop("room_id")
    dates = occurrences(rule["start_date"], parse_hhmm(rule["start_time"]),
                        parse_hhmm(rule["end_time"]), rule["weekdays"],
                        rule["interval_weeks"], rule["count"], rule["until"],
                        rule["exclude_dates"])
    if not dates:
        raise exceptions.invalid("recurrence", "按此规则没有任何活动日期。")
    recurrence = {**rule, "start_date": rule["start_date"].isoformat(),
                  "until": rule["until"] and rule["until"].isoformat(),
                  "exclude_dates": [d.isoformat() for d in rule["exclude_dates"]]}
    place = uow.venues.place(venue_id, room_id)
    series_id = uow.series.next_id(uow.now)
    ids = [uow.activities.next_id(uow.now) for _ in dates]
    created, clashes, problems = [], [], {}
    for activity_id, (starts_at, ends_at) in zip(ids, dates):
        try:
            activity = domain.Activity.create(activity_id, {
                **details, "starts_at": starts_at, "ends_at": ends_at,
                "series_id": series_id}, place, actor, uow.now)
            uow.activities.add(activity)
            created.append(activity)
        except Conflict as clash:
            clashes.append(clash.message)
        except ValidationFailed as invalid:
            for messages in invalid.fields.values():
                problems.setdefault(f"{starts_at:%Y-%m-%d}", []).extend(messages)
    if problems:
        raise ValidationFailed(fields={"recurrence": problems})
    if clashes:
        raise Conflict(";".join(clashes), code="ROOM_BOOKED", fields={"recurrence": clashes})
    series = {"_id": series_id, "title": details["title"], "community": details["community"],
              "recurrence": recurrence, "activity_ids": ids, "created_at": uow.now,
              "created_by": actor_ref(actor)}
    uow.series.add(series)
    return SeriesView(now=uow.now, activities=created).dump(series)


@query
def get(uow, series_id: str) -> dict:
    return SeriesView(now=uow.now, activities=uow.activities.in_series(series_id)).dump(
        uow.series.get(series_id))


@command
def publish(uow, series_id: str, actor: dict) -> dict:
    """Publish every draft of the series still to come."""
    actor = load(ActorSchema(), actor)
    return change_series(uow, series_id, actor, "发布系列活动",
                         lambda a, at: a.state == catalogue.DRAFT and a.starts_at > at,
                         lambda a, at: a.publish(actor, at))


@command
def cancel(uow, series_id: str, actor: dict, command: dict) -> dict:
    """Cancel every activity of the series that has not started."""
    actor = load(ActorSchema(), actor)
    reason = load(schemas.Reason(), command)["reason"]
    return change_series(
        uow, series_id, actor, "取消系列活动",
        lambda a, at: a.state in catalogue.NOT_STARTED and (a.starts_at is None
                                                            or a.starts_at > at),
        lambda a, at: a.cancel(actor, at, reason))


def change_series(uow, series_id: str, actor: dict, label: str, applies: Callable,
                  step: Callable) -> dict:
    series = uow.series.get(series_id)
    authorise(actor, "manage", series["community"], label)
    activities = uow.activities.in_series(series_id)
    for activity in activities:
        if applies(activity, uow.now):
            step(activity, uow.now)
            uow.activities.save(activity)
    return SeriesView(now=uow.now, activities=activities).dump(series)
