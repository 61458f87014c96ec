"""marshmallow, speaking Chinese, and the schema pieces every service shares.

Field errors reach people through the console, so marshmallow's built-in messages are replaced
once, here, by Chinese ones (its documented way: class-level default messages). Services build
their schemas from `Schema` below and load input with `load`, which turns a marshmallow
ValidationError into the typed `ValidationFailed` that crosses RPC.
"""
from __future__ import annotations

import re

from marshmallow import (EXCLUDE, RAISE, Schema as _Schema, ValidationError, fields, missing,
                         validate, validates_schema)

from shared import clock, dumping, names, places
from shared.errors import ValidationFailed


def _localise_marshmallow():
    fields.Field.default_error_messages = {
        "required": "必填项。", "null": "不能为空。", "validator_failed": "取值无效。"}
    messages = {
        fields.Nested: {"type": "类型无效。"},
        fields.List: {"invalid": "应为列表。"},
        fields.Tuple: {"invalid": "应为数组。"},
        fields.String: {"invalid": "应为文本。", "invalid_utf8": "不是有效的 UTF-8 文本。"},
        fields.UUID: {"invalid_uuid": "不是有效的 UUID。"},
        fields.Number: {"invalid": "应为数字。", "too_large": "数字过大。"},
        fields.Integer: {"invalid": "应为整数。"},
        fields.Float: {"special": "不允许 NaN 或无穷大。"},
        fields.Decimal: {"special": "不允许 NaN 或无穷大。"},
        fields.Boolean: {"invalid": "应为布尔值。"},
        fields.DateTime: {"invalid": "不是有效的日期时间(ISO 8601)。",
                          "invalid_awareness": "日期时间须带时区。",
                          "format": "无法格式化为日期时间。"},
        fields.AwareDateTime: {"invalid_awareness": "日期时间须带时区。"},
        fields.Date: {"invalid": "不是有效的日期(YYYY-MM-DD)。", "format": "无法格式化为日期。"},
        fields.Time: {"invalid": "不是有效的时间(HH:MM)。", "format": "无法格式化为时间。"},
        fields.TimeDelta: {"invalid": "不是有效的时长。", "format": "无法格式化为时长。"},
        fields.Mapping: {"invalid": "应为对象。"},
        fields.Url: {"invalid": "不是有效的网址。"},
        fields.Email: {"invalid": "不是有效的电子邮箱。"},
        fields.Enum: {"unknown": "应为以下之一:{choices}。"},
    }
    for field_class, field_messages in messages.items():
        field_class.default_error_messages = field_messages
    _Schema._default_error_messages = {"type": "输入类型无效。", "unknown": "未知字段。"}
    validate.Range.message_min = "应{min_op} {{min}}。"
    validate.Range.message_max = "应{max_op} {{max}}。"
    validate.Range.message_all = "应{min_op} {{min}} 且{max_op} {{max}}。"
    validate.Range.message_gte, validate.Range.message_gt = "大于等于", "大于"
    validate.Range.message_lte, validate.Range.message_lt = "小于等于", "小于"
    validate.Length.message_min = "长度不能少于 {min}。"
    validate.Length.message_max = "长度不能超过 {max}。"
    validate.Length.message_all = "长度应在 {min} 到 {max} 之间。"
    validate.Length.message_equal = "长度应为 {equal}。"
    validate.OneOf.default_message = "应为以下之一:{choices}。"
    validate.URL.default_message = "不是有效的网址。"
    validate.Email.default_message = "不是有效的电子邮箱。"
    validate.Regexp.default_message = "格式不正确。"
    validate.Equal.default_message = "应等于 {other}。"


_localise_marshmallow()


def _name_the_choices():
    """"应为以下之一:…" lists the Chinese names of the allowed codes, not the codes (the codes
    are in the OpenAPI document's `enum`)."""
    original = validate.OneOf.__init__

    def __init__(self, choices, labels=None, *, error=None):
        original(self, choices, labels, error=error)
        if labels is None:
            self.choices_text = "、".join(names.choice_names(choices))

    validate.OneOf.__init__ = __init__


_name_the_choices()


class Schema(_Schema):
    """Strict by default: an unknown field is an error, so a typo never passes silently."""

    class Meta:
        unknown = RAISE


class TolerantSchema(_Schema):
    """For what other services send us: unknown fields are ignored, so adding a field to an
    event never breaks a consumer."""

    class Meta:
        unknown = EXCLUDE


def fields_of(schema: type[_Schema], *names: str) -> type[Schema]:
    """A schema made of these fields of that schema, exactly as declared there (validators and
    all), so a narrower form — the resident site's, say — never writes a second copy of a
    rule. Only the fields: that schema's own checks across fields are not carried over.
    Subclass it to add fields; they follow the borrowed ones in order."""
    declared = schema._declared_fields
    unknown = [name for name in names if name not in declared]
    if unknown:
        raise KeyError(f"{schema.__name__} has no field {', '.join(unknown)}")
    return Schema.from_dict({name: declared[name] for name in names},
                            name=f"{schema.__name__}Fields")


