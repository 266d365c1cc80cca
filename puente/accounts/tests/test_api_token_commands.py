"""The create_api_token and revoke_api_token management commands."""

from io import StringIO

from django.core.management import CommandError, call_command

from puente.accounts.models import ApiToken
from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_user


def run(command: str, *args, **opts) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, **opts)
    return out.getvalue()


class CreateApiToken(PersonaTestCase):
    def create(self, **opts) -> tuple[str, str]:
        opts.setdefault("user", self.alice.email)
        opts.setdefault("name", "ADT feed")
        opts.setdefault("scopes", "patients:read,episodes:read")
        output = run("create_api_token", **opts)
        return output, output.strip().splitlines()[-1]

    def test_it_creates_a_token_and_prints_its_key_once(self):
        output, key = self.create()
        token = ApiToken.objects.get()
        self.assertEqual(token.key_hash, ApiToken.hash_key(key))
        self.assertEqual(token.prefix, key[:12])
        self.assertEqual((token.user, token.organization_id), (self.alice, self.org.pk))
        self.assertEqual((token.name, token.scopes), ("ADT feed", ["episodes:read", "patients:read"]))
        self.assertEqual(output.count(key), 1)
        self.assertIn(token.prefix, output.splitlines()[0])

    def test_it_prints_a_key_that_works_against_the_api(self):
        _, key = self.create()
        response = self.client.get("/api/v1/patients", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["count"], 1)

    def test_it_stores_no_raw_key(self):
        _, key = self.create()
        self.assertFalse(ApiToken.objects.filter(key_hash=key).exists())
        token = ApiToken.objects.get()
        self.assertNotIn(key, [str(getattr(token, f.attname)) for f in token._meta.concrete_fields])

    def test_it_audits_the_creation(self):
        self.create()
        token = ApiToken.objects.get()
        event = AuditEvent.objects.get(object_id=str(token.pk))
        self.assertEqual((event.action, event.actor), ("create", self.alice))

    def test_it_accepts_any_case_and_spaces(self):
        self.create(user=self.alice.email.upper(), scopes=" patients:read , patients:write,")
        self.assertEqual(ApiToken.objects.get().scopes, ["patients:read", "patients:write"])

    def test_it_refuses_bad_input_and_creates_nothing(self):
        inactive = make_user(self.org, name="Gone Away", is_active=False)
        no_org = make_user(None, name="Floating Person")
        for label, opts, message in [
            ("unknown user", {"user": "nobody@example.org"}, "No user"),
            ("unknown scope", {"scopes": "patients:read,patients:delete"}, "patients:delete"),
            ("no scope", {"scopes": " , "}, "at least one scope"),
            ("blank name", {"name": "  "}, "name"),
            ("inactive user", {"user": inactive.email}, "deactivated"),
            ("user without organization", {"user": no_org.email}, "organization"),
        ]:
            with self.subTest(label):
                with self.assertRaisesMessage(CommandError, message):
                    self.create(**opts)
                self.assertFalse(ApiToken.objects.exists())

    def test_it_requires_user_name_and_scopes(self):
        for missing in ("user", "name", "scopes"):
            with self.subTest(missing=missing):
                opts = {"user": self.alice.email, "name": "x", "scopes": "patients:read"}
                del opts[missing]
                args = [f"--{k}={v}" for k, v in opts.items()]
                with self.assertRaises(CommandError):
                    call_command("create_api_token", *args, stdout=StringIO())


class RevokeApiToken(PersonaTestCase):
    def make_token(self, user=None) -> tuple[ApiToken, str]:
        output = run("create_api_token", user=(user or self.alice).email, name="ADT feed", scopes="patients:read")
        key = output.strip().splitlines()[-1]
        return ApiToken.objects.get(key_hash=ApiToken.hash_key(key)), key

    def test_it_revokes_a_token_by_prefix(self):
        token, key = self.make_token()
        output = run("revoke_api_token", token.prefix)
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)
        self.assertIn(token.prefix, output)
        self.assertIn(self.alice.email, output)
        response = self.client.get("/api/v1/patients", headers={"Authorization": f"Bearer {key}"})
        self.assertEqual(response.status_code, 401)

    def test_it_audits_the_revocation(self):
        token, _ = self.make_token()
        run("revoke_api_token", token.prefix)
        event = AuditEvent.objects.filter(object_id=str(token.pk)).order_by("-id").first()
        self.assertEqual((event.action, event.detail), ("update", {"revoked": True}))

    def test_it_leaves_other_tokens_alone(self):
        token, _ = self.make_token()
        other, other_key = self.make_token(self.bob)
        run("revoke_api_token", token.prefix)
        other.refresh_from_db()
        self.assertIsNone(other.revoked_at)
        response = self.client.get("/api/v1/patients", headers={"Authorization": f"Bearer {other_key}"})
        self.assertEqual(response.status_code, 200)

    def test_it_refuses_an_unknown_prefix(self):
        with self.assertRaisesMessage(CommandError, "No token"):
            run("revoke_api_token", "pnt_nothere1")

    def test_it_refuses_a_token_already_revoked(self):
        token, _ = self.make_token()
        run("revoke_api_token", token.prefix)
        with self.assertRaisesMessage(CommandError, "already revoked"):
            run("revoke_api_token", token.prefix)

    def test_it_refuses_to_guess_between_tokens_sharing_a_prefix(self):
        token, _ = self.make_token()
        other, _ = self.make_token(self.bob)
        ApiToken.objects.filter(pk=other.pk).update(prefix=token.prefix)
        with self.assertRaisesMessage(CommandError, "Several active tokens"):
            run("revoke_api_token", token.prefix)
        self.assertFalse(ApiToken.objects.filter(revoked_at__isnull=False).exists())
