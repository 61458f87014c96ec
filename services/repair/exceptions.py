"""Every error the repair service gives, by code. They are shared error kinds (see
shared/errors.py), so callers need nothing from this package to understand them."""
from shared.errors import IllegalTransition, NotFound, ValidationFailed


def work_order_not_found(number: str) -> NotFound:
    return NotFound(f"工单 {number} 不存在", code="WORK_ORDER_NOT_FOUND")


def department_not_found(code: str) -> NotFound:
    return NotFound(f"承办部门 {code} 不存在或已停用", code="DEPARTMENT_NOT_FOUND")


def service_not_found(code: str) -> NotFound:
    return NotFound(f"没有编码为 {code} 的服务类别", code="SERVICE_NOT_FOUND")


def token_not_found(token: str) -> NotFound:
    return NotFound(f"令牌 {token} 不存在", code="TOKEN_NOT_FOUND")


def illegal_transition(number: str, state_name: str, action_label: str) -> IllegalTransition:
    return IllegalTransition(f"工单 {number} 当前状态为“{state_name}”,不能{action_label}",
                             code="ILLEGAL_TRANSITION")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})