def load(schema: _Schema, data, **kwargs):
    """Validate and deserialise, or raise ValidationFailed with marshmallow's field errors."""
    if data is None:
        data = {}
    try:
        return schema.load(data, **kwargs)
    except ValidationError as error:
        raise validation_failed(error.messages) from None


def validation_failed(messages) -> ValidationFailed:
    """The typed error for marshmallow's field errors. Input naming a place the register does
    not have gets that problem's own code (UNKNOWN_COMMUNITY, …) and its message, so that a
    program can tell it from other bad input; the field errors still list every problem."""
    if not isinstance(messages, dict):
        messages = {"_schema": messages}
    for text in _texts(messages):
        for code, pattern in PLACE_ERRORS.items():
            if pattern.match(text):
                return ValidationFailed(text, fields=messages, code=code)
    return ValidationFailed(fields=messages)


def _texts(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _texts(value)
    elif isinstance(messages, (list, tuple)):
        for value in messages:
            yield from _texts(value)
    elif isinstance(messages, str):
        yield messages


PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
# A name (a person, a community, a team, a venue) is one printable line: control characters
# would break the spreadsheets, PDFs and screens it ends up on.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def one_line(value: str) -> None:
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError("不能包含换行符或其他控制字符。")


NAME = (validate.Length(min=1, max=50), one_line)
TEXT = validate.Length(max=4000)


class ActorSchema(Schema):
    """Who does a thing. The gateway authenticates people and passes this on; other services
    name themselves (role `system`)."""

    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=NAME)
    role = fields.String(required=True, validate=validate.OneOf(
        ["street_admin", "community_staff", "grid_worker", "volunteer", "resident", "viewer",
         "department", "system"]))
    community = fields.String(load_default=None, allow_none=True, validate=NAME)
    # A volunteer acting for themselves: their volunteer record's id.
    volunteer = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    # A resident of the resident site: the keyed fingerprint of their phone.
    resident = fields.String(load_default=None, allow_none=True,
                             validate=validate.Length(max=64))


class LocationSchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    long = fields.Float(required=True, validate=validate.Range(min=-180, max=180))


# --- places: names and points checked against the register (shared/places.py) -------------
#
# The rule lives here, once: a service's input schema names a community with `community()`,
# checks an alley against its community with `check_alley`, and takes a point in the street
# with `StreetLocationSchema`. Each refusal has its stable code (see `validation_failed`).

UNKNOWN_COMMUNITY = "UNKNOWN_COMMUNITY"
UNKNOWN_ALLEY = "UNKNOWN_ALLEY"
OUTSIDE_STREET = "OUTSIDE_STREET"
COMMUNITY_MISMATCH = "COMMUNITY_MISMATCH"
PLACE_ERRORS = {
    UNKNOWN_COMMUNITY: re.compile(r"^不是本街道的社区:"),
    UNKNOWN_ALLEY: re.compile(r"^不是\S+的巷道:"),
    OUTSIDE_STREET: re.compile(r"^位置不在\S+范围内"),
    COMMUNITY_MISMATCH: re.compile(r"^位置在\S+,不在"),
}


UNKNOWN_COMMUNITY_MESSAGE = "不是本街道的社区:{}"


def _shown(value) -> str:
    text = CONTROL_CHARACTERS.sub("", str(value))
    return text if len(text) <= 50 else text[:50] + "…"


class RegisteredCommunity(validate.Validator):
    """One of the register's communities. `choices` puts the list in the OpenAPI document, so
    that a form built from it offers the communities to choose from."""

    @property
    def choices(self) -> list[str]:
        return places.communities()

    def __call__(self, value):
        if not places.is_community(value):
            raise ValidationError(UNKNOWN_COMMUNITY_MESSAGE.format(_shown(value)))
        return value


def community_field(**kwargs) -> fields.String:
    """A field naming a community of the register; any other name is UNKNOWN_COMMUNITY."""
    return fields.String(validate=[*NAME, RegisteredCommunity()], **kwargs)


def check_alley(data: dict, community_key: str = "community", alley_key: str = "alley",
                community_name: str | None = None) -> None:
    """For a @validates_schema: the alley named is one of its community's in the register
    (a blank alley names none)."""
    alley = data.get(alley_key)
    home = community_name or data.get(community_key)
    if alley and places.is_community(home) and not places.is_alley(alley.strip(), home):
        raise ValidationError(f"不是{home}的巷道:{_shown(alley)}", alley_key)


def require_alley(alley, community: str, *path) -> None:
    """Outside a schema (the community is a stored record's): UNKNOWN_ALLEY unless the alley
    is one of the community's. `path` is where the alley was given (default: `alley`)."""
    try:
        check_alley({"alley": alley}, community_name=community)
    except ValidationError as error:
        messages = error.messages["alley"]
        for key in reversed(path or ("alley",)):
            messages = {key: messages}
        raise validation_failed(messages) from None


def outside_street_message() -> str:
    return f"位置不在{places.street()}范围内。"


def mismatch_message(found: str, named: str) -> str:
    return f"位置在{found},不在{_shown(named)}。"


