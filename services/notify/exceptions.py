"""Every error the notification service gives, by code (shared error kinds, so callers need
nothing from this package to understand them)."""
from shared.errors import Conflict, Forbidden, IllegalTransition, NotFound, RateLimited

def message_not_found(key: str) -> NotFound:
    return NotFound(f"消息 {key} 不存在", code="MESSAGE_NOT_FOUND")


def callback_not_found(ident: str) -> NotFound:
    return NotFound(f"12345 回传记录 {ident} 不存在", code="CALLBACK_NOT_FOUND")


def code_rate_limited(seconds: int) -> RateLimited:
    return RateLimited(f"验证码发送过于频繁,请 {seconds} 秒后再试", code="CODE_RATE_LIMITED",
                           fields={"retry_after": [str(seconds)]})


def not_retryable(key: str) -> IllegalTransition:
    return IllegalTransition(f"消息 {key} 不能重新发送(只有发送失败的通知可以重发,验证码请重新获取)",
                             code="ILLEGAL_TRANSITION")


def callback_not_retryable(ident: str) -> IllegalTransition:
    return IllegalTransition(f"12345 回传 {ident} 不是失败状态,不能重新回传",
                             code="ILLEGAL_TRANSITION")


def forbidden(doing: str) -> Forbidden:
    return Forbidden(f"只有街道管理员可以{doing}", code="FORBIDDEN")


def forbidden_for(doing: str) -> Forbidden:
    return Forbidden(f"当前身份不能{doing}", code="FORBIDDEN")


def already_recorded(key: str) -> Conflict:
    return Conflict(f"消息 {key} 已登记", code="DUPLICATE_MESSAGE")
