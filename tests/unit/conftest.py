"""Every view a unit test dumps is dumped twice: by its plan (shared.dumping, what the services
answer with) and by marshmallow's own `Schema.dump`; the two must be the same answer."""
import pytest
from marshmallow import Schema

from shared import dumping
from shared.schemas import View


@pytest.fixture(autouse=True)
def views_dump_as_marshmallow_does(monkeypatch):
    def compared(self, obj, *, many=None):
        planned = dumping.dump(self, obj, many)
        assert planned == Schema.dump(self, obj, many=many), type(self).__name__
        return planned
    monkeypatch.setattr(View, "dump", compared)
