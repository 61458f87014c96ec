"""Shifts over RPC against the real broker and SecantusDB: sign-up rules, attendance, bulk
attendance, completion into the hours ledger, and the timer that completes forgotten shifts."""
from datetime import timedelta

import pytest
from nameko.testing.services import entrypoint_hook

from shared import clock
from shared.errors import Conflict, Forbidden, IllegalTransition, ValidationFailed
from tests.integration.volunteer.conftest import (ADMIN, JUNHE_STAFF, TIANBAO_STAFF,
                                                  as_volunteer, iso_in)


def clinic(**extra):
    """爱心义诊: tomorrow morning, two medical volunteers."""
    return {"title": "爱心义诊进社区", "community": "浚河社区", "place": "浚河社区综合文化服务中心",
            "starts_at": iso_in(days=1), "ends_at": iso_in(days=1, hours=3), "needed": 2,
            "skills": ["medical"], **extra}


def test_sign_up_respects_skills_places_overlaps_and_who_asks(volunteer_service, rpc, enrol,
                                                              event_tap):
    tap = event_tap("volunteer")
    nurse, doctor, third = (enrol(n, skills=["medical"]) for n in ("陈晓", "周医生", "吴护士"))
    clerk = enrol("刘芳", skills=["legal"])
    with pytest.raises(Forbidden):
        rpc.volunteer.open_shift(TIANBAO_STAFF, **clinic())
    shift = rpc.volunteer.open_shift(JUNHE_STAFF, **clinic())
    assert (shift["state"], shift["places_left"], shift["organiser"]) == ("open", 2, "浚河社区")
    assert shift["scheduled_hours"] == 3.0 and shift["open_for_sign_up"]

    with pytest.raises(Conflict) as refused:
        rpc.volunteer.sign_up(shift["id"], as_volunteer(clerk), volunteer_id=clerk["id"])
    assert refused.value.code == "SKILLS_REQUIRED" and "医疗卫生" in refused.value.message
    with pytest.raises(Forbidden):  # one volunteer cannot sign another up
        rpc.volunteer.sign_up(shift["id"], as_volunteer(clerk), volunteer_id=nurse["id"])
    rpc.volunteer.sign_up(shift["id"], as_volunteer(nurse), volunteer_id=nurse["id"])
    with pytest.raises(Conflict) as refused:
        rpc.volunteer.sign_up(shift["id"], as_volunteer(nurse), volunteer_id=nurse["id"])
    assert refused.value.code == "ALREADY_SIGNED_UP"
    full = rpc.volunteer.sign_up(shift["id"], JUNHE_STAFF, volunteer_id=doctor["id"])
    assert (full["places_left"], full["open_for_sign_up"]) == (0, False)
    with pytest.raises(Conflict) as refused:
        rpc.volunteer.sign_up(shift["id"], as_volunteer(third), volunteer_id=third["id"])
    assert refused.value.code == "SHIFT_FULL"

    # An hour later the same day, overlapping the clinic: the nurse cannot hold both.
    later = rpc.volunteer.open_shift(ADMIN, **clinic(
        title="健康讲座", skills=[], starts_at=iso_in(days=1, hours=2),
        ends_at=iso_in(days=1, hours=4)))
    with pytest.raises(Conflict) as refused:
        rpc.volunteer.sign_up(later["id"], as_volunteer(nurse), volunteer_id=nurse["id"])
    assert refused.value.code == "SHIFT_OVERLAP" and "爱心义诊进社区" in refused.value.message
    withdrawn = rpc.volunteer.withdraw_sign_up(shift["id"], as_volunteer(nurse),
                                               volunteer_id=nurse["id"], reason="临时有事")
    assert withdrawn["places_left"] == 1
    rpc.volunteer.sign_up(later["id"], as_volunteer(nurse), volunteer_id=nurse["id"])
    rpc.volunteer.suspend_volunteer(third["id"], ADMIN, reason="暂停服务")
    with pytest.raises(Conflict) as refused:
        rpc.volunteer.sign_up(shift["id"], ADMIN, volunteer_id=third["id"])
    assert refused.value.code == "VOLUNTEER_NOT_ACTIVE"
    # Suspending a volunteer frees the places they hold on shifts not yet begun.
    rpc.volunteer.suspend_volunteer(doctor["id"], ADMIN, reason="外出务工")
    freed = rpc.volunteer.get_shift(shift["id"])
    assert freed["places_left"] == 2
    assert freed["history"][-1]["note"] == "志愿者已暂停服务"

    mine = rpc.volunteer.list_shifts(volunteer_id=nurse["id"])
    assert [s["id"] for s in mine["items"]] == [later["id"]]
    open_ones = rpc.volunteer.list_shifts(open_for_sign_up=True)
    assert [s["id"] for s in open_ones["items"]] == [shift["id"], later["id"]]
    tap.wait_for("volunteer_signed_up", lambda d: d["shift_id"] == later["id"])
    assert tap.types().count("volunteer_shift_opened") == 2
    assert "volunteer_sign_up_withdrawn" in tap.types()


