"""补录: an activity held before it was recorded here counts in the month it was held, books
its place for that time, and its volunteers are credited by the volunteer service."""
import pytest

from services.volunteer.service import VolunteerService
from shared.errors import Conflict, Forbidden, ValidationFailed
from tests.conftest import wait_until
from tests.integration.activity.conftest import ADMIN, STAFF
from tests.integration.volunteer.conftest import id_number

HELD = {"title": "中秋节“我们的节日”社区专场", "theme": "our_festivals", "festival": "mid_autumn",
        "organiser": "浚河社区", "community": "浚河社区",
        "starts_at": "2026-09-24T14:00:00+08:00", "ends_at": "2026-09-24T16:00:00+08:00",
        "reason": "2026年活动台账", "registered": 3, "attendance": 3, "walk_ins": 1,
        "minutes": "猜灯谜、做月饼,居民踊跃参加。"}


def test_a_held_activity_counts_in_its_month_and_credits_its_volunteers(
        place, rpc, start_service):
    start_service(VolunteerService)
    volunteer = rpc.volunteer.register_volunteer(
        actor=ADMIN, name="陈晓", community="浚河社区", phone="13900000001",
        id_number=id_number(1))
    venue_id, room_id = place
    held = rpc.activity.record_held_activity(
        actor=STAFF, **HELD, venue_id=venue_id, room_id=room_id,
        volunteers=[{"volunteer_id": volunteer["id"], "name": "陈晓"}])
    assert held["state"] == "finished" and held["attendance"] == 3
    assert held["imported"]["reason"] == "2026年活动台账"
    assert [h["action_name"] for h in held["history"]] == ["创建", "补录"]
    september = rpc.activity.activity_statistics(period="2026-09", group_by=["festival"])
    assert september["totals"]["held"] == 1 and september["totals"]["attendance"] == 3
    assert september["totals"]["no_shows"] == 1  # three registered, two of them came
    assert september["groups"][0]["festival_name"] == "中秋节"
    assert rpc.activity.activity_statistics(period="2026-10")["totals"]["held"] == 0

    credited = wait_until(lambda: rpc.volunteer.get_volunteer(volunteer["id"])["total_hours"],
                          message="hours credited from the held activity")
    assert credited == 2.0
    entry = rpc.volunteer.list_ledger_entries(volunteer_id=volunteer["id"])["items"][0]
    assert entry["date"] == "2026-09-24" and entry["organiser"] == "浚河社区"

    with pytest.raises(Conflict) as clash:  # the room was taken then
        rpc.activity.record_held_activity(actor=ADMIN, **HELD, venue_id=venue_id,
                                          room_id=room_id)
    assert clash.value.code == "ROOM_BOOKED"


def test_only_held_activities_of_ones_own_community_within_the_room(place, rpc):
    venue_id, room_id = place
    with pytest.raises(ValidationFailed) as error:
        rpc.activity.record_held_activity(actor=ADMIN, **{**HELD, "attendance": 9},
                                          venue_id=venue_id, room_id=room_id)
    assert "attendance" in error.value.fields
    with pytest.raises(ValidationFailed) as error:
        rpc.activity.record_held_activity(actor=ADMIN, **{
            **HELD, "starts_at": "2099-01-01T10:00:00+08:00",
            "ends_at": "2099-01-01T11:00:00+08:00"}, venue_id=venue_id, room_id=room_id)
    assert "ends_at" in error.value.fields
    with pytest.raises(Forbidden):
        rpc.activity.record_held_activity(actor={**STAFF, "community": "天宝社区"}, **HELD,
                                          venue_id=venue_id, room_id=room_id)
    assert rpc.activity.list_activities()["total"] == 0
