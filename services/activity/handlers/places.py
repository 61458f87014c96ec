"""Venues and rooms (场地, 功能室), and the calendar of what is booked where."""
from __future__ import annotations

from services.activity import exceptions, schemas
from services.activity.permissions import authorise
from services.activity.views import BookingView, VenueView
from shared.schemas import ActorSchema, load
from shared.unit_of_work import command, query


@command
def save_venue(uow, actor: dict, venue: dict) -> dict:
    """Add a venue (no `venue_id`) or change one."""
    actor = load(ActorSchema(), actor)
    venue = load(schemas.Venue(), venue)
    authorise(actor, "manage", venue["community"], "登记或修改场地")
    venue_id = venue.pop("venue_id")
    if venue_id:
        existing = uow.venues.venue(venue_id, active_only=False)
        authorise(actor, "manage", existing["community"], "修改场地")
    else:
        venue_id = uow.venues.next_venue_id()
    uow.venues.save_venue({**venue, "id": venue_id}, uow.now)
    return VenueView(now=uow.now).dump(uow.venues.with_rooms(venue_id))


@command
def save_room(uow, actor: dict, room: dict) -> dict:
    """Add a room to a venue (no `room_id`) or change one."""
    actor = load(ActorSchema(), actor)
    room = load(schemas.Room(), room)
    room_id = room.pop("room_id")
    venue = uow.venues.venue(room["venue_id"], active_only=False)
    authorise(actor, "manage", venue["community"], "登记或修改功能室")
    if room_id:
        existing = uow.venues.room(room_id, active_only=False)
        if existing["venue_id"] != venue["id"]:
            raise exceptions.invalid("venue_id", "功能室不能搬到另一处场地。")
    else:
        room_id = uow.venues.next_room_id(venue["id"])
    uow.venues.save_room({**room, "id": room_id, "community": venue["community"]}, venue,
                         uow.now)
    return VenueView(now=uow.now).dump(uow.venues.with_rooms(venue["id"]))


@query
def get_venue(uow, venue_id: str) -> dict:
    return VenueView(now=uow.now).dump(uow.venues.with_rooms(venue_id))


@query
def venues(uow, query: dict) -> list[dict]:
    query = load(schemas.VenueQuery(), query)
    found = uow.venues.venues(query["community"], query["kind"], query["include_inactive"])
    return VenueView(many=True, now=uow.now).dump(found)


@query
def bookings(uow, query: dict) -> list[dict]:
    """What is booked where and when: the calendar staff plan by."""
    query = load(schemas.BookingQuery(), query)
    query["from"] = query.pop("from_")
    return BookingView(many=True, now=uow.now).dump(uow.venues.bookings(query))
