"""What a volunteer may change about themselves, and which team a volunteer may be on: the
volunteer service's own rules, whoever calls it."""
import pytest

from services.volunteer.handlers import registry, settings
from shared.errors import Forbidden, ValidationFailed
from tests.unit.fakes import run
from tests.unit.volunteer.fakes import FakeVolunteerUnitOfWork
from tests.unit.volunteer.test_handlers import (ADMIN, NOW, OTHER_STAFF, RESIDENT, STAFF, me,
                                                person)

JUNHE, TIANBAO = "浚河社区", "天宝社区"


@pytest.fixture
def uow():
    unit = FakeVolunteerUnitOfWork(now=NOW)
    run(settings.save_team, unit, ADMIN, {"code": "junhe_red", "name": "浚河红马甲",
                                          "community": JUNHE})
    run(settings.save_team, unit, ADMIN, {"code": "tianbao_red", "name": "天宝红马甲",
                                          "community": TIANBAO})
    run(settings.save_team, unit, ADMIN, {"code": "street", "name": "街道应急队"})
    return unit


@pytest.fixture
def chen(uow):
    made = run(registry.register, uow, RESIDENT, person(1, skills=["environment", "legal"],
                                                        team="junhe_red"))
    return run(registry.approve, uow, made["id"], ADMIN, {})


@pytest.mark.parametrize("change", [
    {"community": TIANBAO}, {"skills": ["environment", "legal", "medical"]}, {"team": "street"},
    {"team": None}, {"name": "陈小晓", "skills": ["medical"]},
])
def test_a_volunteer_cannot_change_where_they_serve_or_what_they_can_do(uow, chen, change):
    with pytest.raises(Forbidden) as refused:
        run(registry.update, uow, chen["id"], me(chen), change)
    assert refused.value.code == "STAFF_ONLY_FIELDS"
    assert set(refused.value.fields) & {"community", "skills", "team"}
    after = run(registry.get, uow, chen["id"])
    assert (after["name"], after["community"], after["team"], after["skills"]) == (
        chen["name"], JUNHE, "junhe_red", chen["skills"])


def test_a_volunteer_changes_the_rest_and_may_resend_what_they_cannot_change(uow, chen):
    changed = run(registry.update, uow, chen["id"], me(chen), {
        "name": "陈小晓", "phone": "13900000099", "introduction": "周末有空",
        "community": JUNHE, "team": "junhe_red", "skills": ["legal", "environment"]})
    assert changed["name"] == "陈小晓" and changed["community"] == JUNHE
    assert changed["introduction"] == "周末有空"


def test_staff_put_a_volunteer_on_their_communitys_or_the_streets_team_only(uow, chen):
    with pytest.raises(ValidationFailed) as refused:
        run(registry.update, uow, chen["id"], STAFF, {"team": "tianbao_red"})
    assert refused.value.code == "TEAM_OF_ANOTHER_COMMUNITY"
    assert list(refused.value.fields) == ["team"]
    assert run(registry.get, uow, chen["id"])["team"] == "junhe_red"
    assert run(registry.update, uow, chen["id"], STAFF, {"team": "street"})["team"] == "street"
    assert run(registry.update, uow, chen["id"], STAFF, {"skills": ["medical"]})


def test_staff_cannot_move_a_volunteer_to_another_community(uow, chen):
    with pytest.raises(Forbidden):
        run(registry.update, uow, chen["id"], STAFF, {"community": TIANBAO, "team": None})
    with pytest.raises(Forbidden):  # nor touch another community's volunteer
        run(registry.update, uow, chen["id"], OTHER_STAFF, {"team": "tianbao_red"})
    assert run(registry.get, uow, chen["id"])["community"] == JUNHE


def test_a_move_by_the_street_takes_the_team_along_or_is_refused(uow, chen):
    with pytest.raises(ValidationFailed) as kept:  # still on 浚河's team
        run(registry.update, uow, chen["id"], ADMIN, {"community": TIANBAO})
    assert kept.value.code == "TEAM_OF_ANOTHER_COMMUNITY"
    moved = run(registry.update, uow, chen["id"], ADMIN, {"community": TIANBAO,
                                                           "team": "tianbao_red"})
    assert (moved["community"], moved["team"]) == (TIANBAO, "tianbao_red")


def test_a_registration_names_a_team_of_its_community(uow):
    with pytest.raises(ValidationFailed) as refused:
        run(registry.register, uow, STAFF, person(7, team="tianbao_red"))
    assert refused.value.code == "TEAM_OF_ANOTHER_COMMUNITY"
    assert run(registry.register, uow, STAFF, person(8, team="street"))["team"] == "street"