class StreetLocationSchema(LocationSchema):
    """A point inside the street's boundary; anywhere else is OUTSIDE_STREET."""

    @validates_schema
    def inside_the_street(self, data, **kwargs):
        if "lat" in data and "long" in data and not places.inside_street(data["lat"],
                                                                          data["long"]):
            raise ValidationError(outside_street_message())


# Far beyond any list we hold, and small enough that the skip it becomes fits MongoDB's integers.
MAX_PAGE = 100_000


class PageSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


def page_of(items, total: int, page: int, page_size: int) -> dict:
    return {"items": items, "total": total, "page": page, "page_size": page_size}


# Office periods: a year of 1900-2099, a quarter of it, or a month of it.
PERIOD_PATTERN = r"^(19|20)\d{2}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"
MONTH_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
PERIOD_ERROR = "报表期应写作 2026、2026-Q3 或 2026-11。"


class PeriodSchema(Schema):
    """A reporting period in office months: a year '2026', a quarter '2026-Q3', a month
    '2026-11', or an explicit range of months."""

    period = fields.String(load_default=None, validate=validate.Regexp(
        PERIOD_PATTERN, error=PERIOD_ERROR))
    from_month = fields.String(load_default=None, validate=validate.Regexp(
        MONTH_PATTERN, error="月份应写作 2026-11。"))
    to_month = fields.String(load_default=None, validate=validate.Regexp(
        MONTH_PATTERN, error="月份应写作 2026-11。"))


def month_range(period: str | None = None, from_month: str | None = None,
                to_month: str | None = None) -> tuple[str | None, str | None]:
    """Inclusive 'YYYY-MM' bounds for a period; None means open-ended."""
    if period:
        year = period[:4]
        if len(period) == 4:
            return f"{year}-01", f"{year}-12"
        if "-Q" in period:
            quarter = int(period[-1])
            return f"{year}-{3 * quarter - 2:02d}", f"{year}-{3 * quarter:02d}"
        return period, period
    return from_month, to_month


# --- the shapes of results ---------------------------------------------------------------
#
# A view is declared once and does both jobs: it documents an answer (the OpenAPI document is
# built from it) and it presents it (`WorkOrderView(now=...).dump(order)`). Values that are
# worked out rather than stored are methods of the view, declared with `derived`, so that they
# are documented with their type like any other field.


class View(Schema):
    """An answer's shape, and the way to present it. `now` is the moment the answer is about
    (for what depends on it, such as whether an order is overdue)."""

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or clock.now()

    def dump(self, obj, *, many=None):
        """marshmallow's answer, by a plan of the view's fields made once (shared.dumping)."""
        return dumping.dump(self, obj, many)


class Instant(fields.String):
    """A moment, presented in ISO 8601 (UTC, milliseconds) — the one format of every answer."""

    def _serialize(self, value, attr, obj, **kwargs):
        return _instant(None, value, obj)


def _instant(schema, value, obj):
    if value is None or isinstance(value, str):
        return value
    return clock.iso(value)


dumping.PRESENTERS[Instant._serialize] = _instant


class _Derived:
    def __init__(self, *args, derive: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.derive = derive

    def get_value(self, obj, attr, accessor=None, default=missing):
        return getattr(self.parent, self.derive)(obj)


dumping.DERIVED[_Derived.get_value] = "derive"


_DERIVED: dict[type, type] = {}


def derived(method: str, field: type = fields.String, *args, **kwargs) -> fields.Field:
    """A value the view works out with its method `method(obj)` (named `get_<field>` by
    convention: a method cannot share its field's name), documented as `field`."""
    cls = _DERIVED.get(field)
    if cls is None:
        cls = _DERIVED[field] = type(f"Derived{field.__name__}", (_Derived, field), {})
    kwargs.setdefault("required", True)
    return cls(*args, derive=method, **kwargs)


def masked(path: str) -> fields.String:
    """The masked form of a protected personal value (shared.personal_data), or None."""
    return fields.String(attribute=f"{path}.masked", dump_default=None, allow_none=True,
                         required=True)

def required_text(**kwargs):
    return fields.String(required=True, **kwargs)


def optional_text():
    return fields.String(required=True, allow_none=True)


def maybe(schema):
    return fields.Nested(schema, required=True, allow_none=True)


def list_of(schema):
    return fields.List(fields.Nested(schema), required=True)


class CodedView(Schema):
    code = required_text()
    name = required_text()


class AllowedActionView(Schema):
    action = required_text()
    name = required_text()


class ActorRefView(Schema):
    id = optional_text()
    name = optional_text()
    role = optional_text()


class HistoryEntryView(Schema):
    action = required_text()
    action_name = required_text()
    from_state = optional_text()
    to_state = required_text()
    actor = fields.Nested(ActorRefView, required=True)
    at = Instant(required=True)
    note = optional_text()
    details = fields.Dict(required=True)


def history_of(entries: list[dict], action_names: dict) -> list[dict]:
    """An aggregate's history with the Chinese name of each action."""
    return [{**entry, "action_name": action_names.get(entry["action"], entry["action"])}
            for entry in entries]
