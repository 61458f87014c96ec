"""A view's `dump`, planned once per kind of view instead of walked field by field each time.

marshmallow presents every value of every record through the same general path: the field's
`serialize`, the schema's accessor, a look-up that tries `obj[key]` and then `getattr`, the
field's `_serialize`, and a nested schema made for each view made. A page of twenty work orders
is some 1,500 values, and that path was most of a list's time in the service. Here a view's
fields are looked at once per kind of view (its class and the fields it dumps), and each becomes
a step that does what marshmallow does for it:

- the value is read as marshmallow reads it (a dict's key, else the attribute; a dotted
  attribute through `marshmallow.utils.get_value`; a `derived` value from the view's method),
  and a missing one takes the field's `dump_default` or is left out;
- strings, instants, numbers, booleans, plain dicts, lists and nested schemas are presented as
  their marshmallow fields present them (booleans and raw values as they are); any other
  field, or one that reads its value its own way, is handed to marshmallow's `serialize` of
  the field the view holds;
- a nested schema is made (as marshmallow makes it, from the view's field) only when one of its
  values needs it: a `derived` value or a field handed to marshmallow;
- a schema with `pre_dump` or `post_dump` hooks, or its own `get_attribute`, is dumped by
  marshmallow whole.

The answer is the same, value for value (tests/unit/shared/test_dumping.py compares the two).
A view must not change its fields' options per instance (none does): the plan of its class and
field names is shared by all its instances.
"""
from __future__ import annotations

from marshmallow import Schema as _Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, get_value

_PLANS: dict = {}
# What other modules teach the plans (shared.schemas: its instants and derived values): a
# field class's `_serialize` -> present(schema, value, obj) doing the same, and a field class's
# `get_value` that answers a method of the schema -> the field's attribute naming the method.
PRESENTERS: dict = {}
DERIVED: dict = {}
_MARSHMALLOW = object()  # a schema (or field) that marshmallow presents itself


def dump(schema: _Schema, obj, many: bool | None = None):
    """What `schema.dump(obj, many=many)` answers, by the plan of the schema's kind."""
    many = schema.many if many is None else bool(many)
    held = schema.__dict__.get("_dump_plan")
    if held is not None and held[0] is schema.dump_fields:
        plan = held[1]
    else:  # (a copy of a schema made with other fields keeps its original's attributes)
        plan = plan_of(schema)
        schema.__dict__["_dump_plan"] = (schema.dump_fields, plan)
    if plan is _MARSHMALLOW:
        return _Schema.dump(schema, obj, many=many)
    if many and obj is not None:
        return [plan.one(schema, item) for item in obj]
    return plan.one(schema, obj)


def plan_of(schema: _Schema):
    key = (type(schema), tuple(schema.dump_fields))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _make_plan(schema)
    return plan


def _make_plan(schema: _Schema):
    if schema._hooks[PRE_DUMP] or schema._hooks[POST_DUMP] \
            or type(schema).get_attribute is not _Schema.get_attribute \
            or schema.dict_class is not dict:
        return _MARSHMALLOW
    return Plan([_step(name, field) for name, field in schema.dump_fields.items()])


class Plan:
    """The steps of one kind of schema: (key, path, derive, default, present). `path` None and
    `derive` None: `present(schema, obj)` reads and presents the value itself (marshmallow)."""

    def __init__(self, steps: list[tuple]):
        self.steps = steps
        # Whether presenting a value needs the schema instance (a derived value, a field
        # handed to marshmallow, or a nested schema that needs its own).
        self.needs_instance = any(step[2] is not None or getattr(step[4], "needs_instance", False)
                                  for step in steps)

    def one(self, schema, obj) -> dict:
        result = {}
        plain = type(obj) is dict
        flat = not plain and not hasattr(obj, "__getitem__")
        for key, path, derive, default, present in self.steps:
            if derive is not None:
                value = getattr(schema, derive)(obj)
            elif path is None:
                value = present(schema, obj)
                if value is not missing:
                    result[key] = value
                continue
            elif flat:
                value = getattr(obj, path, missing)
            elif plain:
                value = obj.get(path, missing)
                if value is missing:  # marshmallow then tries the attribute
                    value = getattr(obj, path, missing)
            else:
                value = get_value(obj, path, missing)
            if value is missing:
                if default is missing:
                    continue
                value = default() if callable(default) else default
                if value is missing:
                    continue
            if type(value) is str and present is _string:
                result[key] = value
            else:
                result[key] = present(schema, value, obj)
        return result


