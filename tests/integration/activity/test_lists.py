"""The activity service's lists over RPC, followed by cursor to their end: every record once,
in the list's order, filters combined, totals from the counters, a forged cursor refused."""
from __future__ import annotations

import pytest

from shared.errors import ValidationFailed
from tests.integration.activity.conftest import ADMIN, STAFF, soon

TALK = {"title": "一刻钟宣讲:书法进社区", "theme": "anti_waste", "organiser": "浚河社区",
        "community": "浚河社区", "description": "社区书法爱好者现场示范"}
TIANBAO = {"id": "u-tb", "name": "李伟", "role": "community_staff", "community": "天宝社区"}


def walk(method, page_size: int, **query) -> tuple[list[dict], list[dict]]:
    """Every item of a list, page after page; and the pages' envelopes."""
    pages, cursor = [], None
    while True:
        page = method(page_size=page_size, cursor=cursor, **query)
        pages.append(page)
        assert len(page["items"]) <= page_size
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return [item for p in pages for item in p["items"]], pages
        assert len(page["items"]) == page_size
        cursor = page["next_cursor"]


def test_activities_registrations_and_exemplars_by_cursor(activity_service, place, rpc):
    venue_id, room_id = place
    made = []
    for i in range(7):  # an hour apart, two with the same start
        made.append(rpc.activity.create_activity(STAFF, **{
            **TALK, "title": f"第{i}场 书法进社区" if i % 2 else f"第{i}场 广场舞",
            "venue_id": venue_id, "room_id": room_id if i not in (3, 6) else None,
            "starts_at": soon(60 * 24 + 120 * min(i, 5)),
            "ends_at": soon(60 * 24 + 120 * min(i, 5) + 60)}))
    made.append(rpc.activity.create_activity(TIANBAO, **{
        **TALK, "community": "天宝社区", "organiser": "天宝社区"}))  # no time yet
    for activity in made[:4]:
        rpc.activity.publish_activity(activity["activity_id"], ADMIN)

    everything, pages = walk(rpc.activity.list_activities, 3)
    ids = [a["activity_id"] for a in everything]
    assert sorted(ids) == sorted(a["activity_id"] for a in made) and len(set(ids)) == len(ids)
    # Latest start first; ties by number, the later first; the draft without a time is listed
    # at its creation (now, before all of these).
    keys = [(a["starts_at"], a["activity_id"]) for a in everything[:-1]]
    assert keys == sorted(keys, reverse=True) and everything[-1]["starts_at"] is None
    assert {p["total"] for p in pages} == {8}

    soonest, _ = walk(rpc.activity.list_activities, 2, sort="starts_at", community="浚河社区")
    assert [a["activity_id"] for a in soonest] == [a["activity_id"] for a in reversed(
        everything[:-1])]
    published, pages = walk(rpc.activity.list_activities, 2, community="浚河社区",
                            state=["published"])
    assert {a["activity_id"] for a in published} == {a["activity_id"] for a in made[:4]}
    assert pages[0]["total"] == 4
    # Filters combine (a search and a community and a state), and a search is not counted.
    found, pages = walk(rpc.activity.list_activities, 2, q="书法进社区", state=["published"])
    assert {a["activity_id"] for a in found} == {made[1]["activity_id"], made[3]["activity_id"]}
    assert pages[0]["total"] is None
    assert walk(rpc.activity.list_activities, 2, q=made[5]["activity_id"])[0][0][
        "activity_id"] == made[5]["activity_id"]
    assert walk(rpc.activity.list_activities, 5, q="书法", community="天宝社区")[0] == [made[7]]
    assert walk(rpc.activity.list_activities, 5, venue_id=venue_id, room_id=room_id,
                state=["published"])[0] == [
        rpc.activity.get_activity(made[i]["activity_id"]) for i in (2, 1, 0)]

    # Registrations of one activity in the order they were made.
    activity_id = made[0]["activity_id"]
    people = [rpc.activity.register(activity_id, STAFF, name=f"居民{name}",
                                    phone=f"1381234{i:04d}")
              for i, name in enumerate(["甲乙", "丙丁", "戊己", "庚辛"])]
    registrations, pages = walk(rpc.activity.list_registrations, 2, activity_id=activity_id)
    assert [r["registration_id"] for r in registrations] == [
        p["registration_id"] for p in people]
    assert pages[0]["total"] == 4  # 3 places, one waiting: all counted
    waiting, pages = walk(rpc.activity.list_registrations, 2, activity_id=activity_id,
                          status=["waitlisted"])
    assert [r["name"] for r in waiting] == ["居民庚辛"] and pages[0]["total"] == 1
    assert [r["name"] for r in walk(rpc.activity.list_registrations, 2,
                                    activity_id=activity_id, q="丙丁")[0]] == ["居民丙丁"]
    assert [r["name"] for r in walk(rpc.activity.list_registrations, 2,
                                    activity_id=activity_id, q=people[2]["code"])[0]] == [
        "居民戊己"]

    exemplar_ids = [rpc.activity.nominate_exemplar(STAFF, **{
        "name": name, "category": "good_in_laws", "community": "浚河社区",
        "title": "孝老爱亲好媳妇", "story": "照顾瘫痪婆婆十余年,从无怨言,邻里称赞。"})["exemplar_id"]
        for name in ("王秀英", "李桂兰", "张翠华")]
    nominated, pages = walk(rpc.activity.list_exemplars, 2, community="浚河社区")
    assert [e["exemplar_id"] for e in nominated] == list(reversed(exemplar_ids))
    assert pages[0]["total"] == 3
    assert [e["name"] for e in walk(rpc.activity.list_exemplars, 2, q="李桂兰")[0]] == ["李桂兰"]


@pytest.mark.parametrize("method", ["list_activities", "list_exemplars"])
def test_a_forged_cursor_is_refused_with_a_field_error(activity_service, rpc, method):
    for forged in ("not-a-cursor", "eyJ2IjoxfQ", "x" * 401):
        with pytest.raises(ValidationFailed) as refused:
            getattr(rpc.activity, method)(cursor=forged)
        assert refused.value.code == "VALIDATION_FAILED" and "cursor" in refused.value.fields


def test_an_empty_list_answers_at_once(activity_service, rpc):
    page = rpc.activity.list_activities(community="浚河社区")
    assert page == {"items": [], "next_cursor": None, "has_more": False, "page_size": 20,
                    "total": 0}
    assert rpc.activity.list_registrations(activity_id="AC1", q="王秀")["total"] is None