def test_attendance_completion_and_the_ledger(volunteer_service, rpc, enrol, event_tap):
    tap = event_tap("volunteer")
    nurse, doctor, absent, walk_in = (enrol(n, skills=["medical"])
                                      for n in ("陈晓", "周医生", "缺席者", "路过的"))
    started = clock.now() - timedelta(hours=2)
    shift = rpc.volunteer.open_shift(JUNHE_STAFF, **clinic(
        needed=3, starts_at=clock.iso(started), ends_at=iso_in(hours=1)))
    sid = shift["id"]
    with pytest.raises(IllegalTransition):  # volunteers sign up before it starts
        rpc.volunteer.sign_up(sid, as_volunteer(nurse), volunteer_id=nurse["id"])
    for person in (nurse, doctor, absent):  # the organiser signs them up on the spot
        rpc.volunteer.sign_up(sid, JUNHE_STAFF, volunteer_id=person["id"])

    with pytest.raises(Forbidden):  # a volunteer cannot back-date their own check-in
        rpc.volunteer.check_in(sid, as_volunteer(nurse), volunteer_id=nurse["id"],
                               at=clock.iso(started))
    rpc.volunteer.check_in(sid, JUNHE_STAFF, volunteer_id=nurse["id"], at=clock.iso(started))
    out = rpc.volunteer.check_out(sid, as_volunteer(nurse), volunteer_id=nurse["id"])
    assert out["assignments"][0]["hours"] == 2.0  # rounded down to the tenth
    marked = rpc.volunteer.mark_attended(sid, JUNHE_STAFF,
                                         volunteer_ids=[doctor["id"], walk_in["id"]], hours=1.5)
    statuses = {a["name"]: (a["status"], a["hours"], a["walk_in"])
                for a in marked["assignments"]}
    assert statuses["周医生"] == ("attended", 1.5, False)
    assert statuses["路过的"] == ("attended", 1.5, True)
    with pytest.raises(ValidationFailed):
        rpc.volunteer.mark_attended(sid, JUNHE_STAFF, volunteer_ids=[doctor["id"]], hours=5)

    with pytest.raises(ValidationFailed):
        rpc.volunteer.complete_shift(sid, JUNHE_STAFF, attended_by="everyone")
    done = rpc.volunteer.complete_shift(sid, JUNHE_STAFF, note="义诊顺利结束")
    assert done["state"] == "completed" and done["history"][-1]["note"] == "义诊顺利结束"
    statuses = {a["name"]: a["status"] for a in done["assignments"]}
    assert statuses == {"陈晓": "checked_out", "周医生": "attended", "缺席者": "absent",
                        "路过的": "attended"}
    with pytest.raises(IllegalTransition) as refused:
        rpc.volunteer.complete_shift(sid, JUNHE_STAFF)
    assert "已完成" in refused.value.message

    entries = rpc.volunteer.list_ledger_entries(volunteer_id=nurse["id"])["items"]
    assert len(entries) == 1
    entry = entries[0]
    assert (entry["hours"], entry["content"], entry["organiser"], entry["recorder"]["name"],
            entry["date"]) == (2.0, "爱心义诊进社区", "浚河社区", "张永明",
                               clock.local_date(started).isoformat())
    assert entry["skills"] == [{"code": "medical", "name": "医疗卫生"}]
    assert rpc.volunteer.get_volunteer(nurse["id"])["total_hours"] == 2.0
    assert rpc.volunteer.get_volunteer(absent["id"])["total_hours"] == 0
    hours = rpc.volunteer.volunteer_hours(doctor["id"])
    assert (hours["total_hours"], hours["services"], hours["next_star"]["remaining"]) == (
        1.5, 1, 98.5)

    completed = tap.wait_for("volunteer_shift_completed")
    assert completed["data"]["attended"] == 3 and completed["data"]["absent"] == 1
    assert completed["data"]["hours"] == 5.0
    tap.types()
    credited = [b["data"] for b in tap.seen if b["type"] == "volunteer_hours_credited"]
    assert sorted(c["name"] for c in credited) == ["周医生", "路过的", "陈晓"]


