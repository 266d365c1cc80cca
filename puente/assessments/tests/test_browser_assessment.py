"""Browser: start a prefilled assessment, type and see it autosaved, sign it, add an addendum. axe-core on each page.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/assessments/tests/test_browser_assessment.py
"""

import re

import pytest
from playwright.sync_api import expect

from puente.assessments import services
from puente.assessments.models import Assessment
from puente.assessments.tests.util import start
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.patients.models import RelatedPerson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = make_org()
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(
        org, "Lucía", "Montoya", preferred_language="es", interpreter_needed=True, insurance="medicaid"
    )
    make_episode(patient, team=team, worker=alice)
    RelatedPerson.objects.create(
        organization=org, patient=patient, relationship="caregiver", name="Ana Montoya", relation_detail="daughter"
    )
    return alice, patient


def test_start_type_autosave_and_sign(page, live_server, world, login, axe):
    alice, patient = world
    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Assessments").click()
    expect(page.get_by_role("heading", name="Biopsychosocial assessments")).to_be_visible()
    expect(page.get_by_text("No assessments yet.")).to_be_visible()
    axe(page, "assessment list (empty)")

    page.get_by_role("link", name="Start an assessment").click()
    expect(page.get_by_role("heading", name="Start a biopsychosocial assessment")).to_be_visible()
    expect(page.get_by_role("radio", name="Hospital")).to_be_checked()  # the active episode is inpatient
    axe(page, "start an assessment")
    page.get_by_role("radio", name="By video (telehealth psychosocial assessment)").check()
    page.get_by_role("button", name="Start the draft").click()

    expect(page.get_by_role("heading", name="Biopsychosocial assessment: Hospital")).to_be_visible()
    expect(page.get_by_label("Family, supports and caregivers")).to_have_value(
        re.compile(r"Caregiver: Ana Montoya \(daughter\)")
    )
    expect(page.get_by_label("Finances, work and insurance")).to_have_value(re.compile("Turquoise Care"))
    expect(page.locator("#section-family_supports").get_by_text("Prefilled from the record")).to_be_visible()
    axe(page, "assessment draft")

    # Typing is saved a moment later without leaving the page.
    page.get_by_label("Coping and strengths").press_sequentially("Close to her church.")
    status = page.get_by_role("status").filter(has_text=re.compile("Saved at|saved automatically"))
    expect(status).to_contain_text(re.compile(r"Saved at \d\d:\d\d"), timeout=10_000)
    assessment = Assessment.objects.get(patient=patient)
    assert assessment.sections["coping_strengths"] == "Close to her church."
    assert assessment.version == 2
    expect(page.locator("#id_version")).to_have_value("2")  # the form now carries the saved version
    axe(page, "assessment draft after autosave")

    # Signing sends the whole form: what was typed since the last autosave is saved with it.
    page.get_by_label("Formulation", exact=True).fill("Isolated after a new diagnosis; strong faith community.")
    page.get_by_label("Plan", exact=True).fill("Home health referral; follow-up call in 48 hours.")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Assessment signed and locked.")).to_be_visible()
    expect(page.get_by_role("heading", name="Plan")).to_be_visible()
    expect(page.get_by_text("Home health referral; follow-up call in 48 hours.")).to_be_visible()
    axe(page, "signed assessment")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.mode, assessment.signed_by_id) == ("signed", "video", alice.pk)

    page.get_by_label("Addendum").fill("Daughter will stay with her for two weeks.")
    page.get_by_role("button", name="Add the addendum").click()
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    expect(page.get_by_text("Daughter will stay with her for two weeks.")).to_be_visible()
    axe(page, "signed assessment with addendum")

    page.get_by_role("link", name="All assessments").click()
    expect(page.get_by_role("table", name="Assessments, newest first")).to_contain_text("Signed")
    axe(page, "assessment list")


def test_offline_and_concurrent_edits_lose_nothing(page, live_server, world, login, axe):
    alice, patient = world
    bob = make_user(patient.organization, name="Bob Teammate")
    assessment = start(patient, alice)
    login(page, alice)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/edit/")
    status = page.locator("#autosave-status")

    # No connection: the page says so and keeps the text; the Save button saves it once back online.
    page.context.set_offline(True)
    page.get_by_label("Housing").press_sequentially("Lives alone.")
    expect(status).to_contain_text("no connection", timeout=10_000)
    page.context.set_offline(False)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.sections["housing"] == "Lives alone."

    # Bob saves the same draft meanwhile: Alice's autosave is refused, and saving shows both texts to merge.
    services.save_assessment_draft(
        None, assessment, {"plan": "Bob: SNF placement."}, version=assessment.version, user=bob
    )
    page.get_by_label("Plan", exact=True).press_sequentially("Alice: home with home health.")
    expect(status).to_contain_text("Not saved: Bob Teammate saved this assessment", timeout=10_000)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Merge the two, then save again.")
    expect(page.get_by_label("Plan", exact=True)).to_have_value("Alice: home with home health.")
    expect(page.locator("#section-plan details")).to_contain_text("Bob: SNF placement.")
    axe(page, "assessment edit conflict")
    page.get_by_label("Plan", exact=True).fill("SNF placement; home health as a fallback.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assessment.refresh_from_db()
    assert assessment.sections["plan"] == "SNF placement; home health as a fallback."
