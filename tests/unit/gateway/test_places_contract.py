"""Every write of the admin API that names a community checks it against the register of
places, found from the route table itself: a new route taking a community is covered without
anyone adding it here."""
import pytest

from services.gateway.routes import ROUTES
from services.gateway.imports import KINDS
from services.job import schemas as job
from services.volunteer import schemas as volunteer
from shared.errors import ValidationFailed
from shared.schemas import RegisteredCommunity, load

WRITES = [r for r in ROUTES if r.method != "GET" and "community" in r.input_fields()]
# What a spreadsheet row is loaded with, per import kind (the service's own schema).
ROW_SCHEMAS = {"volunteers": volunteer.RegisterVolunteer, "employers": job.Employer,
               "postings": job.ImportPosting}


def test_the_route_table_has_the_writes_the_issue_names():
    ids = {r.id for r in WRITES}
    assert {"work_orders.report", "activities.create", "venues.create", "volunteers.register",
            "volunteers.update", "volunteer_teams.save", "employers.create",
            "job_seekers.create", "accounts.create", "accounts.update",
            "imports.run"} <= ids


@pytest.mark.parametrize("route", WRITES, ids=lambda r: r.id)
def test_every_write_naming_a_community_uses_the_register(route):
    field = route.input_fields()["community"]
    assert any(isinstance(v, RegisteredCommunity) for v in field.validators)


@pytest.mark.parametrize("route", WRITES, ids=lambda r: r.id)
def test_mars_is_refused_by_every_such_schema_with_its_code(route):
    schema = route.input()
    with pytest.raises(ValidationFailed) as refused:
        load(schema, {"community": "火星社区"}, partial=tuple(schema.fields))
    assert refused.value.code == "UNKNOWN_COMMUNITY"
    assert refused.value.fields["community"] == ["不是本街道的社区:火星社区"]


def test_every_import_kind_loads_rows_with_a_schema_that_checks_the_community():
    assert set(ROW_SCHEMAS) == set(KINDS)
    for schema in ROW_SCHEMAS.values():
        field = schema().fields["community"]
        assert any(isinstance(v, RegisteredCommunity) for v in field.validators), schema


def test_the_openapi_document_offers_the_registered_communities_as_choices():
    from services.gateway.openapi import build
    from shared import places
    body = build()["components"]["schemas"]
    offered = [s["properties"]["community"].get("enum") for s in body.values()
               if "community" in s.get("properties", {})
               and s["properties"]["community"].get("enum")]
    assert offered and all([c for c in e if c is not None] == places.communities()
                           for e in offered)
