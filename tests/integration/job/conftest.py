"""Fixtures and realistic data for the job service's integration tests."""
from datetime import timedelta

import pytest

from services.job.service import JobService
from shared import clock

STAFF = {"id": "u-li", "name": "李伟", "role": "community_staff", "community": "天宝社区"}
ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
RESIDENT = {"id": "r-1", "name": "胡明英", "role": "resident", "community": "天宝社区"}

JUBAO_ROAD = {"lat": 32.6890, "long": 119.0240}


def north_of_home(km: float) -> dict:
    return {"lat": JUBAO_ROAD["lat"] + km / 111.2, "long": JUBAO_ROAD["long"]}


TOY_WORKSHOP = {
    "name": "聚宝路毛绒玩具加工点", "community": "天宝社区", "address": "聚宝路12号",
    "alley": "聚宝路", "location": north_of_home(0.3), "sector": "handicraft", "size": "micro",
    "contact": {"name": "周老板", "phone": "13900000001"}, "employees": 8}


def in_days(days: int) -> str:
    return clock.iso(clock.now() + timedelta(days=days))


def days_ago(days: int) -> str:
    return clock.local_date(clock.now() - timedelta(days=days)).isoformat()


def window(days, start, end):
    return {"days": list(days), "start": start, "end": end}


@pytest.fixture
def job(start_service):
    return start_service(JobService)


@pytest.fixture
def toy_workshop(job, rpc):
    return rpc.job.register_employer(STAFF, **TOY_WORKSHOP)
