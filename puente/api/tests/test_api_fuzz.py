"""schemathesis against /api/v1/: every operation of the published OpenAPI document, called through the WSGI app
with requests generated from the document itself, authenticated as a care-organization social worker holding
every scope. Each response must be documented and match its schema, and nothing may answer 5xx.

Path ids are half the time the real objects built below (so the 200 branches and the writes run, not only 404s),
half the time whatever the generator invents. Examples per operation are few (`EXAMPLES`) and derandomized, so the
file runs in seconds and the same cases run every time; `HYPOTHESIS_PROFILE=explore` searches wider.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from puente.accounts.models import ApiToken, Organization
from puente.accounts.services import create_api_token
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.referrals import services as referral_services
from puente.referrals.tests.util import make_concern, make_consent, make_listing
from puente.screening.services import submit_screening

# What must hold for every generated request. Left out on purpose: `positive_data_acceptance` (the document types
# fields such as `sex_at_birth` as free text while the forms accept a list of codes, so a schema-valid request may
# rightly get 422), the stateful checks (use-after-free etc.), which need links the document does not declare, and
# `ignored_auth` (it doubles every call; api/tests/test_api.py and test_screening_api.py send every route without a
# token and with a wrong one already).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("PUENTE_FUZZ_EXAMPLES", "6"))


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
def world(db):
    org = make_org()
    partner = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org)
    episode = make_episode(patient, team=team, worker=alice)
    listing = make_listing(partner)
    concern = make_concern(patient)
    make_consent(patient, alice, partner, classes=["demographics"])
    referral = referral_services.make_referral(
        None, patient, send=True, service_at_location=listing, concerns=[concern], message="Food box.", user=alice
    )
    screening = submit_screening(None, patient, "phq2", {"44250-9": "LA6569-3", "44255-8": "LA6568-5"}, user=alice)
    _token, key = create_api_token(alice, "fuzz", list(ApiToken.SCOPES))
    return {
        "key": key,
        "ids": {
            "patient_id": str(patient.pk),
            "episode_id": str(episode.pk),
            "referral_id": str(referral.pk),
            "screening_id": str(screening.response.pk),
            "instrument_id": "phq9",
        },
    }


def test_every_api_v1_operation_answers_as_documented(world, wsgi_keeps_the_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {world['key']}"}
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
                for name in case.path_parameters:
                    if name in world["ids"]:
                        case.path_parameters[name] = world["ids"][name]
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
        ran[operation.label] = count
    # Every operation of the document ran (18 today); a route added later is picked up without editing this file.
    assert len(ran) >= 18, ran
    assert all(n >= 1 for n in ran.values()), ran


# --- What the fuzzing found and fixed, pinned as plain examples -------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/patients", "/api/v1/episodes", "/api/v1/referrals"])
def test_a_huge_offset_is_an_empty_page_not_a_server_error(world, client, path):
    response = client.get(
        path, {"offset": str(2**63), "limit": "5"}, headers={"Authorization": f"Bearer {world['key']}"}
    )
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_every_operation_documents_the_errors_it_can_answer(client):
    document = client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= documented, f"{method.upper()} {path}: {sorted(documented)}"


# --- Fixed defects, kept as regression tests ----------------------------------------------------------------------


def test_a_postal_code_in_another_script_is_refused_not_a_crash():
    """Found by this file: POST /api/v1/patients with postal_code "\U0009e840\U00063a38" (or the UI form with
    "١٢٣٤٥") reaches `lookup_zip`, whose `zipcodes.matching` slices bytes in Rust and panics; the request dies with
    a 500. The fix is the one made in directory/geo.py: refuse anything but five ASCII digits before the lookup."""
    from puente.patients.services import lookup_zip

    assert lookup_zip("\u0661\u0662\u0663\u0664\u0665") is None
