"""What other services tell the volunteer service, published on the real broker as their
relays publish it, each event also delivered twice.

The service runs with one worker here, so each handler's queue is consumed strictly in order:
once the effect of an event published after a repeated one is seen, the repeat has been
handled too, and its having changed nothing is a real observation."""
import pytest

from services.volunteer.service import VolunteerService
from shared import clock
from shared.errors import Conflict, IllegalTransition
from shared.events.activity import ACTIVITY_CANCELLED, ACTIVITY_FINISHED, ACTIVITY_PUBLISHED
from shared.events.job import PLACEMENT_FOLLOW_UP_DUE
from shared.events.repair import (WORK_ORDER_COMPLETED, WORK_ORDER_FOLLOWED_UP,
                                  WORK_ORDER_REOPENED)
from tests.conftest import wait_until
from tests.integration.volunteer.conftest import as_volunteer, iso_in


@pytest.fixture
def in_order(start_service):
    return start_service(VolunteerService, max_workers=1)


def published(activity_id, count=2, skills=("first_aid",), **extra):
    return {"activity_id": activity_id, "title": "孝亲文化节", "theme": "我们的节日",
            "community": "浚河社区", "organiser": "浚河社区新时代文明实践站",
            "venue": "志愿服务广场", "room": None, "starts_at": iso_in(minutes=30),
            "ends_at": iso_in(hours=3), "volunteer_slots": {"count": count,
                                                            "skills": list(skills)},
            **extra}


def shifts_of(rpc, **query):
    return rpc.volunteer.list_shifts(**query)["items"]


def completed(number, community="浚河社区"):
    return {"number": number, "state": "completed", "category": "street_light",
            "community": community, "alley": "新宇巷", "actor_name": "供电班组",
            "address": "新宇巷49号院门口", "department_code": "power",
            "completed_at": clock.iso(clock.now()), "on_time": True,
            "quantities": [{"kind": "street_lamp", "amount": 2.0, "unit": "盏"}],
            "reporter_name": "张清松", "reporter_phone_masked": "138****5678"}


def order_event(number, **extra):
    return {"number": number, "state": "closed", "category": "street_light",
            "community": "浚河社区", "alley": "新宇巷", "actor_name": "刘网格", **extra}


def test_a_published_activity_opens_one_shift_and_publishing_again_updates_it(
        in_order, rpc, publish_event, service_db):
    first = publish_event(ACTIVITY_PUBLISHED, published(
        "A1", skills=("first_aid", "acrobatics")))
    publish_event(ACTIVITY_PUBLISHED, None, envelope=first)
    publish_event(ACTIVITY_PUBLISHED, published("A0", count=0))  # no volunteers wanted
    publish_event(ACTIVITY_PUBLISHED, published("A2"))
    wait_until(lambda: shifts_of(rpc, activity_id="A2"), message="A2's shift")
    [shift] = shifts_of(rpc, activity_id="A1")
    assert (shift["kind"], shift["needed"], shift["organiser"], shift["place"]) == (
        "activity", 2, "浚河社区新时代文明实践站", "志愿服务广场")
    assert shift["skills"] == [{"code": "first_aid", "name": "应急救护"}]
    assert shift["skill_match"] == "any"
    assert shifts_of(rpc, activity_id="A0") == []
    assert service_db("volunteer").activities.count_documents({}) == 3

    moved = published("A1", count=5, starts_at=iso_in(days=2), ends_at=iso_in(days=2, hours=2))
    publish_event(ACTIVITY_PUBLISHED, moved)
    wait_until(lambda: shifts_of(rpc, activity_id="A1")[0]["needed"] == 5)
    [again] = shifts_of(rpc, activity_id="A1")
    assert again["id"] == shift["id"] and again["starts_at"] == moved["starts_at"]
    assert again["history"][-1]["action"] == "update"


