"""What the gateway's own routes accept and return (accounts, sessions, keys, audit), and the
envelope shapes of every API answer (errors, pages)."""
from marshmallow import fields, validate

from services.gateway.access import ROLES
from shared.schemas import NAME, PageSchema, Schema

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{3,32}$",
                           error="用户名为 3–32 位字母、数字、下划线、点或连字符。")


class Login(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class CreateAccount(Schema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=validate.Length(min=8, max=128))
    name = fields.String(required=True, validate=NAME)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    community = fields.String(load_default=None, allow_none=True, validate=NAME)
    department = fields.String(load_default=None, allow_none=True, validate=NAME)
    volunteer = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=64))


class UpdateAccount(Schema):
    name = fields.String(validate=NAME)
    role = fields.String(validate=validate.OneOf(ROLES))
    community = fields.String(allow_none=True, validate=NAME)
    department = fields.String(allow_none=True, validate=NAME)
    volunteer = fields.String(allow_none=True, validate=validate.Length(max=64))
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=8, max=128))


class ChangeOwnPassword(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=128))
    new_password = fields.String(required=True, validate=validate.Length(min=8, max=128))


class CreateApiKey(Schema):
    name = fields.String(required=True, validate=NAME)


class AuditQuery(PageSchema):
    actor_id = fields.String(load_default=None, validate=validate.Length(max=64))
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    method = fields.String(load_default=None, validate=validate.OneOf(
        ["GET", "POST", "PUT", "PATCH", "DELETE"]))
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)


# --- answers ------------------------------------------------------------------------------

class Error(Schema):
    code = fields.String(required=True, metadata={"description": "稳定的英文错误码"})
    message = fields.String(required=True, metadata={"description": "中文说明"})
    fields = fields.Dict(required=True, metadata={"description": "字段错误(marshmallow 格式)"})


class Account(Schema):
    id = fields.String(required=True)
    username = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    community = fields.String(allow_none=True)
    department = fields.String(allow_none=True)
    volunteer = fields.String(allow_none=True)
    active = fields.Boolean(required=True)
    created_at = fields.String(allow_none=True)
    last_login_at = fields.String(allow_none=True)


class SessionInfo(Schema):
    token = fields.String(metadata={"description": "也可作 Authorization: Bearer 使用"})
    expires_at = fields.String()
    account = fields.Nested(Account, required=True)


class ApiKey(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    created_at = fields.String(required=True)
    created_by = fields.Dict(required=True)
    revoked_at = fields.String(allow_none=True)
    key = fields.String(metadata={"description": "仅在创建时返回一次"})


class AuditEntry(Schema):
    id = fields.String(required=True)
    at = fields.String(required=True)
    actor = fields.Dict(allow_none=True)
    action = fields.String(required=True)
    method = fields.String(required=True)
    path = fields.String(required=True)
    status = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
