"""New episode and referral to social work: the same form sent twice creates one record."""

from django.urls import reverse
from django.utils import timezone

from puente.core.testing import CreateFormIdempotencyChecks, PersonaTestCase
from puente.episodes.models import Episode, SocialWorkReferral


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class EpisodeOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    def create_url(self):
        return reverse("episodes:episode_create", args=[self.patient.pk])

    def valid_data(self):
        return {"setting": "outpatient", "status": "active", "start": _now()}

    def invalid_data(self):
        return {"setting": "outpatient", "status": "active", "start": "2035-11-21T10:00"}

    def created(self):
        return Episode.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return self.patient.get_absolute_url()

    def test_the_edit_form_has_no_key(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("episodes:episode_edit", args=[self.patient.pk, self.episode.pk]))
        self.assertNotContains(page, 'name="idempotency_key"')


class SocialWorkReferralOnce(CreateFormIdempotencyChecks, PersonaTestCase):
    other_writer = "carol"  # the care team refers patients too

    def create_url(self):
        return reverse("episodes:referral_create", args=[self.patient.pk])

    def valid_data(self):
        return {
            "source": "care_team",
            "reasons": ["caregiver_strain", "financial"],
            "priority": "urgent",
            "referred_by": "Carol RN",
            "received_at": _now(),
            "team": self.team.pk,
        }

    def invalid_data(self):
        return {**self.valid_data(), "reasons": []}

    def created(self):
        return SocialWorkReferral.objects.filter(organization_id=self.org.pk, patient=self.patient)

    def expected_location(self, record):
        return self.patient.get_absolute_url()
