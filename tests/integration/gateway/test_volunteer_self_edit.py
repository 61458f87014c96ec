"""Self-service limited to what a person may change about themselves, through real HTTP: a
volunteer cannot move to another community nor give themselves skills (to pass a shift's
skill rule) nor change team; community staff cannot put their volunteer on another
community's team. Each refusal changes nothing."""
from datetime import timedelta

from shared import clock
from tests.integration.gateway.conftest import a_volunteer

JUNHE, TIANBAO = "浚河社区", "天宝社区"


def at(**delta) -> str:
    return clock.iso(clock.now() + timedelta(**delta))


def teams(admin):
    for code, name, community in (("junhe_red", "浚河红马甲", JUNHE),
                                  ("tianbao_red", "天宝红马甲", TIANBAO)):
        saved = admin.put(f"/api/volunteer-teams/{code}", json={"name": name,
                                                                "community": community})
        assert saved.status_code == 200, saved.text


def test_a_volunteer_changes_their_own_details_but_not_community_skills_or_team(
        admin, make_user):
    teams(admin)
    volunteer_id = a_volunteer(admin, JUNHE)
    assert admin.patch(f"/api/volunteers/{volunteer_id}",
                       json={"team": "junhe_red"}).status_code == 200
    me = make_user("volunteer", volunteer=volunteer_id)
    own = f"/api/volunteers/{volunteer_id}"
    before = admin.get(own).json()
    for change in ({"community": TIANBAO}, {"skills": ["medical"]}, {"team": None},
                   {"introduction": "退休医生", "skills": ["medical"]}):
        refused = me.patch(own, json=change)
        assert refused.status_code == 403, (change, refused.text)
        assert refused.json()["code"] == "STAFF_ONLY_FIELDS"
        assert set(refused.json()["fields"]) <= {"community", "skills", "team"}
    assert admin.get(own).json() == before
    # The skill rule of a shift still holds them back.
    shift = admin.post("/api/shifts", json={
        "title": "爱心义诊进社区", "community": JUNHE, "place": "文化服务中心",
        "starts_at": at(days=2), "ends_at": at(days=2, hours=3), "needed": 3,
        "skills": ["medical"]}).json()
    signed = me.post(f"/api/shifts/{shift['id']}/sign-up", json={"volunteer_id": volunteer_id})
    assert signed.status_code == 409 and signed.json()["code"] == "SKILLS_REQUIRED"
    # What is theirs to change, they change.
    changed = me.patch(own, json={"introduction": "周末有空", "community": JUNHE})
    assert changed.status_code == 200, changed.text
    assert changed.json()["introduction"] == "周末有空"


def test_staff_cannot_put_their_volunteer_on_another_communitys_team(admin, make_user):
    teams(admin)
    volunteer_id = a_volunteer(admin, JUNHE)
    staff = make_user("community_staff", community=JUNHE)
    path = f"/api/volunteers/{volunteer_id}"
    refused = staff.patch(path, json={"team": "tianbao_red"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "TEAM_OF_ANOTHER_COMMUNITY"
    assert list(refused.json()["fields"]) == ["team"]
    assert admin.get(path).json()["team"] is None
    placed = staff.patch(path, json={"team": "junhe_red"})
    assert placed.status_code == 200 and placed.json()["team"] == "junhe_red"
    moved = staff.patch(path, json={"community": TIANBAO})
    assert moved.status_code == 403
    assert admin.get(path).json()["community"] == JUNHE
