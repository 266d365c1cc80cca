"""Browser: the worker finds "Print the patient's referral sheet (PDF)" on the referral page (axe-clean) and gets
a PDF that names the service.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/referrals/tests/test_browser_sheet.py
"""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from puente.accounts.models import Organization
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.referrals.tests.util import make_listing, make_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_worker_downloads_the_referral_sheet(page, live_server, login, axe):
    org = make_org()
    partner_org = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya")
    make_episode(patient, team=team, worker=alice)
    referral = make_referral(
        patient, alice, make_listing(partner_org, "Emergency food boxes"), "requested", patient_told="Bring your ID."
    )

    login(page, alice)
    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    link = page.get_by_role("link", name="Print the patient's referral sheet (PDF)")
    expect(link).to_be_visible()
    axe(page, "referral detail with the sheet link")
    with page.expect_download() as info:
        link.click()
    path = info.value.path()
    with open(path, "rb") as fh:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert "Emergency food boxes" in text
    assert "Bring your ID." in text
