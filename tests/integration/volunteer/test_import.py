"""批量导入 of the registry: every row checked first, all stored in one transaction or none."""
import pytest

from shared.errors import Forbidden, ValidationFailed
from tests.integration.volunteer.conftest import ADMIN, JUNHE_STAFF, id_number

ROWS = [{"name": "陈晓", "community": "浚河社区", "phone": "13900000001",
         "id_number": id_number(1), "skills": ["medical"]},
        {"name": "王芳", "community": "浚河社区", "phone": "13900000002",
         "id_number": id_number(2)}]


def test_a_clean_file_is_registered_and_approved_at_once(volunteer_service, rpc):
    checked = rpc.volunteer.import_volunteers(actor=JUNHE_STAFF, rows=ROWS, dry_run=True)
    assert checked == {"rows": 2, "valid": 2, "created": 0, "ids": [], "dry_run": True}
    assert rpc.volunteer.list_volunteers()["total"] == 0
    result = rpc.volunteer.import_volunteers(actor=JUNHE_STAFF, rows=ROWS)
    assert result["created"] == 2
    people = rpc.volunteer.list_volunteers()["items"]
    assert {p["state"] for p in people} == {"active"}
    assert {p["phone_masked"] for p in people} == {"139****0001", "139****0002"}


def test_one_bad_row_stores_nothing_and_every_bad_row_is_named(volunteer_service, rpc):
    rpc.volunteer.import_volunteers(actor=ADMIN, rows=ROWS[:1])
    rows = [*ROWS, {"name": "李四", "community": "浚河社区", "phone": "12345",
                    "id_number": "341181198001010010"},
            {**ROWS[1], "phone": "13900000009"}]
    with pytest.raises(ValidationFailed) as error:
        rpc.volunteer.import_volunteers(actor=ADMIN, rows=rows)
    assert error.value.code == "IMPORT_REJECTED"
    bad = error.value.fields["rows"]
    assert set(bad) == {"0", "2", "3"}   # already registered; bad phone and ID; twice in file
    assert "id_number" in bad["0"] and set(bad["2"]) == {"phone", "id_number"}
    assert "第 2 条" in bad["3"]["id_number"][0]
    assert rpc.volunteer.list_volunteers()["total"] == 1


def test_staff_import_only_their_own_community(volunteer_service, rpc):
    with pytest.raises(ValidationFailed) as error:
        rpc.volunteer.import_volunteers(actor=JUNHE_STAFF, rows=[{**ROWS[0],
                                                                  "community": "天宝社区"}])
    assert "community" in error.value.fields["rows"]["0"]
    with pytest.raises(Forbidden):
        rpc.volunteer.import_volunteers(actor={"id": "r", "name": "居民", "role": "resident"},
                                        rows=ROWS)
    assert rpc.volunteer.list_volunteers()["total"] == 0
