"""Browser: a supervisor adds an agency template; a worker starts a note from it, then one carried forward from the
patient's last signed note. axe-core on each page, under the site's Content-Security-Policy (no script needed).

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/notes/tests/test_browser_start_from.py
"""

import re

import pytest
from playwright.sync_api import expect

from puente.accounts.models import Role
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user
from puente.notes import services
from puente.notes.models import ProgressNote
from puente.notes.tests.util import hours_ago

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_template_and_copy_forward(page, live_server, login, axe):
    org = make_org()
    alice = make_user(org, name="Alice Worker")
    sam = make_user(org, Role.SUPERVISOR, name="Sam Supervisor")
    team = make_team(org, "Hospice Social Work", supervisor=sam, members=[alice])
    patient = make_patient(org, "Lucía", "Montoya")
    make_episode(patient, team=team, worker=alice)
    earlier = services.start_note(None, patient, "dap", contact_at=hours_ago(48), user=alice)
    services.sign_note(
        None,
        earlier,
        version=1,
        sections={"data": "Tearful at bedside.", "assessment": "Anticipatory grief.", "plan": "Chaplain visit."},
        user=alice,
    )

    login(page, sam)
    page.goto(f"{live_server.url}/notes/templates/")
    expect(page.get_by_text("No templates yet.")).to_be_visible()
    axe(page, "templates (empty)")
    page.get_by_role("link", name="Add a template").click()
    page.get_by_role("radio", name="BIRP (Behavior, Intervention, Response, Plan)").check()
    axe(page, "template format")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name").fill("Crisis follow-up")
    page.get_by_label("Behavior").fill("Presented as:")
    page.get_by_label("Plan:", exact=True).fill("Safety plan reviewed.")
    axe(page, "template form")
    page.get_by_role("button", name="Add the template").click()
    expect(page.get_by_text("Template added.")).to_be_visible()
    expect(page.get_by_role("cell", name="Active")).to_be_visible()
    axe(page, "templates")
    page.get_by_role("button", name="Sign out").click()

    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/notes/new/")
    page.get_by_role("radio", name="BIRP (Behavior, Intervention, Response, Plan)").check()
    page.get_by_label("Agency template").select_option(label="Crisis follow-up (BIRP)")
    axe(page, "start a note with choices")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_text("Started from the agency template “Crisis follow-up”.")).to_be_visible()
    expect(page.get_by_label("Plan", exact=True)).to_have_value("Safety plan reviewed.")
    axe(page, "draft from a template")

    page.goto(f"{live_server.url}/patients/{patient.pk}/notes/new/")
    page.get_by_role("radio", name="DAP (Data, Assessment, Plan)").check()
    page.get_by_label("Start from an earlier note").select_option(index=1)
    page.get_by_role("button", name="Start the draft").click()
    expect(page.get_by_text(re.compile(r"Started from the note of .*; review every section\."))).to_be_visible()
    expect(page.get_by_label("Assessment")).to_have_value("Anticipatory grief.")
    expect(page.get_by_label("Data")).to_have_value("")
    axe(page, "draft carried forward")
    copied = ProgressNote.objects.get(patient=patient, format="dap", status="draft")
    assert copied.copied_from_id == earlier.pk