def test_a_finished_activity_credits_its_volunteers_once(in_order, rpc, enrol,
                                                        publish_event, event_tap):
    tap = event_tap("volunteer")
    came, listed, walked_in, stayed_away = (enrol(n, skills=["first_aid"])
                                            for n in ("到场签到", "名单签到", "现场参加", "未到"))
    publish_event(ACTIVITY_PUBLISHED, published("A1", count=3))
    shift = wait_until(lambda: shifts_of(rpc, activity_id="A1"))[0]
    for person in (came, listed, stayed_away):
        rpc.volunteer.sign_up(shift["id"], as_volunteer(person), volunteer_id=person["id"])
    rpc.volunteer.check_in(shift["id"], as_volunteer(came), volunteer_id=came["id"])

    finished = {"activity_id": "A1", "title": "孝亲文化节", "theme": "我们的节日",
                "community": "浚河社区", "festival": "重阳", "starts_at": shift["starts_at"],
                "ends_at": shift["ends_at"], "hours": 2.5, "attendance": 40, "checked_in": [
                    {"name": "名单签到", "checked_in_at": iso_in(), "volunteer_id": listed["id"]},
                    {"name": "现场参加", "checked_in_at": iso_in(),
                     "volunteer_id": walked_in["id"]},
                    {"name": "居民甲", "checked_in_at": iso_in(), "volunteer_id": None},
                    {"name": "查无此人", "checked_in_at": iso_in(), "volunteer_id": "V-nobody"}]}
    event = publish_event(ACTIVITY_FINISHED, finished)
    publish_event(ACTIVITY_FINISHED, None, envelope=event)   # the same event twice
    publish_event(ACTIVITY_FINISHED, finished)               # and the activity sent it again
    publish_event(ACTIVITY_FINISHED, {**finished, "activity_id": "A-other", "checked_in": [
        {"name": "未到", "checked_in_at": iso_in(), "volunteer_id": stayed_away["id"]}]})
    wait_until(lambda: rpc.volunteer.get_volunteer(stayed_away["id"])["total_hours"] == 2.5,
               message="the last event handled")

    hours = {p["name"]: rpc.volunteer.get_volunteer(p["id"])["total_hours"]
             for p in (came, listed, walked_in)}
    assert hours == {"到场签到": 2.5, "名单签到": 2.5, "现场参加": 2.5}
    done = rpc.volunteer.get_shift(shift["id"])
    assert done["state"] == "completed"
    assert {a["name"]: a["status"] for a in done["assignments"]} == {
        "到场签到": "attended", "名单签到": "attended", "未到": "absent"}
    entries = rpc.volunteer.list_ledger_entries(organiser="浚河社区新时代文明实践站")["items"]
    assert len(entries) == 3
    assert {e["volunteer_name"]: e["source"]["kind"] for e in entries} == {
        "到场签到": "shift", "名单签到": "shift", "现场参加": "activity"}
    assert all(e["content"] == "孝亲文化节" for e in entries)
    # A-other was never published: its organiser falls back to the community.
    other = rpc.volunteer.list_ledger_entries(volunteer_id=stayed_away["id"])["items"]
    assert [e["organiser"] for e in other] == ["浚河社区"]
    tap.wait_for("volunteer_shift_completed")
    assert len([b for b in tap.seen if b["type"] == "volunteer_shift_completed"]) == 1


def test_a_cancelled_activity_cancels_its_shift_once(in_order, rpc, enrol, publish_event,
                                                    event_tap):
    tap = event_tap("volunteer")
    person = enrol("陈晓", skills=["first_aid"])
    publish_event(ACTIVITY_PUBLISHED, published("A1"))
    shift = wait_until(lambda: shifts_of(rpc, activity_id="A1"))[0]
    rpc.volunteer.sign_up(shift["id"], as_volunteer(person), volunteer_id=person["id"])
    cancel = {"activity_id": "A1", "title": "孝亲文化节", "theme": "我们的节日",
              "community": "浚河社区", "reason": "暴雨预警"}
    event = publish_event(ACTIVITY_CANCELLED, cancel)
    publish_event(ACTIVITY_CANCELLED, None, envelope=event)
    publish_event(ACTIVITY_CANCELLED, {**cancel, "activity_id": "A-unknown"})
    wait_until(lambda: rpc.volunteer.get_shift(shift["id"])["state"] == "cancelled")
    cancelled = tap.wait_for("volunteer_shift_cancelled")
    assert cancelled["data"]["volunteer_ids"] == [person["id"]]
    assert cancelled["data"]["reason"] == "活动已取消:暴雨预警"
    assert cancelled["causation_id"] == event.event_id
    assert tap.types().count("volunteer_shift_cancelled") == 1


