"""The volunteer routes through real HTTP against the running services: the registry, a shift
from sign-up to hours, the ledger and its corrections, certificates and their public
verification, teams; a volunteer's own account acting only as itself. Every answer is checked
against its documented shape."""
import csv
import io
from datetime import timedelta

from shared import clock
from tests.integration.gateway.answers import conforms
from tests.integration.gateway.samples.volunteer import id_number, phone

JUNHE, TIANBAO = "浚河社区", "天宝社区"


def at(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def today(**delta) -> str:
    return (clock.local_date(clock.now()) + timedelta(**delta)).isoformat()


def enrol(client, name="陈晓", community=JUNHE, **extra):
    person = conforms("volunteers.register", client.post("/api/volunteers", json={
        "name": name, "community": community, "phone": phone(), "id_number": id_number(),
        **extra}), 201)
    return conforms("volunteers.approve", client.post(
        f"/api/volunteers/{person['id']}/approve", json={"note": "资料齐全"}))


def a_shift(client, community=JUNHE, **extra):
    """A shift that began ten minutes ago: check-in is open and it can be completed."""
    return conforms("shifts.create", client.post("/api/shifts", json={
        "title": "爱心义诊进社区", "community": community, "place": "文化服务中心",
        "starts_at": at(minutes=-10), "ends_at": at(hours=2), "needed": 3, **extra}), 201)


def test_the_registry_its_exports_and_audited_reveals(admin):
    person = enrol(admin, skills=["medical"], introduction="退休医生")
    other = enrol(admin, name="刘洋", community=TIANBAO)
    assert person["state"] == "active" and person["phone_masked"].startswith("139")
    changed = conforms("volunteers.update", admin.patch(
        f"/api/volunteers/{person['id']}", json={"availability": [
            {"weekday": 6, "slot": "morning"}]}))
    assert changed["availability"][0]["label"] == "周六上午"
    conforms("volunteers.commend", admin.post(f"/api/volunteers/{person['id']}/commend",
                                              json={"reason": "雨夜帮助独居老人"}))
    listed = conforms("volunteers.list", admin.get("/api/volunteers", params={
        "community": JUNHE, "skills": ["medical"]}))
    assert [v["id"] for v in listed["items"]] == [person["id"]]
    # The roster a page at a time by cursor: every volunteer once, newest first.
    query = {"page_size": 1}
    page = conforms("volunteers.list", admin.get("/api/volunteers", params=query))
    seen = page["items"]
    assert page["total"] == 2 and page["has_more"]
    while page["has_more"]:
        page = conforms("volunteers.list", admin.get("/api/volunteers", params={
            **query, "cursor": page["next_cursor"]}))
        seen += page["items"]
    assert [v["id"] for v in seen] == [other["id"], person["id"]]
    forged = admin.get("/api/volunteers", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert forged.status_code == 422 and forged.json()["code"] == "VALIDATION_FAILED"
    assert "cursor" in forged.json()["fields"]
    searched = conforms("volunteers.list", admin.get("/api/volunteers", params={"q": "刘洋"}))
    assert [v["id"] for v in searched["items"]] == [other["id"]]
    assert searched["total"] is None  # a search is not counted
    exported = admin.get("/api/volunteers", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["志愿者编号", "姓名", "社区"]
    assert {r[0] for r in rows[1:]} == {person["id"], other["id"]}
    assert all("****" in r[4] for r in rows[1:])  # phones masked in exports too

    revealed = conforms("volunteers.reveal", admin.post(
        f"/api/volunteers/{person['id']}/reveal-personal-data",
        json={"purpose": "联系参加活动", "fields": ["phone"]}))
    assert set(revealed) == {"id", "name", "phone"} and len(revealed["phone"]) == 11
    entry = admin.get("/api/audit", params={"action": "volunteers.reveal"}).json()["items"][0]
    assert entry["outcome"] == "OK" and entry["path"].endswith("/reveal-personal-data")
    suspended = conforms("volunteers.suspend", admin.post(
        f"/api/volunteers/{other['id']}/suspend", json={"reason": "长期外出"}))
    assert suspended["state"] == "suspended"
    conforms("volunteers.reinstate", admin.post(f"/api/volunteers/{other['id']}/reinstate",
                                                json={}))
    figures = conforms("volunteers.statistics", admin.get(
        "/api/statistics/volunteers", params={"group_by": ["community"]}))
    assert figures["totals"]["volunteers"]["active"] == 2


def test_a_shift_from_sign_up_to_hours_and_a_certificate_anyone_can_verify(
        admin, anonymous):
    person = enrol(admin)
    shift = a_shift(admin)
    conforms("shifts.sign_up", admin.post(f"/api/shifts/{shift['id']}/sign-up",
                                          json={"volunteer_id": person["id"]}))
    suggested = conforms("shifts.suggestions", admin.get(
        f"/api/shifts/{shift['id']}/suggested-volunteers"))
    assert person["id"] not in [v["id"] for v in suggested["items"]]  # already on it
    conforms("shifts.mark_attended", admin.post(f"/api/shifts/{shift['id']}/mark-attended",
                                                json={"volunteer_ids": [person["id"]]}))
    completed = conforms("shifts.complete", admin.post(f"/api/shifts/{shift['id']}/complete",
                                                       json={"note": "义诊 40 人次"}))
    assert completed["state"] == "completed"
    credited = completed["assignments"][0]["credited_hours"]
    assert credited == completed["scheduled_hours"]
    ledger = conforms("ledger.list", admin.get("/api/ledger-entries",
                                               params={"volunteer_id": person["id"]}))
    assert [e["hours"] for e in ledger["items"]] == [credited]
    conforms("ledger.get", admin.get(f"/api/ledger-entries/{ledger['items'][0]['id']}"))
    extra = conforms("volunteers.record_hours", admin.post(
        f"/api/volunteers/{person['id']}/ledger-entries", json={
            "date": today(days=-2), "content": "文明交通劝导", "hours": 1.5,
            "organiser": JUNHE}), 201)
    hours = conforms("volunteers.hours", admin.get(f"/api/volunteers/{person['id']}/hours"))
    assert hours["total_hours"] == credited + 1.5

    certificate = conforms("volunteers.issue_certificate", admin.post(
        f"/api/volunteers/{person['id']}/certificates", json={
            "issuer": JUNHE, "from_date": today(days=-30), "to_date": today()}), 201)
    number = certificate["number"]
    assert certificate["total_hours"] == credited + 1.5
    assert {line["entry_id"] for line in certificate["lines"]} >= {extra["id"]}
    conforms("volunteers.certificates", admin.get(
        f"/api/volunteers/{person['id']}/certificates"))
    conforms("certificates.list", admin.get("/api/certificates", params={"issuer": JUNHE}))
    conforms("certificates.get", admin.get(f"/api/certificates/{number}"))

    verified = anonymous.get(f"/public/certificates/{number.lower()}.json")
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"] is True and verified.json()["number"] == number
    page = anonymous.get(f"/public/certificates/{number}")
    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert number in page.text and "志愿服务记录证明" in page.text
    conforms("certificates.revoke", admin.post(f"/api/certificates/{number}/revoke",
                                               json={"reason": "出具有误"}))
    assert anonymous.get(f"/public/certificates/{number}.json").json()["valid"] is False
    missing = anonymous.get("/public/certificates/ZYFW-2026-999999-XXXX")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "text/html; charset=utf-8"
    missing = anonymous.get("/public/certificates/ZYFW-2026-999999-XXXX.json")
    assert missing.status_code == 404 and missing.json()["code"] == "CERTIFICATE_NOT_FOUND"


def test_a_volunteer_account_acts_only_as_itself(admin, make_user):
    me, someone = enrol(admin), enrol(admin, name="刘洋", community=TIANBAO)
    volunteer = make_user("volunteer", volunteer=me["id"])
    assert conforms("volunteers.get", volunteer.get(f"/api/volunteers/{me['id']}"))["id"] \
        == me["id"]
    assert volunteer.get(f"/api/volunteers/{someone['id']}").status_code == 403
    assert volunteer.get("/api/volunteers").status_code == 403
    conforms("volunteers.update", volunteer.patch(f"/api/volunteers/{me['id']}", json={
        "introduction": "周末有空"}))
    assert volunteer.patch(f"/api/volunteers/{someone['id']}",
                           json={"introduction": "改别人的"}).status_code == 403
    assert volunteer.post(f"/api/volunteers/{me['id']}/approve", json={}).status_code == 403

    # Shifts still to come, of any community, are open to them; they sign up as themselves.
    upcoming = a_shift(admin, community=TIANBAO, starts_at=at(hours=3), ends_at=at(hours=5))
    open_now = conforms("shifts.open", volunteer.get("/api/shifts/open"))
    assert upcoming["id"] in [s["id"] for s in open_now["items"]]
    assert volunteer.post(f"/api/shifts/{upcoming['id']}/sign-up",
                          json={"volunteer_id": someone["id"]}).status_code == 403
    conforms("shifts.sign_up", volunteer.post(f"/api/shifts/{upcoming['id']}/sign-up",
                                              json={"volunteer_id": me["id"]}))
    conforms("shifts.withdraw_sign_up", volunteer.post(
        f"/api/shifts/{upcoming['id']}/withdraw-sign-up", json={"volunteer_id": me["id"]}))

    # At a shift under way they check in and out by the clock, and ask for a correction.
    shift = a_shift(admin, community=TIANBAO)
    admin.post(f"/api/shifts/{shift['id']}/sign-up", json={"volunteer_id": me["id"]})
    conforms("shifts.check_in", volunteer.post(f"/api/shifts/{shift['id']}/check-in",
                                               json={"volunteer_id": me["id"]}))
    paper = volunteer.post(f"/api/shifts/{shift['id']}/check-out",
                           json={"volunteer_id": me["id"], "at": at(minutes=-1)})
    assert paper.status_code == 403  # only staff record a paper sheet's times
    conforms("shifts.check_out", volunteer.post(f"/api/shifts/{shift['id']}/check-out",
                                                json={"volunteer_id": me["id"]}))
    mine = conforms("shifts.list", volunteer.get("/api/shifts"))
    assert [s["id"] for s in mine["items"]] == [shift["id"]]  # not the one withdrawn from
    assert volunteer.get("/api/shifts", params={"volunteer_id": someone["id"]}).status_code \
        == 403
    assert volunteer.get(f"/api/shifts/{shift['id']}").status_code == 403
    assert volunteer.post(f"/api/shifts/{shift['id']}/complete", json={}).status_code == 403
    assert admin.post(f"/api/shifts/{shift['id']}/complete", json={}).status_code == 200

    asked = conforms("corrections.request", volunteer.post("/api/corrections", json={
        "volunteer_id": me["id"], "shift_id": shift["id"], "hours": 2,
        "reason": "签退时忘记点击"}), 201)
    assert asked["state"] == "requested"
    assert volunteer.post("/api/corrections", json={
        "volunteer_id": someone["id"], "shift_id": shift["id"], "hours": 2,
        "reason": "替别人申请"}).status_code == 403
    assert volunteer.post(f"/api/corrections/{asked['id']}/approve",
                          json={}).status_code == 403
    listed = conforms("corrections.list", volunteer.get("/api/corrections"))
    assert [c["id"] for c in listed["items"]] == [asked["id"]]
    staff = make_user("community_staff", community=TIANBAO)
    approved = conforms("corrections.approve", staff.post(
        f"/api/corrections/{asked['id']}/approve", json={"note": "核实无误"}))
    assert approved["state"] == "approved"
    hours = conforms("volunteers.hours", volunteer.get(f"/api/volunteers/{me['id']}/hours"))
    assert hours["total_hours"] == 2
    entries = conforms("ledger.list", volunteer.get("/api/ledger-entries"))
    assert {e["volunteer_id"] for e in entries["items"]} == {me["id"]}
    assert volunteer.get(f"/api/volunteers/{someone['id']}/hours").status_code == 403

    certificate = admin.post(f"/api/volunteers/{me['id']}/certificates", json={
        "issuer": TIANBAO, "from_date": today(days=-1), "to_date": today()}).json()
    conforms("certificates.get", volunteer.get(f"/api/certificates/{certificate['number']}"))
    conforms("volunteers.certificates", volunteer.get(f"/api/volunteers/{me['id']}/certificates"))
    # Their own certificates, never another's.
    mine = conforms("certificates.list", volunteer.get("/api/certificates"))
    assert [c["number"] for c in mine["items"]] == [certificate["number"]]
    assert volunteer.get("/api/certificates",
                         params={"volunteer_id": someone["id"]}).status_code == 403
    # Staff list the certificates of their community's volunteers (those they may issue).
    assert certificate["community"] == JUNHE
    junhe = make_user("community_staff", community=JUNHE)
    theirs = conforms("certificates.list", junhe.get("/api/certificates"))
    assert certificate["number"] in [c["number"] for c in theirs["items"]]
    assert {c["community"] for c in theirs["items"]} == {JUNHE}
    assert junhe.get("/api/certificates", params={"community": TIANBAO}).status_code == 403
    elsewhere = conforms("certificates.list", staff.get("/api/certificates"))
    assert certificate["number"] not in [c["number"] for c in elsewhere["items"]]
    revealed = conforms("volunteers.reveal", volunteer.post(
        f"/api/volunteers/{me['id']}/reveal-personal-data", json={"purpose": "核对本人信息"}))
    assert revealed["id"] == me["id"]
    withdrawn = conforms("volunteers.withdraw", volunteer.post(
        f"/api/volunteers/{me['id']}/withdraw", json={"reason": "搬家"}))
    assert withdrawn["state"] == "withdrawn"


def test_teams_stay_with_their_community(admin, make_user):
    staff = make_user("community_staff", community=TIANBAO)
    theirs = conforms("volunteer_teams.save", admin.put("/api/volunteer-teams/junhe_red", json={
        "name": "浚河红马甲志愿服务队", "community": JUNHE}))
    assert theirs["community"] == JUNHE
    # Leaving the community out files the team in the staff member's own community; an
    # existing team of another community is not taken over that way.
    taken = staff.put("/api/volunteer-teams/junhe_red", json={"name": "天宝服务队"})
    assert taken.status_code == 403
    teams = conforms("volunteer_teams.list", staff.get("/api/volunteer-teams"))
    assert [(t["code"], t["name"], t["community"]) for t in teams["items"]] == [
        ("junhe_red", "浚河红马甲志愿服务队", JUNHE)]
    ours = conforms("volunteer_teams.save", staff.put("/api/volunteer-teams/tianbao_blue",
                                                      json={"name": "天宝蓝马甲服务队"}))
    assert ours["community"] == TIANBAO
    # A street-level team (no community) is the street admins' alone.
    filed = staff.put("/api/volunteer-teams/street_all", json={"name": "街道志愿服务总队",
                                                              "community": None})
    assert filed.status_code == 200 and filed.json()["community"] == TIANBAO
    street = admin.put("/api/volunteer-teams/street_main", json={"name": "街道志愿服务总队"})
    assert street.status_code == 200 and street.json()["community"] is None
    assert staff.put("/api/volunteer-teams/street_main",
                     json={"name": "天宝服务队"}).status_code == 403
    conforms("volunteer.skills", staff.get("/api/volunteer/skills"))
    rules = conforms("volunteer.recognition_rules", staff.get("/api/volunteer/recognition-rules"))
    assert rules["star_thresholds"] == [100, 300, 600, 1000, 1500]
    assert staff.put("/api/volunteer/recognition-rules",
                     json={"star_thresholds": [50]}).status_code == 403
    changed = conforms("volunteer.set_recognition_rules", admin.put(
        "/api/volunteer/recognition-rules", json={"star_thresholds": [50, 200]}))
    assert [level["hours"] for level in changed["levels"]] == [50, 200]
