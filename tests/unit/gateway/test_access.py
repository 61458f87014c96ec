"""Roles and limits, decided in access.py, for every route in the table."""
import pytest

from services.gateway import access
from services.gateway.access import LIMITS, Principal, Scope
from services.gateway.routes import ROUTES
from shared.errors import Forbidden

STAFF = Principal("a1", "staff", "李伟", "community_staff", community="天宝社区")
ADMIN = Principal("a0", "admin", "王主任", "street_admin")


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: r.id)
def test_every_route_can_be_used_by_each_role_it_allows(route):
    """A route allowing a limited role must say where that role's limit applies (or be
    reference data); otherwise it would refuse the very people it is meant for."""
    for role in route.roles & set(LIMITS):
        for kind in LIMITS[role]:
            assert route.scope.covers(kind), (route.id, role)


def test_a_limited_list_is_forced_to_the_own_community_and_another_is_refused():
    scope = Scope({"community": "community"})
    data = {}
    access.limit_input(scope, STAFF, data)
    assert data == {"community": "天宝社区"}
    with pytest.raises(Forbidden) as refused:
        access.limit_input(scope, STAFF, {"community": "浚河社区"})
    assert "天宝社区" in refused.value.message
    unrestricted = {"community": "浚河社区"}
    access.limit_input(scope, ADMIN, unrestricted)
    assert unrestricted == {"community": "浚河社区"}


def test_a_route_that_does_not_say_where_communities_are_is_closed_to_limited_people():
    with pytest.raises(Forbidden):
        access.limit_input(Scope(), STAFF, {})
    access.limit_input(Scope(reference=True), STAFF, {})  # reference data is everyone's


def test_records_are_checked_by_their_dotted_path():
    scope = Scope({"community": "community", "department": "department.code"})
    access.check_record(scope, STAFF, {"community": "天宝社区"})
    with pytest.raises(Forbidden):
        access.check_record(scope, STAFF, {"community": "浚河社区"})
    crew = Principal("a2", "crew", "供电班", "department", department="power")
    access.check_record(scope, crew, {"department": {"code": "power"}})
    with pytest.raises(Forbidden):
        access.check_record(scope, crew, {"department": None})


def test_roles_are_checked_before_anything_else():
    viewer = Principal("a3", "viewer", "查看员", "viewer")
    with pytest.raises(Forbidden) as refused:
        access.check_role(access.STAFF, viewer)
    assert "只读查看" in refused.value.message


def test_an_action_naming_a_limited_thing_in_its_input_must_name_the_principals_own():
    volunteer = Principal("a4", "chenxiao", "陈晓", "volunteer", volunteer="V1")
    on_shift = Scope({"community": "community"}, lookup=("volunteer", "get_shift"),
                     inputs={"volunteer": "volunteer_id"})
    access.limit_input(on_shift, volunteer, {"volunteer_id": "V1"})
    with pytest.raises(Forbidden):
        access.limit_input(on_shift, volunteer, {"volunteer_id": "V2"})
    # The shift itself may be any community's: a volunteer is not limited by community.
    access.check_record(on_shift, volunteer, {"community": "浚河社区"})
    # Staff are still checked on the record, and may not move it to another community.
    moved = Scope({"community": "community"}, lookup=("job", "get_employer"),
                  inputs={"community": "community"})
    access.limit_input(moved, STAFF, {"note": "改备注"})
    with pytest.raises(Forbidden):
        access.limit_input(moved, STAFF, {"community": "浚河社区"})
    with pytest.raises(Forbidden):
        access.check_record(moved, STAFF, {"community": "浚河社区"})
