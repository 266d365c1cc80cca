"""Browser: record a consent, preview and send a referral; the partner accepts and completes it; the patient answers
the check-back; the worker sees "Need met". axe-core on each page.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/referrals/tests/test_browser_referral.py
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from puente.accounts.models import Organization, Role
from puente.core import messaging
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.referrals import services
from puente.referrals.models import Referral
from puente.referrals.tests.util import make_concern, make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_send_accept_complete_and_check_back(page, live_server, login, axe, settings):
    settings.PUENTE_BASE_URL = live_server.url
    org = make_org()
    partner_org = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
    alice = make_user(org, name="Alice Worker")
    pat = make_user(partner_org, Role.PARTNER, name="Pat Partner")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya", phone="505-555-0101", phone_may_text=True)
    make_episode(patient, team=team, worker=alice)
    make_concern(patient)
    make_listing(partner_org, "Emergency food boxes")

    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/consents/")
    expect(page.get_by_text("No consent recorded.")).to_be_visible()
    axe(page, "consents (empty)")
    page.get_by_role("link", name="Record a consent").click()
    page.get_by_role("combobox", name="Partner organization").select_option(label="Roadrunner Food Bank")
    page.get_by_label("Purpose").fill("Help with food")
    page.get_by_role("radio", name="Verbal, with a witness").check()
    page.get_by_label("Witness (for verbal consent)").fill("Bob Teammate")
    axe(page, "record a consent")
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    axe(page, "consents")

    page.get_by_role("link", name="Referrals to partners").click()
    page.get_by_role("link", name="Make a referral").click()
    page.get_by_role("combobox", name="Service").select_option(index=1)
    page.get_by_role("checkbox", name=re.compile("Food insecurity")).check()
    page.get_by_label("Message to the partner").fill("Please call her in the morning.")
    axe(page, "make a referral")
    page.get_by_role("button", name="Preview what the partner will see").click()
    preview = page.get_by_role("region", name="What the partner will see")
    expect(preview).to_contain_text("Lucía Montoya")
    expect(preview).to_contain_text("Progress notes are never shared with partners.")
    axe(page, "referral preview")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_text("Referral sent.")).to_be_visible()
    axe(page, "referral detail")
    referral = Referral.objects.get(patient=patient)
    assert referral.status == "requested"

    page.get_by_role("button", name="Sign out").click()
    login(page, pat)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals to us").click()
    axe(page, "partner list")
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page.get_by_role("region", name="Referral details")).to_contain_text("Lucía Montoya")
    axe(page, "partner referral")
    page.get_by_role("button", name="Mark as Accepted").click()
    expect(page.get_by_text("Referral updated: Accepted.")).to_be_visible()
    page.get_by_role("button", name="Mark as Completed").click()
    expect(page.get_by_text("Referral updated: Completed.")).to_be_visible()
    axe(page, "partner referral (completed)")
    referral.refresh_from_db()
    assert referral.status == "completed"

    Referral.objects.filter(pk=referral.pk).update(accepted_at=timezone.now() - timedelta(days=8))
    messaging.outbox.clear()
    assert services.send_due_checkbacks() == {"sms": 1}
    link = re.search(r"https?://\S+/r/\S+/", messaging.outbox[-1].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", name="Did you get help from Emergency food boxes?")).to_be_visible()
    axe(page, "check-back")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    page.goto(f"{live_server.url}/partner/referrals/")
    page.get_by_role("button", name="Sign out").click()
    login(page, alice)
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    expect(page.locator("dl.facts strong")).to_have_text("Need met")
    axe(page, "referral with outcome")
