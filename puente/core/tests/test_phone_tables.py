"""On a phone the tables stack into cards; every cell then names its column (data-label + CSS)."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from puente.audit.services import record_event
from puente.core.testing import PersonaTestCase, make_sw_referral
from puente.patients.models import PatientIdentifier

CSS = Path(settings.BASE_DIR) / "static" / "css" / "puente.css"


class _Cells(HTMLParser):
    """Every <td> of a `table.list` body: (data-label or None, colspan or None)."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside table.list
        self.cells: list[tuple[str | None, str | None]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "list" in (a.get("class") or "").split():
            self.depth += 1
        elif tag == "td" and self.depth:
            self.cells.append((a.get("data-label"), a.get("colspan")))

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1


def cells(html: str):
    parser = _Cells()
    parser.feed(html)
    return parser.cells


class StackedCellsNameTheirColumn(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        PatientIdentifier.objects.create(organization=cls.org, patient=cls.patient, facility="SG", value="1")
        make_sw_referral(cls.patient, team=cls.team, assigned_to=cls.sam)
        record_event(None, "read", obj=cls.patient, patient_id=cls.patient.pk, user=cls.alice)

    def test_every_data_cell_has_a_label(self):
        self.client.force_login(self.sam)
        pk = self.patient.pk
        for url in [
            reverse("episodes:queue"),
            reverse("patients:list"),
            reverse("patients:detail", args=[pk]),
            reverse("patients:history", args=[pk]),
            reverse("patients:access_log", args=[pk]),
            reverse("audit:list"),
        ]:
            with self.subTest(url=url):
                found = cells(self.client.get(url).content.decode())
                data = [label for label, colspan in found if colspan is None]
                self.assertTrue(data, "the page shows at least one row")
                self.assertNotIn(None, data)
                self.assertNotIn("", data)

    def test_the_labels_follow_the_language(self):
        self.client.force_login(self.sam)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        labels = {label for label, _ in cells(self.client.get(reverse("episodes:queue")).content.decode())}
        self.assertLessEqual({"Patient", "Priority", "Hours waiting", "Assigned to", "Actions"}, labels)

    def test_the_small_screen_css_shows_the_label_before_each_cell(self):
        css = CSS.read_text()
        block = css[css.index("@media (max-width: 40rem)") :]
        block = block[: block.index("\n}\n")]
        self.assertRegex(block, r"td\[data-label\]::before\s*\{[^}]*content:\s*attr\(data-label\)")
        rule = re.search(r"td\[data-label\]::before\s*\{([^}]*)\}", block)[1]
        self.assertIn("color: var(--muted)", rule)  # #4a4a4a on white: 8.9:1, above AA's 4.5:1
