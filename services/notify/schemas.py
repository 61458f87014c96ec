"""What the notification service's RPC methods accept (what they answer is in views.py).
Unknown fields and bad values come back as VALIDATION_FAILED and change nothing."""
from marshmallow import ValidationError, fields, validate, validates_schema

from services.notify import domain
from shared.schemas import NAME, PHONE, PageSchema, Schema

PHONE_FIELD = validate.Regexp(PHONE, error="不是有效的电话号码。")
REASON = validate.Length(min=2, max=500)


def _one_of(names):
    return validate.OneOf(list(names))


class SendCode(Schema):
    phone = fields.String(required=True, validate=PHONE_FIELD)
    purpose = fields.String(load_default="sign_in", validate=_one_of(["sign_in"]))
    # Who asks (the resident site passes the client's address): a second limit per client,
    # so one client cannot spray codes at many numbers.
    client = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(min=1, max=64))


class CheckCode(Schema):
    phone = fields.String(required=True, validate=PHONE_FIELD)
    code = fields.String(required=True, validate=validate.Regexp(
        r"^\d{6}$", error="验证码应为 6 位数字。"))


class Address(Schema):
    """One person, by the phone or the e-mail address messages reach them at."""
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE_FIELD)
    email = fields.Email(load_default=None, allow_none=True,
                         validate=validate.Length(max=200))

    @validates_schema
    def exactly_one(self, data, **kwargs):
        if bool(data.get("phone")) == bool(data.get("email")):
            raise ValidationError("请填写手机号或电子邮箱中的一项。", "phone")


class SetPreferences(Address):
    opted_out = fields.Boolean(load_default=None, allow_none=True)
    topics_off = fields.List(fields.String(validate=_one_of(domain.OPTIONAL_TOPICS)),
                             load_default=None, allow_none=True,
                             validate=validate.Length(max=len(domain.OPTIONAL_TOPICS)))

    @validates_schema
    def something_to_change(self, data, **kwargs):
        if data.get("opted_out") is None and data.get("topics_off") is None:
            raise ValidationError("请设置 opted_out 或 topics_off。", "opted_out")


class _Period(PageSchema):
    created_from = fields.AwareDateTime(load_default=None, allow_none=True)
    created_to = fields.AwareDateTime(load_default=None, allow_none=True)


class ListMessages(_Period):
    state = fields.List(fields.String(validate=_one_of(domain.STATE_NAMES)), load_default=None)
    kind = fields.String(load_default=None, validate=_one_of(domain.KINDS))
    topic = fields.String(load_default=None, validate=_one_of(domain.TOPICS))
    channel = fields.String(load_default=None, validate=_one_of(domain.CHANNELS))
    phone = fields.String(load_default=None, validate=PHONE_FIELD)
    email = fields.Email(load_default=None)


class ListAttempts(_Period):
    outcome = fields.List(fields.String(validate=_one_of(domain.ATTEMPT_OUTCOMES)),
                          load_default=None)
    channel = fields.String(load_default=None, validate=_one_of(domain.CHANNELS))
    kind = fields.String(load_default=None, validate=_one_of(domain.KINDS))
    message_key = fields.String(load_default=None, validate=validate.Length(min=1, max=300))


class ListCallbacks(_Period):
    state = fields.List(fields.String(validate=_one_of(domain.STATE_NAMES)), load_default=None)
    ticket = fields.String(load_default=None, validate=validate.Length(min=1, max=64))


class ListDevMessages(_Period):
    channel = fields.String(load_default=None, validate=_one_of(domain.CHANNELS))
    phone = fields.String(load_default=None, validate=PHONE_FIELD)
    email = fields.Email(load_default=None)


class Retry(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class PastRecipient(Schema):
    name = fields.String(required=True, validate=NAME)
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE_FIELD)
    email = fields.Email(load_default=None, allow_none=True)


class RecordPastMessage(Schema):
    """补录 of a message sent before (the demo's month of messages)."""
    key = fields.String(required=True, validate=validate.Length(min=3, max=300))
    kind = fields.String(required=True, validate=_one_of(
        k for k in domain.KINDS if not domain.KINDS[k].urgent))
    recipient = fields.Nested(PastRecipient, required=True)
    data = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)
    at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=REASON)
