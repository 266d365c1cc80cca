"""Sending a referral tells the partner's staff: an in-app notice and an email by the background worker, in each
user's language, with no PHI (no patient, no service detail, no concern) and a link to the partner list."""

from django.core import mail
from django.test import override_settings

from puente.accounts.models import Role
from puente.core.testing import PersonaTestCase, make_user
from puente.referrals import services
from puente.referrals.tests.util import make_concern, make_consent, make_listing
from puente.tasks.models import Notification


@override_settings(PUENTE_BASE_URL="https://puente.example.org")
class PartnerEmail(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org, name="Emergency food boxes")
        cls.concern = make_concern(cls.patient)
        make_consent(cls.patient, cls.alice, cls.partner_org)
        cls.pia = make_user(cls.partner_org, Role.PARTNER, name="Pia Partner", language="es")
        cls.gone = make_user(cls.partner_org, Role.PARTNER, name="Gone Partner", is_active=False)

    def send(self):
        with self.captureOnCommitCallbacks(execute=True):
            return services.make_referral(
                None,
                self.patient,
                send=True,
                service_at_location=self.listing,
                concerns=[self.concern],
                message="Needs a food box this week.",
                user=self.alice,
            )

    def test_each_active_partner_user_gets_an_email_without_phi(self):
        mail.outbox = []
        self.send()
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), sorted([self.pat.email, self.pia.email]))
        for message in mail.outbox:
            text = message.subject + "\n" + message.body
            with self.subTest(to=message.to):
                self.assertIn("https://puente.example.org/partner/referrals/", text)
                for phi in (
                    "María",
                    "García",
                    "1950",
                    "Emergency food boxes",
                    "Main pantry",
                    "food box",
                    "Food insecurity",
                    "food-insecurity",
                    self.org.name,
                ):
                    self.assertNotIn(phi, text)

    def test_the_email_is_in_each_users_language(self):
        """The Spanish half fails until the central translation pass adds the strings."""
        mail.outbox = []
        self.send()
        by_user = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(by_user[self.pat.email].subject, "A new referral is waiting for you in Puente")
        self.assertNotEqual(by_user[self.pia.email].subject, "A new referral is waiting for you in Puente")

    def test_partners_get_an_in_app_notice_too(self):
        self.send()
        notes = Notification.objects.filter(organization_id=self.partner_org.pk, user=self.pat)
        self.assertEqual(notes.count(), 1)
        self.assertNotIn("García", notes.get().text)

    def test_a_draft_or_a_failed_send_emails_nobody(self):
        mail.outbox = []
        with self.captureOnCommitCallbacks(execute=True):
            services.make_referral(None, self.patient, send=False, service_at_location=self.listing, user=self.alice)
        self.assertEqual(mail.outbox, [])

    def test_other_organizations_users_get_nothing(self):
        mail.outbox = []
        self.send()
        recipients = {m.to[0] for m in mail.outbox}
        for user in (self.alice, self.sam, self.olga, self.gone):
            self.assertNotIn(user.email, recipients)
