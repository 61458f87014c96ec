"""批量导入 of employers and postings: every row checked first, all or nothing."""
import pytest

from services.job.service import JobService
from shared import clock
from shared.errors import ValidationFailed

ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
EMPLOYER = {"name": "聚宝路毛绒玩具加工点", "community": "天宝社区", "address": "聚宝路12号",
            "sector": "handicraft", "size": "micro",
            "contact": {"name": "蒋秀兰", "phone": "13505500000"}}
LATER = "2099-03-31T23:59:59+08:00"
POSTING = {"employer_name": "聚宝路 毛绒玩具加工点", "title": "毛绒玩具手工缝制",
           "description": "可带回家做,计件工资", "employment_type": "PART_TIME",
           "openings": 3, "valid_through": LATER, "hours_flexible": True}


@pytest.fixture
def job(start_service):
    return start_service(JobService)


def test_employers_then_their_postings_are_imported_whole(job, rpc):
    second = {**EMPLOYER, "name": "天宝服装辅料加工坊", "address": "天宝巷5号"}
    result = rpc.job.import_employers(actor=ADMIN, rows=[EMPLOYER, second])
    assert result["created"] == 2
    posted = rpc.job.import_job_postings(actor=ADMIN, rows=[POSTING, {
        **POSTING, "employer_name": "天宝服装辅料加工坊", "title": "辅料剪线"}])
    assert posted["created"] == 2
    postings = rpc.job.list_job_postings()["items"]
    assert {p["employer_name"] for p in postings} == {"聚宝路毛绒玩具加工点", "天宝服装辅料加工坊"}
    assert rpc.job.job_statistics(period=clock.month_key(clock.now()))["totals"][
        "postings_provided"] == 2


def test_bad_rows_refuse_the_whole_file(job, rpc):
    rpc.job.import_employers(actor=ADMIN, rows=[EMPLOYER])
    with pytest.raises(ValidationFailed) as error:
        rpc.job.import_employers(actor=ADMIN, rows=[
            {**EMPLOYER, "name": "新宇巷早餐店", "community": "浚河社区"},
            {**EMPLOYER, "name": "聚宝路毛绒玩具加工点 "},                 # already registered
            {**EMPLOYER, "name": "胜利巷家政", "sector": "space"},       # unknown sector
            {**EMPLOYER, "name": "新宇巷早餐店", "community": "浚河社区"}])  # twice in the file
    assert error.value.code == "IMPORT_REJECTED"
    assert set(error.value.fields["rows"]) == {"1", "2", "3"}
    assert rpc.job.list_employers()["total"] == 1

    with pytest.raises(ValidationFailed) as error:
        rpc.job.import_job_postings(actor=ADMIN, rows=[
            POSTING, {**POSTING, "employer_name": "不存在的单位"},
            {**POSTING, "valid_through": "2020-01-01T00:00:00+08:00"},
            {**POSTING, "hours_flexible": False}])
    assert set(error.value.fields["rows"]) == {"1", "2", "3"}
    assert "employer_name" in error.value.fields["rows"]["1"]
    assert rpc.job.list_job_postings()["total"] == 0
    staff = {"id": "u-s", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
    with pytest.raises(ValidationFailed) as error:
        rpc.job.import_job_postings(actor=staff, rows=[POSTING])
    assert "community" in error.value.fields["rows"]["0"]
