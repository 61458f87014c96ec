"""A report's point and its community agree with the register of places."""
import pytest

from services.repair import schemas
from shared.errors import ValidationFailed
from shared.schemas import load

REPORT = {"category": "street_light", "description": "路灯不亮", "channel": "resident"}
IN_JUNHE = {"lat": 32.6912, "long": 118.9938}


def test_a_point_in_the_named_community_is_taken():
    loaded = load(schemas.ReportWorkOrder(), {**REPORT, "community": "浚河社区",
                                               "location": IN_JUNHE})
    assert loaded["location"] == IN_JUNHE


def test_a_point_in_another_community_is_refused_with_where_it_lies():
    with pytest.raises(ValidationFailed) as refused:
        load(schemas.ReportWorkOrder(), {**REPORT, "community": "天宝社区",
                                          "location": IN_JUNHE})
    assert refused.value.code == "COMMUNITY_MISMATCH"
    assert refused.value.fields == {"location": ["位置在浚河社区,不在天宝社区。"]}
