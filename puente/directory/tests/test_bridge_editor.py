"""The taxonomy bridge editor: administrators map taxonomy terms to Gravity SDOH categories (issue 4).
Who may (administrators) and who may not; the list's filters and fixed query count; adding and removing a
category (idempotent, audited, htmx row or plain redirect); and the effect on the directory search's need filter."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditAction, AuditEvent
from puente.core.testing import PersonaTestCase
from puente.directory import bridge
from puente.directory.models import Taxonomy, TaxonomyBridge, TaxonomyTerm
from puente.directory.search import SearchCriteria, search_services

from .helpers import make_listing, make_term

HTMX = {"HTTP_HX_REQUEST": "true"}


def found(need):
    return {r.service.name for r in search_services(SearchCriteria(need=need)).results}


class BridgeEditorTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.airs = Taxonomy.objects.create(name="AIRS/211 LA", description="AIRS")
        cls.oe = Taxonomy.objects.create(name="Open Eligibility", description="OE")
        cls.pantry_term = TaxonomyTerm.objects.create(
            name="Food Pantries", code="BD-1875.2000", description="Food pantries", taxonomy_detail=cls.airs
        )
        cls.rent_term = make_term("Rent Payment Assistance", "housing-instability")
        cls.rent_term.code, cls.rent_term.taxonomy_detail = "BH-3800.7000", cls.airs
        cls.rent_term.save()
        cls.unused_term = TaxonomyTerm.objects.create(
            name="Zoo Passes", code="OE-99", description="Zoo", taxonomy_detail=cls.oe
        )
        cls.closed_term = TaxonomyTerm.objects.create(
            name="Closed Thing", code="BD-0001", description="Closed", taxonomy_detail=cls.airs
        )
        cls.pantry = make_listing("Westside Food Pantry", terms=[cls.pantry_term])
        cls.kitchen = make_listing("Eastside Kitchen", terms=[cls.pantry_term])
        cls.rent = make_listing("Rent Help", terms=[cls.rent_term])
        make_listing("Gone Pantry", terms=[cls.pantry_term, cls.closed_term], active=False)

    def rows(self, response):
        return [t.name for t in response.context["page"].object_list]


class Access(BridgeEditorTestCase):
    def test_it_lets_only_administrators_in(self):
        pk = self.pantry_term.pk
        for user in (self.alice, self.sam, self.ian, self.carol, self.pat):
            with self.subTest(user=user.full_name):
                self.client.force_login(user)
                self.assertEqual(self.client.get(reverse("directory:bridge")).status_code, 403)
                self.assertEqual(self.client.get(reverse("directory:bridge_term", args=[pk])).status_code, 403)
                for name in ("bridge_add", "bridge_remove"):
                    response = self.client.post(reverse(f"directory:{name}", args=[pk]), {"sdoh_category": "stress"})
                    self.assertEqual(response.status_code, 403)
        self.assertFalse(TaxonomyBridge.objects.filter(taxonomy_term=self.pantry_term).exists())
        self.client.force_login(self.ada)
        self.assertEqual(self.client.get(reverse("directory:bridge")).status_code, 200)
        self.assertEqual(self.client.get(reverse("directory:bridge_term", args=[pk])).status_code, 200)

    def test_it_sends_anonymous_users_to_sign_in(self):
        for url in (reverse("directory:bridge"), reverse("directory:bridge_term", args=[self.pantry_term.pk])):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("accounts:login"), response["Location"])
        response = self.client.post(
            reverse("directory:bridge_add", args=[self.pantry_term.pk]), {"sdoh_category": "stress"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(TaxonomyBridge.objects.filter(taxonomy_term=self.pantry_term).exists())

    def test_the_service_refuses_non_administrators_too(self):
        with self.assertRaises(bridge.BridgeDenied):
            bridge.add_term_category(None, self.pantry_term, "food-insecurity", user=self.pat)

    def test_the_curation_page_links_to_it_for_administrators_only(self):
        self.client.force_login(self.ada)
        self.assertContains(self.client.get(reverse("directory:curation")), reverse("directory:bridge"))
        self.client.force_login(self.pat)
        self.assertNotContains(self.client.get(reverse("directory:curation")), reverse("directory:bridge"))


class TheList(BridgeEditorTestCase):
    def setUp(self):
        self.client.force_login(self.ada)

    def test_it_shows_each_term_with_taxonomy_code_active_services_and_categories(self):
        response = self.client.get(reverse("directory:bridge"))
        self.assertEqual(
            self.rows(response), ["Closed Thing", "Food Pantries", "Rent Payment Assistance", "Zoo Passes"]
        )
        counts = {t.name: t.service_count for t in response.context["page"].object_list}
        # The inactive listing is not counted.
        self.assertEqual(counts, {"Closed Thing": 0, "Food Pantries": 2, "Rent Payment Assistance": 1, "Zoo Passes": 0})
        self.assertContains(response, "BH-3800.7000")
        self.assertContains(response, "AIRS/211 LA")
        self.assertContains(response, "Housing instability")
        self.assertContains(response, "4 taxonomy terms")

    def test_it_filters_by_taxonomy_and_by_name_or_code(self):
        response = self.client.get(reverse("directory:bridge"), {"taxonomy": self.oe.pk})
        self.assertEqual(self.rows(response), ["Zoo Passes"])
        response = self.client.get(reverse("directory:bridge"), {"q": "bh-3800"})
        self.assertEqual(self.rows(response), ["Rent Payment Assistance"])
        response = self.client.get(reverse("directory:bridge"), {"q": "pantr"})
        self.assertEqual(self.rows(response), ["Food Pantries"])

    def test_unmapped_only_lists_terms_used_by_active_services_and_bridged_to_nothing(self):
        response = self.client.get(reverse("directory:bridge"), {"unmapped": "on"})
        self.assertEqual(self.rows(response), ["Food Pantries"])
        bridge.add_term_category(None, self.pantry_term, "food-insecurity", user=self.ada)
        response = self.client.get(reverse("directory:bridge"), {"unmapped": "on"})
        self.assertEqual(self.rows(response), [])
        self.assertContains(response, "No taxonomy terms match these filters.")

    def test_a_bad_taxonomy_is_a_clear_error_and_keeps_the_text(self):
        response = self.client.get(reverse("directory:bridge"), {"taxonomy": "not-an-id", "q": "Pantr"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose a taxonomy from the list.")
        self.assertContains(response, 'value="Pantr"')

    def test_htmx_gets_only_the_results(self):
        response = self.client.get(reverse("directory:bridge"), {"q": "rent"}, **HTMX)
        self.assertTemplateUsed(response, "directory/_bridge_results.html")
        self.assertTemplateNotUsed(response, "directory/bridge.html")

    def test_it_is_paginated(self):
        TaxonomyTerm.objects.bulk_create(
            TaxonomyTerm(name=f"Term {i:03}", code=f"X-{i:03}", description="x") for i in range(60)
        )
        response = self.client.get(reverse("directory:bridge"), {"q": "X-"})
        self.assertEqual(len(response.context["page"].object_list), 50)
        self.assertContains(response, "60 taxonomy terms")
        self.assertContains(response, "Page 1 of 2")
        response = self.client.get(reverse("directory:bridge"), {"q": "X-", "page": 2})
        self.assertEqual(len(response.context["page"].object_list), 10)

    def test_its_query_count_does_not_grow_with_the_terms(self):
        def count():
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(reverse("directory:bridge")).status_code, 200)
            self.ctx = ctx
            return len(ctx.captured_queries)

        count()  # the session's first request does its own bookkeeping
        before = count()
        for i in range(20):
            term = make_term(f"More {i}", "stress", "social-connection")
            make_listing(f"Listing {i}", terms=[term], phone="")
        self.assertEqual(count(), before, "\n".join(q["sql"][:150] for q in self.ctx.captured_queries))


class Changes(BridgeEditorTestCase):
    def setUp(self):
        self.client.force_login(self.ada)

    def add(self, term, code, **extra):
        return self.client.post(reverse("directory:bridge_add", args=[term.pk]), {"sdoh_category": code}, **extra)

    def remove(self, term, code, **extra):
        return self.client.post(reverse("directory:bridge_remove", args=[term.pk]), {"sdoh_category": code}, **extra)

    def test_adding_a_category_makes_search_by_that_need_find_the_services_and_is_audited(self):
        self.assertEqual(found("food-insecurity"), set())
        back = reverse("directory:bridge") + "?unmapped=on"
        response = self.client.post(
            reverse("directory:bridge_add", args=[self.pantry_term.pk]),
            {"sdoh_category": "food-insecurity", "next": back},
            follow=True,
        )
        self.assertEqual(response.redirect_chain, [(back, 302)])
        self.assertContains(response, "Food Pantries now maps to Food insecurity.")
        self.assertEqual(found("food-insecurity"), {"Westside Food Pantry", "Eastside Kitchen"})
        event = AuditEvent.objects.get(object_type="directory.taxonomyterm", action=AuditAction.CREATE)
        self.assertEqual(event.object_id, str(self.pantry_term.pk))
        self.assertEqual(event.actor, self.ada)
        self.assertEqual(event.detail["sdoh_category"], "food-insecurity")
        self.assertEqual(event.detail["taxonomy_term_name"], "Food Pantries")
        self.assertEqual(event.detail["taxonomy_term_code"], "BD-1875.2000")

    def test_removing_a_category_takes_the_services_out_of_that_need_and_is_audited(self):
        self.assertEqual(found("housing-instability"), {"Rent Help"})
        response = self.remove(self.rent_term, "housing-instability")
        self.assertRedirects(response, reverse("directory:bridge"))
        self.assertEqual(found("housing-instability"), set())
        event = AuditEvent.objects.get(object_type="directory.taxonomyterm", action=AuditAction.DELETE)
        self.assertEqual(event.detail["sdoh_category"], "housing-instability")
        self.assertEqual(event.detail["taxonomy_term"], str(self.rent_term.pk))

    def test_adding_twice_or_removing_what_is_not_there_is_harmless_and_not_audited(self):
        self.add(self.pantry_term, "food-insecurity")
        response = self.add(self.pantry_term, "food-insecurity", follow=True)
        self.assertContains(response, "Food Pantries already maps to Food insecurity; nothing changed.")
        self.assertEqual(TaxonomyBridge.objects.filter(taxonomy_term=self.pantry_term).count(), 1)
        response = self.remove(self.pantry_term, "stress", follow=True)
        self.assertContains(response, "Food Pantries did not map to Stress; nothing changed.")
        self.assertEqual(AuditEvent.objects.filter(object_type="directory.taxonomyterm").count(), 1)

    def test_htmx_gets_the_row_back(self):
        response = self.add(self.pantry_term, "food-insecurity", **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "directory/_bridge_row.html")
        self.assertTemplateNotUsed(response, "base.html")
        body = response.content.decode()
        self.assertIn(f'id="term-{self.pantry_term.pk}"', body)
        self.assertIn("Food insecurity", body)
        self.assertIn("Food Pantries now maps to Food insecurity.", body)
        self.assertIn("<td>2</td>", body)

    def test_a_bad_category_is_refused_with_a_clear_error(self):
        for code in ("", "food"):
            with self.subTest(code=code):
                response = self.add(self.pantry_term, code, **HTMX)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, "Choose an SDOH category from the list.", status_code=422)
                response = self.add(self.pantry_term, code)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "Choose an SDOH category from the list.", status_code=400)
                self.assertTemplateUsed(response, "directory/bridge_term.html")
        self.assertFalse(TaxonomyBridge.objects.filter(taxonomy_term=self.pantry_term).exists())
        with self.assertRaises(bridge.BridgeError):
            bridge.add_term_category(None, self.pantry_term, "food", user=self.ada)

    def test_an_unknown_term_is_404_and_a_foreign_next_is_ignored(self):
        import uuid

        response = self.client.post(reverse("directory:bridge_add", args=[uuid.uuid4()]), {"sdoh_category": "stress"})
        self.assertEqual(response.status_code, 404)
        response = self.client.post(
            reverse("directory:bridge_add", args=[self.pantry_term.pk]),
            {"sdoh_category": "stress", "next": "https://evil.example/directory/bridge/"},
        )
        self.assertRedirects(response, reverse("directory:bridge"))

    def test_the_term_page_posts_back_to_itself(self):
        page = reverse("directory:bridge_term", args=[self.pantry_term.pk])
        response = self.client.get(page)
        self.assertContains(response, f'name="next" value="{page}"')


class ByCodePrefix(BridgeEditorTestCase):
    def post(self, user, prefix, code):
        self.client.force_login(user)
        return self.client.post(reverse("directory:bridge_add_by_code"), {"prefix": prefix, "sdoh_category": code})

    def test_it_adds_the_category_to_every_term_of_the_branch_once_and_audits_it(self):
        bridge.add_term_category(None, self.closed_term, "food-insecurity", user=self.ada)
        response = self.post(self.ada, "bd-", "food-insecurity")
        self.assertRedirects(response, reverse("directory:bridge") + "?q=bd-", fetch_redirect_response=False)
        page = self.client.get(response["Location"])
        self.assertContains(
            page, "Food insecurity added to 1 term whose code starts with bd-. Terms that had it already: 1."
        )
        self.assertEqual(found("food-insecurity"), {"Westside Food Pantry", "Eastside Kitchen"})
        self.assertFalse(TaxonomyBridge.objects.filter(taxonomy_term=self.rent_term, sdoh_category="food-insecurity"))
        event = AuditEvent.objects.get(
            object_type="directory.taxonomyterm", detail__change="bridge_added_by_code_prefix"
        )
        self.assertEqual(event.detail["code_prefix"], "bd-")
        self.assertEqual(event.detail["taxonomy_terms"], [str(self.pantry_term.pk)])
        before = AuditEvent.objects.count()
        self.post(self.ada, "BD-", "food-insecurity")
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_it_refuses_short_prefixes_and_bad_categories_keeping_the_input(self):
        response = self.post(self.ada, "B", "food-insecurity")
        self.assertContains(response, "Enter at least 2 characters of the code.", status_code=400)
        self.assertContains(response, 'value="B"', status_code=400)
        response = self.post(self.ada, "BD-", "food")
        self.assertContains(response, "Choose an SDOH category from the list.", status_code=400)
        self.assertFalse(TaxonomyBridge.objects.filter(sdoh_category="food-insecurity").exists())

    def test_only_administrators_may(self):
        for user in (self.alice, self.pat, self.carol):
            with self.subTest(user=user.full_name):
                self.assertEqual(self.post(user, "BD-", "food-insecurity").status_code, 403)
        self.assertFalse(TaxonomyBridge.objects.filter(sdoh_category="food-insecurity").exists())
