"""Changing one's own password from My account: Django's views, our templates, audited."""

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a new and long passphrase 42"


class PasswordChange(PersonaTestCase):
    url = "/accounts/password/"

    def test_it_lives_at_accounts_password_and_is_linked_from_my_account(self):
        self.assertEqual(reverse("accounts:password_change"), self.url)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("accounts:profile")), f'href="{self.url}"')
        page = self.client.get(self.url)
        self.assertTemplateUsed(page, "accounts/password_change.html")
        self.assertTemplateUsed(page, "base.html")
        self.assertTemplateUsed(page, "_form_fields.html")
        self.assertContains(page, 'autocomplete="current-password"')

    def test_it_requires_sign_in(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:login")))

    def test_every_role_can_change_their_own_password(self):
        for persona in ["alice", "carol", "ian", "sam", "ada", "pat", "olga"]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                self.assertEqual(self.client.get(self.url).status_code, 200)

    def test_it_changes_the_password_keeps_the_session_and_audits_it(self):
        self.client.force_login(self.alice)
        response = self.client.post(
            self.url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        self.assertRedirects(response, reverse("accounts:password_change_done"))
        self.alice.refresh_from_db()
        self.assertIs(self.alice.check_password(NEW_PASSWORD), True)
        self.assertEqual(self.client.session[SESSION_KEY], str(self.alice.pk))  # still signed in
        done = self.client.get(reverse("accounts:password_change_done"))
        self.assertContains(done, "Your password has been changed.")
        self.assertTemplateUsed(done, "accounts/password_change_done.html")
        event = AuditEvent.objects.get(action="update", object_type="accounts.user")
        self.assertEqual(
            (event.actor, event.object_id, event.detail), (self.alice, str(self.alice.pk), {"password_changed": True})
        )
        self.assertNotIn(NEW_PASSWORD, str(event.detail))

    def test_a_wrong_current_password_or_a_weak_new_one_is_refused_and_not_audited(self):
        self.client.force_login(self.alice)
        for data, message in [
            (
                {"old_password": "not it at all", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                "old password",
            ),
            ({"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"}, "too common"),
            (
                {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
                "didn’t match",
            ),
        ]:
            with self.subTest(message=message):
                response = self.client.post(self.url, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Please correct the errors below.")
                self.assertContains(response, message)
        self.alice.refresh_from_db()
        self.assertIs(self.alice.check_password(PASSWORD), True)
        self.assertFalse(AuditEvent.objects.filter(object_type="accounts.user").exists())

    def test_errors_are_in_spanish_for_a_spanish_speaker(self):
        from django.conf import settings

        self.client.force_login(self.alice)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
        response = self.client.post(
            self.url, {"old_password": "not it at all", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        self.assertContains(response, 'lang="es"')
        self.assertContains(response, "contraseña antigua")  # Django's own catalog
