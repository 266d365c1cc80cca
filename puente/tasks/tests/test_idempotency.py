"""A task set by hand: the same form sent twice adds one task."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from puente.core.testing import CreateFormIdempotencyChecks, PersonaTestCase
from puente.tasks.models import Task


class ManualTaskOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    def create_url(self):
        return reverse("tasks:new", args=[self.patient.pk])

    def valid_data(self):
        due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        return {"title": "Call the landlord", "due_at": due, "priority": "urgent", "assignee": str(self.bob.pk)}

    def invalid_data(self):
        return {**self.valid_data(), "title": ""}

    def created(self):
        return Task.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return reverse("patients:detail", args=[self.patient.pk])
