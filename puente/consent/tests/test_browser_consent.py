"""Browser: record a consent signed on screen — draw the signature with the mouse on the canvas, save, and see
the stored signature on the consent list; the typed-name alternative is labelled. axe-core on each page.

Run: PUENTE_MODE=test .venv/bin/python -m pytest puente/consent/tests/test_browser_consent.py
"""

import pytest
from playwright.sync_api import expect

from puente.accounts.models import Organization
from puente.consent.models import ConsentDocument
from puente.core.testing import make_episode, make_org, make_patient, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_draw_a_signature_save_and_see_it(page, live_server, login, axe):
    org = make_org()
    make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
    alice = make_user(org, name="Alice Worker")
    team = make_team(org, "Hospital Social Work", members=[alice])
    patient = make_patient(org, "Lucía", "Montoya")
    make_episode(patient, team=team, worker=alice)

    login(page, alice)
    page.goto(f"{live_server.url}/patients/{patient.pk}/consents/new/")
    page.get_by_role("combobox", name="Partner organization").select_option(label="Roadrunner Food Bank")
    page.get_by_label("Purpose").fill("Help with food")
    page.get_by_role("radio", name="Written signature on screen").check()
    # Only the chosen method's fields are shown; the typed name is the labelled alternative to drawing.
    expect(page.get_by_label("Witness (for verbal consent)")).to_be_hidden()
    expect(page.get_by_label("Or type the signer's full name (for keyboard and screen reader users)")).to_be_visible()
    canvas = page.get_by_role("img", name="Signature box")
    expect(canvas).to_be_visible()
    axe(page, "record a consent (signature pad)")

    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 20, y + box["height"] * 0.7)
    page.mouse.down()
    for i in range(1, 30):
        page.mouse.move(x + 20 + i * 10, y + box["height"] * (0.7 - 0.4 * ((i % 6) / 6)), steps=2)
    page.mouse.up()
    expect(page.get_by_role("status")).to_have_text("Signed.")
    drawn = page.locator("#id_signature_image").input_value()
    assert drawn.startswith("data:image/png;base64,")

    # Clear empties it; drawing again fills it again.
    page.get_by_role("button", name="Clear the signature").click()
    assert page.locator("#id_signature_image").input_value() == ""
    expect(page.get_by_role("status")).to_have_text("The signature box is empty.")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 30)
    page.mouse.down()
    page.mouse.move(x + 250, y + 120, steps=15)
    page.mouse.move(x + 400, y + 40, steps=15)
    page.mouse.up()
    expect(page.get_by_role("status")).to_have_text("Signed.")
    assert page.locator("#id_signature_image").input_value() != drawn

    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("Consent recorded.")).to_be_visible()
    doc = ConsentDocument.objects.get(organization_id=org.pk)
    assert (doc.kind, doc.content_type) == ("signature", "image/png")
    assert bytes(doc.data).startswith(b"\x89PNG")

    signature = page.get_by_role("img", name="Signature drawn on screen")
    expect(signature).to_be_visible()
    # The image really loaded from the document view (a broken image has no natural width).
    page.wait_for_function(
        "() => { const i = document.querySelector('.consent-signature img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert signature.evaluate("i => i.naturalWidth") == 600
    axe(page, "consents with a signature")
