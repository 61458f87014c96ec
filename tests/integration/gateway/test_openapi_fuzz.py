"""The OpenAPI document against the running API: a schema-based fuzzer (schemathesis) sends
generated requests to every operation as a signed-in admin and checks that nothing answers
5xx and that every status, content type and body is one the document declares."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_schema_conformance, status_code_conformance)

from tests.integration.gateway.conftest import ADMIN_PASSWORD, Client

# Signing out or changing the password would end the fuzzer's own session.
SKIPPED = ("session.logout", "session.password")


@pytest.fixture(scope="module")
def signed_in(module_system):
    with Client(module_system) as client:
        client.login("admin", ADMIN_PASSWORD)
        yield client


@pytest.fixture
def api_schema(module_system, signed_in):
    document = signed_in.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    schema.config.base_url = module_system
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


# `make test` sends the same examples every run, so that a red run is about the change being
# tested; FUZZ_EXAMPLES=40 FUZZ_RANDOM=1 explores further (do it before a release).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"


# Every operation's examples run as subtests of this one test: about two minutes on a quiet
# machine, several on a busy one.
@pytest.mark.timeout(900 * max(1, EXAMPLES // 4))
@schema.exclude(operation_id=list(SKIPPED)).parametrize()
@settings(max_examples=EXAMPLES, derandomize=not RANDOM, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_the_api_does_what_its_document_says(case, signed_in):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {signed_in.cookies.get('xiuhua_session')}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance])
