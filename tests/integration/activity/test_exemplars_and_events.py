"""Exemplars (先进典型) over RPC, and what the activity service does with other services'
events: a volunteer proposed as 志愿服务典型, and training asked for on an employer visit."""
import pytest

from services.activity.service import ActivityService
from shared.errors import Conflict, Forbidden, ValidationFailed
from shared.events.job import TRAINING_REQUESTED
from shared.events.volunteer import VOLUNTEER_EXEMPLAR_PROPOSED
from tests.conftest import wait_until
from tests.integration.activity.conftest import ADMIN, STAFF, soon

GOOD_IN_LAW = {"name": "王秀英", "category": "good_in_laws", "community": "浚河社区",
               "title": "孝老爱亲好媳妇", "story": "照顾瘫痪婆婆十余年,从无怨言,邻里称赞。"}
TIANBAO_STAFF = {"id": "u-tb", "name": "李伟", "role": "community_staff", "community": "天宝社区"}
PROPOSAL = {"volunteer_id": "vol-7", "name": "陈志强", "community": "天宝社区",
            "reason": "累计服务时长达到五星级", "total_hours": 1520.5, "star_level": 5,
            "commendations": 12}
TRAINING = {"request_id": "tr-1", "visit_id": "visit-1", "employer_id": "e-1",
            "employer_name": "聚宝路毛绒玩具加工点", "community": "天宝社区",
            "topic": "缝纫机安全操作", "expected_participants": 60,
            "preferred_date": "2026-12-05"}


@pytest.fixture
def in_order(start_service):
    """One worker: events are handled in the order they were queued, so once a later event
    has taken effect, every earlier one (a repeat included) has been handled."""
    return start_service(ActivityService, max_workers=1)


def test_an_exemplar_is_nominated_reviewed_published_featured_and_withdrawn(
        activity_service, place, rpc, event_tap):
    tap = event_tap("activity")
    nominated = rpc.activity.nominate_exemplar(STAFF, **GOOD_IN_LAW)
    exemplar_id = nominated["exemplar_id"]
    assert (nominated["state"], nominated["state_name"], nominated["category_name"]) == (
        "nominated", "待审核", "好婆婆·好媳妇")
    with pytest.raises(Forbidden) as refused:
        rpc.activity.review_exemplar(exemplar_id, STAFF, decision="approve")
    assert "街道管理员" in refused.value.message
    with pytest.raises(ValidationFailed) as failed:
        rpc.activity.review_exemplar(exemplar_id, ADMIN, decision="reject")
    assert failed.value.fields == {"comment": ["退回时请写明理由。"]}
    rpc.activity.review_exemplar(exemplar_id, ADMIN, decision="reject", comment="请补充社区证明")
    resubmitted = rpc.activity.update_exemplar(exemplar_id, STAFF,
                                               story="照顾瘫痪婆婆十二年,附社区和邻里证明材料。")
    assert resubmitted["state"] == "nominated"
    approved = rpc.activity.review_exemplar(exemplar_id, ADMIN, decision="approve",
                                            comment="事迹属实")
    assert approved["review"]["by"]["name"] == "周启春"

    venue_id, room_id = place
    activity = rpc.activity.create_activity(STAFF, **{
        "title": "孝亲文化节·身边好人事迹分享会", "theme": "filial_piety_festival",
        "festival": "double_ninth", "organiser": "浚河社区", "community": "浚河社区",
        "venue_id": venue_id, "room_id": room_id, "starts_at": soon(60), "ends_at": soon(120)})
    with pytest.raises(ValidationFailed) as early:
        rpc.activity.feature_exemplar(activity["activity_id"], STAFF, exemplar_id=exemplar_id,
                                      form="story_sharing")
    assert "审核通过" in early.value.fields["exemplar_id"][0]
    rpc.activity.publish_exemplar(exemplar_id, ADMIN)
    featured = rpc.activity.feature_exemplar(activity["activity_id"], STAFF,
                                             exemplar_id=exemplar_id, form="display_board")
    assert featured["featured_exemplars"][0]["form_name"] == "展板宣传"
    shown = rpc.activity.get_exemplar(exemplar_id)
    assert [(a["activity_id"], a["forms"]) for a in shown["featured_at"]] == [
        (activity["activity_id"], ["display_board"])]
    assert rpc.activity.list_exemplars(state=["published"], community="浚河社区")["total"] == 1

    withdrawn = rpc.activity.withdraw_exemplar(exemplar_id, ADMIN, reason="本人申请不再展示")
    assert withdrawn["state"] == "withdrawn"
    assert rpc.activity.get_activity(activity["activity_id"])["featured_exemplars"] == []
    tap.wait_for("exemplar_withdrawn")
    assert tap.types() == ["exemplar_published", "exemplar_withdrawn"]
    published = tap.seen[0]["data"]
    assert (published["exemplar_id"], published["category"], published["title"]) == (
        exemplar_id, "good_in_laws", "孝老爱亲好媳妇")


