"""What the gateway's own routes accept and return (accounts, sessions, keys, audit), and the
envelope shapes of every API answer (errors, pages)."""
from marshmallow import fields, validate

from services.gateway.access import ROLES

# Accounts an admin makes: every role but the resident (made by their own sign-in, /m/).
ACCOUNT_ROLES = [role for role in ROLES if role != "resident"]
from shared.paging import CursorPageSchema
from shared.schemas import LocationSchema, NAME, Schema, community_field

USERNAME = validate.Regexp(r"^[A-Za-z0-9_.-]{3,32}$",
                           error="用户名为 3–32 位字母、数字、下划线、点或连字符。")


class Login(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class CreateAccount(Schema):
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=validate.Length(min=8, max=128))
    name = fields.String(required=True, validate=NAME)
    role = fields.String(required=True, validate=validate.OneOf(ACCOUNT_ROLES))
    # A community of the register of places; a department and a volunteer are checked with
    # the services that own them (own_routes.check_scope_exists).
    community = community_field(load_default=None, allow_none=True)
    department = fields.String(load_default=None, allow_none=True, validate=NAME)
    volunteer = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=64))
    whole_street = fields.Boolean(load_default=False, metadata={
        "description": "只读查看账号:不限社区、查看全街道(与 community 二选一)"})


class UpdateAccount(Schema):
    name = fields.String(validate=NAME)
    role = fields.String(validate=validate.OneOf(ACCOUNT_ROLES))
    community = community_field(allow_none=True)
    department = fields.String(allow_none=True, validate=NAME)
    volunteer = fields.String(allow_none=True, validate=validate.Length(max=64))
    whole_street = fields.Boolean()
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=8, max=128))


class ChangeOwnPassword(Schema):
    current_password = fields.String(required=True, validate=validate.Length(max=128))
    new_password = fields.String(required=True, validate=validate.Length(min=8, max=128))


class CreateApiKey(Schema):
    name = fields.String(required=True, validate=NAME)


class AuditQuery(CursorPageSchema):
    actor_id = fields.String(load_default=None, validate=validate.Length(max=64))
    action = fields.String(load_default=None, validate=validate.Length(max=64))
    method = fields.String(load_default=None, validate=validate.OneOf(
        ["GET", "POST", "PUT", "PATCH", "DELETE"]))
    outcome = fields.String(load_default=None, validate=validate.Regexp(
        r"^[A-Z][A-Z0-9_]{1,63}$", error="结果为英文错误码(如 FORBIDDEN)或 OK、PENDING。"))
    status = fields.Integer(load_default=None, validate=validate.Range(min=100, max=599))
    refused = fields.Boolean(load_default=None, metadata={
        "description": "true:只看被拒绝或失败的(状态 ≥ 400);false:只看成功的"})
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
    whole_street = fields.Boolean(required=True)
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


class PlaceStreet(Schema):
    name = fields.String(required=True)
    city = fields.String(allow_none=True)


class PlaceCommunity(Schema):
    name = fields.String(required=True)
    centre = fields.Nested(LocationSchema, required=True)
    alleys = fields.List(fields.String(), required=True)


class PlaceAlley(Schema):
    name = fields.String(required=True)
    community = fields.String(required=True)
    lat = fields.Float(required=True)
    long = fields.Float(required=True)


class PlaceDepartment(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class Places(Schema):
    """The register of places (shipped data, changed by deployment) and the active
    departments of repair, for forms' choices."""
    street = fields.Nested(PlaceStreet, required=True)
    communities = fields.List(fields.Nested(PlaceCommunity), required=True)
    alleys = fields.List(fields.Nested(PlaceAlley), required=True)
    departments = fields.List(fields.Nested(PlaceDepartment), allow_none=True, required=True,
                              metadata={"description": "repair 暂不可用时为 null"})
    digest = fields.String(required=True, metadata={"description": "地名登记文件的摘要"})


class AuditEntry(Schema):
    id = fields.String(required=True)
    at = fields.String(required=True)
    actor = fields.Dict(allow_none=True)
    action = fields.String(required=True, metadata={"description": "接口编号(operationId)"})
    action_name = fields.String(required=True, metadata={"description": "操作名称"})
    method = fields.String(required=True)
    path = fields.String(required=True)
    status = fields.Integer(allow_none=True)
    outcome = fields.String(allow_none=True)
    username = fields.String(allow_none=True, metadata={"description": "登录时所填用户名"})
    address = fields.String(allow_none=True)
