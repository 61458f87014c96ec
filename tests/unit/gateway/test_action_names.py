"""The audit log's 操作 is a short Chinese name of each route, not its documentation."""
from services.gateway import openapi
from services.gateway.routes import ACTION_NAMES, BY_ID, ROUTES


def test_every_action_has_a_short_distinct_chinese_name():
    assert set(ACTION_NAMES) >= {route.id for route in ROUTES}
    names = [ACTION_NAMES[route.id] for route in ROUTES]
    assert len(set(names)) == len(names)
    for name in names:
        assert len(name) <= 28 and "base64" not in name and "(" not in name, name
    assert ACTION_NAMES["imports.run"] == "批量导入志愿者、用工单位或岗位信息"
    assert ACTION_NAMES["work_orders.accept"] == "工单 · 受理"
    assert ACTION_NAMES["volunteers.withdraw"] == "志愿者 · 退出"


def test_the_console_gets_the_names_and_not_the_answers_schemas():
    document = openapi.for_console()
    operation = document["paths"]["/api/imports/{kind}"]["post"]
    assert operation["x-action-name"] == BY_ID["imports.run"].action_name
    assert "responses" not in operation
    assert len(str(document)) * 2 < len(str(openapi.build()))
