"""The volunteer registry in a container against the real broker and SecantusDB, called over
RPC as the gateway calls it: registration, approval, suspension and personal data."""
import pytest

from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed
from tests.integration.volunteer.conftest import (ADMIN, JUNHE_STAFF, TIANBAO_STAFF,
                                                  as_volunteer, id_number)
from tests.payloads import fields_holding

RESIDENT = {"id": "r-1", "name": "陈晓", "role": "resident"}
CHEN = {"name": "陈晓", "community": "浚河社区", "phone": "13812345678",
        "id_number": id_number(7), "skills": ["first_aid", "medical"],
        "availability": [{"weekday": 6, "slot": "morning"}],
        "introduction": "社区医院护士,周末有空"}


def test_registration_approval_and_suspension_are_published(
        volunteer_service, rpc, event_tap, service_db):
    tap = event_tap("volunteer")
    person = rpc.volunteer.register_volunteer(actor=RESIDENT, **CHEN)
    vid = person["id"]
    assert person["state"] == "pending" and person["state_name"] == "待审核"
    assert person["phone_masked"] == "138****5678"
    assert person["id_number_masked"] == CHEN["id_number"][:3] + "*" * 11 + \
        CHEN["id_number"][-4:]
    assert [s["name"] for s in person["skills"]] == ["应急救护", "医疗卫生"]
    assert person["availability"][0]["label"] == "周六上午"
    stored = service_db("volunteer").volunteers.find_one({"_id": vid})
    assert "13812345678" not in str(stored) and CHEN["id_number"] not in str(stored)

    with pytest.raises(Forbidden):  # staff of another community
        rpc.volunteer.approve_volunteer(vid, TIANBAO_STAFF)
    approved = rpc.volunteer.approve_volunteer(vid, JUNHE_STAFF, note="资料齐全")
    assert approved["state"] == "active" and approved["approved_at"]
    assert [a["action"] for a in approved["allowed_actions"]] == ["suspend", "withdraw",
                                                                  "update", "commend"]
    suspended = rpc.volunteer.suspend_volunteer(vid, ADMIN, reason="长期联系不上")
    assert suspended["state"] == "suspended"
    with pytest.raises(IllegalTransition) as refused:
        rpc.volunteer.suspend_volunteer(vid, ADMIN, reason="再次暂停")
    assert "已暂停" in refused.value.message
    reinstated = rpc.volunteer.reinstate_volunteer(vid, ADMIN)
    assert [h["action"] for h in reinstated["history"]] == [
        "register", "approve", "suspend", "reinstate"]
    assert reinstated["history"][1]["actor"]["name"] == "张永明"

    tap.wait_for("volunteer_reinstated")
    assert tap.types() == ["volunteer_registered", "volunteer_approved",
                           "volunteer_suspended", "volunteer_reinstated"]
    registered = tap.seen[0]["data"]
    assert registered["skills"] == ["first_aid", "medical"]
    # No phone, masked or not, and no ID number travels in the events: field by field.
    for secret in (CHEN["phone"], person["phone_masked"], CHEN["id_number"],
                   person["id_number_masked"]):
        assert fields_holding([seen["data"] for seen in tap.seen], secret) == [], secret


def test_bad_input_is_refused_in_chinese_and_changes_nothing(volunteer_service, rpc,
                                                             service_db):
    with pytest.raises(ValidationFailed) as failed:
        rpc.volunteer.register_volunteer(actor=RESIDENT, **{
            **CHEN, "id_number": "341181198001010000", "phone": "123",
            "skills": ["juggling"], "colour": "red"})
    assert failed.value.fields == {
        "id_number": ["不是有效的居民身份证号码。"], "phone": ["不是有效的电话号码。"],
        "skills": {"0": ["应为以下之一:" + "、".join(
            ["医疗卫生", "应急救护", "法律服务", "教育辅导", "文体艺术", "为老服务", "关爱少儿",
             "心理疏导", "文明宣传", "环境整治", "文明交通劝导", "维修服务", "信息技术",
             "走访回访", "就业帮扶"]) + "。"]},
        "colour": ["未知字段。"]}
    with pytest.raises(NotFound) as missing:
        rpc.volunteer.register_volunteer(actor=RESIDENT, **{**CHEN, "team": "no_such_team"})
    assert missing.value.code == "TEAM_NOT_FOUND"
    assert service_db("volunteer").volunteers.count_documents({}) == 0
    with pytest.raises(NotFound) as missing:
        rpc.volunteer.approve_volunteer("V000", ADMIN)
    assert missing.value.code == "VOLUNTEER_NOT_FOUND"


