"""Browser: a social worker's day, end to end, in real Chromium with axe-core on every page.

Open the dashboard (caseload, tasks), take a new referral from the queue, start the timer on the patient, write and
sign a note while it runs, stop the timer and find the minutes in the month's roll-up.
Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/core/tests/test_browser_workers_day.py
"""

import re

import pytest
from playwright.sync_api import expect

from puente.core.testing import make_episode, make_org, make_patient, make_sw_referral, make_team, make_user
from puente.episodes.models import SocialWorkReferral
from puente.notes.models import ProgressNote
from puente.timekeeping.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_workers_day(page, live_server, login, axe):
    org = make_org("Mesa Home Health & Hospice")
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospice Social Work", members=[alice])
    known = make_patient(org, "Lucía", "Montoya")
    make_episode(known, team=team, worker=alice, setting="hospice")
    new = make_patient(org, "José", "García")
    make_episode(new, team=team, setting="hospice")
    referral = make_sw_referral(new, team=team, hours_ago=3)

    # Morning: the dashboard shows her caseload and the waiting referral.
    login(page, alice)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
    expect(page.get_by_role("link", name="Lucía Montoya").first).to_be_visible()
    axe(page, "dashboard")

    # Take the new referral from the queue.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referral queue").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="José García"))
    row.get_by_role("button", name="Take José García").click()
    expect(page.get_by_text("You took the referral for José García.")).to_be_visible()
    axe(page, "queue after taking")
    referral.refresh_from_db()
    assert (referral.assigned_to_id, referral.status) == (alice.pk, SocialWorkReferral.Status.ASSIGNED)

    # The home visit: timer on, then the note, written and signed while the timer runs.
    page.goto(f"{live_server.url}/patients/{new.pk}/")
    record = page.get_by_role("navigation", name="Patient record")
    record.get_by_role("link", name="Time", exact=True).click()
    page.get_by_label("Activity").first.select_option("home_visit")
    page.get_by_role("button", name="Start the timer").click()
    expect(page.get_by_role("button", name="Stop the timer")).to_be_visible()
    axe(page, "timer running")

    record.get_by_role("link", name="Notes").click()
    page.get_by_role("link", name="Write a note").click()
    page.get_by_role("radio", name=re.compile(r"^DAP")).check()
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_role("heading", name=re.compile("Progress note: DAP"))).to_be_visible()
    page.get_by_label("Data").fill("Home visit with José and his daughter; food is short this month.")
    page.get_by_label("Assessment").fill("Food insecurity; family engaged.")
    page.get_by_label("Plan").fill("Refer to the food pantry; call Friday.")
    axe(page, "note draft")
    page.get_by_role("button", name="Sign and lock").click()
    expect(page.get_by_text("Note signed and locked.")).to_be_visible()
    note = ProgressNote.objects.get(organization_id=org.id, patient=new)
    assert note.status == "signed" and note.author_id == alice.pk

    # Back to the time page: the timer is still running across pages; stop it and see the roll-up.
    page.goto(f"{live_server.url}/patients/{new.pk}/")
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Time", exact=True).click()
    page.get_by_role("button", name="Stop the timer").click()
    expect(page.get_by_text(re.compile(r"Timer stopped: \d+ min recorded"))).to_be_visible()
    entry = TimeEntry.objects.get(organization_id=org.id, worker=alice, patient=new)
    assert entry.activity == "home_visit" and entry.minutes >= 1
    expect(page.get_by_text(re.compile(rf"\b{entry.minutes} min\b")).first).to_be_visible()
    axe(page, "time page with the visit")
