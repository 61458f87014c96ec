"""Roles and limits, decided in access.py, for every route in the table."""
import pytest

from services.gateway import access
from services.gateway.access import LIMITS, Principal, Scope
from services.gateway.routes import ROUTES
from shared.errors import Forbidden

STAFF = Principal("a1", "staff", "李伟", "community_staff", community="天宝社区")
ADMIN = Principal("a0", "admin", "王主任", "street_admin")


# One principal of every role, each with its limit.
EVERY_ROLE = {
    "street_admin": ADMIN, "community_staff": STAFF,
    "grid_worker": Principal("a5", "grid", "网格员", "grid_worker", community="天宝社区"),
    "department": Principal("a6", "crew", "供电班", "department", department="power"),
    "volunteer": Principal("a7", "chenxiao", "陈晓", "volunteer", volunteer="V1"),
    "viewer": Principal("a8", "viewer", "查看员", "viewer", community="天宝社区"),
    "resident": Principal("a9", "resident:fp", "居民5678", "resident", resident="fp-1"),
}


def test_every_role_is_tried():
    assert set(EVERY_ROLE) == set(access.ROLES)


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: r.id)
def test_every_route_admits_exactly_its_roles_and_says_where_their_limits_apply(route):
    """Each role the route lists passes the role check, and the route says where that role's
    limit applies (or is reference data) — otherwise it would refuse the very people it is
    meant for; each role it does not list is refused, admin-only routes included."""
    assert route.roles and route.roles <= set(access.ROLES), route.id
    for role, principal in EVERY_ROLE.items():
        if role in route.roles:
            access.check_role(route.roles, principal, route.scope)
            for kind in LIMITS.get(role, ()):
                assert route.scope.covers(kind), (route.id, role, kind)
        else:
            with pytest.raises(Forbidden) as refused:
                access.check_role(route.roles, principal, route.scope)
            assert refused.value.code == "FORBIDDEN", (route.id, role)
            assert access.ROLES[role] in refused.value.message


def test_admin_only_routes_are_refused_to_every_other_role():
    admin_only = [r for r in ROUTES if r.roles == access.ADMIN]
    assert admin_only  # accounts, keys, the audit log, settings, …
    for route in admin_only:
        for role, principal in EVERY_ROLE.items():
            if role == "street_admin":
                access.check_role(route.roles, principal, route.scope)
                continue
            with pytest.raises(Forbidden):
                access.check_role(route.roles, principal, route.scope)


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
    with pytest.raises(Forbidden) as other_community:
        access.check_record(scope, STAFF, {"community": "浚河社区"})
    assert other_community.value.message == "只能访问本社区(天宝社区)的数据"
    crew = Principal("a2", "crew", "供电班", "department", department="power")
    access.check_record(scope, crew, {"department": {"code": "power"}})
    with pytest.raises(Forbidden) as other_department:
        access.check_record(scope, crew, {"department": None})
    # A department's code is not shown to the person refused.
    assert other_department.value.message == "只能访问本部门的数据"


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


def test_a_resident_acts_only_on_their_own_orders_and_only_on_the_resident_site():
    """Residents are limited to themselves: an order is theirs when its reporter's phone
    fingerprint is theirs; no console route (under /api/) admits them."""
    resident = EVERY_ROLE["resident"]
    theirs = Scope({"resident": "reporter.resident"}, lookup=("repair", "get_work_order"))
    access.check_record(theirs, resident, {"reporter": {"resident": "fp-1"}})
    with pytest.raises(Forbidden):
        access.check_record(theirs, resident, {"reporter": {"resident": "fp-2"}})
    with pytest.raises(Forbidden):
        access.check_record(theirs, resident, {"reporter": {"resident": None}})
    with pytest.raises(Forbidden):
        access.limit_input(Scope(inputs={"resident": "resident"}), resident,
                           {"resident": "fp-2"})
    assert resident.actor["resident"] == "fp-1"
    assert not [r.id for r in ROUTES if "resident" in r.roles and not r.path.startswith("/m/")]
    assert Principal("a10", "resident:x", "居民", "resident").missing_scope == "resident"
