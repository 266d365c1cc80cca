"""Sign-in security: MFA enforcement and enrolment, lockout, idle timeout, audit of sign-ins."""

import time

from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.middleware import SESSION_KEY
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase

PASSWORD = "correct horse battery"


def totp_now(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


class Login(PersonaTestCase):
    def login(self, email, password=PASSWORD):
        return self.client.post(reverse("accounts:login"), {"username": email, "password": password})

    def test_it_signs_in_with_email_and_audits_it(self):
        response = self.login(self.alice.email)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(actor=self.alice, action="login").exists())

    def test_a_failed_sign_in_is_audited_with_the_email_tried(self):
        response = self.login(self.alice.email, "wrong password!")
        self.assertContains(response, "do not match")
        event = AuditEvent.objects.get(action="login_failed")
        self.assertEqual(event.actor_label, self.alice.email)

    def test_it_locks_the_account_after_repeated_failures(self):
        for _ in range(5):
            self.login(self.alice.email, "wrong password!")
        response = self.login(self.alice.email)  # even the right password is refused now
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many failed sign-in attempts", status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_lockout_does_not_lock_other_accounts(self):
        for _ in range(5):
            self.login(self.alice.email, "wrong password!")
        self.assertEqual(self.login(self.bob.email).status_code, 302)

    def test_sign_out_is_audited_and_requires_post(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("accounts:logout")).status_code, 405)
        self.client.post(reverse("accounts:logout"))
        self.assertTrue(AuditEvent.objects.filter(actor=self.alice, action="logout").exists())
        self.assertEqual(self.client.get(reverse("episodes:dashboard")).status_code, 302)

    def test_weak_passwords_are_refused(self):
        from django.contrib.auth.password_validation import validate_password
        from django.core.exceptions import ValidationError

        for weak in ["password123", "short1!", "12345678901234"]:
            with self.subTest(weak=weak), self.assertRaises(ValidationError):
                validate_password(weak, self.alice)


@override_settings(PUENTE_REQUIRE_MFA=True)
class MFA(PersonaTestCase):
    def setUp(self):
        from django.conf import settings

        settings.PUENTE_REQUIRE_MFA = True  # the autouse fixture turns it off; this class needs it on

    def test_every_staff_role_is_sent_to_enrol_first(self):
        for persona in ["alice", "sam", "carol", "ian", "ada", "pat"]:
            self.client.force_login(getattr(self, persona))
            with self.subTest(persona=persona):
                response = self.client.get(reverse("patients:list"))
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(reverse("accounts:mfa_setup")))

    def test_enrolment_shows_a_qr_code_and_gives_recovery_codes(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("accounts:mfa_setup"))
        self.assertContains(page, "<svg")
        device = TOTPDevice.objects.get(user=self.alice, confirmed=False)
        wrong = self.client.post(reverse("accounts:mfa_setup"), {"token": "000000"})
        self.assertContains(wrong, "That code is not right")
        device.refresh_from_db()
        device.throttle_reset()  # django-otp slows down guessing after a wrong code
        done = self.client.post(reverse("accounts:mfa_setup"), {"token": totp_now(device)})
        self.assertContains(done, "recovery codes")
        self.assertEqual(len(done.context["codes"]), 10)
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 200)
        self.assertTrue(AuditEvent.objects.filter(action="mfa_change", actor=self.alice).exists())

    def test_an_enrolled_user_must_verify_at_each_sign_in(self):
        device = TOTPDevice.objects.create(user=self.alice, confirmed=True, name="phone")
        self.client.post(reverse("accounts:login"), {"username": self.alice.email, "password": PASSWORD})
        response = self.client.get(reverse("patients:list"))
        self.assertTrue(response["Location"].startswith(reverse("accounts:mfa_verify")))
        self.client.post(reverse("accounts:mfa_verify"), {"token": "123456" if totp_now(device) != "123456" else "1"})
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 302)
        device.refresh_from_db()
        device.throttle_reset()
        self.client.post(reverse("accounts:mfa_verify"), {"token": totp_now(device)})
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 200)

    def test_a_recovery_code_works_once(self):
        TOTPDevice.objects.create(user=self.alice, confirmed=True, name="phone")
        from puente.accounts.services import issue_recovery_codes

        code = issue_recovery_codes(self.alice)[0]
        self.client.post(reverse("accounts:login"), {"username": self.alice.email, "password": PASSWORD})
        self.client.post(reverse("accounts:mfa_verify"), {"token": code})
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 200)
        self.assertFalse(StaticToken.objects.filter(token=code).exists())


