"""The read-only HSDS 3.0 API: Page envelopes and objects valid against the shipped schemas, the filters the
OpenAPI names, public read access, only active listings, clear 400s and 404s."""

import json
import uuid

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from puente.directory.models import Taxonomy

from .helpers import load_schema, make_listing, make_term, needs_hsds, schema_problems
from .test_search import north

PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}


def openapi():
    return load_schema("openapi.json")


@needs_hsds
class HsdsApi(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.taxonomy = Taxonomy.objects.create(name="Demo taxonomy", description="Synthetic")
        cls.food = make_term("Food pantries", "food-insecurity")
        cls.food.taxonomy_detail = cls.taxonomy
        cls.food.save()
        cls.shelter = make_term("Emergency shelter", "homelessness")
        cls.pantry = make_listing(
            "Westside Food Pantry",
            description="Groceries",
            site=north(2),
            terms=[cls.food],
            languages=[("es", "Spanish")],
            schedules=[("MO", "09:00", "12:00")],
        )
        cls.despensa = make_listing(
            "Despensa del Valle", description="Alimentos y comida", site=north(8), terms=[cls.food]
        )
        cls.shelter_svc = make_listing(
            "Casa Segura", description="Beds", areas=["Bernalillo County"], terms=[cls.shelter]
        )
        cls.gone = make_listing("Closed Pantry", description="Groceries", site=north(1), active=False, terms=[cls.food])

    def get(self, path, **params):
        response = self.client.get(f"/api/hsds/{path}", params)
        return response, response.json()

    def assert_page(self, body, item_schema):
        self.assertEqual(set(body), PAGE_KEYS)
        page_schema = openapi()["components"]["schemas"]["Page"]["properties"]
        kinds = {"integer": int, "boolean": bool}
        for key, prop in page_schema.items():
            self.assertIsInstance(body[key], kinds[prop["type"]], key)
        for i, item in enumerate(body["contents"]):
            self.assertEqual(schema_problems(item, item_schema, f"contents[{i}]"), [])
        self.assertEqual(body["size"], len(body["contents"]))
        self.assertIs(body["empty"], not body["contents"])

    def names(self, body):
        return [c["name"] for c in body["contents"]]

    def test_it_is_public_and_read_only(self):
        response, body = self.get("")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(body["version"], "3.0")
        self.assertEqual(self.client.post("/api/hsds/services").status_code, 405)

    def test_it_lists_active_services_in_a_valid_page(self):
        response, body = self.get("services")
        self.assertEqual(response.status_code, 200)
        self.assert_page(body, "service.json")
        self.assertEqual(self.names(body), ["Casa Segura", "Despensa del Valle", "Westside Food Pantry"])
        self.assertEqual(body["contents"][0]["organization"]["name"], "Casa Segura Inc.")

    def test_it_pages(self):
        _r, body = self.get("services", page=2, per_page=2)
        self.assert_page(body, "service.json")
        self.assertEqual((body["total_items"], body["total_pages"], body["page_number"]), (3, 2, 2))
        self.assertEqual(
            (body["first_page"], body["last_page"], self.names(body)), (False, True, ["Westside Food Pantry"])
        )

    def test_it_filters_with_the_openapi_parameters(self):
        cases = [
            ({"search": "comida"}, ["Despensa del Valle"]),
            ({"taxonomy_term_id": str(self.shelter.pk)}, ["Casa Segura"]),
            ({"taxonomy_id": str(self.taxonomy.pk)}, ["Despensa del Valle", "Westside Food Pantry"]),
            ({"organization_id": str(self.pantry.organization_id)}, ["Westside Food Pantry"]),
            ({"postcode": "87102", "proximity": "5000"}, ["Westside Food Pantry", "Casa Segura"]),
            (
                {"postcode": "87102", "proximity": "20000"},
                ["Westside Food Pantry", "Despensa del Valle", "Casa Segura"],
            ),
            ({"postcode": "87102"}, ["Casa Segura"]),
            ({"postcode": "87102", "proximity": "20000", "search": "groceries"}, ["Westside Food Pantry"]),
            ({"modified_after": "2999-01-01T00:00:00"}, []),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                response, body = self.get("services", **params)
                self.assertEqual(response.status_code, 200)
                self.assert_page(body, "service.json")
                self.assertEqual(self.names(body), expected)

    def test_it_serves_a_fully_nested_service(self):
        response, body = self.get(f"services/{self.pantry.pk}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(schema_problems(body, "service.json"), [])
        self.assertEqual(body["languages"][0]["code"], "es")
        self.assertEqual(body["service_at_locations"][0]["location"]["addresses"][0]["postal_code"], "87102")
        _r, full = self.get("services", full="true", search="groceries")
        self.assert_page(full, "service.json")
        self.assertIn("schedules", full["contents"][0])

    def test_it_answers_404_for_unknown_or_inactive_ids(self):
        for pk in (uuid.uuid4(), self.gone.pk):
            with self.subTest(pk=pk):
                response, body = self.get(f"services/{pk}")
                self.assertEqual((response.status_code, body["detail"]), (404, "not found"))
        self.assertEqual(self.get(f"organizations/{uuid.uuid4()}")[0].status_code, 404)

    def test_it_refuses_bad_parameters_clearly(self):
        for params, word in (
            ({"page": "x"}, "page"),
            ({"per_page": "0"}, "per_page"),
            ({"postcode": "00000"}, "postcode"),
            ({"postcode": "87102", "proximity": "far"}, "proximity"),
            ({"postcode": "87102", "proximity": "nan"}, "proximity"),
            ({"postcode": "87102", "proximity": "inf"}, "proximity"),
            ({"postcode": "87102", "proximity": "1e30"}, "proximity"),
            ({"postcode": "87102", "proximity": "-5"}, "proximity"),
            ({"taxonomy_term_id": "1"}, "taxonomy_term_id"),
            ({"modified_after": "yesterday"}, "modified_after"),
        ):
            with self.subTest(params=params):
                response, body = self.get("services", **params)
                self.assertEqual(response.status_code, 400)
                self.assertIn(word, body["detail"])

    def test_it_lists_and_serves_organizations(self):
        _r, body = self.get("organizations", search="casa")
        self.assert_page(body, "organization.json")
        self.assertEqual(self.names(body), ["Casa Segura Inc."])
        response, org = self.get(f"organizations/{self.pantry.organization_id}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(schema_problems({k: v for k, v in org.items() if k != "services"}, "organization.json"), [])
        self.assertEqual([s["name"] for s in org["services"]], ["Westside Food Pantry"])

    def test_it_lists_taxonomies_and_terms(self):
        _r, body = self.get("taxonomies")
        self.assert_page(body, "taxonomy.json")
        self.assertEqual(self.names(body), ["Demo taxonomy"])
        _r, body = self.get("taxonomy_terms", taxonomy_id=str(self.taxonomy.pk))
        self.assert_page(body, "taxonomy_term.json")
        self.assertEqual(self.names(body), ["Food pantries"])
        self.assertEqual(body["contents"][0]["taxonomy_detail"]["name"], "Demo taxonomy")
        _r, body = self.get("taxonomy_terms", search="shelter", top_only="true")
        self.assertEqual(self.names(body), ["Emergency shelter"])

    def test_it_lists_services_with_a_constant_number_of_queries(self):
        with CaptureQueriesContext(connection) as few:
            self.client.get("/api/hsds/services")
        for i in range(5):
            make_listing(f"Pantry {i}", terms=[self.food])
        with CaptureQueriesContext(connection) as many:
            body = json.loads(self.client.get("/api/hsds/services").content)
        self.assertEqual(body["total_items"], 8)
        self.assertEqual(len(many.captured_queries), len(few.captured_queries))
