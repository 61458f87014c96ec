"""What the RPC methods accept, and that every result has exactly the documented shape."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.volunteer import corrections, domain, figures, ledger, schemas, shifts, sources, views
from shared.errors import ValidationFailed
from shared.schemas import load

STAFF = {"id": "s1", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
T0 = datetime(2026, 3, 7, 1, 0, tzinfo=timezone.utc)
VALID_ID = "11010519491231002X"


def test_registration_checks_the_id_number_phone_and_skills():
    loaded = load(schemas.RegisterVolunteer(), {
        "name": "陈晓", "community": "浚河社区", "phone": "13812345678",
        "id_number": VALID_ID.lower()})
    assert loaded["skills"] == [] and loaded["team"] is None
    with pytest.raises(ValidationFailed) as failed:
        load(schemas.RegisterVolunteer(), {
            "name": "", "community": "浚河社区", "phone": "12345",
            "id_number": "110105194912310021", "availability": [{"weekday": 8, "slot": "noon"}]})
    assert set(failed.value.fields) == {"name", "phone", "id_number", "availability"}
    assert failed.value.fields["id_number"] == ["不是有效的居民身份证号码。"]
    assert load(schemas.UpdateVolunteer(), {"skills": ["legal"]}) == {"skills": ["legal"]}


def test_a_correction_names_one_target_and_a_new_value():
    base = {"volunteer_id": "V1", "reason": "签到晚了"}
    for bad in ({}, {"shift_id": "S1", "entry_id": "E1", "hours": 2},
                {"shift_id": "S1"}, {"entry_id": "E1"},
                {"entry_id": "E1", "hours": 2, "check_in_at": "2026-03-07T09:00:00+08:00"}):
        with pytest.raises(ValidationFailed):
            load(schemas.RequestCorrection(), {**base, **bad})
    loaded = load(schemas.RequestCorrection(), {
        **base, "shift_id": "S1", "check_in_at": "2026-03-07T09:00:00+08:00"})
    assert loaded["check_in_at"].utcoffset() == timedelta(hours=8)


def test_rules_and_statistics_queries_are_checked():
    with pytest.raises(ValidationFailed) as failed:
        load(schemas.RecognitionRules(), {"star_thresholds": [100, 100]})
    assert failed.value.fields == {"star_thresholds": ["星级门槛应从小到大排列。"]}
    with pytest.raises(ValidationFailed) as failed:
        load(schemas.RecognitionRules(), {"star_thresholds": [10], "exemplar_from_star": 2})
    assert "exemplar_from_star" in failed.value.fields
    with pytest.raises(ValidationFailed):
        load(schemas.Statistics(), {"skill": "medical", "group_by": ["skill"]})
    with pytest.raises(ValidationFailed):
        load(schemas.Statistics(), {"group_by": ["month", "community", "team"]})


def _people():
    person = domain.Volunteer.register("V1", {
        "name": "陈晓", "community": "浚河社区", "skills": ["medical"], "team": "red_vest",
        "availability": [{"weekday": 6, "slot": "morning"}],
        "id_number": {"sealed": "x", "masked": "110***********002X", "fingerprint": "f"},
        "phone": {"sealed": "y", "masked": "138****5678", "fingerprint": "p"}}, STAFF, T0)
    person.approve(STAFF, T0)
    rules = domain.RecognitionRules(star_thresholds=(1, 2), commendations_for_exemplar=1)
    person.credit(3, "2026-03-07", T0, rules)
    person.commend(STAFF, T0, "好人好事", rules)
    return person


def _served_shift(person):
    shift = shifts.Shift.open("S1", {
        "kind": "manual", "title": "义诊", "community": "浚河社区", "place": "广场",
        "starts_at": T0 + timedelta(hours=1), "ends_at": T0 + timedelta(hours=4),
        "needed": 2, "organiser": "浚河社区", "skills": ["medical"]}, STAFF, T0)
    shift.sign_up(person, STAFF, T0, [])
    shift.check_in(person.id, STAFF, T0 + timedelta(hours=1))
    shift.check_out(person.id, STAFF, T0 + timedelta(hours=3))
    shift.complete(STAFF, T0 + timedelta(hours=5))
    old, new = corrections.attendance_values(shift, person.id, None, None, 2.5)
    shift.apply_correction(person.id, "C1", old, new, STAFF, T0 + timedelta(hours=6))
    return shift, old, new


def check(view_schema, value):
    errors = view_schema().validate(value)
    assert errors == {}, errors


def shown(view, value, **options):
    """What the view presents of a record, checked against the shape it declares."""
    presented = view(**options).dump(value)
    check(view, presented)
    return presented


def test_every_result_has_exactly_its_documented_shape():
    person = _people()
    assert shown(views.VolunteerView, person, team_names={"red_vest": "红马甲"})["team_name"] == "红马甲"
    shift, old, new = _served_shift(person)
    shown(views.ShiftView, shift, now=T0)
    visit = shifts.Shift.open("S2", sources.follow_up_visit_shift({
        "number": "WO1", "category": "street_light", "community": "浚河社区", "alley": None,
        "address": "新宇巷", "completed_at": "2026-03-07T01:00:00+00:00"}), STAFF, T0)
    visit.sign_up(person, STAFF, T0, [])
    visit.record_visit(person.id, STAFF, T0, "satisfied", "满意")
    assert shown(views.ShiftView, visit, now=T0)["outcome"]["result_name"] == "满意"

    entry = ledger.ledger_entry("E1", "k", person, "2026-03-07", "义诊", 2, "浚河社区", STAFF,
                                T0, {"kind": "shift", "shift_id": "S1"}, ["medical"])
    shown(views.LedgerEntryView, entry)
    correction = corrections.Correction.request("C1", {
        "volunteer_id": person.id, "volunteer_name": person.name, "community": "浚河社区",
        "organiser": "浚河社区", "target": {"kind": "shift", "shift_id": "S1"}, "old": old,
        "new": new, "reason": "补录"}, STAFF, T0)
    shown(views.CorrectionView, correction)
    correction.approve(STAFF, T0)
    shown(views.CorrectionView, correction)

    cert = ledger.certificate("ZYFW-2026-000001-ABCD", person, "浚河社区", date(2026, 1, 1),
                              date(2026, 12, 31), [entry], STAFF, T0)
    shown(views.CertificateView, cert)
    assert shown(views.VerificationView, cert)["valid"] is True
    ledger.revoke_certificate(cert, STAFF, T0, "出具有误")
    shown(views.CertificateView, cert)

    rules = domain.RecognitionRules()
    check(views.RecognitionRulesView, rules.as_dict())
    hours = shown(views.VolunteerHoursView, {
        "volunteer": person, "rules": rules, "period": {"from_month": "2026-01",
                                                       "to_month": "2026-12"},
        "by_month": [{"month": "2026-03", "hours": 3.0, "services": 1}]})
    assert hours["next_star"] == {"level": 1, "name": "一星级志愿者", "hours": 100,
                                  "remaining": 97.0}
    snapshot = [{"community": "浚河社区", "team": "",
                 "counts": {"state.active": 1, "star.0": 1, "skill.medical": 1}}]
    monthly = [{"month": "2026-03", "community": "浚河社区", "team": "",
                "counts": {"hours": 3, "services": 1, "skill_hours.medical": 3}}]
    for group_by, skill in (((), None), (("community",), None), (("month",), None),
                            (("skill",), None), ((), "medical")):
        result = figures.roll_up(snapshot, monthly, None if skill else 1,
                                 {("浚河社区",): 1} if group_by == ("community",) else None,
                                 group_by, skill)
        check(views.StatisticsView, {**result, "period": {"from_month": "2026-01",
                                                            "to_month": "2026-12"}})