def test_a_proposed_volunteer_awaits_review_once_however_often_told(
        in_order, rpc, publish_event):
    first = publish_event(VOLUNTEER_EXEMPLAR_PROPOSED, PROPOSAL)
    publish_event(VOLUNTEER_EXEMPLAR_PROPOSED, None, envelope=first)  # delivered twice
    publish_event(VOLUNTEER_EXEMPLAR_PROPOSED, {**PROPOSAL, "commendations": 15,
                                                "reason": "多次受到居民表扬"})
    found = wait_until(lambda: [e for e in rpc.activity.list_exemplars()["items"]
                                if len(e["proposals"]) == 2])
    assert rpc.activity.list_exemplars()["total"] == 1
    exemplar = found[0]
    assert (exemplar["category"], exemplar["state"], exemplar["community"]) == (
        "volunteer_model", "nominated", "天宝社区")
    assert (exemplar["name"], exemplar["volunteer_id"], exemplar["title"]) == (
        "陈志强", "vol-7", "5星级志愿者")
    assert "受到表扬 15 次" in exemplar["story"]
    assert exemplar["source_ref"] == {"service": "volunteer", "ref": "vol-7"}
    assert [p["reason"] for p in exemplar["proposals"]] == ["累计服务时长达到五星级",
                                                            "多次受到居民表扬"]
    with pytest.raises(Conflict) as duplicate:  # staff cannot open a second one either
        rpc.activity.nominate_exemplar(ADMIN, **{**GOOD_IN_LAW, "category": "volunteer_model",
                                                 "community": "天宝社区",
                                                 "volunteer_id": "vol-7"})
    assert duplicate.value.code == "ALREADY_EXISTS"


def test_requested_training_becomes_one_draft_at_the_citizen_school(
        in_order, rpc, publish_event, event_tap):
    tap = event_tap("activity")
    school = rpc.activity.save_venue(ADMIN, community="天宝社区", name="天宝社区党群服务中心",
                                     kind="party_service_centre", address="聚宝路8号")
    school = rpc.activity.save_room(ADMIN, venue_id=school["id"], name="市民学校",
                                    kind="citizen_school", capacity=40)
    request = publish_event(TRAINING_REQUESTED, TRAINING)
    publish_event(TRAINING_REQUESTED, None, envelope=request)    # delivered twice
    publish_event(TRAINING_REQUESTED, {**TRAINING, "visit_id": "visit-2"})  # asked again
    publish_event(TRAINING_REQUESTED, {**TRAINING, "request_id": "tr-2", "community": "浚河社区",
                                       "preferred_date": None})
    wait_until(lambda: rpc.activity.list_activities(community="浚河社区")["total"] == 1)
    drafts = rpc.activity.list_activities(theme="skills_training")
    assert len(drafts["items"]) == 2 and not drafts["has_more"]
    assert drafts["total"] is None  # by theme: not counted
    training = rpc.activity.list_activities(community="天宝社区")["items"][0]
    assert (training["state"], training["title"], training["place"]) == (
        "draft", "送培训:缝纫机安全操作", "天宝社区党群服务中心 · 市民学校")
    assert training["capacity"] == 40  # the room holds 40 of the 60 hoped for
    assert training["source_ref"] == {"service": "job", "ref": "tr-1"}
    assert training["preferred_date"] == "2026-12-05"
    assert "聚宝路毛绒玩具加工点" in training["description"]
    elsewhere = rpc.activity.list_activities(community="浚河社区")["items"][0]
    assert elsewhere["venue"] is None and "尚未登记市民学校" in elsewhere["description"]

    scheduled = rpc.activity.update_activity(training["activity_id"], TIANBAO_STAFF,
                                             starts_at=soon(24 * 60), ends_at=soon(25 * 60))
    assert scheduled["room"]["id"] == school["rooms"][0]["id"]
    rpc.activity.publish_activity(training["activity_id"], TIANBAO_STAFF)
    announced = tap.wait_for("activity_published")["data"]
    assert (announced["theme"], announced["room"], announced["community"]) == (
        "skills_training", "市民学校", "天宝社区")
