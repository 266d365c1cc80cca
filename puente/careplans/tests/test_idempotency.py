"""Care plan create forms (concern, goal, intervention): the same form sent twice adds one item."""

from django.urls import reverse

from puente.careplans.models import Goal, Intervention
from puente.careplans.tests import util
from puente.careplans.views import plan_url
from puente.core.testing import CreateFormIdempotencyChecks, PersonaTestCase
from puente.screening.models import HealthConcern


class ConcernOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    def create_url(self):
        return reverse("careplans:concern_add", args=[self.patient.pk])

    def valid_data(self):
        return {"category": "stress", "icd10_code": "Z73.3", "priority": "high"}

    def invalid_data(self):
        return {"category": "stress", "icd10_code": "not a code"}

    def created(self):
        return HealthConcern.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return plan_url(self.patient.pk, f"concern-{record.pk}")


class GoalOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.concern = util.concern(cls.patient, cls.alice)

    def create_url(self):
        return reverse("careplans:goal_add", args=[self.patient.pk])

    def valid_data(self):
        return {"concern": str(self.concern.pk), "text": "Sleep better", "status": "active"}

    def invalid_data(self):
        return {"concern": str(self.concern.pk), "text": "", "status": "active"}

    def created(self):
        return Goal.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return plan_url(self.patient.pk, f"goal-{record.pk}")


class InterventionOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.goal = util.goal(cls.patient, cls.alice)

    def create_url(self):
        return reverse("careplans:intervention_add", args=[self.goal.pk])

    def valid_data(self):
        return {"kind": "counseling", "description": "Weekly check-in call"}

    def invalid_data(self):
        return {"kind": "counseling", "description": ""}

    def created(self):
        return Intervention.objects.filter(organization_id=self.org.pk, goal=self.goal)

    def expected_location(self, record):
        return plan_url(self.patient.pk, f"intervention-{record.pk}")

    def test_a_key_used_for_a_goal_is_refused_for_an_intervention(self):
        key = self._open(self.writer)
        concern = util.concern(self.patient, self.alice)
        self.client.post(
            reverse("careplans:goal_add", args=[self.patient.pk]),
            {"concern": str(concern.pk), "text": "Eat every day", "status": "active", "idempotency_key": key},
        )
        refused = self._send(self.writer, self.valid_data(), key)
        self.assertContains(refused, "This form was already used to save something else.")
        self.assertFalse(self.created().exists())
