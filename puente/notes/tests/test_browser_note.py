"""Browser: write a note, see it autosaved, insert a phrase, sign it. axe-core on each page.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/notes/tests/test_browser_note.py
"""

import re

import pytest
from playwright.sync_api import expect

from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.notes import services
from puente.notes.models import ProgressNote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_autosave_and_sign(page, live_server, login, axe):
    org = make_org()
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya")
    make_episode(patient, team=team, worker=alice)
    services.create_phrase(None, ".hv", "Home visit completed.", user=alice)
    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Notes").click()
    expect(page.get_by_text("No progress notes yet.")).to_be_visible()
    axe(page, "note list (empty)")

    page.get_by_role("link", name="Write a note").click()
    page.get_by_role("radio", name="SOAP (Subjective, Objective, Assessment, Plan)").check()
    axe(page, "start a note")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", name=re.compile("Progress note: SOAP"))).to_be_visible()
    axe(page, "note draft")

    page.get_by_label("Subjective").press_sequentially("Feels safer at home.")
    expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"), timeout=10_000)
    note = ProgressNote.objects.get(patient=patient)
    assert note.sections["subjective"] == "Feels safer at home."
    expect(page.locator("#id_version")).to_have_value("2")

    page.get_by_label("Objective").click()
    page.get_by_role("button", name="Insert at the cursor").click()
    expect(page.get_by_label("Objective")).to_have_value("Home visit completed.")
    assessment = page.get_by_label("Assessment")
    assessment.click()
    assessment.press_sequentially("Stable. .hv Next")  # a shortcut and a space expand to the phrase
    expect(assessment).to_have_value("Stable. Home visit completed. Next")
    page.get_by_label("Plan", exact=True).fill("Call in one week.")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Note signed and locked.")).to_be_visible()
    expect(page.get_by_text("Call in one week.")).to_be_visible()
    axe(page, "signed note")
    note.refresh_from_db()
    assert (note.status, note.sections["objective"]) == ("signed", "Home visit completed.")
