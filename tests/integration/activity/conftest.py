"""Fixtures for the activity service's integration tests."""
from datetime import timedelta

import pytest

from services.activity.repositories.activities import EXTENTS
from services.activity.service import ActivityService
from services.activity.unit_of_work import ActivityUnitOfWork
from shared import clock

ADMIN = {"id": "u-admin", "name": "周启春", "role": "street_admin"}
STAFF = {"id": "u-staff", "name": "张永明", "role": "community_staff", "community": "浚河社区"}


@pytest.fixture
def activity_service(start_service):
    return start_service(ActivityService)


@pytest.fixture
def place(activity_service, rpc):
    """浚河社区's cultural centre (always open) with a 书画室 for three: (venue_id, room_id)."""
    venue = rpc.activity.save_venue(ADMIN, community="浚河社区", name="浚河社区综合文化服务中心",
                                    kind="cultural_centre", address="新宇巷1号")
    venue = rpc.activity.save_room(ADMIN, venue_id=venue["id"], name="书画室",
                                   kind="calligraphy", capacity=3)
    return venue["id"], venue["rooms"][0]["id"]


@pytest.fixture
def shift_into_past(service_db):
    """Move an activity's times so that it started `started_minutes_ago` (what the clock would
    do by itself, without waiting for it), where it is listed too."""
    def shift(activity_id, started_minutes_ago=5, lasted_minutes=120):
        starts = clock.now() - timedelta(minutes=started_minutes_ago)
        db = service_db("activity")
        EXTENTS.widen(ActivityUnitOfWork(db, source="activity"), {"list_at": starts})
        db.activities.update_one(
            {"_id": activity_id},
            {"$set": {"starts_at": starts, "list_at": starts,
                      "ends_at": starts + timedelta(minutes=lasted_minutes)}})
    return shift


def soon(minutes: float) -> str:
    return clock.iso(clock.now() + timedelta(minutes=minutes))
