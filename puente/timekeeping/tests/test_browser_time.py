"""Browser: open a patient's time page from the record, start the timer (htmx), reload, stop it, add time by hand
and see it in the roll-up. axe-core on each state.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/timekeeping/tests/test_browser_time.py
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.timekeeping.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_timer_and_entry(page, live_server, login, axe):
    org = make_org()
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospice Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya")
    make_episode(patient, team=team, worker=alice, setting="hospice")
    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Time", exact=True).click()
    expect(page.get_by_role("heading", name="Time", exact=True)).to_be_visible()
    axe(page, "time page")

    page.get_by_label("Activity").first.select_option("phone")
    page.get_by_role("button", name="Start the timer").click()
    expect(page.get_by_role("button", name="Stop the timer")).to_be_visible()
    expect(page.locator("#timer")).to_contain_text("Phone call since")
    axe(page, "timer running")

    page.reload()  # the running timer is kept on the server
    expect(page.get_by_role("button", name="Stop the timer")).to_be_visible()
    page.get_by_role("button", name="Stop the timer").click()
    expect(page.get_by_text(re.compile(r"Timer stopped: 1 min recorded"))).to_be_visible()
    assert TimeEntry.objects.get(worker=alice).minutes == 1

    form = page.locator("form", has=page.get_by_role("button", name="Add the time"))
    form.get_by_label("Activity").select_option("home_visit")
    # Yesterday, so that the test passes at any hour (today's 00:01 is in the future just after midnight).
    form.get_by_label("Date").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    form.get_by_label("Start").fill("00:01")
    form.get_by_label("Minutes").fill("23")
    form.get_by_label("Counts toward").select_option("g0155")
    form.get_by_role("button", name="Add the time").click()
    expect(page.get_by_text("Time added: 23 min.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"23 min → 2 units"))).to_be_visible()
    axe(page, "time page with entries")
