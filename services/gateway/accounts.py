"""What an account must hold for its role, checked when it is created or changed.

A limited role without its limit would otherwise be unlimited; access.py refuses such a
principal everything (fail closed), and this module keeps such accounts from being made:
department staff need an existing department, community staff and grid workers a community,
a volunteer an existing volunteer record, a viewer a community or `whole_street` explicitly.
Whether a community exists is the register of places' to say; here it must be given.
"""
from __future__ import annotations

from services.gateway.access import REQUIRED
from shared.errors import NotFound, ValidationFailed

MISSING = {
    "community_staff": "社区工作人员账号须填写所属社区。",
    "grid_worker": "网格员账号须填写所属社区。",
    "department": "承办部门账号须选择所属部门。",
    "volunteer": "志愿者账号须填写对应的志愿者编号。",
    "viewer": "只读查看账号须填写所属社区,或选择“全街道”(whole_street)。",
}
# A change of any of these re-checks the account's limit.
SCOPE_FIELDS = frozenset({"role", "community", "department", "volunteer", "whole_street"})


def known_departments(worker) -> dict[str, str]:
    """The departments work orders go to, by code: the repair service's active departments.
    The one place an account's department is checked against."""
    return {d["code"]: d["name"] for d in worker.repair.list_departments()
            if d.get("active", True)}


def check_scope(worker, account: dict, changed: dict | None = None) -> None:
    """Refuse (422 with field errors) an account — new (`changed` None) or as it would be
    after `changed` — whose role lacks its limit or names one that does not exist. A change
    that touches none of the role and its limits (renaming, disabling) is not re-checked, so
    an old account can always be disabled."""
    if changed is not None and not SCOPE_FIELDS & set(changed):
        return
    role = account["role"]
    errors, code = _missing(account), None
    if not errors and role == "department" and _touched(changed, "department"):
        known = known_departments(worker)
        if account["department"] not in known:
            choices = "、".join(f"{code}({name})" for code, name in sorted(known.items()))
            errors["department"] = [f"没有编码为“{account['department']}”的承办部门"
                                    f"{',可选:' + choices if choices else ''}。"]
            code = "UNKNOWN_DEPARTMENT"
    if not errors and role == "volunteer" and _touched(changed, "volunteer"):
        try:
            worker.volunteer.get_volunteer(volunteer_id=account["volunteer"])
        except NotFound:
            errors["volunteer"] = [f"没有编号为“{account['volunteer']}”的志愿者。"]
            code = "UNKNOWN_VOLUNTEER"
    if errors:
        raise ValidationFailed("账号的所属范围与角色不符", fields=errors,
                               **({"code": code} if code else {}))


def _missing(account: dict) -> dict:
    role = account["role"]
    kind = REQUIRED.get(role)
    if kind is None:
        return {}
    if role == "viewer":
        if account.get("community") and account.get("whole_street"):
            return {"whole_street": ["已填写所属社区时不能同时选择“全街道”。"]}
        if account.get("community") or account.get("whole_street"):
            return {}
        return {"community": [MISSING[role]]}
    return {} if account.get(kind) else {kind: [MISSING[role]]}


def _touched(changed: dict | None, kind: str) -> bool:
    return changed is None or "role" in changed or kind in changed
