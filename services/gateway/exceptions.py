"""Every error the gateway itself gives, by code (the services' errors pass through as they
are). HTTP statuses come from the error kinds (shared/errors.py), except the few below that
HTTP has its own answer for."""
from shared.errors import Conflict, Forbidden, NotFound, ValidationFailed, XiuhuaError


class NotSignedIn(XiuhuaError):
    code = "NOT_SIGNED_IN"
    default_message = "请先登录"
    http_status = 401


class TooManyAttempts(XiuhuaError):
    code = "TOO_MANY_ATTEMPTS"
    default_message = "登录失败次数过多,请稍后再试"
    http_status = 429

    def __init__(self, message=None, fields=None, code=None, retry_after: int = 900):
        super().__init__(message, fields, code)
        self.retry_after = retry_after


class MethodNotAllowed(XiuhuaError):
    code = "METHOD_NOT_ALLOWED"
    default_message = "不支持此请求方法"
    http_status = 405

    def __init__(self, message=None, fields=None, code=None, allowed=()):
        super().__init__(message, fields, code)
        self.allowed = tuple(allowed)


class BodyTooLarge(XiuhuaError):
    code = "BODY_TOO_LARGE"
    default_message = "请求体过大"
    http_status = 413


class UnsupportedMediaType(XiuhuaError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "请求体须为 JSON(Content-Type: application/json)"
    http_status = 415


class LengthRequired(XiuhuaError):
    code = "LENGTH_REQUIRED"
    default_message = "请求须带 Content-Length,不接受分块传输的请求体"
    http_status = 411


def bad_credentials():
    return NotSignedIn("用户名或密码错误", code="BAD_CREDENTIALS")


def too_many_attempts(wait_seconds: int):
    minutes = max(1, round(wait_seconds / 60))
    return TooManyAttempts(f"登录失败次数过多,请 {minutes} 分钟后再试", retry_after=wait_seconds)


def weak_password():
    return ValidationFailed(fields={"password": ["密码至少 8 位,且须同时包含字母和数字。"]})


def username_taken(username):
    return Conflict(f"用户名 {username} 已被使用", code="USERNAME_TAKEN")


def account_not_found(account_id):
    return NotFound(f"账号 {account_id} 不存在", code="ACCOUNT_NOT_FOUND")


def api_key_not_found(key_id):
    return NotFound(f"接口密钥 {key_id} 不存在", code="API_KEY_NOT_FOUND")


def route_not_found(path):
    return NotFound(f"没有这个接口:{path}", code="ROUTE_NOT_FOUND")


def method_not_allowed(method, path, allowed=()):
    allowed = sorted(allowed)
    return MethodNotAllowed(f"{path} 不支持 {method} 方法,可用:{'、'.join(allowed)}",
                            allowed=allowed)


def body_too_large(limit: int):
    return BodyTooLarge(f"请求体超过 {_size(limit)},未予处理")


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / 1024 / 1024:g} MB"
    return f"{limit / 1024:g} KB" if limit >= 1024 else f"{limit} 字节"


def body_required():
    return ValidationFailed("此操作须提交内容(JSON 对象),请求体不能为空", code="BODY_REQUIRED")


def bad_json():
    return ValidationFailed("请求体不是有效的 JSON 对象", code="BAD_REQUEST_BODY")


def not_allowed_here(message):
    return Forbidden(message, code="FORBIDDEN")
