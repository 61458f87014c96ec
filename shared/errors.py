"""Errors that cross RPC as themselves.

Every error a caller can act on is one of the kinds below. It carries a stable English `code`
(what programs compare), a Simplified Chinese `message` (what a person reads) and, for bad
input, `fields` in marshmallow's shape. The kinds are registered with nameko, so a caller in
another service or in the gateway receives the same type back, not a RemoteError; the gateway
turns `http_status` into the HTTP answer.

Services raise these kinds with their own codes (see each service's exceptions.py), so that a
caller only needs this module to understand any service's errors.
"""
from __future__ import annotations

from nameko.exceptions import registry, get_module_path


class XiuhuaError(Exception):
    code = "INTERNAL_ERROR"
    default_message = "服务内部错误,请稍后重试"
    http_status = 500

    def __init__(self, message: str | None = None, fields: dict | None = None,
                 code: str | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        self.code = code or type(self).code
        # nameko serialises `args` and rebuilds the error from them on the caller's side.
        super().__init__(self.message, self.fields, self.code)

    def __str__(self):
        return f"{self.code}: {self.message}"

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class ValidationFailed(XiuhuaError):
    code = "VALIDATION_FAILED"
    default_message = "提交的数据有误,请检查标出的字段"
    http_status = 422


class NotFound(XiuhuaError):
    code = "NOT_FOUND"
    default_message = "要找的记录不存在"
    http_status = 404


class IllegalTransition(XiuhuaError):
    code = "ILLEGAL_TRANSITION"
    default_message = "当前状态下不能进行此操作"
    http_status = 409


class Conflict(XiuhuaError):
    code = "CONFLICT"
    default_message = "与已有记录冲突"
    http_status = 409


class Forbidden(XiuhuaError):
    code = "FORBIDDEN"
    default_message = "没有权限进行此操作"
    http_status = 403


class Unavailable(XiuhuaError):
    code = "SERVICE_UNAVAILABLE"
    default_message = "服务暂时不可用,请稍后重试"
    http_status = 503


class RateLimited(XiuhuaError):
    """Asked too often (a sign-in code for the same phone, say); `fields.retry_after` says
    in how many seconds it may be asked again."""
    code = "RATE_LIMITED"
    default_message = "请求过于频繁,请稍后再试"
    http_status = 429


class InternalError(XiuhuaError):
    """What an unexpected failure becomes at the RPC boundary; its detail stays in the log."""


ERROR_KINDS = (XiuhuaError, ValidationFailed, NotFound, IllegalTransition, Conflict, Forbidden,
               Unavailable, RateLimited, InternalError)

for _kind in ERROR_KINDS:
    registry[get_module_path(_kind)] = _kind
