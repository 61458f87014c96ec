"""A volunteer signed up for an activity's shift is told when the activity's time or place
changes, whichever of the two events — the volunteer service's sign-up, the activity service's
change — the notification service hears of first: they come by different queues. Told once,
and not told of a change made before they signed up."""
from datetime import timedelta
from uuid import uuid4

import pytest

from services.notify import domain
from services.notify.handlers import events
from shared import clock
from shared.envelope import Envelope
from tests.unit.notify.fakes import FakeNotifyUnitOfWork

START = clock.now().replace(microsecond=0) + timedelta(days=3)


def event(kind: str, data: dict, at) -> Envelope:
    return Envelope(event_id=uuid4().hex, type=kind, source="test", occurred_at=at,
                    schema_version=1, data=data)


def scheduled(starts_at, version: int, at) -> Envelope:
    return event("activity_published", {
        "activity_id": "AC1", "activity_version": version, "title": "书法讲座",
        "starts_at": clock.iso(starts_at), "ends_at": clock.iso(starts_at + timedelta(hours=1)),
        "community": "浚河社区", "address": "新宇巷1号"}, at)


def sign_up(at) -> Envelope:
    return event("volunteer_signed_up", {"shift_id": "SH1", "volunteer_id": "V1",
                                         "volunteer_name": "陈晓"}, at)


@pytest.fixture
def uow():
    uow = FakeNotifyUnitOfWork()
    now = clock.now()
    events.activity_scheduled(uow, scheduled(START, 1, now - timedelta(minutes=10)))
    events.shift_opened(uow, event("shift_opened", {
        "shift_id": "SH1", "kind": "activity", "title": "书法讲座志愿服务",
        "starts_at": START, "ends_at": START + timedelta(hours=1), "place": "新宇巷1号",
        "activity_id": "AC1"}, now - timedelta(minutes=9)))
    return uow


def told(uow) -> list:
    return [m for m in uow.messages.all() if m.kind == "shift_changed"]


def test_a_sign_up_heard_of_before_the_change_is_told_of_it(uow):
    now = clock.now()
    events.signed_up(uow, sign_up(now - timedelta(minutes=5)))
    events.activity_scheduled(uow, scheduled(START + timedelta(days=1), 2,
                                             now - timedelta(minutes=4)))
    assert len(told(uow)) == 1


def test_a_sign_up_heard_of_after_the_change_it_preceded_is_told_of_it_once(uow):
    now = clock.now()
    change = scheduled(START + timedelta(days=1), 2, now - timedelta(minutes=4))
    events.activity_scheduled(uow, change)
    signed = sign_up(now - timedelta(minutes=5))  # made before the change
    events.signed_up(uow, signed)
    assert len(told(uow)) == 1
    assert told(uow)[0].data["start_time"] == domain.local_text(START + timedelta(days=1))
    events.signed_up(uow, signed)            # delivered again
    events.activity_scheduled(uow, change)   # delivered again
    assert len(told(uow)) == 1


def test_a_sign_up_made_after_the_change_is_not_told_of_it(uow):
    now = clock.now()
    events.activity_scheduled(uow, scheduled(START + timedelta(days=1), 2,
                                             now - timedelta(minutes=4)))
    events.signed_up(uow, sign_up(now - timedelta(minutes=3)))
    assert told(uow) == []
