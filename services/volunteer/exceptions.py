"""Every error the volunteer service gives, by code. They are shared error kinds (see
shared/errors.py), so callers need nothing from this package to understand them."""
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed


def volunteer_not_found(volunteer_id: str) -> NotFound:
    return NotFound(f"志愿者 {volunteer_id} 不存在", code="VOLUNTEER_NOT_FOUND")


def shift_not_found(shift_id: str) -> NotFound:
    return NotFound(f"志愿服务岗位 {shift_id} 不存在", code="SHIFT_NOT_FOUND")


def team_not_found(code: str) -> NotFound:
    return NotFound(f"志愿服务队 {code} 不存在或已停用", code="TEAM_NOT_FOUND")


def entry_not_found(entry_id: str) -> NotFound:
    return NotFound(f"服务记录 {entry_id} 不存在", code="LEDGER_ENTRY_NOT_FOUND")


def correction_not_found(correction_id: str) -> NotFound:
    return NotFound(f"时长更正申请 {correction_id} 不存在", code="CORRECTION_NOT_FOUND")


def certificate_not_found(number: str) -> NotFound:
    return NotFound(f"证明编号 {number} 不存在", code="CERTIFICATE_NOT_FOUND")


def not_signed_up(shift_id: str, name: str) -> NotFound:
    return NotFound(f"{name} 没有报名岗位 {shift_id}", code="SIGN_UP_NOT_FOUND")


def illegal_transition(what: str, state_name: str, action_label: str) -> IllegalTransition:
    return IllegalTransition(f"{what}当前状态为“{state_name}”,不能{action_label}",
                             code="ILLEGAL_TRANSITION")


def not_allowed_now(message: str) -> IllegalTransition:
    """A legal step at the wrong time (before check-in opens, after the shift ended, …)."""
    return IllegalTransition(message, code="NOT_ALLOWED_NOW")


def already_registered(volunteer_id: str, state_name: str) -> Conflict:
    return Conflict(f"该身份证号已登记为志愿者 {volunteer_id}(状态:{state_name}),"
                    f"请勿重复注册", code="VOLUNTEER_ALREADY_REGISTERED",
                    fields={"id_number": ["该身份证号已登记。"]})


def already_signed_up(name: str) -> Conflict:
    return Conflict(f"{name} 已报名该岗位", code="ALREADY_SIGNED_UP")


def shift_full(needed: int) -> Conflict:
    return Conflict(f"该岗位需要 {needed} 人,已报满", code="SHIFT_FULL")


def shift_overlap(name: str, titles: list[str]) -> Conflict:
    return Conflict(f"{name} 在同一时段已报名:{'、'.join(titles)}", code="SHIFT_OVERLAP")


def skills_missing(name: str, missing: list[str]) -> Conflict:
    return Conflict(f"{name} 不具备该岗位所需技能:{'、'.join(missing)}",
                    code="SKILLS_REQUIRED")


def not_serving(name: str, state_name: str) -> Conflict:
    return Conflict(f"{name} 当前状态为“{state_name}”,不能参加志愿服务",
                    code="VOLUNTEER_NOT_ACTIVE")


def other_community(name: str, community: str) -> Conflict:
    return Conflict(f"该岗位仅限{community}的志愿者,{name} 不属于该社区",
                    code="COMMUNITY_ONLY")


def correction_pending(correction_id: str) -> Conflict:
    return Conflict(f"已有待审核的更正申请 {correction_id}", code="CORRECTION_PENDING")


def nothing_to_certify(issuer: str) -> Conflict:
    return Conflict(f"该期间没有由“{issuer}”记录的志愿服务时长,无法出具证明",
                    code="NO_SERVICE_HOURS")


def forbidden(message: str) -> Forbidden:
    return Forbidden(message, code="FORBIDDEN")


FIELD_NAMES = {"community": "所属社区", "skills": "技能", "team": "志愿服务队"}


def staff_only_fields(names: list[str]) -> Forbidden:
    listed = "、".join(FIELD_NAMES.get(n, n) for n in names)
    return Forbidden(f"{listed}只能由社区工作人员修改,请联系所在社区",
                     fields={n: ["志愿者本人不能修改此项。"] for n in names},
                     code="STAFF_ONLY_FIELDS")


def team_of_another_community(team_name: str, team_community: str,
                              community: str) -> ValidationFailed:
    return ValidationFailed(
        f"志愿服务队“{team_name}”属于{team_community},{community}的志愿者不能加入",
        fields={"team": [f"请选择{community}或街道级的志愿服务队。"]},
        code="TEAM_OF_ANOTHER_COMMUNITY")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})


def import_rejected(bad_rows: int, total: int, errors: dict) -> ValidationFailed:
    """A batch import with bad rows: nothing was stored; `fields.rows` holds the errors by
    row index (from 0), each in marshmallow's shape."""
    return ValidationFailed(f"共 {total} 行,其中 {bad_rows} 行有误,未导入任何记录",
                            fields={"rows": errors}, code="IMPORT_REJECTED")
