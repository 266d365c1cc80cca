"""End-to-end browser tests: real Chromium against the live server, with axe-core on every page visited.

Run: PUENTE_MODE=test DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python -m pytest puente/core/tests/test_browser.py
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from puente.accounts.models import Role, User
from puente.core.testing import (
    make_episode,
    make_org,
    make_patient,
    make_sw_referral,
    make_team,
    make_unit,
    make_user,
)
from puente.episodes.models import SocialWorkReferral
from puente.patients.models import Patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
SPANISH_CATALOG = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.mo"


@dataclass
class World:
    alice: User  # social worker on the patients' team
    charlie: User  # social worker on another team
    sam: User  # supervisor of alice's team
    ian: User  # intake coordinator
    jose: Patient  # on alice's team, with an open unassigned referral
    maria: Patient  # alice's own active patient
    other: Patient  # on charlie's team only
    referral: SocialWorkReferral


@pytest.fixture
def world(transactional_db) -> World:
    org = make_org()
    alice = make_user(org, name="Alice Worker")
    charlie = make_user(org, name="Charlie Otherteam")
    sam = make_user(org, Role.SUPERVISOR, name="Sam Supervisor")
    ian = make_user(org, Role.INTAKE, name="Ian Intake")
    team = make_team(org, "Hospital Social Work", supervisor=sam, members=[alice])
    hospice = make_team(org, "Hospice", members=[charlie])
    unit = make_unit(org)
    jose = make_patient(org, "José", "García", sex_at_birth="male", preferred_language="es", interpreter_needed=True)
    maria = make_patient(org, "María", "Hernández-Ortiz", birth_date=date(1942, 11, 3))
    other = make_patient(org, "Robert", "Smith", birth_date=date(1961, 2, 9), sex_at_birth="male")
    make_episode(jose, team=team, unit=unit)
    make_episode(maria, team=team, unit=unit, worker=alice)
    make_episode(other, team=hospice)
    referral = make_sw_referral(jose, team=team, hours_ago=30)
    make_sw_referral(maria, team=team, hours_ago=3, assigned_to=alice, status=SocialWorkReferral.Status.ASSIGNED)
    return World(alice, charlie, sam, ian, jose, maria, other, referral)


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def _no_horizontal_scroll(page, label: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH + 2, f"{label}: the page is {width}px wide on a {PHONE_WIDTH}px screen"


def test_login_lands_on_dashboard(page, live_server, world, login, axe):
    login(page, world.alice, check_a11y=True)

    assert _path(page) == "/dashboard/"
    expect(page).to_have_title(re.compile(r"^My work · Puente"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My work")).to_be_visible()
    mine = page.get_by_role("table", name="Referrals assigned to me")
    expect(mine.get_by_role("link", name="María Hernández-Ortiz")).to_be_visible()
    waiting = page.get_by_role("table", name="Unassigned referrals")
    expect(waiting.get_by_role("link", name="José García")).to_be_visible()
    expect(waiting.get_by_text("Overdue")).to_be_visible()  # received 30 hours ago: past the 24-hour standard
    axe(page, "dashboard")

    nav.get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    expect(page.get_by_text(world.alice.email)).to_be_visible()
    axe(page, "profile")

    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    axe(page, "password change")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    axe(page, "password change with errors")
    page.get_by_label("Old password").fill("correct horse battery")
    page.get_by_label(re.compile(r"^New password:?$")).fill("a new and long passphrase 42")
    page.get_by_label("New password confirmation").fill("a new and long passphrase 42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    axe(page, "password changed")
    page.get_by_role("link", name="Back to My account").click()

    page.get_by_role("link", name="Set it up").click()
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    axe(page, "MFA setup")


def test_switch_to_spanish(page, live_server, world, login, axe):
    login(page, world.alice)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Español").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert _path(page) == "/dashboard/", "the language switch returns to the page it was used on"
    expect(page.get_by_role("button", name="English")).to_be_visible()
    if SPANISH_CATALOG.exists():
        expect(page.get_by_role("heading", level=1)).to_have_text("Hola, Alice")
        expect(page.get_by_role("navigation").get_by_role("link", name="Mi trabajo")).to_be_visible()
    axe(page, "dashboard (es)")
    world.alice.refresh_from_db()
    assert world.alice.language == "es", "the choice is remembered on the account for the next sign-in"

    # A string Django itself translates, so this holds before Puente's own catalog exists.
    page.goto(f"{live_server.url}/patients/new/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.locator("button[type=submit].primary").click()
    expect(page.get_by_text("Este campo es obligatorio.").first).to_be_visible()
    axe(page, "new patient with errors (es)")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    if not SPANISH_CATALOG.exists():
        pytest.skip(
            f"Everything else passed; only the Puente-catalog check ('Hola, Alice', 'Mi trabajo') was skipped "
            f"because {SPANISH_CATALOG.relative_to(settings.BASE_DIR)} is not compiled yet (compilemessages)."
        )


def test_find_patient_with_live_search(page, live_server, world, login, axe):
    login(page, world.alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patients").click()
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()
    results = page.locator("#results")
    expect(results.get_by_role("link", name="García, José")).to_be_visible()
    expect(results.get_by_role("link", name="Hernández-Ortiz, María")).to_be_visible()
    axe(page, "patients list")

    # Typed without accents: htmx sends the query while typing, no Enter and no full page load.
    page.get_by_label("Name, MRN or date of birth").press_sequentially("hernandez")
    expect(results.get_by_role("link", name="García, José")).to_have_count(0)
    expect(results.get_by_role("link", name="Hernández-Ortiz, María")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/patients/\?q=hernandez$"))
    axe(page, "patients list with search results")

    results.get_by_role("link", name="Hernández-Ortiz, María").click()
    expect(page).to_have_url(re.compile(rf"/patients/{world.maria.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("María Hernández-Ortiz")
    expect(page.get_by_text("Social worker: Alice Worker")).to_be_visible()
    axe(page, "patient detail")

    page.get_by_role("link", name="Edit demographics").click()
    expect(page.get_by_role("heading", name="Edit demographics")).to_be_visible()
    expect(page.get_by_label("Legal first name")).to_have_value("María")
    axe(page, "patient edit")

    # An MRN typed wrong is corrected, then removed after a confirmation; the history keeps every step.
    page.goto(f"{live_server.url}/patients/{world.maria.pk}/identifiers/new/")
    page.get_by_label("Issuing facility").fill("Sandia General")
    page.get_by_label("MRN").fill("SG-10O1")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Edit MRN SG-10O1").click()
    expect(page.get_by_role("heading", name="Edit an MRN")).to_be_visible()
    axe(page, "edit an MRN")
    page.get_by_label("MRN").fill("SG-1001")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("MRN saved.")).to_be_visible()
    page.get_by_role("link", name="Remove MRN SG-1001").click()
    expect(page.get_by_text("Remove this MRN from the record?")).to_be_visible()
    axe(page, "remove an MRN")
    page.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("MRN removed.")).to_be_visible()
    page.get_by_role("navigation", name="Patient record").get_by_role("link", name="Record history").click()
    history = page.get_by_role("table", name="Changes to this record, newest first")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Deleted")
    expect(history).to_contain_text("SG-10O1")
    axe(page, "record history")


def test_duplicate_warning_then_create(page, live_server, world, login, axe):
    # The intake coordinator registers patients. (A social worker gets "Patient record created." and then a
    # 404: the new record is on no team or caseload yet, so they cannot open it.)
    login(page, world.ian)
    page.goto(f"{live_server.url}/patients/")
    page.get_by_role("link", name="New patient").click()
    expect(page.get_by_role("heading", name="New patient")).to_be_visible()
    axe(page, "new patient")

    page.get_by_label("Legal first name").fill("Pepe")
    page.get_by_label("Legal last name").fill("Garcia")
    page.get_by_label("Date of birth").fill("1950-05-17")
    page.get_by_label("Sex assigned at birth").select_option("male")
    page.get_by_role("button", name="Create record").click()

    warning = page.get_by_role("alert").filter(has_text="This person may already have a record")
    expect(warning).to_be_visible()
    row = warning.get_by_role("row").filter(has_text="José García")
    expect(row).to_contain_text("same date of birth")
    expect(row).to_contain_text("nickname")
    expect(page.get_by_label("Legal first name")).to_have_value("Pepe")
    assert Patient.objects.count() == 3, "nothing is created while the warning is shown"
    axe(page, "new patient with duplicate warning")

    page.get_by_label("None of these is the same person").check()
    page.get_by_role("button", name="Create new record").click()
    expect(page.get_by_text("Patient record created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pepe Garcia")
    created = Patient.objects.get(legal_given_name="Pepe")
    assert created.birth_date == date(1950, 5, 17)
    assert _path(page) == f"/patients/{created.pk}/"


def test_take_referral_from_queue(page, live_server, world, login, axe):
    login(page, world.alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referral queue").click()
    expect(page.get_by_role("heading", name="Social-work referral queue")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="José García"))
    expect(row).to_contain_text("Unassigned")
    axe(page, "referral queue")

    row.get_by_role("button", name="Take José García").click()
    expect(page.get_by_text("You took the referral for José García.")).to_be_visible()
    assert _path(page).startswith("/queue/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="José García"))
    expect(row).to_contain_text("Alice Worker")
    expect(row.get_by_role("button", name="Record first contact")).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("^Take"))).to_have_count(0)
    axe(page, "referral queue after taking")
    world.referral.refresh_from_db()
    assert world.referral.assigned_to_id == world.alice.pk
    assert world.referral.status == SocialWorkReferral.Status.ASSIGNED

    # The first contact: when (defaults to now) and how.
    when = row.get_by_label("When")
    assert when.input_value(), "the time defaults to now"
    contact_at = timezone.localtime(timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    when.fill(contact_at.strftime("%Y-%m-%dT%H:%M"))
    row.get_by_label("How").select_option(label="Phone")
    row.get_by_role("button", name="Record first contact").click()
    expect(page.get_by_text("First contact recorded.")).to_be_visible()
    world.referral.refresh_from_db()
    assert world.referral.first_contact_at == contact_at
    assert world.referral.first_contact_method == "phone"


def test_future_birth_date_shows_error_and_keeps_input(page, live_server, world, login, axe):
    login(page, world.ian)
    page.goto(f"{live_server.url}/patients/new/")
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.get_by_label("Legal first name").fill("Lucía")
    page.get_by_label("Legal last name").fill("Benavídez")
    page.get_by_label("Date of birth").fill(future)
    page.get_by_label("Sex assigned at birth").select_option("female")
    page.get_by_label("Phone").fill("505-555-0142")
    page.get_by_role("button", name="Create record").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors below.")
    birth = page.get_by_label("Date of birth")
    expect(birth).to_have_attribute("aria-invalid", "true")
    error_id = birth.get_attribute("aria-describedby") or ""
    assert error_id, "the error message is tied to the field for screen readers"
    expect(page.locator(f"#{error_id.split()[0]}")).to_contain_text("The date of birth cannot be in the future.")
    expect(page.get_by_label("Legal first name")).to_have_value("Lucía")
    expect(page.get_by_label("Legal last name")).to_have_value("Benavídez")
    expect(birth).to_have_value(future)
    expect(page.get_by_label("Sex assigned at birth")).to_have_value("female")
    expect(page.get_by_label("Phone")).to_have_value("505-555-0142")
    assert not Patient.objects.filter(legal_given_name="Lucía").exists()
    axe(page, "new patient with errors")


def test_phone_width_has_no_horizontal_scroll(browser, live_server, world, login, axe):
    context = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        login(page, world.alice)
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
        _no_horizontal_scroll(page, "dashboard")
        axe(page, "dashboard (phone)")

        page.goto(f"{live_server.url}/patients/{world.jose.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("José García")
        _no_horizontal_scroll(page, "patient detail")
        axe(page, "patient detail (phone)")

        # Stacked table cells say which column they are.
        page.goto(f"{live_server.url}/queue/")
        cell = page.locator("table.list tbody tr").first.locator("td").nth(1)
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"Priority: "', f"the stacked cell shows {label!r} before its value"
        _no_horizontal_scroll(page, "referral queue")
        axe(page, "referral queue (phone)")

        page.goto(f"{live_server.url}/patients/{world.jose.pk}/history/")
        _no_horizontal_scroll(page, "record history")
        axe(page, "record history (phone)")
    finally:
        context.close()


def test_break_the_glass_then_supervisor_reviews(browser, page, live_server, world, login, axe):
    login(page, world.charlie)  # a social worker on another team
    page.goto(f"{live_server.url}/patients/{world.jose.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")

    page.goto(f"{live_server.url}/patients/{world.jose.pk}/break-glass/")
    expect(page.get_by_role("heading", name="Emergency access (break the glass)")).to_be_visible()
    axe(page, "break the glass")

    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Why do you need this record now?")).to_have_attribute("aria-invalid", "true")
    axe(page, "break the glass with errors")

    reason = "Patient in the ED asking for me, team unreachable."
    page.get_by_label("Why do you need this record now?").fill(reason)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("José García")
    expect(page.get_by_text(re.compile(r"^Emergency access until"))).to_be_visible()

    supervisor = browser.new_context()
    try:
        sam = supervisor.new_page()
        login(sam, world.sam)
        review = sam.get_by_role("region", name="Emergency accesses to review")
        expect(review).to_contain_text(f"Charlie Otherteam → José García: “{reason}”")
        axe(sam, "dashboard with emergency accesses to review")

        sam.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
        expect(sam.get_by_role("heading", name="Audit log")).to_be_visible()
        expect(sam.get_by_role("row").filter(has_text="Break the glass")).to_contain_text(world.charlie.email)
        axe(sam, "audit log")

        sam.goto(f"{live_server.url}/patients/{world.jose.pk}/access-log/")
        expect(sam.get_by_role("heading", name="Who looked at this record", level=2)).to_be_visible()
        expect(sam.get_by_role("row").filter(has_text="Break the glass")).to_contain_text(reason)
        axe(sam, "patient access log")

        sam.goto(f"{live_server.url}/dashboard/")
        sam.get_by_role("button", name="Mark reviewed").click()
        expect(sam.get_by_text("Emergency access marked as reviewed.")).to_be_visible()
        expect(sam.get_by_role("region", name="Emergency accesses to review")).to_have_count(0)
    finally:
        supervisor.close()
