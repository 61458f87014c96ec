"""Every error the job service gives, by code. They are shared error kinds (see
shared/errors.py), so callers need nothing from this package to understand them."""
from shared.domain import illegal_transition as shared_illegal_transition
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, ValidationFailed


def employer_not_found(employer_id: str) -> NotFound:
    return NotFound(f"用工单位 {employer_id} 不存在", code="EMPLOYER_NOT_FOUND")


def visit_not_found(visit_id: str) -> NotFound:
    return NotFound(f"走访记录 {visit_id} 不存在", code="VISIT_NOT_FOUND")


def problem_not_found(problem_id: str) -> NotFound:
    return NotFound(f"走访发现的问题 {problem_id} 不存在", code="PROBLEM_NOT_FOUND")


def action_not_found(action_id: str) -> NotFound:
    return NotFound(f"后续事项 {action_id} 不存在", code="ACTION_NOT_FOUND")


def posting_not_found(posting_id: str) -> NotFound:
    return NotFound(f"用工信息 {posting_id} 不存在", code="POSTING_NOT_FOUND")


def seeker_not_found(seeker_id: str) -> NotFound:
    return NotFound(f"求职者 {seeker_id} 不存在", code="SEEKER_NOT_FOUND")


def application_not_found(application_id: str) -> NotFound:
    return NotFound(f"求职报名 {application_id} 不存在", code="APPLICATION_NOT_FOUND")


def placement_not_found(placement_id: str) -> NotFound:
    return NotFound(f"就业安置记录 {placement_id} 不存在", code="PLACEMENT_NOT_FOUND")


def notification_not_found(notification_id: str) -> NotFound:
    return NotFound(f"通知 {notification_id} 不存在", code="NOTIFICATION_NOT_FOUND")


def employer_exists(name: str, community: str, employer_id: str) -> Conflict:
    return Conflict(f"{community}已登记用工单位“{name}”({employer_id})",
                    fields={"name": ["该社区已有同名用工单位。"]}, code="EMPLOYER_EXISTS")


def seeker_exists(seeker_id: str) -> Conflict:
    return Conflict(f"该身份证号已登记为求职者 {seeker_id}",
                    fields={"id_number": ["该身份证号已登记。"]},
                    code="SEEKER_ALREADY_REGISTERED")


def application_exists(application_id: str) -> Conflict:
    return Conflict(f"该求职者已报名此岗位({application_id}),请勿重复报名",
                    code="APPLICATION_EXISTS")


def illegal_transition(kind: str, ident: str, state_name: str,
                       action_label: str) -> IllegalTransition:
    """For what is not an aggregate's own step (a follow-up, a visit's action, a stopped
    employer); an aggregate's steps say the same through shared.domain."""
    return shared_illegal_transition(f"{kind} {ident} ", state_name, action_label)


def follow_up_not_due(placement_id: str, month: int, due_on: str) -> IllegalTransition:
    return IllegalTransition(f"就业安置 {placement_id} 的{month}个月回访应在 {due_on} 前后进行,"
                             f"现在还不能登记", code="FOLLOW_UP_NOT_DUE")


def reveal_forbidden() -> Forbidden:
    return Forbidden("只有街道管理员和本社区工作人员可以查看完整的个人信息",
                     code="REVEAL_FORBIDDEN")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})


def import_rejected(bad_rows: int, total: int, errors: dict) -> ValidationFailed:
    """A batch import with bad rows: nothing was stored; `fields.rows` holds the errors by
    row index (from 0), each in marshmallow's shape."""
    return ValidationFailed(f"共 {total} 行,其中 {bad_rows} 行有误,未导入任何记录",
                            fields={"rows": errors}, code="IMPORT_REJECTED")
