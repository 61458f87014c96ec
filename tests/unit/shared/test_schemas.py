"""The shared query schemas refuse what no list or report could answer, in Chinese, before
any service reaches the database with it."""
import pytest
from marshmallow import fields, validate

from shared.errors import ValidationFailed
from shared.schemas import (MAX_PAGE, ActorSchema, PageSchema, PeriodSchema, Schema, fields_of,
                            load, month_range)


def test_a_page_far_beyond_any_list_is_refused_not_passed_to_the_database():
    assert load(PageSchema(), {"page": MAX_PAGE})["page"] == MAX_PAGE
    with pytest.raises(ValidationFailed) as refused:
        load(PageSchema(), {"page": 50600911213858217984})
    assert list(refused.value.fields) == ["page"]


@pytest.mark.parametrize("period", ["0000", "0999-Q1", "3026-11", "2026-13", "2026-Q5", "26"])
def test_a_period_outside_the_calendar_the_office_uses_is_refused(period):
    with pytest.raises(ValidationFailed) as refused:
        load(PeriodSchema(), {"period": period})
    assert "2026-Q3" in refused.value.fields["period"][0]


@pytest.mark.parametrize("period, months", [
    ("2026", ("2026-01", "2026-12")), ("2026-Q3", ("2026-07", "2026-09")),
    ("1999-11", ("1999-11", "1999-11"))])
def test_a_period_is_a_range_of_office_months(period, months):
    assert month_range(**load(PeriodSchema(), {"period": period})) == months


def test_a_month_outside_the_calendar_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        load(PeriodSchema(), {"from_month": "0000-01", "to_month": "2026-11"})
    assert list(refused.value.fields) == ["from_month"]


@pytest.mark.parametrize("name", ["浚河社区\n", "天宝\x0f社区", "\x7f"])
def test_a_name_with_control_characters_is_refused(name):
    with pytest.raises(ValidationFailed) as refused:
        load(ActorSchema(), {"id": "u1", "name": name, "role": "street_admin"})
    assert "控制字符" in refused.value.fields["name"][0]


class _Whole(Schema):
    name = fields.String(required=True, validate=validate.Length(max=4))
    phone = fields.String(required=True)
    note = fields.String(load_default=None)


class _Narrow(fields_of(_Whole, "note", "name")):
    consent = fields.Boolean(required=True)


def test_a_schema_of_some_fields_keeps_their_rules_and_takes_no_others():
    assert list(_Narrow._declared_fields) == ["note", "name", "consent"]
    assert load(_Narrow(), {"name": "王芳", "consent": True}) == {
        "name": "王芳", "note": None, "consent": True}
    with pytest.raises(ValidationFailed) as refused:
        load(_Narrow(), {"name": "王芳王芳王芳", "phone": "13800000000", "consent": True})
    assert sorted(refused.value.fields) == ["name", "phone"]


def test_a_schema_of_fields_its_source_lacks_is_a_mistake_at_once():
    with pytest.raises(KeyError):
        fields_of(_Whole, "name", "email")
