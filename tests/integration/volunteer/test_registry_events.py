"""A registration turned down (volunteer_rejected) and a profile changed (volunteer_updated):
the effect on the volunteer, the event and its fields exactly, and what never travels in it
(phones, masked or not, and ID numbers); the wrong person or the same step twice changes and
publishes nothing."""
import pytest

from shared.errors import Forbidden, IllegalTransition
from tests.integration.volunteer.conftest import (JUNHE_STAFF, TIANBAO_STAFF, as_volunteer,
                                                  id_number)
from tests.payloads import fields_holding

RESIDENT = {"id": "r-9", "name": "周敏", "role": "resident"}
ZHOU = {"name": "周敏", "community": "浚河社区", "phone": "13855556666",
        "id_number": id_number(41), "skills": ["teaching"],
        "availability": [{"weekday": 6, "slot": "afternoon"}]}


def state_of(service_db, vid):
    stored = service_db("volunteer").volunteers.find_one({"_id": vid})
    return stored["state"], stored["version"], len(stored["history"])


def test_a_rejected_registration_is_published_with_its_reason(
        volunteer_service, rpc, event_tap, service_db):
    tap = event_tap("volunteer")
    person = rpc.volunteer.register_volunteer(actor=RESIDENT, **ZHOU)
    vid = person["id"]
    before = state_of(service_db, vid)
    with pytest.raises(Forbidden):  # staff of another community
        rpc.volunteer.reject_volunteer(vid, TIANBAO_STAFF, reason="不在本社区")
    assert state_of(service_db, vid) == before

    rejected = rpc.volunteer.reject_volunteer(vid, JUNHE_STAFF, reason="不在本街道居住")
    assert (rejected["state"], rejected["state_name"]) == ("rejected", "未通过")
    assert rejected["allowed_actions"] == []
    assert rejected["history"][-1]["action"] == "reject"
    assert rejected["history"][-1]["note"] == "不在本街道居住"
    with pytest.raises(IllegalTransition):  # the same rejection twice
        rpc.volunteer.reject_volunteer(vid, JUNHE_STAFF, reason="不在本街道居住")
    with pytest.raises(IllegalTransition):  # nor approved afterwards
        rpc.volunteer.approve_volunteer(vid, JUNHE_STAFF)
    assert state_of(service_db, vid) == ("rejected", rejected["version"],
                                         len(rejected["history"]))

    assert tap.types() == ["volunteer_registered", "volunteer_rejected"]
    assert tap.seen[1]["data"] == {"volunteer_id": vid, "name": "周敏", "community": "浚河社区",
                                   "team": None, "state": "rejected", "actor_name": "张永明",
                                   "reason": "不在本街道居住"}
    for secret in (ZHOU["phone"], person["phone_masked"], ZHOU["id_number"],
                   person["id_number_masked"]):
        assert fields_holding(tap.seen[1], secret) == [], secret


def test_a_profile_change_is_published_with_the_names_of_what_changed(
        volunteer_service, rpc, event_tap, service_db):
    tap = event_tap("volunteer")
    rpc.volunteer.save_team(JUNHE_STAFF, code="tutors", name="浚河四点半课堂志愿服务队",
                            community="浚河社区", leader="张永明")
    person = rpc.volunteer.approve_volunteer(
        rpc.volunteer.register_volunteer(actor=RESIDENT, **ZHOU)["id"], JUNHE_STAFF)
    vid, me = person["id"], as_volunteer(person)

    # Skills and team are the community's to change (a volunteer may not), the phone anyone's.
    with pytest.raises(Forbidden):
        rpc.volunteer.update_volunteer(vid, me, team="tutors")
    changed = rpc.volunteer.update_volunteer(vid, JUNHE_STAFF, phone="13700002222",
                                             team="tutors", skills=["teaching", "child_care"])
    assert (changed["phone_masked"], changed["team"]) == ("137****2222", "tutors")
    assert [s["code"] for s in changed["skills"]] == ["teaching", "child_care"]
    assert changed["history"][-1]["details"]["phone"] == {"old": "138****6666",
                                                          "new": "137****2222"}
    after = state_of(service_db, vid)
    # The same change again is no change; another volunteer may not make one.
    again = rpc.volunteer.update_volunteer(vid, me, phone="13700002222")
    assert again["version"] == changed["version"]
    with pytest.raises(Forbidden):
        rpc.volunteer.update_volunteer(vid, {**me, "id": "V-someone-else"}, name="冒名")
    assert state_of(service_db, vid) == after

    assert tap.types() == ["volunteer_registered", "volunteer_approved", "volunteer_updated"]
    assert tap.seen[2]["data"] == {"volunteer_id": vid, "name": "周敏", "community": "浚河社区",
                                   "team": "tutors", "state": "active", "actor_name": "张永明",
                                   "changed": ["phone", "skills", "team"]}
    for secret in (ZHOU["phone"], "13700002222", "138****6666", "137****2222",
                   ZHOU["id_number"]):
        assert fields_holding(tap.seen[2], secret) == [], secret
