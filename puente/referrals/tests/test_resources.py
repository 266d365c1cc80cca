"""Community resources for a patient: the search prefilled from the record (home ZIP, open needs, language), a
"refer" link per result that preselects the service and the matching concerns, who may use it, a confidential
address never printed, one audit read per page and a constant query count."""

from urllib.parse import parse_qs, urlsplit

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_episode, make_patient, make_team
from puente.directory.tests.helpers import make_listing as make_service
from puente.directory.tests.helpers import make_term
from puente.referrals import services
from puente.referrals.tests.util import make_concern
from puente.screening.models import HealthConcern

WRITERS = ["alice", "bob", "sam"]
NO_PATIENT = ["charlie", "ada", "pat", "olga"]
READ_ONLY_ROLES = ["carol", "ian"]
NEAR = (35.09, -106.65)  # about a mile from ZIP 87102's centre (Albuquerque)
FAR = (35.687, -105.9378)  # Santa Fe, about 55 miles away


class ResourceSearch(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.patient.postal_code = "87102"
        cls.patient.preferred_language = "es"
        cls.patient.save()
        cls.food = make_concern(cls.patient, "food-insecurity")
        cls.housing = make_concern(cls.patient, "housing-instability")
        cls.resolved = make_concern(cls.patient, "transportation-insecurity")
        HealthConcern.objects.filter(pk=cls.housing.pk).update(status="suggested")
        HealthConcern.objects.filter(pk=cls.resolved.pk).update(status="resolved")
        cls.food_term = make_term("Food pantries", "food-insecurity")
        cls.housing_term = make_term("Rent assistance", "housing-instability")
        cls.legal_term = make_term("Legal aid", "material-hardship")
        cls.pantry = make_service(
            "Despensa del Barrio",
            site=NEAR,
            languages=["es"],
            terms=[cls.food_term],
            curated_by=cls.partner_org,
            phone="505-555-0111",
        )
        cls.no_partner = make_service(
            "Iglesia food closet", site=NEAR, languages=["es"], terms=[cls.food_term], phone="505-555-0122"
        )
        cls.english_only = make_service("English pantry", site=NEAR, languages=["en"], terms=[cls.food_term])
        cls.far = make_service("Santa Fe pantry", site=FAR, languages=["es"], terms=[cls.food_term])
        cls.rides = make_service(
            "Ride line", site=NEAR, languages=["es"], terms=[make_term("Rides", "transportation-insecurity")]
        )
        cls.legal = make_service("Legal aid clinic", site=NEAR, languages=["es"], terms=[cls.legal_term])
        cls.url = reverse("referrals:resources", args=[cls.patient.pk])

    def get(self, persona="alice", url=None, data=None, **extra):
        self.client.force_login(getattr(self, persona))
        return self.client.get(url or self.url, data or {}, **extra)

    def names(self, page):
        return {r.service.name for r, _action in page.context["rows"]}

    def action_for(self, page, service):
        return next(action for r, action in page.context["rows"] if r.service.pk == service.pk)

    def test_it_prefills_from_the_patient(self):
        page = self.get()
        self.assertEqual(page.status_code, 200)
        form = page.context["form"]
        self.assertEqual(form.cleaned_data["zip"], "87102")
        self.assertEqual(form.cleaned_data["radius"], "15")
        self.assertEqual(form.cleaned_data["language"], "es")
        self.assertEqual(set(form.cleaned_data["need"]), {"food-insecurity", "housing-instability"})
        self.assertContains(page, 'value="87102"')
        self.assertContains(page, "Filled in from the patient's record")
        # Spanish, within 15 miles, addressing an open need: the resolved transport need is not searched.
        self.assertEqual(self.names(page), {"Despensa del Barrio", "Iglesia food closet"})

    def test_the_worker_can_change_every_filter(self):
        page = self.get(data={"zip": "87102", "radius": "any", "language": "", "need": ["material-hardship"]})
        self.assertEqual(self.names(page), {"Legal aid clinic"})
        page = self.get(data={"zip": "87102", "radius": "any", "language": "", "need": ["food-insecurity"]})
        self.assertEqual(
            self.names(page), {"Despensa del Barrio", "Iglesia food closet", "English pantry", "Santa Fe pantry"}
        )
        page = self.get(data={"zip": "", "radius": "15", "language": "es", "q": "ride"})
        self.assertEqual(self.names(page), {"Ride line"})
        self.assertFalse(page.context["prefilled"])

    def test_bad_input_is_refused_and_kept(self):
        page = self.get(data={"zip": "00000", "radius": "15", "q": "despensa", "need": ["food-insecurity"]})
        self.assertContains(page, "is not a ZIP code we know")
        self.assertContains(page, 'value="despensa"')
        self.assertContains(page, 'value="00000"')
        self.assertIsNone(page.context["page"])
        page = self.get(data={"need": ["not-a-need"]})
        self.assertContains(page, "Select a valid choice")

    def test_the_refer_link_preselects_the_service_and_the_matching_concern(self):
        page = self.get()
        action = self.action_for(page, self.pantry)
        sal = self.pantry.service_at_locations.get()
        query = parse_qs(urlsplit(action.url).query)
        self.assertEqual(urlsplit(action.url).path, reverse("referrals:new", args=[self.patient.pk]))
        self.assertEqual(query, {"service": [str(sal.pk)], "concern": [str(self.food.pk)]})
        self.assertContains(page, "Refer María García to this service")
        self.assertContains(page, action.url.replace("&", "&amp;"))
        form_page = self.get(url=action.url)
        form = form_page.context["form"]
        self.assertEqual(form.initial, {"service_at_location": sal.pk, "concerns": [self.food.pk]})
        self.assertContains(form_page, f'<option value="{sal.pk}" selected>')
        self.assertContains(form_page, f'value="{self.food.pk}" id="id_concerns_0" checked')
        self.assertNotContains(form_page, f'value="{self.housing.pk}" id="id_concerns_1" checked')
        self.assertContains(form_page, "The service you chose in the search is selected below")

    def test_a_service_without_a_partner_account_gets_no_refer_link(self):
        page = self.get()
        action = self.action_for(page, self.no_partner)
        self.assertEqual((action.url, action.problem), ("", "no_partner"))
        html = page.content.decode()
        card = html[html.index("Iglesia food closet") :]
        card = card[: card.index("</article>")]
        self.assertIn("No partner account: call them", card)
        self.assertIn("505-555-0122", card)
        self.assertNotIn("Refer María García", card)
        # The same rule as the referral form's: a link exactly where partner_org_for names a partner.
        for r, action in page.context["rows"]:
            with self.subTest(service=r.service.name):
                sal = r.service.service_at_locations.get()
                self.assertEqual(bool(action.url), services.partner_org_for(sal) is not None)

    def test_a_service_without_a_location_cannot_be_referred_to(self):
        make_service("Phone-only food line", languages=["es"], terms=[self.food_term], curated_by=self.partner_org)
        page = self.get(data={"zip": "", "radius": "15", "language": "es", "need": ["food-insecurity"]})
        action = next(a for r, a in page.context["rows"] if r.service.name == "Phone-only food line")
        self.assertEqual((action.url, action.problem), ("", "no_site"))
        self.assertContains(page, "No location to refer to: call them")

    def test_without_a_need_the_link_preselects_every_concern_the_service_addresses(self):
        both = make_service(
            "Casa de todos",
            site=NEAR,
            languages=["es"],
            terms=[self.food_term, self.housing_term],
            curated_by=self.partner_org,
        )
        page = self.get(data={"zip": "87102", "radius": "15", "language": "es"})
        self.assertEqual({c.pk for c in self.action_for(page, both).concerns}, {self.food.pk, self.housing.pk})
        page = self.get(data={"zip": "87102", "radius": "15", "language": "es", "need": ["housing-instability"]})
        self.assertEqual([c.pk for c in self.action_for(page, both).concerns], [self.housing.pk])

    def test_the_referral_form_rechecks_what_the_link_says(self):
        lonely = self.no_partner.service_at_locations.get()
        other = make_patient(self.org, "José", "Baca")
        foreign = make_concern(other)
        url = reverse("referrals:new", args=[self.patient.pk])
        for query, refused in [
            ({"service": str(lonely.pk)}, True),
            ({"service": "not-a-uuid"}, True),
            ({"service": str(self.food.pk)}, True),
        ]:
            with self.subTest(query=query):
                page = self.get(url=url, data=query)
                self.assertEqual(page.status_code, 200)
                self.assertNotIn("service_at_location", page.context["form"].initial)
                self.assertIs(page.context["preselect_refused"], refused)
                if query["service"] == str(lonely.pk):
                    # A real listing without a partner: say it can't go electronically and what to do instead.
                    self.assertContains(page, "so this referral can't be sent electronically")
                    self.assertContains(page, "Call them instead at 505-555-0122")
                else:
                    self.assertContains(page, "cannot receive referrals in Puente")
        page = self.get(url=url, data={"concern": [str(foreign.pk)]})
        self.assertEqual(page.context["form"].initial, {})
        # The plain select is still there, without the partnerless listing.
        page = self.get(url=url)
        self.assertContains(page, "Despensa del Barrio")
        self.assertNotIn(lonely, list(page.context["form"].fields["service_at_location"].queryset))
        self.assertContains(page, self.url)

    def test_who_may_search_for_a_patient(self):
        expected = {p: 200 for p in WRITERS} | {p: 404 for p in NO_PATIENT} | {p: 403 for p in READ_ONLY_ROLES}
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                self.assertEqual(self.get(persona).status_code, status)

    def test_another_organizations_patient_is_not_found(self):
        theirs = make_patient(self.other_org, "Rosa", "Elsewhere", postal_code="87102")
        make_episode(theirs, team=make_team(self.other_org, "Their team", members=[self.olga]), worker=self.olga)
        url = reverse("referrals:resources", args=[theirs.pk])
        self.assertEqual(self.get("alice", url=url).status_code, 404)
        self.assertEqual(self.get("sam", url=url).status_code, 404)
        self.assertEqual(self.get("olga", url=url).status_code, 200)
        new = reverse("referrals:new", args=[theirs.pk])
        self.assertEqual(self.get("alice", url=new, data={"service": "x"}).status_code, 404)

    def test_the_referrals_page_links_to_it(self):
        page = self.get(url=reverse("referrals:patient_list", args=[self.patient.pk]))
        self.assertContains(page, f'href="{self.url}">Find resources</a>')

    def test_a_confidential_address_is_used_but_never_printed(self):
        self.patient.address_confidential = True
        self.patient.address_line1 = "12 Hidden Canyon Rd"
        self.patient.save()
        page = self.get()
        html = page.content.decode()
        self.assertNotIn("87102", html)
        self.assertNotIn("Hidden Canyon", html)
        self.assertContains(page, "near the patient's home")
        self.assertEqual(self.names(page), {"Despensa del Barrio", "Iglesia food closet"})
        self.assertIsNotNone(page.context["rows"][0][0].distance_miles)
        # The worker's next search keeps using the home ZIP without it appearing in the URL.
        page = self.get(data={"near_home": "on", "zip": "", "radius": "15", "need": ["food-insecurity"]})
        self.assertNotIn("87102", page.content.decode())
        self.assertEqual(page.context["page"].origin.zip_code, "87102")
        # A ZIP typed by the worker wins.
        page = self.get(data={"near_home": "on", "zip": "87501", "radius": "15", "need": ["food-insecurity"]})
        self.assertEqual(self.names(page), {"Santa Fe pantry"})

    def test_a_language_the_directory_list_lacks_is_still_prefilled(self):
        self.patient.preferred_language = "kee"
        self.patient.postal_code = ""
        self.patient.save()
        page = self.get()
        self.assertEqual(page.context["form"].cleaned_data["language"], "kee")
        self.assertContains(page, "The record has no ZIP code we know")
        self.patient.preferred_language = "en"
        self.patient.save()
        self.assertEqual(self.get().context["form"].cleaned_data["language"], "")

    def test_one_audit_read_per_page(self):
        for extra in ({}, {"HTTP_HX_REQUEST": "true"}):
            with self.subTest(htmx=bool(extra)):
                before = AuditEvent.objects.filter(action="read", patient_id=self.patient.pk).count()
                page = self.get(**extra)
                self.assertEqual(page.status_code, 200)
                after = AuditEvent.objects.filter(action="read", patient_id=self.patient.pk)
                self.assertEqual(after.count(), before + 1)
                self.assertEqual(after.order_by("-at").first().detail, {"view": "resources"})
        self.assertNotContains(self.get(HTTP_HX_REQUEST="true"), "<html")

    def test_the_directory_page_itself_has_no_refer_link(self):
        page = self.get(url=reverse("directory:search"), data={"need": "food-insecurity"})
        self.assertContains(page, "Despensa del Barrio")
        self.assertNotContains(page, "Refer ")
        self.assertNotContains(page, "No partner account")

    def test_the_query_count_is_constant(self):
        counts = {}
        data = {"zip": "87102", "radius": "15", "language": "es", "need": ["food-insecurity"], "q": "bulk"}
        for n in (1, 20):
            while self._bulk_count() < n:
                i = self._bulk_count()
                make_service(
                    f"Bulk pantry {i}",
                    site=NEAR,
                    languages=["es"],
                    terms=[self.food_term],
                    curated_by=self.partner_org if i % 2 else None,
                )
            self.get(data=data)  # warm up (session, first-use lookups)
            with CaptureQueriesContext(connection) as ctx:
                page = self.get(data=data)
            self.assertEqual(len(page.context["rows"]), n)
            counts[n] = len(ctx.captured_queries)
        self.assertEqual(counts[1], counts[20])

    def _bulk_count(self):
        from puente.directory.models import Service

        return Service.objects.filter(name__startswith="Bulk pantry").count()