def test_a_completed_work_order_gets_a_follow_up_visit_whose_answer_goes_back(
        in_order, rpc, enrol, publish_event, event_tap):
    tap = event_tap("volunteer")
    event = publish_event(WORK_ORDER_COMPLETED, completed("WO1"))
    publish_event(WORK_ORDER_COMPLETED, None, envelope=event)
    publish_event(WORK_ORDER_COMPLETED, completed("WO2"))
    wait_until(lambda: shifts_of(rpc, work_order_number="WO2"))
    [visit] = shifts_of(rpc, work_order_number="WO1")
    assert (visit["kind"], visit["needed"], visit["community_only"], visit["flexible"]) == (
        "follow_up_visit", 1, True, True)
    assert visit["source"]["resident_phone_masked"] == "138****5678"
    assert "138****5678" in visit["description"] and "13812345678" not in str(visit)

    outsider = enrol("天宝的志愿者", community="天宝社区")
    with pytest.raises(Conflict) as refused:
        rpc.volunteer.sign_up(visit["id"], as_volunteer(outsider), volunteer_id=outsider["id"])
    assert refused.value.code == "COMMUNITY_ONLY"
    visitor = enrol("小陈")
    rpc.volunteer.sign_up(visit["id"], as_volunteer(visitor), volunteer_id=visitor["id"])
    done = rpc.volunteer.record_follow_up_visit(
        visit["id"], as_volunteer(visitor), volunteer_id=visitor["id"], result="dissatisfied",
        note="晚上路灯还是不亮")
    assert done["state"] == "completed" and done["outcome"]["result_name"] == "不满意"
    assert rpc.volunteer.get_volunteer(visitor["id"])["total_hours"] == 1.0
    with pytest.raises(IllegalTransition):
        rpc.volunteer.record_follow_up_visit(visit["id"], as_volunteer(visitor),
                                             volunteer_id=visitor["id"], result="satisfied")
    answer = tap.wait_for("follow_up_visit_recorded")
    assert {k: answer["data"][k] for k in ("work_order_number", "result", "note",
                                           "visitor_id", "visitor_name")} == {
        "work_order_number": "WO1", "result": "dissatisfied", "note": "晚上路灯还是不亮",
        "visitor_id": visitor["id"], "visitor_name": "小陈"}


def test_visits_no_longer_needed_are_cancelled(in_order, rpc, publish_event):
    for number in ("WO1", "WO2", "WO3"):
        publish_event(WORK_ORDER_COMPLETED, completed(number))
    wait_until(lambda: len(shifts_of(rpc, kind="follow_up_visit")) == 3)
    followed = publish_event(WORK_ORDER_FOLLOWED_UP, order_event("WO1", result="satisfied"))
    publish_event(WORK_ORDER_FOLLOWED_UP, None, envelope=followed)
    reopened = publish_event(WORK_ORDER_REOPENED, order_event(
        "WO2", state="in_progress", reason="居民来电反映仍未修好", due_at=iso_in(days=5)))
    publish_event(WORK_ORDER_REOPENED, None, envelope=reopened)
    publish_event(WORK_ORDER_FOLLOWED_UP, order_event("WO-none", result="satisfied"))
    wait_until(lambda: shifts_of(rpc, work_order_number="WO2")[0]["state"] == "cancelled")
    states = {s["source"]["work_order_number"]: (s["state"], s["cancel_reason"])
              for s in shifts_of(rpc, kind="follow_up_visit")}
    assert states == {"WO1": ("cancelled", "工作人员已完成回访,无需志愿者回访"),
                      "WO2": ("cancelled", "工单已重办,待再次办结后回访"),
                      "WO3": ("open", None)}


def test_a_placement_follow_up_becomes_a_visit_whose_answer_goes_to_job(
        in_order, rpc, enrol, publish_event, event_tap):
    tap = event_tap("volunteer")
    due = {"follow_up_id": "F1", "placement_id": "P1", "community": "天宝社区",
           "seeker_name": "胡明英", "employer_name": "聚宝路毛绒玩具加工点", "month": 3,
           "due_on": clock.local_date(clock.now()).isoformat()}
    event = publish_event(PLACEMENT_FOLLOW_UP_DUE, due)
    publish_event(PLACEMENT_FOLLOW_UP_DUE, None, envelope=event)
    publish_event(PLACEMENT_FOLLOW_UP_DUE, {**due, "follow_up_id": "F2", "month": 6})
    wait_until(lambda: len(shifts_of(rpc, kind="placement_follow_up")) == 2)
    visit = next(s for s in shifts_of(rpc, kind="placement_follow_up")
                 if s["source"]["follow_up_id"] == "F1")
    assert visit["title"] == "就业回访:胡明英(第 3 个月)" and visit["community"] == "天宝社区"
    visitor = enrol("李志愿", community="天宝社区")
    rpc.volunteer.sign_up(visit["id"], as_volunteer(visitor), volunteer_id=visitor["id"])
    with pytest.raises(IllegalTransition):  # not a work-order visit
        rpc.volunteer.record_follow_up_visit(visit["id"], as_volunteer(visitor),
                                             volunteer_id=visitor["id"], result="satisfied")
    rpc.volunteer.record_placement_visit(visit["id"], as_volunteer(visitor),
                                         volunteer_id=visitor["id"], result="employed",
                                         note="工作稳定,能照顾孙女上学")
    answer = tap.wait_for("placement_follow_up_recorded")
    assert (answer["data"]["follow_up_id"], answer["data"]["placement_id"],
            answer["data"]["result"], answer["data"]["visitor_name"]) == (
        "F1", "P1", "employed", "李志愿")
