"""Browser: search the directory by need and ZIP, filter by language, report wrong information from a result,
see the listing. axe-core on each page.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/directory/tests/test_browser_directory.py
"""

import pytest
from playwright.sync_api import expect

from puente.core.testing import make_org, make_user
from puente.directory.models import ListingReport

from .helpers import make_listing, make_term
from .test_search import north

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_filter_and_open_a_listing(page, live_server, login, axe):
    alice = make_user(make_org(), name="Alice Worker")
    food = make_term("Food pantries", "food-insecurity")
    make_listing("Westside Food Pantry", site=north(2), terms=[food], languages=[("es", "Spanish")])
    make_listing("Northside Pantry", site=north(9), terms=[food], languages=[("en", "English")])
    login(page, alice)
    page.goto(f"{live_server.url}/directory/")
    expect(page.get_by_role("heading", name="Community resources")).to_be_visible()
    axe(page, "directory search (empty)")

    page.get_by_label("Need").select_option("food-insecurity")
    page.get_by_label("ZIP code").fill("87102")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="2 services found")).to_be_visible()
    cards = page.locator("article.service-card h3")
    expect(cards).to_have_text(["Westside Food Pantry", "Northside Pantry"])
    axe(page, "directory results")

    page.get_by_label("Language spoken").select_option("es")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 service found")).to_be_visible()
    page.get_by_role("link", name="Report wrong information Westside Food Pantry").click()
    expect(page.get_by_role("heading", level=1, name="Report wrong information")).to_be_visible()
    axe(page, "report wrong information")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Choose what is wrong.")).to_be_visible()
    page.get_by_label("Hours are wrong").check()
    page.get_by_label("Details").fill("Now closed on Wednesdays.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("Thank you. The listing's curators will check it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Westside Food Pantry")).to_be_visible()
    axe(page, "service detail")
    report = ListingReport.objects.get()
    assert (report.reason, report.details, report.reported_by_id) == ("hours", "Now closed on Wednesdays.", alice.pk)


def test_a_curator_edits_a_listing(page, live_server, login, axe):
    from puente.accounts.models import Organization, Role

    partner = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
    pat = make_user(partner, Role.PARTNER, name="Pat Partner")
    listing = make_listing("Westside Food Pantry", site=north(2), curated_by=partner, languages=["en"])
    login(page, pat)
    page.goto(f"{live_server.url}/directory/services/{listing.pk}/")
    page.get_by_role("link", name="Edit this listing").click()
    expect(page.get_by_role("heading", level=1, name="Edit Westside Food Pantry")).to_be_visible()
    axe(page, "edit listing")
    page.get_by_label("Description (Spanish)").fill("Comestibles cada semana.")
    page.get_by_label("Phone").fill("call us")
    page.get_by_role("button", name="Save the listing").click()
    expect(page.get_by_text("Enter a phone number")).to_be_visible()
    expect(page.get_by_label("Description (Spanish)")).to_have_value("Comestibles cada semana.")
    axe(page, "edit listing with errors")
    page.get_by_label("Phone").fill("505-555-0142")
    page.get_by_role("button", name="Save the listing").click()
    expect(page.get_by_text("Listing updated.")).to_be_visible()
    expect(page.get_by_role("link", name="505-555-0142").first).to_be_visible()
