"""Browser: the patient's self-screening in Spanish on a phone, and a staff PHQ-9 that raises an alert.
axe-core on every page."""

import pytest
from django.test import RequestFactory
from playwright.sync_api import expect

from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.screening import services
from puente.screening.models import CrisisAlert, ScreeningResponse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world():
    org = make_org()
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya", preferred_language="es")
    make_episode(patient, team=team, worker=alice)
    return alice, patient


def test_self_screening_in_spanish_on_a_phone(page, live_server, world, axe):
    alice, patient = world
    request = RequestFactory().post("/")
    request.user = alice
    _link, token = services.create_self_screening_link(request, patient, ["phq2", "hvs"], language="es")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/s/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lucía")
    expect(page.locator("body")).not_to_contain_text("Montoya")
    axe(page, "self-screening form (es, phone)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 2
    page.get_by_label("Varios días").first.check()
    page.locator('input[name="phq2-q:44255-8"][value="LA6568-5"]').check()
    page.locator('input[name="hvs-q:88122-7"][value="LA28397-0"]').check()
    page.locator('input[name="hvs-q:88123-5"][value="LA28398-8"]').check()
    page.locator('button[value="finish"]').click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    axe(page, "self-screening done (es)")
    responses = ScreeningResponse.objects.filter(patient=patient)
    assert {r.instrument_id for r in responses} == {"phq2", "hvs"}
    assert all(r.mode == "self" for r in responses)
    page.goto(f"{live_server.url}/s/{token}/")
    axe(page, "self-screening used link")


def test_staff_phq9_with_item9_shows_the_crisis_banner(page, live_server, world, axe, login):
    alice, patient = world
    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/screenings/")
    axe(page, "screening index")
    page.goto(f"{live_server.url}/patients/{patient.pk}/screenings/new/phq9/?lang=en")
    axe(page, "phq9 form")
    for i, code in enumerate(["44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3"]):
        page.locator(f'input[name="q:{code}"][value="LA6568-5"]').check()
    page.locator('input[name="q:44260-8"][value="LA6569-3"]').check()
    page.get_by_role("button", name="Save and score").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_contain_text("Crisis alert")
    axe(page, "phq9 result with alert")
    assert CrisisAlert.objects.filter(patient=patient, status="open").count() == 1
    page.get_by_role("link", name="Document the action").first.click()
    page.wait_for_load_state()
    axe(page, "resolve alert")
