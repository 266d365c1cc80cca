"""schemathesis against the public HSDS API (/api/hsds/), driven by Open Referral's own shipped OpenAPI document
(openreferral/specification 3.0), restricted to the operations Puente implements.

The shipped document points its bodies at remote compiled schemas (raw.githubusercontent.com); the test replaces
each with the local copy of the same schema in the shipped folder (one level deep: nested objects are accepted as
any object), so nothing is fetched. The document lists only 200 answers; Puente answers a bad parameter with 400
and an unknown id with 404, which the HSDS specification leaves open, so status codes are not checked against the
document. What is checked for every generated request: no 5xx, JSON answers, and every 200 body valid against the
shipped schema (the Page envelope, the service, the organization, the taxonomy and its terms).
"""

import copy
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application

from .helpers import SCHEMAS, load_schema, make_listing, make_term, needs_hsds

EXAMPLES = int(os.environ.get("PUENTE_FUZZ_EXAMPLES", "6"))
IMPLEMENTED = {
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/taxonomies",
    "/taxonomy_terms",
}
REMOTE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def local(name: str, depth: int = 0) -> dict:
    """A shipped schema file with its file references inlined one level deep (deeper ones accept any object)."""
    schema = load_schema(name)
    schema.pop("$id", None)
    schema.pop("$schema", None)

    def resolve(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.endswith(".json") and not ref.startswith("#"):
                return local(ref, depth + 1) if depth < 1 else {"type": "object"}
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return resolve(schema)


def remote_to_local(ref: str, page: dict) -> dict:
    name = ref.removeprefix(REMOTE).removeprefix("compiled/")
    if name.endswith("_list.json"):
        item = local(name.removesuffix("_list.json") + ".json")
        return {"allOf": [page, {"properties": {"contents": {"type": "array", "items": item}}}]}
    return local(name)


def hsds_document() -> dict:
    doc = copy.deepcopy(load_schema("openapi.json"))
    doc["paths"] = {path: ops for path, ops in doc["paths"].items() if path in IMPLEMENTED}
    page = doc["components"]["schemas"]["Page"]

    def resolve(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REMOTE):
                return remote_to_local(ref, page)
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    doc = resolve(doc)
    doc["servers"] = [{"url": "/api/hsds"}]
    return doc


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """schemathesis calls the real WSGI handler, whose request signals close the database connection after each
    request; on PostgreSQL that ends the test's transaction ("the connection is closed"). Django's own test client
    unhooks the same handler for the same reason."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def listing(db):
    food = make_term("Food pantries", "food-insecurity")
    service = make_listing("Westside Food Pantry", description="Groceries", terms=[food])
    return {"id": str(service.pk), "organization": str(service.organization_id)}


@needs_hsds
def test_every_implemented_hsds_operation_answers_without_error_and_with_valid_bodies(
    listing, wsgi_keeps_the_test_connection
):
    assert (SCHEMAS / "openapi.json").is_file()
    schema = schemathesis.openapi.from_dict(hsds_document())
    schema.app = application
    ran = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        count = 0

        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case, real):
            nonlocal count
            count += 1
            if real and case.path_parameters:
                case.path_parameters["id"] = (
                    listing["organization"] if "organizations" in operation.path else listing["id"]
                )
            case.call_and_validate(checks=[not_a_server_error, content_type_conformance, response_schema_conformance])

        call()
        ran[operation.label] = count
    assert len(ran) == len(IMPLEMENTED), ran


# --- What the fuzzing found and fixed, pinned as plain examples -------------------------------------------------


@pytest.mark.parametrize("path", ["/api/hsds/services", "/api/hsds/organizations", "/api/hsds/taxonomy_terms"])
def test_a_huge_page_number_is_a_400_not_a_server_error(db, client, path):
    response = client.get(path, {"page": str(10**20)})
    assert response.status_code == 400
    assert "page" in response.json()["detail"]


@pytest.mark.parametrize("postcode", ["\u0661\u0662\u0663\u0664\u0665", "\U0009e840\U00063a38", "８７１０５"])
def test_a_postcode_in_another_script_is_a_400_not_a_crash(db, client, postcode):
    response = client.get("/api/hsds/services", {"postcode": postcode})
    assert response.status_code == 400
    assert response.json() == {"detail": "postcode is not a known US ZIP code"}
