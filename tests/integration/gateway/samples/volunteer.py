"""Samples for the volunteer service's routes: an approved volunteer signed up for a shift,
with a ledger entry, a correction request, a certificate and a team, in one community."""
import itertools
import random
import uuid
from datetime import date, timedelta

from shared import clock

SERVICE = "volunteer"
_serials = itertools.count(random.randrange(0, 10_000_000))


def id_number() -> str:
    """A valid (GB 11643) ID-card number, different at every call."""
    serial = next(_serials)
    born = date(1950, 1, 1) + timedelta(days=serial // 1000 % 20000)
    body = f"341181{born:%Y%m%d}{serial % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def _at(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def volunteer_body(community, **extra):
    return {"name": "陈晓", "community": community, "phone": phone(),
            "id_number": id_number(), **extra}


def shift_body(community, **extra):
    return {"title": "爱心义诊进社区", "community": community, "place": "文化服务中心",
            "starts_at": _at(days=2), "ends_at": _at(days=2, hours=3), "needed": 3, **extra}


def records(admin, community):
    registered = admin.post("/api/volunteers", json=volunteer_body(community))
    assert registered.status_code == 201, registered.text
    volunteer_id = registered.json()["id"]
    assert admin.post(f"/api/volunteers/{volunteer_id}/approve", json={}).status_code == 200
    shift = admin.post("/api/shifts", json=shift_body(community))
    assert shift.status_code == 201, shift.text
    shift_id = shift.json()["id"]
    signed = admin.post(f"/api/shifts/{shift_id}/sign-up", json={"volunteer_id": volunteer_id})
    assert signed.status_code == 200, signed.text
    today = clock.local_date(clock.now())
    entry = admin.post(f"/api/volunteers/{volunteer_id}/ledger-entries", json={
        "date": (today - timedelta(days=3)).isoformat(), "content": "清理楼道小广告",
        "hours": 2, "organiser": community})
    assert entry.status_code == 201, entry.text
    correction = admin.post("/api/corrections", json={
        "volunteer_id": volunteer_id, "entry_id": entry.json()["id"], "hours": 3,
        "reason": "实际服务到中午"})
    assert correction.status_code == 201, correction.text
    certificate = admin.post(f"/api/volunteers/{volunteer_id}/certificates", json={
        "issuer": community, "from_date": (today - timedelta(days=30)).isoformat(),
        "to_date": today.isoformat()})
    assert certificate.status_code == 201, certificate.text
    code = f"t{uuid.uuid4().hex[:10]}"
    team = admin.put(f"/api/volunteer-teams/{code}", json={"name": "红马甲服务队",
                                                           "community": community})
    assert team.status_code == 200, team.text
    return {"community": community, "volunteer_id": volunteer_id, "shift_id": shift_id,
            "entry_id": entry.json()["id"], "correction_id": correction.json()["id"],
            "number": certificate.json()["number"], "code": code,
            "yesterday": (today - timedelta(days=1)).isoformat(), "today": today.isoformat(),
            "new_id_number": id_number(), "new_phone": phone()}


def snapshot(admin, placeholders):
    p = placeholders
    teams = admin.get("/api/volunteer-teams", params={"include_inactive": "true"}).json()
    return (admin.get(f"/api/volunteers/{p['volunteer_id']}").json()["version"],
            admin.get(f"/api/shifts/{p['shift_id']}").json()["version"],
            admin.get(f"/api/corrections/{p['correction_id']}").json(),
            admin.get(f"/api/certificates/{p['number']}").json(),
            [t for t in teams["items"] if t["code"] == p["code"]],
            admin.get("/api/ledger-entries",
                      params={"volunteer_id": p["volunteer_id"]}).json()["total"],
            admin.get(f"/api/volunteers/{p['volunteer_id']}/certificates").json()["total"])


PERSON = {"volunteer_id": "{volunteer_id}"}
SHIFT = {"shift_id": "{shift_id}"}
AS_VOLUNTEER = {"volunteer_id": "{volunteer_id}"}
CORRECTION = {"correction_id": "{correction_id}"}
SAMPLES = {
    "volunteers.list": ({}, {"community": "{community}"}),
    "volunteers.register": ({}, {"name": "刘洋", "community": "{community}",
                                 "phone": "{new_phone}", "id_number": "{new_id_number}"}),
    "volunteers.get": (PERSON, {}),
    "volunteers.update": (PERSON, {"introduction": "退休教师,擅长书法"}),
    "volunteers.approve": (PERSON, {}),
    "volunteers.reject": (PERSON, {"reason": "资料不全"}),
    "volunteers.suspend": (PERSON, {"reason": "长期外出"}),
    "volunteers.reinstate": (PERSON, {}),
    "volunteers.withdraw": (PERSON, {}),
    "volunteers.commend": (PERSON, {"reason": "雨夜帮助独居老人"}),
    "volunteers.reveal": (PERSON, {"purpose": "联系参加活动"}),
    "volunteers.hours": (PERSON, {}),
    "volunteers.record_hours": (PERSON, {"date": "{yesterday}", "content": "文明劝导",
                                         "hours": 1.5, "organiser": "{community}"}),
    "volunteers.certificates": (PERSON, {}),
    "volunteers.issue_certificate": (PERSON, {"issuer": "{community}",
                                              "from_date": "{yesterday}",
                                              "to_date": "{today}"}),
    "shifts.list": ({}, {"community": "{community}"}),
    "shifts.open": ({}, {"community": "{community}"}),
    "shifts.create": ({}, {"title": "文明交通劝导", "community": "{community}",
                           "place": "新宇巷口", "starts_at": "2099-01-01T08:00:00+08:00",
                           "ends_at": "2099-01-01T10:00:00+08:00", "needed": 2}),
    "shifts.get": (SHIFT, {}),
    "shifts.cancel": (SHIFT, {"reason": "天气原因"}),
    "shifts.sign_up": (SHIFT, AS_VOLUNTEER),
    "shifts.withdraw_sign_up": (SHIFT, AS_VOLUNTEER),
    "shifts.check_in": (SHIFT, AS_VOLUNTEER),
    "shifts.check_out": (SHIFT, AS_VOLUNTEER),
    "shifts.mark_attended": (SHIFT, {"volunteer_ids": ["{volunteer_id}"]}),
    "shifts.complete": (SHIFT, {}),
    "shifts.record_follow_up_visit": (SHIFT, {**AS_VOLUNTEER, "result": "satisfied"}),
    "shifts.record_placement_visit": (SHIFT, {**AS_VOLUNTEER, "result": "employed"}),
    "shifts.suggestions": (SHIFT, {}),
    "ledger.list": ({}, {"community": "{community}"}),
    "ledger.get": ({"entry_id": "{entry_id}"}, {}),
    "corrections.list": ({}, {"community": "{community}"}),
    "corrections.get": (CORRECTION, {}),
    "corrections.request": ({}, {"volunteer_id": "{volunteer_id}", "entry_id": "{entry_id}",
                                 "hours": 2.5, "reason": "签退时间记错了"}),
    "corrections.approve": (CORRECTION, {}),
    "corrections.reject": (CORRECTION, {"reason": "与签到表不符"}),
    "certificates.get": ({"number": "{number}"}, {}),
    "certificates.qr": ({"number": "{number}"}, {}),
    "certificates.list": ({}, {"volunteer_id": "{volunteer_id}"}),
    "certificates.revoke": ({"number": "{number}"}, {"reason": "出具有误"}),
    "volunteer_teams.save": ({"code": "{code}"}, {"name": "红马甲服务队",
                                                 "community": "{community}"}),
    "volunteers.statistics": ({}, {"community": "{community}"}),
    "volunteer_teams.list": ({}, {"community": "{community}"}),
    "volunteer.skills": ({}, {}),
    "volunteer.recognition_rules": ({}, {}),
    "volunteer.set_recognition_rules": ({}, {"star_thresholds": [100, 300, 600, 1000, 1500]}),
}
