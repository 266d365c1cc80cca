"""Browser: build a care plan with the in-place (htmx) forms: a concern, a goal in the patient's words, an
intervention, a review; edit the goal. axe-core on the page and on an open form.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/careplans/tests/test_browser_careplan.py
"""

import re

import pytest
from playwright.sync_api import expect

from puente.careplans.models import Goal, Intervention, PlanReview
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.screening.models import HealthConcern

# The machine is shared: give a save and the page it answers with time before calling it lost.
SLOW = 15_000

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_build_and_edit_a_care_plan(page, live_server, login, axe):
    org = make_org()
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya")
    make_episode(patient, team=team, worker=alice)
    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Care plan").click()
    expect(page.get_by_text("No concerns on the care plan yet.")).to_be_visible(timeout=SLOW)
    axe(page, "care plan (empty)")

    page.get_by_role("link", name="Add a concern").click()
    form = page.get_by_role("form", name="Add a concern")
    expect(form).to_be_visible()
    expect(page.get_by_label("Social need (SDOH category)")).to_be_focused()
    axe(page, "add a concern (in place)")
    page.get_by_label("Social need (SDOH category)").select_option("food-insecurity")
    page.get_by_label("ICD-10-CM Z code").fill("Z59.41")
    page.get_by_label("Priority").select_option("high")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Concern added.")).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("heading", name="Food insecurity")).to_be_visible()
    concern = HealthConcern.objects.get(patient=patient)
    assert (concern.status, concern.priority, concern.icd10_code) == ("active", "high", "Z59.41")

    page.get_by_role("link", name=re.compile(r"^Add a goal\W+Food insecurity$")).click()
    # htmx moves focus into a form it placed when it settles; typing before that races the settle.
    expect(page.get_by_label("For which need")).to_be_focused()
    page.get_by_label("Goal, in the patient's own words").fill("Quiero comida en casa cada semana")
    page.get_by_role("form", name="Add a goal").get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Goal: “Quiero comida en casa cada semana”")).to_be_visible()
    goal = Goal.objects.get(patient=patient)

    page.get_by_role("link", name="Add an intervention").click()
    expect(page.get_by_label("Type")).to_be_focused()
    page.get_by_label("Type").select_option("benefit_application")
    page.get_by_label("What will be done").fill("Help apply for SNAP")
    page.get_by_label("Who").select_option(label="Alice Worker")
    page.get_by_role("form", name="Add an intervention").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Help apply for SNAP")).to_be_visible()
    assert Intervention.objects.get(goal=goal).assignee == alice

    page.get_by_role("link", name="Edit the goal").click()
    edit = page.get_by_role("form", name="Edit the goal")
    expect(edit.get_by_label("Goal, in the patient's own words")).to_be_focused()
    edit.get_by_label("Status").select_option("achieved")
    axe(page, "edit a goal (in place)")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Goal saved.")).to_be_visible(timeout=SLOW)
    goal.refresh_from_db()
    assert (goal.status, goal.version) == ("achieved", 2)

    page.get_by_role("link", name="Record a plan review").click()
    expect(page.get_by_label("Review date")).to_be_focused()
    page.get_by_label("Summary").fill("SNAP approved; goal reached.")
    page.get_by_role("form", name="Record a plan review").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Plan review recorded.")).to_be_visible(timeout=SLOW)
    assert PlanReview.objects.filter(patient=patient).count() == 1
    axe(page, "care plan (filled)")

    # The narrow phone layout keeps every part readable.
    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.get_by_role("heading", name="Plan reviews")).to_be_visible()
    axe(page, "care plan (phone)")
