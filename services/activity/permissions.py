"""Who may do what with activities, registrations, venues and exemplars. No I/O."""
from __future__ import annotations

from services.activity import exceptions as errors
from services.activity.registrations import Registration

STAFF_ROLES = ("street_admin", "system")


def authorise(actor: dict, permission: str, community: str | None, label: str) -> None:
    """Street administrators (and other services) may do everything; community staff what
    concerns their own community; volunteers and grid workers may also check people in at the
    door; only the street office reviews, publishes and withdraws exemplars."""
    role = actor["role"]
    if role in STAFF_ROLES:
        return
    own_staff = (role == "community_staff" and community is not None
                 and actor.get("community") == community)
    if permission == "review":
        raise errors.forbidden(f"只有街道管理员可以{label}")
    if permission == "manage" and own_staff:
        return
    if permission == "check_in" and (own_staff or role in ("volunteer", "grid_worker")):
        return
    if permission == "register" and role not in ("viewer", "department"):
        return
    if permission == "register":
        raise errors.forbidden(f"当前身份不能{label}")
    if permission == "check_in":
        raise errors.forbidden(f"只有街道管理员、{community}工作人员、志愿者或网格员可以{label}")
    whose = f"{community}工作人员" if community else "街道管理员"
    raise errors.forbidden(f"只有街道管理员或{whose}可以{label}" if community
                           else f"只有{whose}可以{label}")


def may_cancel_registration(actor: dict, registration: Registration, community: str) -> None:
    """The person who registered, the resident registered (signed in on the resident site
    with that phone: the fingerprints match), or the activity's staff."""
    if actor["id"] == registration.registered_by.get("id"):
        return
    if (actor["role"] == "resident" and actor.get("resident") and registration.phone
            and actor["resident"] == registration.phone["fingerprint"]):
        return
    authorise(actor, "manage", community, "取消他人的报名")
