"""Browser: an administrator finds an unmapped taxonomy term, maps it to an SDOH category in place (htmx), sees a
refusal, removes a category, and the directory search by that need then finds the service. axe-core on each page.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/directory/tests/test_browser_bridge.py
"""

import pytest
from playwright.sync_api import expect

from puente.accounts.models import Role
from puente.core.testing import make_org, make_user
from puente.directory.models import Taxonomy, TaxonomyBridge, TaxonomyTerm

from .helpers import make_listing, make_term

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_maps_a_term_and_search_follows(page, live_server, login, axe):
    ada = make_user(make_org(), Role.ADMIN, name="Ada Admin")
    airs = Taxonomy.objects.create(name="AIRS/211 LA", description="AIRS")
    pantry = TaxonomyTerm.objects.create(
        name="Food Pantries", code="BD-1875.2000", description="Food pantries", taxonomy_detail=airs
    )
    rent = make_term("Rent Payment Assistance", "housing-instability", "stress")
    make_listing("Westside Food Pantry", terms=[pantry])
    make_listing("Rent Help", terms=[rent])

    login(page, ada)
    page.goto(f"{live_server.url}/directory/curation/")
    page.get_by_role("link", name="SDOH categories of taxonomy terms").click()
    expect(page.get_by_role("heading", level=1, name="SDOH categories of taxonomy terms")).to_be_visible()
    expect(page.get_by_role("heading", name="2 taxonomy terms")).to_be_visible()
    axe(page, "taxonomy bridge editor")

    page.get_by_label("Only terms used by services and bridged to no category").check()
    page.get_by_role("button", name="Show terms").click()
    expect(page.get_by_role("heading", name="1 taxonomy term")).to_be_visible()
    row = page.locator(f"#term-{pantry.pk}")
    expect(row).to_contain_text("No category")

    # An empty choice is refused in place, with the reason.
    row.get_by_role("button", name="Add a category to Food Pantries").click()
    expect(page.locator(f"#term-{pantry.pk}").get_by_role("alert")).to_have_text(
        "Choose an SDOH category from the list."
    )
    axe(page, "taxonomy bridge editor with an error")

    page.get_by_label("SDOH category to add to Food Pantries").select_option("food-insecurity")
    page.get_by_role("button", name="Add a category to Food Pantries").click()
    row = page.locator(f"#term-{pantry.pk}")
    expect(row.get_by_role("status")).to_have_text("Food Pantries now maps to Food insecurity.")
    expect(row.locator(".badge")).to_have_text(["Food insecurity"])
    assert TaxonomyBridge.objects.filter(taxonomy_term=pantry, sdoh_category="food-insecurity").exists()
    axe(page, "taxonomy bridge editor after a change")

    page.get_by_label("Only terms used by services and bridged to no category").uncheck()
    page.get_by_role("button", name="Show terms").click()
    expect(page.get_by_role("heading", name="2 taxonomy terms")).to_be_visible()
    page.get_by_role("button", name="Remove Stress from Rent Payment Assistance").click()
    expect(page.locator(f"#term-{rent.pk}").get_by_role("status")).to_have_text(
        "Rent Payment Assistance no longer maps to Stress."
    )
    expect(page.locator(f"#term-{rent.pk} .badge")).to_have_text(["Housing instability"])

    page.goto(f"{live_server.url}/directory/")
    page.get_by_label("Need").select_option("food-insecurity")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 service found")).to_be_visible()
    expect(page.locator("article.service-card h3")).to_have_text(["Westside Food Pantry"])
