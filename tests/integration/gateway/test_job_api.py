"""The job routes through real HTTP against the running services: an employer visited (一走四送)
whose problem becomes a work order and comes back as a notification, a posting matched, applied
for and filled, a placement followed up, the community screen in public, and who may do what.
Every answer is checked against its documented shape."""
import csv
import io
from datetime import timedelta

from shared import clock
from tests.conftest import wait_until
from tests.integration.gateway.conftest import a_volunteer
from tests.integration.gateway.answers import conforms
from tests.integration.gateway.conftest import a_volunteer
from tests.integration.gateway.samples.job import employer_body, posting_body, seeker_body

JUNHE, TIANBAO = "浚河社区", "天宝社区"


def today(**delta) -> str:
    return (clock.local_date(clock.now()) + timedelta(**delta)).isoformat()


def at(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def test_a_visit_whose_problem_becomes_a_work_order_and_comes_back_to_the_employer(admin):
    employer = conforms("employers.create", admin.post("/api/employers", json=employer_body(
        TIANBAO, location={"lat": 32.69, "long": 119.0})), 201)
    employer_id = employer["employer_id"]
    assert employer["contact"]["phone_masked"].startswith("138")
    visit = conforms("employers.record_visit", admin.post(
        f"/api/employers/{employer_id}/visits", json={
            "visited_on": today(), "findings": "门口路灯不亮,夜班工人出行不便。",
            "deliveries": [{"kind": "policy", "policy_name": "稳岗补贴"},
                           {"kind": "training", "topic": "手工缝制", "expected_participants": 12,
                            "request_activity": False},
                           {"kind": "job", "openings_collected": 3}],
            "problems": [{"category": "street_light", "description": "单位门口路灯不亮"}],
            "follow_up_actions": [{"description": "协助申报稳岗补贴", "owner": "李伟"}]}),
        201)
    assert [d["kind_name"] for d in visit["deliveries"]] == ["送政策", "送培训", "送岗位"]
    action_id = visit["follow_up_actions"][0]["action_id"]
    done = conforms("visits.complete_action", admin.post(
        f"/api/visits/{visit['visit_id']}/follow-up-actions/{action_id}/complete",
        json={"note": "已提交申报"}))
    assert done["follow_up_actions"][0]["done"] is True

    def work_order():
        problem = admin.get(f"/api/visits/{visit['visit_id']}").json()["problems"][0]
        return problem["work_order_number"]
    number = wait_until(work_order, timeout=30, message="the work order for the problem")
    order = admin.get(f"/api/work-orders/{number}").json()
    assert order["source_ref"] == {"service": "job", "ref": visit["problems"][0]["problem_id"]}
    admin.post(f"/api/work-orders/{number}/accept", json={})
    assert admin.post(f"/api/work-orders/{number}/answer",
                      json={"answer": "已通知供电所更换灯泡"}).status_code == 200

    def notified():
        found = admin.get("/api/employer-notifications", params={"unread": "true"}).json()
        return found["items"]
    notice = wait_until(notified, timeout=30, message="the employer's notification")[0]
    assert notice["employer_id"] == employer_id and notice["work_order_number"] == number
    conforms("employer_notifications.list", admin.get("/api/employer-notifications"))
    read = conforms("employer_notifications.read", admin.post(
        f"/api/employer-notifications/{notice['notification_id']}/read", json={}))
    assert read["read_by"]["name"] == "街道管理员"
    shown = conforms("visits.get", admin.get(f"/api/visits/{visit['visit_id']}"))
    assert shown["problems"][0]["state"] == "resolved"
    conforms("visits.list", admin.get("/api/visits", params={"community": TIANBAO,
                                                             "delivery_kind": "training"}))
    figures = conforms("jobs.statistics", admin.get("/api/statistics/jobs", params={
        "community": TIANBAO, "group_by": ["community"]}))
    assert figures["totals"]["visits"] == 1 and figures["totals"]["problems_resolved"] == 1
    assert figures["totals"]["deliveries"]["training"]["count"] == 1


def test_a_posting_matched_applied_for_and_filled_and_the_placement_followed_up(admin):
    employer = admin.post("/api/employers", json=employer_body(
        TIANBAO, location={"lat": 32.69, "long": 119.0})).json()
    posting = conforms("employers.publish_posting", admin.post(
        f"/api/employers/{employer['employer_id']}/job-postings",
        json=posting_body(openings=1, skills=["手工缝纫"])), 201)
    posting_id = posting["posting_id"]
    assert posting["community"] == TIANBAO and posting["salary_text"].startswith("计件")
    conforms("job_postings.update", admin.patch(f"/api/job-postings/{posting_id}",
                                                json={"requirements": "细心"}))
    document = conforms("job_postings.schema_org",
                        admin.get(f"/api/job-postings/{posting_id}/schema-org"))
    assert document["@type"] == "JobPosting" and document["jobLocation"]["geo"]["latitude"]

    seeker = conforms("job_seekers.create", admin.post("/api/job-seekers", json=seeker_body(
        TIANBAO, skills=["手工缝纫"], home_location={"lat": 32.691, "long": 119.001},
        id_number="11010519491231002X")), 201)
    seeker_id = seeker["seeker_id"]
    assert seeker["id_number_masked"] and "11010519491231002X" not in str(seeker)
    conforms("job_seekers.update", admin.patch(f"/api/job-seekers/{seeker_id}",
                                               json={"note": "上午接送孩子"}))
    for_seeker = conforms("job_seekers.matches",
                          admin.get(f"/api/job-seekers/{seeker_id}/matches"))
    assert for_seeker["items"][0]["posting"]["posting_id"] == posting_id
    for_posting = conforms("job_postings.matches",
                           admin.get(f"/api/job-postings/{posting_id}/matches"))
    assert for_posting["items"][0]["seeker"]["seeker_id"] == seeker_id
    matches_csv = admin.get(f"/api/job-postings/{posting_id}/matches", params={"format": "csv"})
    assert matches_csv.content.decode("utf-8-sig").startswith("匹配度,姓名")

    application = conforms("job_seekers.apply", admin.post(
        f"/api/job-seekers/{seeker_id}/applications",
        json={"posting_id": posting_id, "channel": "screen"}), 201)
    application_id = application["application_id"]
    conforms("applications.schedule_interview", admin.post(
        f"/api/applications/{application_id}/interview",
        json={"scheduled_at": at(days=1), "place": "天宝社区就业服务站"}))
    conforms("applications.record_interview_result", admin.post(
        f"/api/applications/{application_id}/interview-result", json={"result": "passed"}))
    placement = conforms("applications.hire", admin.post(
        f"/api/applications/{application_id}/hire",
        json={"started_on": today(), "monthly_pay": 2000}), 201)
    placement_id = placement["placement_id"]
    assert [f["month"] for f in placement["follow_ups"]] == [1, 3, 6]
    assert conforms("job_postings.get", admin.get(
        f"/api/job-postings/{posting_id}"))["state"] == "filled"
    assert conforms("job_seekers.get", admin.get(
        f"/api/job-seekers/{seeker_id}"))["state"] == "placed"
    early = admin.post(f"/api/placements/{placement_id}/follow-ups",
                       json={"month": 3, "result": "employed"})
    assert early.status_code == 409 and early.json()["code"] == "FOLLOW_UP_NOT_DUE"
    ended = conforms("placements.end", admin.post(f"/api/placements/{placement_id}/end",
                                                  json={"reason": "家中有事"}))
    assert ended["state"] == "ended"
    assert admin.get(f"/api/job-seekers/{seeker_id}").json()["state"] == "seeking"
    conforms("placements.list", admin.get("/api/placements", params={"state": ["ended"]}))
    conforms("placements.get", admin.get(f"/api/placements/{placement_id}"))
    conforms("applications.list", admin.get("/api/applications",
                                            params={"posting_id": posting_id}))
    conforms("applications.get", admin.get(f"/api/applications/{application_id}"))
    renewed = conforms("job_postings.renew", admin.post(
        f"/api/job-postings/{posting_id}/renew",
        json={"valid_through": at(days=60), "openings": 2}))
    assert renewed["state"] == "open"
    conforms("job_postings.withdraw", admin.post(f"/api/job-postings/{posting_id}/withdraw",
                                                 json={"reason": "单位不再招聘"}))
    paused = conforms("job_seekers.pause", admin.post(f"/api/job-seekers/{seeker_id}/pause",
                                                      json={}))
    assert paused["state"] == "paused"
    conforms("job_seekers.resume", admin.post(f"/api/job-seekers/{seeker_id}/resume", json={}))

    listed = conforms("job_postings.list", admin.get("/api/job-postings", params={
        "community": TIANBAO, "state": ["withdrawn"]}))
    assert [p["posting_id"] for p in listed["items"]] == [posting_id]
    rows = list(csv.reader(io.StringIO(admin.get("/api/job-postings", params={
        "format": "csv"}).content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "岗位", "用工单位"] and rows[1][0] == posting_id
    seekers = admin.get("/api/job-seekers", params={"format": "csv"}).content.decode("utf-8-sig")
    assert "138****" in seekers and "11010519491231002X" not in seekers
    figures = conforms("jobs.statistics", admin.get("/api/statistics/jobs"))
    assert figures["totals"]["placements"] == 1 and figures["totals"]["placements_ended"] == 1
    conforms("job.reference_data", admin.get("/api/job/reference-data"))
    conforms("employers.list", admin.get("/api/employers", params={"q": "毛绒"}))
    conforms("job_seekers.list", admin.get("/api/job-seekers"))


def test_staff_stay_in_their_community_and_reveals_are_audited(admin, make_user):
    theirs = admin.post("/api/employers", json=employer_body(JUNHE)).json()
    staff = make_user("community_staff", community=TIANBAO)
    ours = conforms("employers.create", staff.post("/api/employers", json={
        k: v for k, v in employer_body(TIANBAO).items() if k != "community"}), 201)
    assert ours["community"] == TIANBAO
    assert [e["employer_id"] for e in staff.get("/api/employers").json()["items"]] == [
        ours["employer_id"]]
    assert staff.get(f"/api/employers/{theirs['employer_id']}").status_code == 403
    assert staff.post(f"/api/employers/{theirs['employer_id']}/job-postings",
                      json=posting_body()).status_code == 403
    moved = staff.patch(f"/api/employers/{ours['employer_id']}", json={"community": JUNHE})
    assert moved.status_code == 403
    elsewhere = staff.post(f"/api/employers/{ours['employer_id']}/job-postings",
                           json=posting_body(community=JUNHE))
    assert elsewhere.status_code == 403
    assert staff.get("/api/employers/" + ours["employer_id"]).json()["community"] == TIANBAO

    revealed = conforms("employers.reveal_contact", staff.post(
        f"/api/employers/{ours['employer_id']}/reveal-contact", json={"purpose": "电话回访"}))
    assert revealed["name"] == "孙老板" and len(revealed["phone"]) == 11
    seeker = staff.post("/api/job-seekers", json=seeker_body(TIANBAO)).json()
    contact = conforms("job_seekers.reveal_contact", staff.post(
        f"/api/job-seekers/{seeker['seeker_id']}/reveal-contact", json={"purpose": "通知面试"}))
    assert contact["id_number"] is None
    entries = admin.get("/api/audit", params={"method": "POST"}).json()["items"]
    assert {"employers.reveal_contact", "job_seekers.reveal_contact"} <= {
        e["action"] for e in entries}

    viewer = make_user("viewer", community=TIANBAO)
    assert viewer.get(f"/api/employers/{ours['employer_id']}").status_code == 200
    assert viewer.post(f"/api/employers/{ours['employer_id']}/reveal-contact",
                       json={"purpose": "看看"}).status_code == 403
    assert viewer.post("/api/job-seekers", json=seeker_body(TIANBAO)).status_code == 403
    grid = make_user("grid_worker", community=TIANBAO)
    visit = grid.post(f"/api/employers/{ours['employer_id']}/visits",
                      json={"visited_on": today(), "findings": "经营正常。"})
    assert visit.status_code == 201, visit.text
    assert grid.post(f"/api/employers/{theirs['employer_id']}/visits",
                     json={"visited_on": today(), "findings": "经营正常。"}).status_code == 403
    assert grid.get("/api/job-seekers").status_code == 200  # reads its community
    assert grid.post("/api/job-seekers", json=seeker_body(TIANBAO)).status_code == 403
    assert make_user("department", department="power").get("/api/employers").status_code \
        == 403
    volunteer = make_user("volunteer", volunteer=a_volunteer(admin))
    assert volunteer.get("/api/job-postings").status_code == 403
    assert staff.post("/api/employer-notifications/N-1/read", json={}).status_code == 403


def test_the_community_screen_is_public(admin, anonymous):
    employer = admin.post("/api/employers", json=employer_body(TIANBAO)).json()
    for title in ("毛绒玩具手工缝制", "包装分拣"):
        admin.post(f"/api/employers/{employer['employer_id']}/job-postings",
                   json=posting_body(title=title, public_contact="孙老板 138****0000"))
    feed = anonymous.get(f"/public/screens/{TIANBAO}.json", params={"limit": 1})
    assert feed.status_code == 200, feed.text
    assert feed.json()["community"] == TIANBAO and feed.json()["total"] == 2
    assert len(feed.json()["items"]) == 1 and feed.json()["items"][0]["line"].startswith("【招工】")
    page = anonymous.get(f"/public/screens/{TIANBAO}", params={"rotate_seconds": 60})
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "包装分拣" in page.text and 'content="60"' in page.text
    assert anonymous.get(f"/public/screens/{JUNHE}.json").json()["items"] == []
    bad = anonymous.get(f"/public/screens/{TIANBAO}.json", params={"limit": 500})
    assert bad.status_code == 422 and "limit" in bad.json()["fields"]
    bad_page = anonymous.get(f"/public/screens/{TIANBAO}", params={"limit": 500})
    assert bad_page.status_code == 422
    assert bad_page.headers["Content-Type"] == "text/html; charset=utf-8"


def test_job_lists_page_by_cursor_through_the_api_and_the_export_reads_every_page(admin,
                                                                                   make_user):
    made = [conforms("employers.create", admin.post("/api/employers", json={
        **employer_body(TIANBAO), "name": f"聚宝路第{n}加工点"}), 201)["employer_id"]
        for n in range(5)]
    admin.post("/api/employers", json={**employer_body(JUNHE), "name": "浚河加工点"})
    staff = make_user("community_staff", community=TIANBAO)
    seen, cursor = [], None
    while True:
        page = conforms("employers.list", staff.get("/api/employers", params={
            "page_size": 2, **({"cursor": cursor} if cursor else {})}))
        assert set(page) == {"items", "next_cursor", "has_more", "page_size", "total"}
        assert page["total"] == 5  # their community's, from the counters
        seen += [e["employer_id"] for e in page["items"]]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
    assert seen == made[::-1]  # latest change first, each once, none of the other community
    bad = staff.get("/api/employers", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 422 and bad.json()["code"] == "VALIDATION_FAILED"
    assert list(bad.json()["fields"]) == ["cursor"]
    assert staff.get("/api/visits", params={"page": 2}).status_code == 422
    searched = conforms("employers.list", admin.get("/api/employers", params={"q": "第3加工"}))
    assert [e["employer_id"] for e in searched["items"]] == [made[3]]
    assert searched["total"] is None  # a search is not counted
    rows = list(csv.reader(io.StringIO(staff.get("/api/employers", params={
        "format": "csv", "page_size": 2}).content.decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == sorted(made)