def test_shifts_left_open_are_completed_by_the_timer_once(volunteer_service, rpc, enrol,
                                                          service_db):
    nurse = enrol("陈晓", skills=["medical"])
    shift = rpc.volunteer.open_shift(JUNHE_STAFF, **clinic(
        starts_at=clock.iso(clock.now() - timedelta(hours=1)), ends_at=iso_in(hours=1)))
    rpc.volunteer.sign_up(shift["id"], JUNHE_STAFF, volunteer_id=nurse["id"])
    rpc.volunteer.check_in(shift["id"], JUNHE_STAFF, volunteer_id=nurse["id"],
                           at=clock.iso(clock.now() - timedelta(hours=1)))
    rpc.volunteer.check_out(shift["id"], JUNHE_STAFF, volunteer_id=nurse["id"])
    untouched = rpc.volunteer.open_shift(JUNHE_STAFF, **clinic())
    # Four days pass and nobody completes it.
    service_db("volunteer").shifts.update_one(
        {"_id": shift["id"]}, {"$set": {"ends_at": clock.now() - timedelta(days=4),
                                        "starts_at": clock.now() - timedelta(days=4, hours=2)}})
    with entrypoint_hook(volunteer_service, "complete_finished_shifts") as complete:
        assert complete() == [shift["id"]]
        assert complete() == []
    done = rpc.volunteer.get_shift(shift["id"])
    assert done["state"] == "completed" and done["history"][-1]["actor"]["name"] == "系统"
    assert rpc.volunteer.get_volunteer(nurse["id"])["total_hours"] == 1.0
    assert rpc.volunteer.get_shift(untouched["id"])["state"] == "open"


def test_a_cancelled_shift_frees_its_volunteers(volunteer_service, rpc, enrol, event_tap):
    tap = event_tap("volunteer")
    nurse = enrol("陈晓", skills=["medical"])
    first = rpc.volunteer.open_shift(JUNHE_STAFF, **clinic())
    rpc.volunteer.sign_up(first["id"], as_volunteer(nurse), volunteer_id=nurse["id"])
    cancelled = rpc.volunteer.cancel_shift(first["id"], JUNHE_STAFF, reason="天气原因取消")
    assert cancelled["state"] == "cancelled" and cancelled["allowed_actions"] == []
    second = rpc.volunteer.open_shift(JUNHE_STAFF, **clinic(title="改期义诊"))
    rpc.volunteer.sign_up(second["id"], as_volunteer(nurse), volunteer_id=nurse["id"])
    event = tap.wait_for("volunteer_shift_cancelled")
    assert event["data"]["volunteer_ids"] == [nurse["id"]]
    assert event["data"]["reason"] == "天气原因取消"


def test_suggestions_are_free_skilled_and_usually_available(volunteer_service, rpc, enrol):
    shift = rpc.volunteer.open_shift(JUNHE_STAFF, **clinic())
    weekday = clock.as_utc(clock.parse_iso(shift["starts_at"])).astimezone(
        clock.OFFICE_TZ).isoweekday()
    hour = clock.parse_iso(shift["starts_at"]).astimezone(clock.OFFICE_TZ).hour
    slot = "morning" if hour < 12 else "afternoon" if hour < 18 else "evening"
    usual = enrol("常来的", skills=["medical"], availability=[{"weekday": weekday,
                                                              "slot": slot}])
    other = enrol("有空就来", skills=["medical", "legal"])
    enrol("律师", skills=["legal"])
    busy = enrol("没空的", skills=["medical"])
    elsewhere = rpc.volunteer.open_shift(ADMIN, **clinic(title="另一场义诊", community="天宝社区",
                                                         place="天宝社区党群服务中心"))
    rpc.volunteer.sign_up(elsewhere["id"], as_volunteer(busy), volunteer_id=busy["id"])
    suggested = rpc.volunteer.suggest_volunteers(shift["id"])
    assert [(v["id"], v["usually_available"]) for v in suggested] == [
        (usual["id"], True), (other["id"], False)]
