"""Fixtures for the volunteer service's integration tests: the service in a container, and
ready-made volunteers (registered and approved through its own RPC API)."""
from datetime import timedelta

import pytest

from services.volunteer.service import VolunteerService
from shared import clock

ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
JUNHE_STAFF = {"id": "u-junhe", "name": "张永明", "role": "community_staff",
               "community": "浚河社区"}
TIANBAO_STAFF = {"id": "u-tianbao", "name": "李伟", "role": "community_staff",
                 "community": "天宝社区"}


def id_number(serial: int, birth: str = "19800101") -> str:
    """A valid (GB 11643) ID-card number of a person born in 天长市."""
    body = f"341181{birth}{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def as_volunteer(person: dict) -> dict:
    """The actor a volunteer is when they act for themselves (the gateway passes this)."""
    return {"id": person["id"], "name": person["name"], "role": "volunteer",
            "community": person["community"]}


def iso_in(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


@pytest.fixture
def volunteer_service(start_service):
    return start_service(VolunteerService)


@pytest.fixture
def enrol(rpc):
    """enrol('陈晓', skills=[...]) -> the approved volunteer, as get_volunteer shows it."""
    serials = iter(range(1, 1000))

    def make(name, community="浚河社区", skills=(), team=None, approve=True, **extra):
        person = rpc.volunteer.register_volunteer(
            actor={"id": "resident", "name": name, "role": "resident"}, name=name,
            community=community, phone=f"139{next(serials):08d}",
            id_number=id_number(next(serials)), skills=list(skills), team=team, **extra)
        if approve:
            person = rpc.volunteer.approve_volunteer(person["id"], ADMIN)
        return person
    return make
