"""A view's planned dump (shared.dumping) answers what marshmallow's `Schema.dump` answers:
value for value, key for key, for every kind of field, every way a value is read (dict key,
attribute, dotted path, derived), missing values and defaults, and the fields and schemas it
hands back to marshmallow. (tests/unit/conftest.py compares the two on every view the other
unit tests dump as well.)"""
from dataclasses import dataclass, field as dataclass_field
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st
from marshmallow import Schema as MarshmallowSchema, fields, post_dump

from shared import dumping
from shared.schemas import Instant, Schema, View, derived, masked, maybe

AT = datetime(2026, 3, 2, 1, 0, 0, 123000, tzinfo=timezone.utc)


class _Person(Schema):
    id = fields.String(allow_none=True)
    name = fields.String()
    label = derived("get_label")

    def get_label(self, person) -> str:
        return f"{person.get('name')}#{person.get('id')}"


class _Plain(Schema):
    kind = fields.String(required=True)
    amount = fields.Float()


class _Hooked(Schema):
    name = fields.String()

    @post_dump
    def shout(self, data, **kwargs):
        return {**data, "name": (data.get("name") or "").upper()}


class Sample(View):
    text = fields.String()
    number = fields.Integer(allow_none=True)
    quantity = fields.Float()
    flag = fields.Boolean()
    raw = fields.Raw()
    at = Instant(allow_none=True)
    options = fields.Dict()
    counted = fields.Dict(keys=fields.String(), values=fields.Integer())
    tags = fields.List(fields.String())
    moments = fields.List(Instant())
    people = fields.List(fields.Nested(_Person))
    plain = fields.List(fields.Nested(_Plain))
    owner = maybe(_Person)
    also = fields.Nested(_Plain, allow_none=True)
    many_plain = fields.Nested(_Plain, many=True)
    hooked = fields.Nested(_Hooked, allow_none=True)
    phone_masked = masked("phone")
    renamed = fields.String(data_key="called", attribute="title")
    defaulted = fields.String(dump_default="无")
    computed_default = fields.Integer(dump_default=lambda: 7)
    as_text = fields.Integer(as_string=True)
    method = fields.Method("get_method")
    function = fields.Function(lambda obj: "函数")
    constant = fields.Constant("常量")
    overdue = derived("get_overdue", fields.Boolean)

    def get_method(self, obj) -> str:
        return "方法"

    def get_overdue(self, obj) -> bool:
        at = obj.get("at") if isinstance(obj, dict) else getattr(obj, "at", None)
        return bool(at) and at < self.now


@dataclass
class Record:
    text: str = "路灯不亮"
    title: str = "标题"
    number: int | None = 3
    quantity: float = 2
    flag: bool = True
    raw: object = dataclass_field(default_factory=lambda: {"a": [1, 2]})
    at: datetime | None = AT
    options: dict = dataclass_field(default_factory=lambda: {"x": 1})
    counted: dict = dataclass_field(default_factory=lambda: {"a": 1})
    tags: list = dataclass_field(default_factory=lambda: ["甲", "乙"])
    moments: list = dataclass_field(default_factory=lambda: [AT, "2026-01-01T00:00:00.000Z"])
    people: list = dataclass_field(default_factory=lambda: [{"id": "u1", "name": "刘网格"}])
    plain: list = dataclass_field(default_factory=lambda: [{"kind": "lamp", "amount": 1}])
    owner: dict | None = None
    also: dict | None = None
    many_plain: list = dataclass_field(default_factory=list)
    hooked: dict | None = dataclass_field(default_factory=lambda: {"name": "wang"})
    phone: dict | None = dataclass_field(default_factory=lambda: {"masked": "138****1234"})
    as_text: int = 5


def both(view, obj, many=None):
    planned = dumping.dump(view, obj, many)
    expected = MarshmallowSchema.dump(view, obj, many=many)
    assert planned == expected
    assert list(planned if not isinstance(planned, list) else planned[0] if planned else []) \
        == list(expected if not isinstance(expected, list) else expected[0] if expected else [])
    return planned


