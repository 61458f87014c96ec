"""One table of the Chinese names of codes: what the services, the exports and the console
show, and what a validation message lists instead of the codes."""
import pytest
from marshmallow import fields, validate

from services.activity import catalogue
from services.gateway import imports
from services.gateway.reporting import work_orders as report
from services.job.domain import reference
from shared import names
from shared.errors import ValidationFailed
from shared.events.repair import CATEGORIES
from shared.events.volunteer import SKILLS
from shared.schemas import Schema, load


class Report(Schema):
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    size = fields.String(validate=validate.OneOf(reference.EMPLOYER_SIZES))
    sizes = fields.List(fields.String(validate=validate.OneOf(("micro", "large"))))
    format = fields.String(validate=validate.OneOf(("xlsx", "csv")))


def test_a_wrong_code_is_answered_with_the_names_a_person_can_choose_from():
    with pytest.raises(ValidationFailed) as refused:
        load(Report(), {"category": "ufo", "size": "tiny", "sizes": ["huge"], "format": "doc"})
    assert refused.value.fields == {
        "category": ["应为以下之一:路面破损、井盖破损、路灯故障、道路积水、车辆乱停、绿化养护、其他问题。"],
        "size": ["应为以下之一:微型、小型、中型、大型。"],
        "sizes": {0: ["应为以下之一:微型、大型。"]},
        # Codes no table names (file formats) stay as they are.
        "format": ["应为以下之一:xlsx、csv。"]}


def test_every_service_takes_its_names_from_the_one_table():
    assert catalogue.THEMES is names.table("theme")
    assert catalogue.ROOM_KINDS is names.table("room.kind")
    assert reference.SECTORS is names.table("sector")
    assert reference.PROBLEM_CATEGORY_NAMES is names.table("category")
    assert SKILLS is names.table("skills")
    assert report.CATEGORY_NAMES is names.table("category")
    assert dict(imports.SKILLS) == names.table("skills")
    assert names.name("theme", "science_popularisation") == "科普活动"
    assert names.name("skill", "medical") == "医疗卫生"      # an alias of "skills"
    assert names.name("theme", "no_such_theme") == "no_such_theme"


def test_notifications_take_their_names_from_the_one_table():
    from services.notify import domain

    assert domain.STATE_NAMES is names.table("notification.state")
    assert domain.TOPICS is names.table("notification.topic")
    assert domain.CHANNELS is names.table("notification.channel")
    assert domain.ATTEMPT_OUTCOMES is names.table("notification.outcome")
    assert {code: kind.name for code, kind in domain.KINDS.items()} == \
        names.table("notification.kind")
    assert domain.KINDS["work_order_accepted"].name == "工单已受理"


def test_the_console_gets_every_table_and_alias():
    tables = names.for_console()
    assert tables["category"]["street_light"] == "路灯故障"
    assert tables["employment_types"] is names.table("employment_type")
    assert all(isinstance(name, str) for table in tables.values() for name in table.values())


def test_a_venue_and_its_room_are_named_apart_everywhere():
    from services.activity.domain import place_label
    from services.notify.handlers.events import _activity_place

    assert names.place("天宝社区文化服务中心", "书画室") == "天宝社区文化服务中心 · 书画室"
    assert names.place("天宝社区文化服务中心", None) == "天宝社区文化服务中心"
    assert place_label({"name": "天宝社区文化服务中心"}, {"name": "书画室"}) == \
        "天宝社区文化服务中心 · 书画室"
    assert _activity_place({"venue": "天宝社区文化服务中心", "room": "书画室"}) == \
        "天宝社区文化服务中心 · 书画室"
