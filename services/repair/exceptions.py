"""Every error the repair service gives, by code. They are shared error kinds (see
shared/errors.py), so callers need nothing from this package to understand them."""
from shared.errors import Conflict, NotFound, ValidationFailed


def work_order_not_found(number: str) -> NotFound:
    return NotFound(f"工单 {number} 不存在", code="WORK_ORDER_NOT_FOUND")


def department_not_found(code: str) -> NotFound:
    return NotFound(f"承办部门 {code} 不存在或已停用", code="DEPARTMENT_NOT_FOUND")


def service_not_found(code: str) -> NotFound:
    return NotFound(f"没有编码为 {code} 的服务类别", code="SERVICE_NOT_FOUND")


def token_not_found(token: str) -> NotFound:
    return NotFound(f"令牌 {token} 不存在", code="TOKEN_NOT_FOUND")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [message]})


def duplicate_ticket(channel: str, external_ref: str) -> Conflict:
    return Conflict(f"来源“{channel}”的工单号 {external_ref} 已登记", code="DUPLICATE_TICKET")