def test_an_id_number_registers_once_until_the_registration_is_rejected(volunteer_service,
                                                                        rpc):
    first = rpc.volunteer.register_volunteer(actor=RESIDENT, **CHEN)
    # The same number written with a lower-case x or spaces is the same person.
    with pytest.raises(Conflict) as refused:
        number = CHEN["id_number"]
        rpc.volunteer.register_volunteer(actor=RESIDENT, **{
            **CHEN, "name": "陈晓晓", "phone": "13900000000",
            "id_number": f"{number[:6]} {number[6:14]} {number[14:]}".lower()})
    assert refused.value.code == "VOLUNTEER_ALREADY_REGISTERED"
    assert first["id"] in refused.value.message
    rpc.volunteer.reject_volunteer(first["id"], ADMIN, reason="不在本街道居住")
    again = rpc.volunteer.register_volunteer(actor=RESIDENT, **CHEN)
    assert again["id"] != first["id"] and again["state"] == "pending"


def test_profile_changes_keep_old_and_new_values_masked(volunteer_service, rpc, enrol):
    rpc.volunteer.save_team(ADMIN, code="red_vest", name="浚河红马甲志愿服务队",
                            community="浚河社区", leader="张永明")
    person = enrol("刘芳")
    me = as_volunteer(person)
    with pytest.raises(Forbidden) as own:  # team and skills are the organisers' to set
        rpc.volunteer.update_volunteer(person["id"], me, team="red_vest", skills=["legal"])
    assert own.value.code == "STAFF_ONLY_FIELDS"
    rpc.volunteer.update_volunteer(person["id"], ADMIN, team="red_vest", skills=["legal"])
    changed = rpc.volunteer.update_volunteer(person["id"], me, phone="13700001111")
    assert changed["team_name"] == "浚河红马甲志愿服务队"
    assert changed["phone_masked"] == "137****1111"
    details = changed["history"][-1]["details"]
    assert details["phone"] == {"old": person["phone_masked"], "new": "137****1111"}
    assert changed["history"][-2]["details"]["team"] == {"old": None, "new": "red_vest"}
    unchanged = rpc.volunteer.update_volunteer(person["id"], me, skills=["legal"])
    assert unchanged["version"] == changed["version"]  # nothing to store
    with pytest.raises(Forbidden):  # another volunteer
        rpc.volunteer.update_volunteer(person["id"], {**me, "id": "V-someone-else"},
                                       name="冒名")
    assert [t["code"] for t in rpc.volunteer.list_teams(community="浚河社区")] == ["red_vest"]


def test_personal_data_is_revealed_only_after_an_audit_entry(volunteer_service, rpc,
                                                             service_db, enrol):
    person = rpc.volunteer.register_volunteer(actor=RESIDENT, **CHEN)
    with pytest.raises(ValidationFailed):
        rpc.volunteer.reveal_volunteer_personal_data(person["id"], JUNHE_STAFF)
    with pytest.raises(Forbidden):
        rpc.volunteer.reveal_volunteer_personal_data(person["id"], TIANBAO_STAFF,
                                                     purpose="核对身份信息")
    assert service_db("volunteer").audit_log.count_documents({}) == 0
    revealed = rpc.volunteer.reveal_volunteer_personal_data(
        person["id"], JUNHE_STAFF, purpose="出具证明前核对身份", fields=["id_number"])
    assert revealed == {"id": person["id"], "name": "陈晓", "id_number": CHEN["id_number"]}
    audit = service_db("volunteer").audit_log.find_one()
    assert (audit["actor"]["id"], audit["record_id"], audit["fields"], audit["purpose"]) == (
        "u-junhe", person["id"], ["id_number"], "出具证明前核对身份")


def test_volunteers_are_found_by_community_skill_availability_and_phone(
        volunteer_service, rpc, enrol):
    nurse = enrol("陈晓", skills=["medical", "first_aid"],
                  availability=[{"weekday": 6, "slot": "morning"}])
    enrol("王律师", community="天宝社区", skills=["legal"])
    pending = enrol("新人", approve=False)
    listed = rpc.volunteer.list_volunteers(community="浚河社区", state=["active"])
    assert [v["id"] for v in listed["items"]] == [nurse["id"]] and listed["total"] == 1
    both = rpc.volunteer.list_volunteers(skills=["medical", "first_aid"])
    assert [v["id"] for v in both["items"]] == [nurse["id"]]
    assert both["total"] is None  # skills are not counted: no total rather than a count
    assert rpc.volunteer.list_volunteers(skills=["legal", "medical"])["items"] == []
    assert [v["id"] for v in rpc.volunteer.list_volunteers(
        available={"weekday": 6, "slot": "morning"})["items"]] == [nurse["id"]]
    assert rpc.volunteer.list_volunteers(available={"weekday": 6, "slot": "evening"})[
        "items"] == []
    revealed = rpc.volunteer.reveal_volunteer_personal_data(
        pending["id"], ADMIN, purpose="测试按电话查找", fields=["phone"])
    found = rpc.volunteer.list_volunteers(phone=revealed["phone"])
    assert [v["id"] for v in found["items"]] == [pending["id"]]
    with pytest.raises(ValidationFailed):
        rpc.volunteer.list_volunteers(sort="salary")


def test_health_reports_database_outbox_and_dead_letters(volunteer_service, rpc):
    health = rpc.volunteer.health()
    assert health["status"] == "ok" and health["service"] == "volunteer"
    assert health["broker"] == {"ok": True, "dead_letters": 0}
