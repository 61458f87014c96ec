"""Limits fail closed, for every route in the table: a role that needs a limit and lacks it is
refused, never served as if it were unlimited. Generated from the route table, so a new route
is covered without a new test."""
import pytest

from services.gateway import access
from services.gateway.access import LIMITS, REQUIRED, ROLES, Principal
from services.gateway.routes import ROUTES
from shared.errors import Forbidden

WITHOUT_SCOPE = [Principal(f"a-{role}", role, "无范围", role) for role in REQUIRED]
WITH_SCOPE = {
    "community_staff": Principal("s1", "s1", "李伟", "community_staff", community="天宝社区"),
    "grid_worker": Principal("g1", "g1", "王芳", "grid_worker", community="天宝社区"),
    "department": Principal("d1", "d1", "供电班", "department", department="power"),
    "volunteer": Principal("v1", "v1", "陈晓", "volunteer", volunteer="V1"),
    "viewer": Principal("w1", "w1", "查看员", "viewer", community="天宝社区"),
    "resident": Principal("r1", "r1", "居民", "resident", resident="fp-1"),
}
PRIVATE = [r for r in ROUTES if not r.public]


def test_every_limited_role_requires_its_limit():
    assert set(REQUIRED) == set(LIMITS)
    for role, kind in REQUIRED.items():
        assert kind in LIMITS[role]
    assert {p.role for p in WITHOUT_SCOPE} == set(ROLES) - {"street_admin"}


@pytest.mark.parametrize("route", PRIVATE, ids=lambda r: r.id)
@pytest.mark.parametrize("principal", WITHOUT_SCOPE, ids=lambda p: p.role)
def test_a_role_without_its_limit_gets_nothing_but_its_own_session(route, principal):
    assert principal.missing_scope == REQUIRED[principal.role]
    assert principal.limits == {}  # what used to mean "no limit"
    if route.scope.own:
        if principal.role in route.roles:  # sign out, change password
            access.check_role(route.roles, principal, route.scope)
        else:  # another site's own session (the resident site's, the console's)
            with pytest.raises(Forbidden) as refused:
                access.check_role(route.roles, principal, route.scope)
            assert refused.value.code == "FORBIDDEN"
        return
    with pytest.raises(Forbidden) as refused:
        access.check_role(route.roles, principal, route.scope)
    expected = "SCOPE_MISSING" if principal.role in route.roles else "FORBIDDEN"
    assert refused.value.code == expected
    # Each later step refuses too, should a caller skip the first.
    with pytest.raises(Forbidden) as again:
        access.limit_input(route.scope, principal, {})
    assert again.value.code == "SCOPE_MISSING"
    with pytest.raises(Forbidden):
        access.check_record(route.scope, principal, {"community": None, "id": None})


@pytest.mark.parametrize("principal", list(WITH_SCOPE.values()), ids=lambda p: p.role)
def test_the_same_roles_with_their_limit_pass_the_role_check(principal):
    assert principal.missing_scope is None
    for route in PRIVATE:
        if principal.role in route.roles:
            access.check_role(route.roles, principal, route.scope)


def test_a_viewer_of_the_whole_street_is_so_explicitly():
    street = Principal("w2", "w2", "查看员", "viewer", whole_street=True)
    assert street.missing_scope is None and street.limits == {}
    assert Principal("w3", "w3", "查看员", "viewer").missing_scope == "community"
    refused = access.scope_missing(Principal("w3", "w3", "查看员", "viewer"))
    assert refused.code == "SCOPE_MISSING" and "全街道" in refused.message
    assert refused.http_status == 403