def test_a_record_as_an_object_and_as_a_dict():
    record = Record(owner={"id": None, "name": "王"}, also={"kind": "k", "amount": 1},
                    many_plain=[{"kind": "a"}, {"kind": "b", "amount": 3}])
    assert isinstance(dumping.plan_of(Sample(now=AT)), dumping.Plan)
    answer = both(Sample(now=AT + timedelta(days=1)), record)
    assert answer["called"] == "标题" and answer["owner"]["label"] == "王#None"
    assert answer["hooked"] == {"name": "WANG"} and answer["as_text"] == "5"
    assert answer["overdue"] is True and answer["at"] == "2026-03-02T01:00:00.123+00:00"
    as_dict = dict(record.__dict__)
    assert both(Sample(now=AT), as_dict) == {**answer, "overdue": False}


def test_missing_values_take_their_defaults_or_are_left_out():
    answer = both(Sample(now=AT), {"text": "只有这个"})
    assert answer["defaulted"] == "无" and answer["computed_default"] == 7
    assert "number" not in answer and "people" not in answer
    assert answer["phone_masked"] is None
    both(Sample(now=AT), {"text": "t", "phone": None, "owner": None, "hooked": None})


def test_none_values_are_presented_as_marshmallow_presents_them():
    both(Sample(now=AT), Record(number=None, at=None, options=None, tags=None, people=None,
                                moments=None, hooked=None, phone=None, counted=None))


def test_many_and_empty():
    view = Sample(many=True, now=AT)
    assert both(view, []) == []
    assert len(both(view, [Record(), {"text": "x"}, Record(text="y")])) == 3
    both(Sample(now=AT), [Record()], many=True)


def test_a_dict_without_the_key_is_read_by_attribute_as_marshmallow_does():
    class Keys(View):
        items = fields.Raw()
        text = fields.String()
    answer = both(Keys(now=AT), {"text": 5})
    assert answer["text"] == "5" and "items" in answer  # dict.items, as marshmallow reads it


def test_values_that_are_not_yet_their_type_are_converted_alike():
    class Loose(View):
        text = fields.String()
        number = fields.Integer()
        quantity = fields.Float()
        flag = fields.Boolean()
    both(Loose(now=AT), {"text": b"bytes", "number": "12", "quantity": 3, "flag": 0})
    both(Loose(now=AT), {"text": 12.5, "number": 3.9, "quantity": "1.5", "flag": "yes"})


def test_a_view_with_hooks_is_dumped_by_marshmallow():
    class Hooked(View):
        name = fields.String()

        @post_dump
        def mark(self, data, **kwargs):
            return {**data, "marked": True}
    assert both(Hooked(now=AT), {"name": "x"}) == {"name": "x", "marked": True}


def test_only_and_exclude_are_kept():
    assert set(both(Sample(now=AT, only=("text", "owner")), Record())) == {"text", "owner"}
    assert "text" not in both(Sample(now=AT, exclude=("text",)), Record())


texts = st.one_of(st.none(), st.text(max_size=5), st.integers())
people = st.one_of(st.none(), st.fixed_dictionaries(
    {}, optional={"id": texts, "name": texts}))


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "text": texts, "number": st.one_of(st.none(), st.integers()),
    "quantity": st.one_of(st.none(), st.floats(allow_nan=False)),
    "flag": st.one_of(st.none(), st.booleans()), "raw": texts,
    "at": st.one_of(st.none(), st.datetimes(timezones=st.just(timezone.utc))),
    "options": st.one_of(st.none(), st.dictionaries(st.text(max_size=3), texts, max_size=3)),
    "tags": st.one_of(st.none(), st.lists(texts, max_size=3)),
    "people": st.one_of(st.none(), st.lists(st.fixed_dictionaries(
        {}, optional={"id": texts, "name": texts}), max_size=3)),
    "owner": people, "hooked": st.one_of(st.none(), st.fixed_dictionaries({"name": texts})),
    "phone": st.one_of(st.none(), st.fixed_dictionaries({}, optional={"masked": texts})),
}))
def test_any_record_is_dumped_as_marshmallow_dumps_it(record):
    both(Sample(now=AT), record)


@pytest.mark.parametrize("module", ["repair", "activity", "volunteer", "job", "notify"])
def test_every_view_of_a_service_has_a_plan_or_is_left_to_marshmallow(module):
    """Making the plan of each view (and of the schemas nested in it) never fails."""
    import importlib
    views = importlib.import_module(f"services.{module}.views")
    found = [v for v in vars(views).values()
             if isinstance(v, type) and issubclass(v, View) and v is not View]
    assert found
    for view in found:
        dumping.plan_of(view(now=AT))
