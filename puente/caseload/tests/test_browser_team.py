"""Browser: the supervisor's team page and the worker's caseload panel, axe-core clean; one-click assignment."""

import pytest
from playwright.sync_api import expect

from puente.accounts.models import Role
from puente.caseload.models import WorkerProfile
from puente.core.testing import make_episode, make_org, make_patient, make_sw_referral, make_team, make_user
from puente.episodes.models import SocialWorkReferral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    org = make_org()
    sam = make_user(org, Role.SUPERVISOR, name="Sam Supervisor")
    alice = make_user(org, name="Alice Worker")
    bob = make_user(org, name="Bob Bilingüe", languages_spoken="English, Spanish")
    team = make_team(org, "Hospital Social Work", supervisor=sam, members=[alice, bob])
    WorkerProfile.objects.create(organization=org, user=bob, counties="Bernalillo")
    for n in range(3):
        make_episode(make_patient(org, "Paciente", f"Número{n}"), team=team, worker=alice)
    newcomer = make_patient(org, "Lucía", "Montoya", preferred_language="es", interpreter_needed=True)
    referral = make_sw_referral(newcomer, team=team, hours_ago=30)
    return sam, alice, bob, referral


def test_supervisor_assigns_the_suggested_worker(page, live_server, world, axe, login):
    sam, alice, bob, referral = world
    login(page, sam)
    page.goto(f"{live_server.url}/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My teams")
    expect(page.get_by_text("Speaks Spanish")).to_be_visible()
    axe(page, "team page")
    page.get_by_role("button", name="Assign Lucía Montoya").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Referral assigned to Bob Bilingüe")).to_be_visible()
    axe(page, "team page after assigning")
    referral.refresh_from_db()
    assert referral.assigned_to == bob
    assert referral.status == SocialWorkReferral.Status.ASSIGNED


def test_worker_sees_why_each_patient_scores(page, live_server, world, axe, login):
    _sam, alice, _bob, _referral = world
    login(page, alice)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    # The parts that add to a score are listed on its row with their points, nothing to open.
    expect(page.get_by_text("No contact recorded yet (+5)").first).to_be_visible()
    axe(page, "dashboard with caseload")
