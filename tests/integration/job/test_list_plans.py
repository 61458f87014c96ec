"""Lists are sorted as asked, and a sort the list does not offer is a field error (what each
page costs is tests/integration/job/test_indexes.py)."""
import pytest

from shared.errors import ValidationFailed
from tests.integration.job.conftest import STAFF, TOY_WORKSHOP


def test_staff_sort_employers_and_a_bad_sort_is_a_field_error(job, rpc):
    names = ["聚宝路毛绒玩具加工点", "新宇巷便民洗车行", "天宝社区家政服务站"]
    for name in names:
        rpc.job.register_employer(STAFF, **{**TOY_WORKSHOP, "name": name})

    def listed(sort):
        return [e["name"] for e in rpc.job.list_employers(community="天宝社区", sort=sort)["items"]]

    assert listed("-created_at") == names[::-1]
    assert listed("created_at") == names
    assert listed("-updated_at") == names[::-1]
    # Ordered by a time and the record's id only: by name would read the whole list.
    for unknown in ("salary", "name"):
        with pytest.raises(ValidationFailed) as refused:
            rpc.job.list_employers(sort=unknown)
        assert list(refused.value.fields) == ["sort"]
