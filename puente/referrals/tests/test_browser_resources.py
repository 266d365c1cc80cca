"""Browser: the patient's referrals → "Find resources" (prefilled from the record) → change a filter (htmx) →
"Refer … to this service" → the referral form with the service and the concern chosen → the preview shows what
the partner will see. axe-core on each page; the strict Content-Security-Policy stays on.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/referrals/tests/test_browser_resources.py
"""

import re

import pytest
from playwright.sync_api import expect

from puente.accounts.models import Organization, Role
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.directory.tests.helpers import make_listing as make_service
from puente.directory.tests.helpers import make_term
from puente.referrals.tests.util import make_concern, make_consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_find_resources_and_refer_from_a_result(page, live_server, login, axe):
    org = make_org()
    partner_org = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
    alice = make_user(org, name="Alice Worker")
    make_user(partner_org, Role.PARTNER, name="Pat Partner")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya", postal_code="87102", preferred_language="es")
    make_episode(patient, team=team, worker=alice)
    concern = make_concern(patient, "food-insecurity")
    make_consent(patient, alice, partner_org)
    food = make_term("Food pantries", "food-insecurity")
    make_service("Despensa del Barrio", site=(35.09, -106.65), languages=["es"], terms=[food], curated_by=partner_org)
    make_service("Iglesia food closet", site=(35.08, -106.62), languages=["es"], terms=[food], phone="505-555-0122")
    make_service("Santa Fe pantry", site=(35.687, -105.9378), languages=["es"], terms=[food], curated_by=partner_org)

    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/referrals/")
    page.get_by_role("link", name="Find resources", exact=True).click()
    expect(page.get_by_role("heading", name="Find community resources")).to_be_visible()
    expect(page.get_by_label("ZIP code")).to_have_value("87102")
    expect(page.get_by_role("checkbox", name="Food insecurity")).to_be_checked()
    expect(page.get_by_role("combobox", name="Language spoken")).to_have_value("es")
    expect(page.get_by_role("combobox", name="Within")).to_have_value("15")
    results = page.locator("#results")
    expect(results).to_contain_text("2 services found")
    expect(results).not_to_contain_text("Santa Fe pantry")
    closet = page.get_by_role("article", name="Iglesia food closet")
    expect(closet).to_contain_text("No partner account: call them")
    expect(closet.get_by_role("link", name=re.compile("^Refer "))).to_have_count(0)
    axe(page, "resources for a patient")

    # Every filter can change; the results are replaced in place (htmx, no inline script).
    page.get_by_role("combobox", name="Within").select_option("any")
    page.get_by_role("button", name="Apply filters").click()
    expect(results).to_contain_text("3 services found")
    expect(results).to_contain_text("Santa Fe pantry")
    axe(page, "resources, any distance")

    pantry = page.get_by_role("article", name="Despensa del Barrio")
    pantry.get_by_role("link", name=re.compile("^Refer Lucía Montoya to this service")).click()
    expect(page.get_by_role("heading", name="Make a referral")).to_be_visible()
    expect(page.get_by_role("combobox", name="Service")).to_contain_text("Despensa del Barrio")
    selected = page.get_by_role("combobox", name="Service").locator("option:checked")
    expect(selected).to_contain_text("Despensa del Barrio")
    expect(page.get_by_role("checkbox", name=re.compile("Food insecurity"))).to_be_checked()
    assert str(concern.pk) in page.url
    axe(page, "referral form, preselected")

    page.get_by_role("button", name="Preview what the partner will see").click()
    preview = page.get_by_role("region", name="What the partner will see")
    expect(preview).to_contain_text("Despensa del Barrio")
    expect(preview).to_contain_text("Lucía Montoya")
    expect(preview).to_contain_text("Food insecurity")
    axe(page, "referral preview from a search result")
