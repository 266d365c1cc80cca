"""Browser, end to end (issue 5): a positive Hunger Vital Sign screen → the suggested concern accepted → a goal in
the patient's words → a directory search for the patient → "Refer" → a consent → preview and send the referral;
then the partner accepts and completes it; then the patient answers the check-back link; then the worker sees
"Need met". axe-core on each page; the strict Content-Security-Policy stays on. Synthetic data only.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/referrals/tests/test_browser_closed_loop.py
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from puente.accounts.models import Organization, Role
from puente.careplans.models import Goal
from puente.core import messaging
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.directory.tests.helpers import make_listing as make_service
from puente.directory.tests.helpers import make_term
from puente.referrals import services
from puente.referrals.models import Referral
from puente.screening.models import HealthConcern, ScreeningResponse

# The machine is shared: give a save and the page it answers with time before calling it lost.
SLOW = 15_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFTEN_TRUE = "LA28397-0"


def test_positive_screen_to_need_met(page, live_server, login, axe, settings):
    settings.PUENTE_BASE_URL = live_server.url
    org = make_org()
    partner_org = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
    alice = make_user(org, name="Alice Worker")
    pat = make_user(partner_org, Role.PARTNER, name="Pat Partner")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya", postal_code="87102", phone="505-555-0101", phone_may_text=True)
    make_episode(patient, team=team, worker=alice)
    food = make_term("Food pantries", "food-insecurity")
    make_service("Despensa del Barrio", site=(35.09, -106.65), languages=["es"], terms=[food], curated_by=partner_org)

    # 1. Staff Hunger Vital Sign, both items "often true": positive for food insecurity.
    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/screenings/")
    axe(page, "screening index")
    page.goto(f"{live_server.url}/patients/{patient.pk}/screenings/new/hvs/?lang=en")
    axe(page, "hvs form")
    page.locator(f'input[name="q:88122-7"][value="{OFTEN_TRUE}"]').check()
    page.locator(f'input[name="q:88123-5"][value="{OFTEN_TRUE}"]').check()
    page.get_by_role("button", name="Save and score").click()
    suggested = page.get_by_role("region", name="Suggested health concerns")
    expect(suggested).to_contain_text("Food insecurity", timeout=SLOW)
    expect(suggested).to_contain_text("Suggested")
    axe(page, "hvs result with a suggested concern")
    response = ScreeningResponse.objects.get(patient=patient, instrument_id="hvs")
    assert "food-insecurity" in response.positive_domains

    # 2. Accept the suggested concern: it becomes an active concern on the care plan.
    expect(suggested.get_by_label("ICD-10-CM code")).to_have_value("Z59.41")
    suggested.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Concern updated.")).to_be_visible(timeout=SLOW)
    expect(suggested.get_by_role("button", name="Accept")).to_have_count(0)
    axe(page, "hvs result, concern accepted")
    concern = HealthConcern.objects.get(patient=patient)
    assert (concern.status, concern.category, concern.icd10_code) == ("active", "food-insecurity", "Z59.41")
    assert concern.source_response_id == response.pk

    # 3. A goal in the patient's own words, linked to that concern.
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Care plan").click()
    expect(page.get_by_role("heading", name="Food insecurity")).to_be_visible(timeout=SLOW)
    axe(page, "care plan with the accepted concern")
    page.get_by_role("link", name=re.compile(r"^Add a goal\W+Food insecurity$")).click()
    # htmx moves focus into a form it placed when it settles; typing before that races the settle.
    expect(page.get_by_label("For which need")).to_be_focused()
    axe(page, "add a goal (in place)")
    page.get_by_label("Goal, in the patient's own words").fill("Quiero comida en casa cada semana")
    page.get_by_role("form", name="Add a goal").get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Goal: “Quiero comida en casa cada semana”")).to_be_visible(timeout=SLOW)
    axe(page, "care plan with a goal")
    goal = Goal.objects.get(patient=patient)
    assert goal.concern_id == concern.pk

    # 4. The directory search for the patient, prefilled from the record, then "Refer … to this service".
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Community referrals").click()
    page.get_by_role("link", name="Find resources", exact=True).click()
    expect(page.get_by_role("heading", name="Find community resources")).to_be_visible(timeout=SLOW)
    expect(page.get_by_label("ZIP code")).to_have_value("87102")
    expect(page.get_by_role("checkbox", name="Food insecurity")).to_be_checked()
    results = page.locator("#results")
    expect(results).to_contain_text("1 service found")
    axe(page, "resources for a patient")
    pantry = page.get_by_role("article", name="Despensa del Barrio")
    pantry.get_by_role("link", name=re.compile("^Refer Lucía Montoya to this service")).click()
    expect(page.get_by_role("heading", name="Make a referral")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("combobox", name="Service").locator("option:checked")).to_contain_text(
        "Despensa del Barrio"
    )
    expect(page.get_by_role("checkbox", name=re.compile("Food insecurity"))).to_be_checked()
    axe(page, "referral form, preselected")
    referral_form_url = page.url

    # 5. No consent yet: record one for the partner.
    page.get_by_role("link", name="Consents to share").click()
    expect(page.get_by_text("No consent recorded.")).to_be_visible(timeout=SLOW)
    axe(page, "consents (empty)")
    page.get_by_role("link", name="Record a consent").click()
    page.get_by_role("combobox", name="Partner organization").select_option(label="Roadrunner Food Bank")
    page.get_by_label("Purpose").fill("Help with food")
    page.get_by_role("radio", name="Verbal, with a witness").check()
    page.get_by_label("Witness (for verbal consent)").fill("Bob Teammate")
    axe(page, "record a consent")
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("Consent recorded.")).to_be_visible(timeout=SLOW)
    axe(page, "consents")

    # 6. Back to the referral from the search result: preview exactly what the partner will see, then send.
    page.goto(referral_form_url)
    expect(page.get_by_role("combobox", name="Service").locator("option:checked")).to_contain_text(
        "Despensa del Barrio"
    )
    expect(page.get_by_role("checkbox", name=re.compile("Food insecurity"))).to_be_checked()
    page.get_by_label("Message to the partner").fill("Please call her in the morning.")
    page.get_by_role("button", name="Preview what the partner will see").click()
    preview = page.get_by_role("region", name="What the partner will see")
    expect(preview).to_contain_text("Lucía Montoya", timeout=SLOW)
    expect(preview).to_contain_text("Despensa del Barrio")
    expect(preview).to_contain_text("Food insecurity")
    expect(preview).to_contain_text("Progress notes are never shared with partners.")
    expect(page.get_by_text("No consent allows sharing with this partner.")).to_have_count(0)
    axe(page, "referral preview")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent.")).to_be_visible(timeout=SLOW)
    axe(page, "referral detail (sent)")
    referral = Referral.objects.get(patient=patient)
    assert referral.status == "requested"
    assert referral.recipient_organization_id == partner_org.pk
    assert referral.consent_id is not None

    # 7. The partner accepts, then completes.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    login(page, pat)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals to us").click()
    axe(page, "partner list")
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("region", name="Referral details")).to_contain_text("Lucía Montoya", timeout=SLOW)
    axe(page, "partner referral")
    page.get_by_role("button", name="Mark as Accepted").click()
    expect(page.get_by_text("Referral updated: Accepted.")).to_be_visible(timeout=SLOW)
    axe(page, "partner referral (accepted)")
    page.get_by_role("button", name="Mark as Completed").click()
    expect(page.get_by_text("Referral updated: Completed.")).to_be_visible(timeout=SLOW)
    axe(page, "partner referral (completed)")
    referral.refresh_from_db()
    assert referral.status == "completed"
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    # 8. The check-back falls due; the patient answers through the single-use link.
    Referral.objects.filter(pk=referral.pk).update(accepted_at=timezone.now() - timedelta(days=8))
    messaging.outbox.clear()
    assert services.send_due_checkbacks() == {"sms": 1}
    link = re.search(r"https?://\S+/r/\S+/", messaging.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Did you get help from Despensa del Barrio?")).to_be_visible(timeout=SLOW)
    axe(page, "check-back")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=SLOW)
    axe(page, "check-back answered")

    # 9. The worker sees "Need met" on the referral.
    login(page, alice)
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    expect(page.locator("dl.facts strong")).to_have_text("Need met", timeout=SLOW)
    axe(page, "referral with outcome")
