"""Job postings, their expiry by timer (with two processes at once), and the community
screen, over RPC against the real broker and SecantusDB."""
import eventlet
import pytest
from nameko.testing.services import entrypoint_hook

from services.job.service import JobService
from shared import clock
from shared.errors import IllegalTransition, ValidationFailed
from tests.integration.job.conftest import STAFF, TOY_WORKSHOP, in_days, window

TOY_JOB = {
    "title": "毛绒玩具手工缝制", "description": "在加工点或带回家手工缝制毛绒玩具,计件结算,时间自由",
    "employment_type": "PART_TIME", "hours_flexible": True,
    "work_schedule": [window(range(1, 7), "08:00", "17:00")],
    "salary": {"min": 1800, "max": 2200, "unit": "MONTH", "piece_rate": True},
    "openings": 3, "skills": ["手工缝纫"], "public_contact": "周老板 13900000001"}


def publish(rpc, employer_id, **extra):
    return rpc.job.publish_job_posting(STAFF, employer_id=employer_id,
                                       **{**TOY_JOB, "valid_through": in_days(30), **extra})


def test_a_posting_carries_schema_org_fields_and_its_legal_steps(job, rpc, toy_workshop,
                                                                  event_tap):
    tap = event_tap("job")
    posting = publish(rpc, toy_workshop["employer_id"])
    assert (posting["state_name"], posting["address"], posting["community"]) == (
        "招聘中", "聚宝路12号", "天宝社区")
    assert posting["salary_text"] == "计件,月均约1800–2200元"
    assert [a["action"] for a in posting["allowed_actions"]] == [
        "update", "withdraw", "mark_filled", "renew"]
    opened = tap.wait_for("job_posting_opened")["data"]
    assert opened["summary"].startswith("聚宝路毛绒玩具加工点招毛绒玩具手工缝制3人|兼职|时间灵活")

    ld = rpc.job.job_posting_schema_org(posting["posting_id"])
    assert (ld["@type"], ld["employmentType"], ld["totalJobOpenings"]) == (
        "JobPosting", "PART_TIME", 3)
    assert ld["hiringOrganization"]["name"] == "聚宝路毛绒玩具加工点"
    assert ld["baseSalary"]["value"] == {"@type": "QuantitativeValue", "unitText": "MONTH",
                                         "minValue": 1800.0, "maxValue": 2200.0}
    assert ld["jobLocation"]["geo"]["latitude"] == pytest.approx(32.6917, abs=1e-3)

    updated = rpc.job.update_job_posting(posting["posting_id"], STAFF, openings=5)
    assert updated["openings"] == 5
    with pytest.raises(ValidationFailed) as failed:  # a salary is changed whole, not in part
        rpc.job.update_job_posting(posting["posting_id"], STAFF, salary={"max": 2500})
    assert failed.value.fields == {"salary": {"min": ["必填项。"]}}
    withdrawn = rpc.job.withdraw_job_posting(posting["posting_id"], STAFF,
                                             reason="订单取消,暂不招人")
    assert withdrawn["state"] == "withdrawn" and withdrawn["allowed_actions"] == []
    with pytest.raises(IllegalTransition) as refused:
        rpc.job.update_job_posting(posting["posting_id"], STAFF, openings=2)
    assert "已撤回" in refused.value.message
    closed = tap.wait_for("job_posting_closed")["data"]
    assert (closed["state"], closed["reason"]) == ("withdrawn", "订单取消,暂不招人")


def test_a_posting_must_say_when_and_until_when(job, rpc, toy_workshop, service_db):
    with pytest.raises(ValidationFailed) as failed:
        publish(rpc, toy_workshop["employer_id"], hours_flexible=False, work_schedule=[],
                valid_through="2020-01-01T00:00:00+08:00")
    assert failed.value.fields == {"work_schedule": ["请填写工作时间,或注明时间灵活。"]}
    with pytest.raises(ValidationFailed) as failed:
        publish(rpc, toy_workshop["employer_id"], valid_through="2020-01-01T00:00:00+08:00",
                salary={"min": 2200, "max": 1800},
                work_schedule=[window([1, 8], "08:00", "8:00")])
    assert failed.value.fields == {
        "salary": {"max": ["最高不能低于最低。"]},
        "work_schedule": {"0": {"days": {"1": ["应大于等于 1 且小于等于 7。"]},
                                "end": ["时间格式应为 HH:MM。"]}}}
    with pytest.raises(ValidationFailed) as failed:
        publish(rpc, toy_workshop["employer_id"], valid_through="2020-01-01T00:00:00+08:00")
    assert failed.value.fields == {"valid_through": ["截止时间应晚于现在。"]}
    assert service_db("job").job_postings.count_documents({}) == 0


