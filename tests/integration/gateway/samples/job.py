"""Samples for the job service's routes: an employer with a visit and a posting, a seeker
with an application, and a placement, in one community."""
import random
import uuid
from datetime import timedelta

from shared import clock

SERVICE = "job"


def phone() -> str:
    return f"138{random.randrange(10**8):08d}"


def _at(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def employer_body(community, **extra):
    return {"name": f"聚宝路毛绒玩具加工点{uuid.uuid4().hex[:6]}", "community": community,
            "address": "聚宝路12号", "sector": "handicraft", "size": "micro",
            "contact": {"name": "孙老板", "phone": phone()}, **extra}


def posting_body(**extra):
    return {"title": "毛绒玩具手工缝制", "description": "在家门口做手工,按件计酬。",
            "employment_type": "PART_TIME", "openings": 3, "valid_through": _at(days=30),
            "hours_flexible": True, "salary": {"min": 1800, "max": 2200, "piece_rate": True},
            **extra}


def seeker_body(community, **extra):
    return {"name": "赵敏", "community": community, "phone": phone(), "consent": True,
            "hours_preset": "school_hours", "expected_monthly_pay": 2000, **extra}


def records(admin, community):
    employer = admin.post("/api/employers", json=employer_body(community))
    assert employer.status_code == 201, employer.text
    employer_id = employer.json()["employer_id"]
    today = clock.local_date(clock.now()).isoformat()
    visit = admin.post(f"/api/employers/{employer_id}/visits", json={
        "visited_on": today, "findings": "订单增加,缺少手工缝制人员。",
        "deliveries": [{"kind": "policy", "policy_name": "稳岗补贴"}],
        "follow_up_actions": [{"description": "协助申报稳岗补贴"}]})
    assert visit.status_code == 201, visit.text
    posting = admin.post(f"/api/employers/{employer_id}/job-postings", json=posting_body())
    assert posting.status_code == 201, posting.text
    posting_id = posting.json()["posting_id"]
    seekers, applications = [], []
    for _ in range(2):
        seeker = admin.post("/api/job-seekers", json=seeker_body(community))
        assert seeker.status_code == 201, seeker.text
        seekers.append(seeker.json()["seeker_id"])
        applied = admin.post(f"/api/job-seekers/{seekers[-1]}/applications",
                             json={"posting_id": posting_id})
        assert applied.status_code == 201, applied.text
        applications.append(applied.json()["application_id"])
    placement = admin.post(f"/api/applications/{applications[1]}/hire",
                           json={"started_on": today})
    assert placement.status_code == 201, placement.text
    return {"community": community, "employer_id": employer_id,
            "visit_id": visit.json()["visit_id"],
            "action_id": visit.json()["follow_up_actions"][0]["action_id"],
            "posting_id": posting_id, "seeker_id": seekers[0],
            "application_id": applications[0],
            "placement_id": placement.json()["placement_id"], "today": today,
            "next_month": _at(days=31), "tomorrow": _at(days=1), "new_phone": phone(),
            "new_employer": f"天宝家政服务社{uuid.uuid4().hex[:6]}"}


def snapshot(admin, placeholders):
    p = placeholders
    return tuple(admin.get(path).json()["version"] for path in (
        f"/api/employers/{p['employer_id']}", f"/api/visits/{p['visit_id']}",
        f"/api/job-postings/{p['posting_id']}", f"/api/job-seekers/{p['seeker_id']}",
        f"/api/applications/{p['application_id']}", f"/api/placements/{p['placement_id']}"))


EMPLOYER = {"employer_id": "{employer_id}"}
POSTING = {"posting_id": "{posting_id}"}
SEEKER = {"seeker_id": "{seeker_id}"}
APPLICATION = {"application_id": "{application_id}"}
PLACEMENT = {"placement_id": "{placement_id}"}
SAMPLES = {
    "employers.list": ({}, {"community": "{community}"}),
    "employers.create": ({}, {"name": "{new_employer}", "community": "{community}",
                              "address": "天宝路8号", "sector": "domestic", "size": "micro",
                              "contact": {"name": "钱经理", "phone": "{new_phone}"}}),
    "employers.get": (EMPLOYER, {}),
    "employers.update": (EMPLOYER, {"note": "已申报稳岗补贴"}),
    "employers.reveal_contact": (EMPLOYER, {"purpose": "电话回访"}),
    "employers.record_visit": (EMPLOYER, {"visited_on": "{today}", "findings": "经营正常。"}),
    "employers.publish_posting": (EMPLOYER, posting_body(valid_through="{next_month}")),
    "visits.list": ({}, {"community": "{community}"}),
    "visits.get": ({"visit_id": "{visit_id}"}, {}),
    "visits.complete_action": ({"visit_id": "{visit_id}", "action_id": "{action_id}"}, {}),
    "job_postings.list": ({}, {"community": "{community}"}),
    "job_postings.get": (POSTING, {}),
    "job_postings.update": (POSTING, {"description": "在家门口做手工,按件计酬,可带孩子。"}),
    "job_postings.withdraw": (POSTING, {"reason": "单位不再招聘"}),
    "job_postings.mark_filled": (POSTING, {}),
    "job_postings.renew": (POSTING, {"valid_through": "{next_month}"}),
    "job_postings.schema_org": (POSTING, {}),
    "job_postings.matches": (POSTING, {}),
    "job_seekers.list": ({}, {"community": "{community}"}),
    "job_seekers.create": ({}, {"name": "周丽", "community": "{community}",
                                "phone": "{new_phone}", "consent": True}),
    "job_seekers.get": (SEEKER, {}),
    "job_seekers.update": (SEEKER, {"note": "希望上午工作"}),
    "job_seekers.pause": (SEEKER, {}),
    "job_seekers.resume": (SEEKER, {}),
    "job_seekers.reveal_contact": (SEEKER, {"purpose": "通知面试"}),
    "job_seekers.matches": (SEEKER, {}),
    "job_seekers.apply": (SEEKER, {"posting_id": "{posting_id}"}),
    "applications.list": ({}, {"community": "{community}"}),
    "applications.get": (APPLICATION, {}),
    "applications.schedule_interview": (APPLICATION, {"scheduled_at": "{tomorrow}",
                                                      "place": "天宝社区就业服务站"}),
    "applications.record_interview_result": (APPLICATION, {"result": "passed"}),
    "applications.hire": (APPLICATION, {"started_on": "{today}"}),
    "applications.decline": (APPLICATION, {"reason": "岗位已满"}),
    "applications.withdraw": (APPLICATION, {"reason": "本人另有安排"}),
    "placements.list": ({}, {"community": "{community}"}),
    "placements.get": (PLACEMENT, {}),
    "placements.record_follow_up": (PLACEMENT, {"month": 1, "result": "employed"}),
    "placements.end": (PLACEMENT, {"reason": "家中有事"}),
    "employer_notifications.list": ({}, {"community": "{community}"}),
    "employer_notifications.read": ({"notification_id": "{notification_id}"}, {}),
    "jobs.statistics": ({}, {"community": "{community}"}),
    "job.reference_data": ({}, {}),
}
