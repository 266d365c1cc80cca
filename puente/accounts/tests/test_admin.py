"""The Django admin: administrators manage people and teams; tokens and audit are never edited there."""

from django.urls import reverse

from puente.accounts.models import ApiToken
from puente.accounts.services import create_api_token
from puente.core.testing import PersonaTestCase


class Admin(PersonaTestCase):
    def setUp(self):
        self.ada.is_staff = self.ada.is_superuser = True
        self.ada.save()
        self.client.force_login(self.ada)

    def test_the_administration_pages_open(self):
        for name in [
            "accounts_user",
            "accounts_team",
            "accounts_unit",
            "accounts_organization",
            "accounts_apitoken",
            "audit_auditevent",
        ]:
            with self.subTest(page=name):
                self.assertEqual(self.client.get(reverse(f"admin:{name}_changelist")).status_code, 200)
        self.assertEqual(self.client.get(reverse("admin:accounts_user_change", args=[self.alice.pk])).status_code, 200)

    def test_tokens_cannot_be_added_in_the_admin_but_can_be_revoked(self):
        self.assertEqual(self.client.get(reverse("admin:accounts_apitoken_add")).status_code, 403)
        token, _key = create_api_token(self.alice, "EHR feed", ["patients:read"])
        self.client.post(
            reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
        )
        self.assertIsNotNone(ApiToken.objects.get(pk=token.pk).revoked_at)

    def test_non_staff_roles_cannot_enter_the_admin(self):
        self.client.force_login(self.sam)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 302)
