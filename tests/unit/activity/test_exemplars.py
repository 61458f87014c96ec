"""先进典型: nominate, review, publish, withdraw; proposals from the volunteer service."""
from datetime import datetime, timezone

import pytest

from services.activity import exemplars
from shared.errors import IllegalTransition, ValidationFailed

STAFF = {"id": "s1", "name": "张永明", "role": "community_staff", "community": "浚河社区"}
ADMIN = {"id": "a1", "name": "周书记", "role": "street_admin"}
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)
PROPOSAL = {"volunteer_id": "vol-7", "name": "陈志强", "community": "天宝社区",
            "reason": "累计服务时长达到五星级", "total_hours": 1520.5, "star_level": 5,
            "commendations": 12}


def nominated(**extra):
    return exemplars.Exemplar.nominate("EX20260001", {
        "name": "王秀英", "category": "good_in_laws", "community": "浚河社区",
        "title": "孝老爱亲好媳妇", "story": "照顾瘫痪婆婆十余年,从无怨言。", **extra}, STAFF, T0)


def test_nominate_review_publish_and_withdraw():
    exemplar = nominated()
    assert (exemplar.state, exemplar.year) == ("nominated", 2026)
    assert exemplar.allowed_actions() == ["update", "approve", "reject"]
    exemplar.approve(ADMIN, T0, "事迹属实")
    exemplar.publish(ADMIN, T0)
    assert exemplar.is_public and exemplar.review["decision"] == "approve"
    event_type, data = exemplar.events[-1]
    assert event_type.name == "exemplar_published"
    assert (data["category"], data["category_name"], data["volunteer_id"]) == (
        "good_in_laws", "好婆婆·好媳妇", None)
    exemplar.withdraw(ADMIN, T0, "本人申请撤回")
    assert exemplar.state == "withdrawn" and exemplar.events[-1][0].name == "exemplar_withdrawn"
    assert [h["action"] for h in exemplar.history] == [
        "nominate", "approve", "publish", "withdraw"]
    with pytest.raises(IllegalTransition) as refused:
        exemplar.publish(ADMIN, T0)
    assert "已撤回" in refused.value.message


def test_a_rejected_nomination_goes_back_to_review_when_revised():
    exemplar = nominated()
    with pytest.raises(IllegalTransition):
        exemplar.publish(ADMIN, T0)  # not reviewed yet
    exemplar.reject(ADMIN, T0, "事迹材料不完整")
    assert exemplar.state == "rejected" and exemplar.allowed_actions() == ["update"]
    exemplar.update(STAFF, T0, {"story": "照顾瘫痪婆婆十二年,邻里有口皆碑,附社区证明。"})
    assert exemplar.state == "nominated" and exemplar.story.startswith("照顾瘫痪婆婆十二年")
    assert exemplar.history[-1]["from_state"] == "rejected"


def test_unknown_categories_are_refused():
    with pytest.raises(ValidationFailed):
        nominated(category="hero")


def test_a_volunteer_proposal_becomes_a_nomination_and_later_ones_join_it():
    system = {"id": "volunteer", "name": "志愿服务系统", "role": "system"}
    exemplar = exemplars.Exemplar.from_volunteer_proposal("EX20260002", PROPOSAL, system, T0)
    assert (exemplar.category, exemplar.state, exemplar.title) == (
        "volunteer_model", "nominated", "5星级志愿者")
    assert "1520.5 小时" in exemplar.story and exemplar.open_key == "volunteer_model|vol-7"
    assert exemplar.source_ref == {"service": "volunteer", "ref": "vol-7"}
    exemplar.add_proposal({**PROPOSAL, "commendations": 15, "reason": "再次受到表扬"},
                          system, T0)
    assert len(exemplar.proposals) == 2 and "受到表扬 15 次" in exemplar.story
    exemplar.approve(system, T0)
    exemplar.publish(system, T0)
    story = exemplar.story
    exemplar.add_proposal({**PROPOSAL, "commendations": 20}, system, T0)
    assert exemplar.story == story and len(exemplar.proposals) == 3  # published: on record
    exemplar.withdraw(system, T0, "核实有误")
    assert exemplar.open_key is None  # a new proposal may open a new nomination