def _step(name: str, field: fields.Field) -> tuple:
    key = field.data_key if field.data_key is not None else name
    present = _presenter(name, field, lambda schema: schema.dump_fields[name])
    reader = type(field).get_value
    derived = reader in DERIVED
    if present is _MARSHMALLOW or not field._CHECK_ATTRIBUTE or \
            (reader is not fields.Field.get_value and not derived):
        def whole(schema, obj):
            return schema.dump_fields[name].serialize(name, obj, accessor=schema.get_attribute)
        whole.needs_instance = True
        return key, None, None, missing, whole
    default = field.dump_default
    if derived:
        return key, "", getattr(field, DERIVED[reader]), default, present
    path = field.attribute if field.attribute is not None else name
    if "." in path:  # read by marshmallow's own look-up, through dicts and objects
        return key, None, None, missing, _dotted(path, default, present)
    return key, path, None, default, present


def _dotted(path, default, present):
    def read(schema, obj):
        value = get_value(obj, path, missing)
        if value is missing:
            value = default() if callable(default) else default
            if value is missing:
                return missing
        return present(schema, value, obj)
    read.needs_instance = getattr(present, "needs_instance", False)
    return read


def _presenter(name: str, field: fields.Field, bound):
    """present(schema, value, obj) for a field's values, as its `_serialize` presents them;
    `bound(schema)` is the field as the schema instance holds it."""
    method = type(field)._serialize
    if method is fields.String._serialize:
        return _string
    if method in PRESENTERS:
        return PRESENTERS[method]
    if method is fields.Number._serialize and not field.as_string \
            and field.num_type in (int, float):
        return _int if field.num_type is int else _float
    if method is fields.Field._serialize:  # booleans and raw values: as they are
        return _as_is
    if method is fields.Mapping._serialize and field.key_field is None \
            and field.value_field is None and field.mapping_type is dict:
        return _dict
    if method is fields.Nested._serialize:
        return _nested(field, bound)
    if method is fields.List._serialize:
        inner = _presenter(name, field.inner, lambda schema: bound(schema).inner)
        if inner is _MARSHMALLOW:
            return _MARSHMALLOW

        def listed(schema, value, obj):
            if value is None:
                return None
            return [inner(schema, each, obj) for each in value]
        listed.needs_instance = getattr(inner, "needs_instance", False)
        return listed
    return _MARSHMALLOW


def _nested(field: fields.Nested, bound):
    """A nested schema's values: by its own plan, with the schema marshmallow would use made
    only when the plan needs it."""
    prototype = field.schema  # the nested schema of the view the plan is made from
    plan = plan_of(prototype)
    many = bool(prototype.many or field.many)
    if plan is _MARSHMALLOW or plan.needs_instance:
        def nested(schema, value, obj):
            if value is None:  # (marshmallow makes the schema first: nothing to see of it)
                return None
            held = bound(schema)
            instance = held.schema
            return dump(instance, value, instance.many or held.many)
        nested.needs_instance = True
        return nested

    def standalone(schema, value, obj):
        if value is None:
            return None
        if many:
            return [plan.one(None, item) for item in value]
        return plan.one(None, value)
    return standalone


def _string(schema, value, obj):
    if type(value) is str or value is None:
        return value
    return ensure_text_type(value)


def _as_is(schema, value, obj):
    return value


def _int(schema, value, obj):
    return None if value is None else int(value)


def _float(schema, value, obj):
    return None if value is None else float(value)


def _dict(schema, value, obj):
    return None if value is None else dict(value)
