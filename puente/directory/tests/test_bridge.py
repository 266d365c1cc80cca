"""The taxonomy bridge maps taxonomy terms to Gravity SDOH categories; a service addresses its terms' categories."""

from django.db import IntegrityError
from django.test import TestCase

from puente.directory import models
from puente.directory.models import SdohCategory


class TaxonomyBridge(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.pantry_term = models.TaxonomyTerm.objects.create(name="Food Pantries", description="BD-1875.2000")
        cls.rent_term = models.TaxonomyTerm.objects.create(name="Rent Payment Assistance", description="BH-3800.7000")
        cls.pantry = models.Service.objects.create(name="Pantry", status="active")
        cls.both = models.Service.objects.create(name="One-stop help", status="active")
        cls.other = models.Service.objects.create(name="Choir", status="active")
        for svc, term in ((cls.pantry, cls.pantry_term), (cls.both, cls.pantry_term), (cls.both, cls.rent_term)):
            models.Attribute.objects.create(link_id=svc.id, link_type="service", taxonomy_term=term)
        models.TaxonomyBridge.objects.create(taxonomy_term=cls.pantry_term, sdoh_category=SdohCategory.FOOD_INSECURITY)
        models.TaxonomyBridge.objects.create(
            taxonomy_term=cls.rent_term, sdoh_category=SdohCategory.HOUSING_INSTABILITY
        )
        models.TaxonomyBridge.objects.create(
            taxonomy_term=cls.rent_term, sdoh_category=SdohCategory.FINANCIAL_INSECURITY
        )

    def test_a_service_addresses_the_categories_of_its_bridged_terms(self):
        self.assertEqual(self.pantry.sdoh_categories, ["food-insecurity"])
        self.assertEqual(self.both.sdoh_categories, ["financial-insecurity", "food-insecurity", "housing-instability"])
        self.assertEqual(self.other.sdoh_categories, [])

    def test_services_can_be_filtered_by_category(self):
        food = models.Service.objects.addressing("food-insecurity")
        self.assertEqual(set(food), {self.pantry, self.both})
        self.assertEqual(list(models.Service.objects.addressing("housing-instability")), [self.both])
        self.assertFalse(models.Service.objects.addressing("homelessness").exists())

    def test_a_term_maps_to_a_category_only_once(self):
        with self.assertRaises(IntegrityError):
            models.TaxonomyBridge.objects.create(
                taxonomy_term=self.pantry_term, sdoh_category=SdohCategory.FOOD_INSECURITY
            )

    def test_the_categories_are_the_24_gravity_codes(self):
        self.assertEqual(len(SdohCategory.values), 24)
        self.assertIn("sdoh-category-unspecified", SdohCategory.values)
        self.assertIn("protective-factor", SdohCategory.values)