class IdleTimeout(PersonaTestCase):
    def test_it_signs_out_after_the_idle_limit_and_keeps_the_destination(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 200)
        session = self.client.session
        session[SESSION_KEY] = time.time() - 16 * 60
        session.save()
        response = self.client.get(reverse("patients:list"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("next=%2Fpatients%2F", response["Location"])
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(action="logout", detail__reason="idle_timeout").exists())

    def test_activity_within_the_limit_keeps_the_session(self):
        self.client.force_login(self.alice)
        self.client.get(reverse("patients:list"))
        session = self.client.session
        session[SESSION_KEY] = time.time() - 14 * 60
        session.save()
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 200)

    @override_settings(PUENTE_IDLE_TIMEOUT_MINUTES=5)
    def test_the_limit_is_configurable_and_the_page_warns(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("patients:list"))
        self.assertContains(page, 'data-idle-timeout="300"')
        self.assertContains(page, 'id="idle-warning"')
        session = self.client.session
        session[SESSION_KEY] = time.time() - 6 * 60
        session.save()
        self.assertEqual(self.client.get(reverse("patients:list")).status_code, 302)

    def test_keepalive_resets_the_clock(self):
        self.client.force_login(self.alice)
        self.client.get(reverse("patients:list"))
        session = self.client.session
        session[SESSION_KEY] = time.time() - 14 * 60
        session.save()
        self.assertEqual(self.client.post(reverse("accounts:keepalive")).status_code, 204)
        self.assertLess(time.time() - self.client.session[SESSION_KEY], 5)


class Language(PersonaTestCase):
    def test_choosing_a_language_is_remembered_on_the_account(self):
        self.client.force_login(self.alice)
        response = self.client.post(reverse("accounts:set_language"), {"language": "es", "next": "/patients/"})
        self.assertEqual(response["Location"], "/patients/")
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.language, "es")
        self.assertEqual(response.cookies["django_language"].value, "es")

    def test_it_refuses_an_offsite_next(self):
        response = self.client.post(
            reverse("accounts:set_language"), {"language": "es", "next": "https://evil.example/"}
        )
        self.assertEqual(response["Location"], "/")


class Healthz(PersonaTestCase):
    def test_it_answers_without_auth_or_data(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})


class ReviewFindings(PersonaTestCase):
    def test_the_email_is_not_case_sensitive(self):
        response = self.client.post(
            reverse("accounts:login"), {"username": self.alice.email.upper(), "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)

    def test_failed_sign_ins_reach_the_organizations_audit_log(self):
        self.client.post(reverse("accounts:login"), {"username": self.alice.email, "password": "nope nope nope"})
        self.client.post(reverse("accounts:login"), {"username": "nobody@example.org", "password": "nope nope"})
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"), {"action": "login_failed"})
        self.assertEqual([e.actor_label for e in page.context["page"]], [self.alice.email])

    def test_csv_cells_cannot_run_as_spreadsheet_formulas(self):
        self.client.force_login(self.bob)
        self.client.get(reverse("patients:list"), HTTP_USER_AGENT='=HYPERLINK("http://evil.example","x")')
        self.client.force_login(self.sam)
        response = self.client.get(reverse("audit:export"), {"user": self.bob.pk})
        body = b"".join(response.streaming_content).decode()
        self.assertIn("'=HYPERLINK", body)
        self.assertNotIn(",=HYPERLINK", body)

    def test_an_unusable_audit_filter_shows_nothing_rather_than_everything(self):
        self.client.force_login(self.sam)
        page = self.client.get(reverse("audit:list"), {"patient": "Len Abeita"})
        self.assertContains(page, "Enter a valid UUID")
        self.assertEqual(len(page.context["page"]), 0)
