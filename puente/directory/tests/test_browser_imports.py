"""Browser: an administrator uploads a small HSDS 3.0 JSON file, the import runs (at once in tests) and the status
page shows "Done", the counts and the rejected row; axe-core on each page.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/directory/tests/test_browser_imports.py
"""

import json

import pytest
from playwright.sync_api import expect

from puente.accounts.models import Role
from puente.core.testing import make_org, make_user
from puente.directory.models import DirectoryImport, Service

from .helpers import new_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_uploads_a_file_and_follows_the_import(page, live_server, login, axe, tmp_path):
    ada = make_user(make_org(), Role.ADMIN, name="Ada Admin")
    org, other = new_id(), new_id()
    pantry = {"id": new_id(), "name": "Westside Food Pantry", "status": "active", "organization_id": org}
    data = [
        {"id": org, "name": "Valle Helpline", "description": "Synthetic", "services": [pantry]},
        {"id": other, "name": "", "description": "No name: rejected"},
    ]
    upload = tmp_path / "organization_list.json"
    upload.write_text(json.dumps(data))

    login(page, ada)
    page.goto(f"{live_server.url}/directory/curation/")
    page.get_by_role("link", name="Import directory data").click()
    expect(page.get_by_role("heading", level=1, name="Import directory data")).to_be_visible()
    axe(page, "directory imports")

    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_text("Choose the file to import.")).to_be_visible()
    axe(page, "directory imports with an error")

    page.get_by_label("File to import").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("heading", level=1, name="Import of organization_list.json")).to_be_visible()
    expect(page.get_by_role("heading", name="Status: Done")).to_be_visible()
    expect(page.get_by_text("2 records created")).to_be_visible()
    expect(page.get_by_role("heading", name="1 rejected row")).to_be_visible()
    expect(page.get_by_label("Records written")).to_be_visible()
    axe(page, "directory import status")
    assert Service.objects.filter(name="Westside Food Pantry").exists()
    job = DirectoryImport.objects.get()
    assert (job.status, job.uploaded_by_id) == ("done", ada.pk)

    page.get_by_role("link", name="All imports").click()
    expect(page.get_by_role("link", name="organization_list.json")).to_be_visible()
