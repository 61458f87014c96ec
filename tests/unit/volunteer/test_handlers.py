"""The volunteer service's handler functions on an in-memory unit of work: the service
layer's rules without a broker or a database."""
from datetime import datetime, timedelta, timezone

import pytest

from services.volunteer.handlers import (activities, certificates, corrections, ledger,
                                         registry, shifts, visits)
from services.volunteer.views import (CertificateView, CorrectionView, ShiftView,
                                      VolunteerView)
from shared import clock
from shared.envelope import Envelope
from shared.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from shared.events.activity import ACTIVITY_FINISHED, ACTIVITY_PUBLISHED
from shared.events.repair import WORK_ORDER_COMPLETED, WORK_ORDER_FOLLOWED_UP
from tests.unit.fakes import run
from tests.unit.volunteer.fakes import FakeVolunteerUnitOfWork

NOW = datetime(2026, 3, 7, 1, 0, tzinfo=timezone.utc)  # Saturday 09:00 in the office
ADMIN = {"id": "u-admin", "name": "王主任", "role": "street_admin"}
STAFF = {"id": "u-junhe", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
OTHER_STAFF = {"id": "u-tb", "name": "李伟", "role": "community_staff", "community": "天宝社区"}
RESIDENT = {"id": "r-1", "name": "陈晓", "role": "resident"}


def id_number(serial: int) -> str:
    body = f"34118119800101{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights)) % 11]


def person(serial: int, name="陈晓", community="浚河社区", **extra) -> dict:
    return {"name": name, "community": community, "phone": f"139{serial:08d}",
            "id_number": id_number(serial), **extra}


def me(volunteer: dict) -> dict:
    return {"id": volunteer["id"], "name": volunteer["name"], "role": "volunteer",
            "community": volunteer["community"]}


def iso(moment) -> str:
    return clock.iso(moment)


@pytest.fixture
def uow():
    return FakeVolunteerUnitOfWork(now=NOW)


@pytest.fixture
def enrol(uow):
    serials = iter(range(1, 1000))

    def make(name="陈晓", **extra):
        made = run(registry.register, uow, RESIDENT, person(next(serials), name, **extra))
        return run(registry.approve, uow, made["id"], ADMIN, {})
    return make


def clinic(**extra) -> dict:
    return {"title": "爱心义诊", "community": "浚河社区", "place": "文化服务中心",
            "starts_at": iso(NOW + timedelta(days=1)),
            "ends_at": iso(NOW + timedelta(days=1, hours=3)), "needed": 2,
            "skills": ["medical"], **extra}


# --- the registry -------------------------------------------------------------------------

def test_a_registration_is_stored_masked_numbered_counted_and_announced(uow):
    answer = run(registry.register, uow, RESIDENT, person(7, skills=["medical"]))
    assert VolunteerView().validate(answer) == {}
    assert answer["id"] == "V202603070001" and answer["state"] == "pending"
    assert answer["phone_masked"] == "139****0007" and "*" in answer["id_number_masked"]
    assert uow.published_types() == ["volunteer_registered"]
    stored = uow.volunteers.get(answer["id"])
    assert stored.id_number["sealed"] != id_number(7)
    assert (("2026-03", "浚河社区", ""), {"registered": 1}) in uow.figures
    assert (("浚河社区", ""), {"state.pending": 1}) in uow.figures


def test_one_id_number_registers_once_until_it_is_rejected(uow):
    first = run(registry.register, uow, RESIDENT, person(7))
    events = list(uow.events)
    with pytest.raises(Conflict) as refused:
        run(registry.register, uow, RESIDENT, {**person(7), "name": "陈晓晓",
                                                "id_number": id_number(7).lower()})
    assert refused.value.code == "VOLUNTEER_ALREADY_REGISTERED"
    assert first["id"] in refused.value.message
    assert len(uow.volunteers.all()) == 1 and uow.events == events
    run(registry.reject, uow, first["id"], ADMIN, {"reason": "不在本街道居住"})
    again = run(registry.register, uow, RESIDENT, person(7))
    assert again["id"] != first["id"] and again["state"] == "pending"


def test_an_import_with_bad_rows_stores_nothing_and_names_every_bad_row(uow, enrol):
    enrol()  # serial 1 is registered already
    count, events = len(uow.volunteers.all()), list(uow.events)
    rows = [person(1), person(2, "王芳"), {**person(3), "phone": "12345"},
            person(2, "王芳芳"), person(4, community="天宝社区"), person(5, team="no_team")]
    with pytest.raises(ValidationFailed) as refused:
        run(registry.import_volunteers, uow, STAFF, {"rows": rows})
    bad = refused.value.fields["rows"]
    assert refused.value.code == "IMPORT_REJECTED"
    assert set(bad) == {"0", "2", "3", "4", "5"}
    assert "第 2 条" in bad["3"]["id_number"][0]
    assert set(bad["4"]) == {"community"} and set(bad["5"]) == {"team"}
    assert len(uow.volunteers.all()) == count and uow.events == events


def test_a_clean_import_is_checked_by_a_dry_run_then_registered_and_approved(uow):
    rows = [person(1), person(2, "王芳")]
    checked = run(registry.import_volunteers, uow, STAFF, {"rows": rows, "dry_run": True})
    assert checked == {"rows": 2, "valid": 2, "created": 0, "ids": [], "dry_run": True}
    assert uow.volunteers.all() == []
    done = run(registry.import_volunteers, uow, STAFF, {"rows": rows})
    assert done["created"] == 2
    assert {v.state for v in uow.volunteers.all()} == {"active"}
    with pytest.raises(Forbidden):
        run(registry.import_volunteers, uow, RESIDENT, {"rows": [person(3)]})


def test_suspension_frees_the_places_held_on_shifts_not_yet_begun(uow, enrol):
    nurse = enrol(skills=["medical"])
    shift = run(shifts.open_shift, uow, STAFF, clinic())
    run(shifts.sign_up, uow, shift["id"], me(nurse), {"volunteer_id": nurse["id"]})
    del uow.events[:]
    suspended = run(registry.suspend, uow, nurse["id"], ADMIN, {"reason": "外出务工"})
    assert suspended["state"] == "suspended"
    assert uow.published_types() == ["volunteer_sign_up_withdrawn", "volunteer_suspended"]
    freed = run(shifts.get, uow, shift["id"])
    assert freed["places_left"] == 2 and freed["history"][-1]["note"] == "志愿者已暂停服务"
    before = uow.volunteers.get(nurse["id"])
    with pytest.raises(IllegalTransition):
        run(registry.suspend, uow, nurse["id"], ADMIN, {"reason": "再次暂停"})
    assert uow.volunteers.get(nurse["id"]) == before


def test_personal_data_is_revealed_only_after_an_audit_entry(uow):
    registered = run(registry.register, uow, RESIDENT, person(7))
    with pytest.raises(Forbidden):
        run(registry.reveal_personal_data, uow, registered["id"], OTHER_STAFF,
            {"purpose": "核对身份信息"})
    assert uow.volunteers.reveals == []
    revealed = run(registry.reveal_personal_data, uow, registered["id"], STAFF,
                   {"purpose": "出具证明前核对身份", "fields": ["id_number"]})
    assert revealed == {"id": registered["id"], "name": "陈晓", "id_number": id_number(7)}
    assert uow.volunteers.reveals == [("u-junhe", registered["id"], ("id_number",),
                                       "出具证明前核对身份")]
    assert not getattr(registry.reveal_personal_data, "remember")


# --- shifts and the ledger ----------------------------------------------------------------

def test_completing_a_shift_credits_those_who_served_once(uow, enrol):
    nurse, absent = enrol("陈晓", skills=["medical"]), enrol("缺席者", skills=["medical"])
    start = NOW - timedelta(hours=2)
    shift = run(shifts.open_shift, uow, STAFF, clinic(starts_at=iso(start),
                                                      ends_at=iso(NOW + timedelta(hours=1))))
    for who in (nurse, absent):
        run(shifts.sign_up, uow, shift["id"], STAFF, {"volunteer_id": who["id"]})
    run(shifts.check_in, uow, shift["id"], STAFF, {"volunteer_id": nurse["id"],
                                                   "at": iso(start)})
    run(shifts.check_out, uow, shift["id"], me(nurse), {"volunteer_id": nurse["id"]})
    done = run(shifts.complete, uow, shift["id"], STAFF, {"note": "顺利"})
    assert ShiftView().validate(done) == {}
    assert {a["name"]: a["status"] for a in done["assignments"]} == {
        "陈晓": "checked_out", "缺席者": "absent"}
    [entry] = uow.ledger.all()
    assert (entry["volunteer_id"], entry["hours"], entry["organiser"]) == (nurse["id"], 2.0,
                                                                           "浚河社区")
    assert done["assignments"][0]["entry_ids"] == [entry["id"]]
    assert uow.volunteers.get(nurse["id"]).total_hours == 2.0
    assert "volunteer_hours_credited" in uow.published_types()
    before = (uow.shifts.get(shift["id"]), uow.ledger.all(), list(uow.events))
    with pytest.raises(IllegalTransition):
        run(shifts.complete, uow, shift["id"], STAFF, {})
    assert (uow.shifts.get(shift["id"]), uow.ledger.all(), uow.events) == before


def test_a_refused_sign_up_changes_nothing(uow, enrol):
    clerk = enrol("刘芳", skills=["legal"])
    shift = run(shifts.open_shift, uow, STAFF, clinic())
    before, events = uow.shifts.get(shift["id"]), list(uow.events)
    with pytest.raises(Conflict) as refused:
        run(shifts.sign_up, uow, shift["id"], me(clerk), {"volunteer_id": clerk["id"]})
    assert refused.value.code == "SKILLS_REQUIRED"
    with pytest.raises(Forbidden):  # a volunteer cannot back-date their own check-in
        run(shifts.check_in, uow, shift["id"], me(clerk), {"volunteer_id": clerk["id"],
                                                          "at": iso(NOW)})
    assert uow.shifts.get(shift["id"]) == before and uow.events == events


def test_a_shift_left_open_is_completed_by_the_system_once(uow, enrol):
    nurse = enrol(skills=["medical"])
    shift = run(shifts.open_shift, uow, STAFF, clinic(
        starts_at=iso(NOW - timedelta(hours=1)), ends_at=iso(NOW + timedelta(hours=1))))
    run(shifts.sign_up, uow, shift["id"], STAFF, {"volunteer_id": nurse["id"]})
    run(shifts.mark_attended, uow, shift["id"], STAFF, {"volunteer_ids": [nurse["id"]]})
    later = FakeVolunteerUnitOfWork(now=NOW + timedelta(days=4))
    for name in ("volunteers", "shifts", "ledger", "reference"):
        getattr(later, name).stored = getattr(uow, name).stored
    assert run(shifts.forgotten, later) == [shift["id"]]
    assert run(shifts.complete_forgotten, later, shift["id"]) == shift["id"]
    assert run(shifts.complete_forgotten, later, shift["id"]) is None
    assert run(shifts.forgotten, later) == []
    done = run(shifts.get, later, shift["id"])
    assert done["state"] == "completed" and done["history"][-1]["actor"]["name"] == "系统"
    assert later.volunteers.get(nurse["id"]).total_hours == 2.0


def test_an_approved_correction_writes_the_difference_as_a_new_entry(uow, enrol):
    chen = enrol()
    entry = run(ledger.record_hours, uow, STAFF, {
        "volunteer_id": chen["id"], "date": "2026-03-05", "content": "孝亲文化节布展",
        "hours": 3, "organiser": "浚河社区"})
    asked = {"volunteer_id": chen["id"], "entry_id": entry["id"], "hours": 2,
             "reason": "实际只服务了两小时"}
    requested = run(corrections.request, uow, me(chen), asked)
    with pytest.raises(Conflict) as refused:
        run(corrections.request, uow, me(chen), asked)
    assert refused.value.code == "CORRECTION_PENDING"
    with pytest.raises(Forbidden):
        run(corrections.approve, uow, requested["id"], me(chen), {})
    approved = run(corrections.approve, uow, requested["id"], STAFF, {})
    assert CorrectionView().validate(approved) == {}
    correction = uow.ledger.get(approved["entry_id"])
    assert (correction["hours"], correction["corrects"]) == (-1.0, entry["id"])
    assert uow.ledger.get(entry["id"])["hours"] == 3  # written once, never changed
    assert uow.volunteers.get(chen["id"]).total_hours == 2.0


def test_a_certificate_counts_the_issuers_hours_and_takes_a_number_only_when_issued(uow,
                                                                                  enrol):
    chen = enrol("<b>陈晓</b>")
    for organiser, day in (("浚河社区", "2026-03-01"), ("天宝社区", "2026-03-02")):
        run(ledger.record_hours, uow, ADMIN, {"volunteer_id": chen["id"], "date": day,
                                              "content": "环境整治", "hours": 2,
                                              "organiser": organiser})
    period = {"volunteer_id": chen["id"], "from_date": "2026-01-01", "to_date": "2026-03-07"}
    with pytest.raises(Conflict):
        run(certificates.issue, uow, STAFF, {**period, "issuer": "广陵街道"})
    cert = run(certificates.issue, uow, STAFF, {**period, "issuer": "浚河社区"})
    assert CertificateView().validate(cert) == {}
    assert cert["number"].startswith("ZYFW-2026-000001-")
    assert (cert["total_hours"], cert["services"]) == (2.0, 1)
    assert run(certificates.verify, uow, f" {cert['number'].lower()} ")["valid"] is True
    page = run(certificates.render, uow, cert["number"])
    assert "&lt;b&gt;陈晓&lt;/b&gt;" in page["html"] and "<b>陈晓</b>" not in page["html"]
    run(certificates.revoke, uow, cert["number"], ADMIN, {"reason": "出具有误"})
    assert run(certificates.verify, uow, cert["number"])["valid"] is False
    assert "本证明已于" in run(certificates.render, uow, cert["number"])["html"]


# --- what other services tell us ----------------------------------------------------------

def event(event_type, data) -> Envelope:
    return Envelope.new(event_type, data)


def test_an_activity_opens_one_shift_and_its_end_credits_each_volunteer_once(uow, enrol):
    came, listed = enrol("到场签到", skills=["first_aid"]), enrol("名单签到")
    published = {"activity_id": "A1", "title": "孝亲文化节", "theme": "我们的节日",
                 "community": "浚河社区", "organiser": "浚河社区新时代文明实践站",
                 "venue": "志愿服务广场", "room": None,
                 "starts_at": iso(NOW + timedelta(minutes=30)),
                 "ends_at": iso(NOW + timedelta(hours=3)),
                 "volunteer_slots": {"count": 2, "skills": ["first_aid"]}}
    run(activities.open_activity_shift, uow, event(ACTIVITY_PUBLISHED, published))
    run(activities.open_activity_shift, uow, event(ACTIVITY_PUBLISHED,
                                                   {**published, "title": "孝亲节"}))
    [shift] = uow.shifts.all()
    assert (shift.title, shift.needed, shift.history[-1]["action"]) == ("孝亲节", 2, "update")
    run(shifts.sign_up, uow, shift.id, me(came), {"volunteer_id": came["id"]})
    signed = iso(NOW + timedelta(minutes=40))
    finished = event(ACTIVITY_FINISHED, {
        "activity_id": "A1", "title": "孝亲文化节", "theme": "我们的节日", "festival": None,
        "community": "浚河社区", "starts_at": published["starts_at"],
        "ends_at": published["ends_at"], "hours": 2, "attendance": 30, "checked_in": [
            {"name": name, "checked_in_at": signed, "volunteer_id": volunteer_id}
            for name, volunteer_id in (("到场签到", came["id"]), ("名单签到", listed["id"]),
                                       ("查无此人", "V-nobody"), ("居民甲", None))]})
    run(activities.credit_activity_hours, uow, finished)
    run(activities.credit_activity_hours, uow, finished)  # the activity sent it again
    credited = {e["volunteer_name"]: (e["hours"], e["source"]["kind"])
                for e in uow.ledger.all()}
    assert credited == {"到场签到": (2, "shift"), "名单签到": (2, "activity")}
    assert uow.shifts.get(shift.id).state == "completed"


def test_a_completed_work_order_gets_a_visit_whose_answer_goes_back(uow, enrol):
    visitor = enrol("小陈")
    completed = {"number": "WO1", "state": "completed", "category": "street_light",
                 "community": "浚河社区", "alley": "新宇巷", "actor_name": "供电班组",
                 "address": "新宇巷49号", "department_code": "power",
                 "completed_at": iso(NOW), "on_time": True, "quantities": [],
                 "reporter_name": "张清松", "reporter_phone_masked": "138****5678"}
    run(visits.open_follow_up_visit, uow, event(WORK_ORDER_COMPLETED, completed))
    run(visits.open_follow_up_visit, uow, event(WORK_ORDER_COMPLETED, completed))
    [visit] = uow.shifts.all()
    run(shifts.sign_up, uow, visit.id, me(visitor), {"volunteer_id": visitor["id"]})
    with pytest.raises(IllegalTransition):  # not a placement visit
        run(visits.record_placement_visit, uow, visit.id, me(visitor),
            {"volunteer_id": visitor["id"], "result": "employed"})
    done = run(visits.record_follow_up_visit, uow, visit.id, me(visitor),
               {"volunteer_id": visitor["id"], "result": "dissatisfied", "note": "还不亮"})
    assert done["outcome"]["result_name"] == "不满意"
    answer = next(e for e in uow.events if e.type == "follow_up_visit_recorded")
    assert (answer.data["work_order_number"], answer.data["result"]) == ("WO1",
                                                                       "dissatisfied")
    run(visits.open_follow_up_visit, uow, event(WORK_ORDER_COMPLETED, {
        **completed, "number": "WO2"}))
    run(visits.close_visits_followed_up_by_staff, uow, event(WORK_ORDER_FOLLOWED_UP, {
        "number": "WO2", "state": "closed", "category": "street_light",
        "community": "浚河社区", "alley": "新宇巷", "actor_name": "刘网格",
        "result": "satisfied"}))
    [other] = [s for s in uow.shifts.all() if s.id != visit.id]
    assert (other.state, other.cancel_reason) == ("cancelled", "工作人员已完成回访,无需志愿者回访")


def test_a_paper_register_is_recorded_on_its_real_date_by_a_street_admin_only(uow):
    in_january = uow.now - timedelta(days=50)
    made = run(registry.register, uow, ADMIN, person(9, recorded_at=clock.iso(in_january)))
    assert clock.parse_iso(made["registered_at"]) == in_january
    [(key, changes)] = [(k, c) for k, c in uow.figures if c.get("registered")]
    assert key[0] == clock.month_key(in_january)
    with pytest.raises(Forbidden):
        run(registry.register, uow, RESIDENT, person(10, recorded_at=clock.iso(in_january)))
    with pytest.raises(ValidationFailed) as future:
        run(registry.register, uow, ADMIN,
            person(11, recorded_at=clock.iso(uow.now + timedelta(hours=1))))
    assert set(future.value.fields) == {"recorded_at"}
    assert len(uow.volunteers.all()) == 1
