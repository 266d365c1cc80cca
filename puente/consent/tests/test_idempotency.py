"""Recording a consent: the same form sent twice records one consent."""

from django.urls import reverse

from puente.consent.models import Consent
from puente.consent.tests.test_consent_pages import form
from puente.core.testing import CreateFormIdempotencyChecks, PersonaTestCase


class ConsentOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    def create_url(self):
        return reverse("consent:new", args=[self.patient.pk])

    def valid_data(self):
        return form(recipient_organization=self.partner_org.pk)

    def invalid_data(self):
        return form(recipient_organization="")

    def created(self):
        return Consent.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return reverse("consent:list", args=[self.patient.pk])