def test_expired_postings_close_once_even_with_two_processes(
        start_service, rpc, service_db, event_tap):
    tap = event_tap("job")
    first, second = start_service(JobService), start_service(JobService)
    employer_id = rpc.job.register_employer(STAFF, **TOY_WORKSHOP)["employer_id"]
    postings = [publish(rpc, employer_id)["posting_id"] for _ in range(3)]
    db = service_db("job")
    db.job_postings.update_many(  # two of them passed their deadline an hour ago
        {"_id": {"$in": postings[:2]}},
        {"$set": {"valid_through": clock.now().replace(year=2020)}})

    def run(container):
        with entrypoint_hook(container, "expire_job_postings") as expire:
            return expire()
    results = [t.wait() for t in (eventlet.spawn(run, first), eventlet.spawn(run, second))]
    assert sorted(results[0] + results[1]) == sorted(postings[:2])
    assert run(first) == [] and run(second) == []
    assert [rpc.job.get_job_posting(p)["state"] for p in postings] == [
        "expired", "expired", "open"]
    tap.wait_for("job_posting_closed")
    assert tap.types().count("job_posting_closed") == 2
    totals = rpc.job.job_statistics()["totals"]
    assert totals["postings_closed"]["expired"] == 2 and totals["postings_provided"] == 3

    renewed = rpc.job.renew_job_posting(postings[0], STAFF, valid_through=in_days(14))
    assert renewed["state"] == "open"
    assert rpc.job.list_job_postings(state=["open"], community="天宝社区")["total"] == 2


def test_the_screen_shows_a_communitys_open_postings_as_json_and_as_a_page(
        job, rpc, toy_workshop):
    other = rpc.job.register_employer(STAFF, **{**TOY_WORKSHOP, "name": "浚河家政服务部",
                                                "community": "浚河社区", "alley": "浚河巷",
                                                "sector": "domestic"})
    toy = publish(rpc, toy_workshop["employer_id"])["posting_id"]
    cashier = publish(rpc, toy_workshop["employer_id"], title="收银员", hours_flexible=False,
                      public_contact=None, work_schedule=[window(range(1, 6), "09:00", "15:00")],
                      salary={"min": 1500, "unit": "MONTH"})["posting_id"]
    publish(rpc, other["employer_id"], title="家政保洁")
    gone = publish(rpc, toy_workshop["employer_id"], title="打包工")["posting_id"]
    rpc.job.mark_job_posting_filled(gone, STAFF)

    feed = rpc.job.screen_feed(community="天宝社区")
    assert feed["total"] == 2 and {i["posting_id"] for i in feed["items"]} == {toy, cashier}
    lines = {i["posting_id"]: i["line"] for i in feed["items"]}
    assert lines[cashier] == ("【招工】聚宝路毛绒玩具加工点 招收银员3人(兼职)|周一至周五 9:00–15:00|"
                              "月薪1500元|聚宝路12号|周老板 13900000001")
    # The employer's contact phone is a public business contact: in full on the screen. A
    # person's phone is not: the employer's record and a job seeker's keep theirs masked.
    assert {i["contact"] for i in feed["items"]} >= {"周老板 13900000001"}
    assert rpc.job.get_employer(toy_workshop["employer_id"])["contact"]["phone_masked"] == \
        "139****0001"
    seeker = rpc.job.register_seeker(STAFF, name="胡明英", community="天宝社区",
                                    phone="13955012345", consent=True)
    assert seeker["phone_masked"] == "139****2345" and "13955012345" not in str(seeker)
    assert "13955012345" not in str(rpc.job.screen_feed(community="天宝社区"))
    page = rpc.job.screen_page(community="天宝社区", rotate_seconds=60)
    assert page.startswith("<!DOCTYPE html>") and "收银员" in page and "家政保洁" not in page
    assert "联系方式:周老板 13900000001" in page
    assert '<meta http-equiv="refresh" content="60">' in page
    with pytest.raises(ValidationFailed):
        rpc.job.screen_feed(community="天宝社区", rotate_seconds=5)
