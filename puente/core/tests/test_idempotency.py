"""The idempotency mechanism itself (core/idempotency.py): one record per (organization, key), refusals, the key
freed by a rolled-back create, the hidden form field, the purge. Each create form's own checks are in its app's
tests/test_idempotency.py (CreateFormIdempotencyChecks)."""

from datetime import timedelta
from io import StringIO

from django import forms
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.core.forms import IdempotencyField, refuse_idempotency_key
from puente.core.idempotency import IdempotencyConflict, create_once, find_replay, purge_expired_keys
from puente.core.models import IdempotencyKey
from puente.core.tenancy_guard import statement_violation, tenant_tables
from puente.core.testing import make_org, make_patient, make_user
from puente.episodes.models import Episode
from puente.patients.models import Patient
from puente.tasks.clock_sweep import sweep
from puente.tasks.models import Task


def test_the_key_table_is_tenant_owned():
    assert "core_idempotencykey" in tenant_tables()


class CreateOnce(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = make_org()
        cls.other_org = make_org("Rio Grande Home Health & Hospice")
        cls.alice = make_user(cls.org, name="Alice Worker")
        cls.bob = make_user(cls.org, name="Bob Teammate")
        cls.olga = make_user(cls.other_org, name="Olga Elsewhere")
        cls.patient = make_patient(cls.org)

    def make_episode(self, org=None, patient=None):
        patient = patient or self.patient
        return lambda: Episode.objects.create(
            organization_id=patient.organization_id, patient=patient, setting="inpatient", start=timezone.now()
        )

    def episodes(self):
        return Episode.objects.filter(organization_id=self.org.pk)

    def test_the_same_key_twice_answers_with_the_first_record(self):
        first, replayed_first = create_once(self.org.pk, self.alice, "k1", Episode, self.make_episode())
        second, replayed_second = create_once(self.org.pk, self.alice, "k1", Episode, self.make_episode())
        self.assertEqual((first.pk, replayed_first, replayed_second), (second.pk, False, True))
        self.assertEqual(self.episodes().count(), 1)
        self.assertEqual(find_replay(self.org.pk, self.alice, "k1", Episode), first)

    def test_no_key_means_no_protection(self):
        for _ in range(2):
            create_once(self.org.pk, self.alice, "", Episode, self.make_episode())
        self.assertEqual(self.episodes().count(), 2)
        self.assertFalse(IdempotencyKey.objects.filter(organization_id=self.org.pk).exists())
        self.assertIsNone(find_replay(self.org.pk, self.alice, "  ", Episode))

    def test_another_user_another_kind_or_another_patient_is_refused(self):
        create_once(self.org.pk, self.alice, "k2", Episode, self.make_episode(), scope=self.patient.pk)
        other_patient = make_patient(self.org, "Rosa", "Vigil")
        attempts = [
            (self.bob, Episode, self.patient.pk),
            (self.alice, Task, self.patient.pk),
            (self.alice, Episode, other_patient.pk),
        ]
        for user, model, scope in attempts:
            with (
                self.subTest(user=user, model=model, scope=scope),
                self.assertRaisesMessage(IdempotencyConflict, "already used to save something else"),
            ):
                create_once(self.org.pk, user, "k2", model, self.make_episode(), scope=scope)
        self.assertEqual(self.episodes().count(), 1)

    def test_keys_belong_to_one_organization(self):
        create_once(self.org.pk, self.alice, "shared", Episode, self.make_episode())
        elsewhere = make_patient(self.other_org)
        episode, replayed = create_once(
            self.other_org.pk, self.olga, "shared", Episode, self.make_episode(patient=elsewhere)
        )
        self.assertFalse(replayed)
        self.assertEqual(episode.organization_id, self.other_org.pk)

    def test_a_refused_create_frees_the_key(self):
        def refuse():
            raise ValueError("bad input")

        with self.assertRaises(ValueError):
            create_once(self.org.pk, self.alice, "k3", Episode, refuse)
        episode, replayed = create_once(self.org.pk, self.alice, "k3", Episode, self.make_episode())
        self.assertFalse(replayed)
        self.assertEqual(self.episodes().get(), episode)

    def test_a_record_gone_since_is_not_recreated_silently(self):
        episode, _replayed = create_once(self.org.pk, self.alice, "k4", Episode, self.make_episode())
        Episode.objects.filter(organization_id=self.org.pk, pk=episode.pk).delete()
        with self.assertRaisesMessage(IdempotencyConflict, "no longer exists"):
            create_once(self.org.pk, self.alice, "k4", Episode, self.make_episode())

    def test_every_statement_names_the_organization(self):
        with CaptureQueriesContext(connection) as ctx:
            create_once(self.org.pk, self.alice, "k5", Episode, self.make_episode())
            create_once(self.org.pk, self.alice, "k5", Episode, self.make_episode())
            purge_expired_keys()
        key_statements = [q["sql"] for q in ctx.captured_queries if "core_idempotencykey" in q["sql"]]
        self.assertTrue(key_statements)
        for sql in key_statements:
            self.assertFalse(statement_violation(sql, tenant_tables()), sql)

    def test_old_keys_are_purged_by_the_clock_sweep_and_the_command(self):
        create_once(self.org.pk, self.alice, "old", Episode, self.make_episode())
        create_once(self.org.pk, self.alice, "new", Episode, self.make_episode())
        IdempotencyKey.objects.filter(organization_id=self.org.pk, key="old").update(
            created_at=timezone.now() - timedelta(days=8)
        )
        sweep()
        self.assertEqual(
            list(IdempotencyKey.objects.filter(organization_id=self.org.pk).values_list("key", flat=True)), ["new"]
        )
        out = StringIO()
        call_command("purge_idempotency_keys", stdout=out)
        self.assertIn("idempotency keys deleted: 0", out.getvalue())
        self.assertEqual(purge_expired_keys(timezone.now() + timedelta(days=8)), 1)


class Form(forms.Form):
    name = forms.CharField()
    idempotency_key = IdempotencyField()


def _html(form) -> str:
    return str(form["idempotency_key"])


def test_the_field_is_hidden_and_fresh_on_each_empty_form():
    first, second = Form(), Form()
    assert 'type="hidden"' in _html(first)
    assert first["idempotency_key"].value() != second["idempotency_key"].value()
    assert len(first["idempotency_key"].value()) == 32
    # One key per form, however often the page reads it.
    assert first["idempotency_key"].value() == first["idempotency_key"].value()


def test_a_form_shown_again_keeps_the_key_it_was_sent_with():
    form = Form({"name": "", "idempotency_key": "abc123"})
    assert not form.is_valid()
    assert 'value="abc123"' in _html(form)


def test_a_refused_key_is_replaced_on_the_form_shown_again():
    form = Form({"name": "x", "idempotency_key": "abc123"})
    assert form.is_valid()
    refuse_idempotency_key(form, "Used before.")
    assert not form.is_valid()
    assert "abc123" not in _html(form)
    assert form.non_field_errors() == ["Used before."]


def test_the_key_is_optional_for_clients_that_send_none():
    form = Form({"name": "x"})
    assert form.is_valid() and form.cleaned_data["idempotency_key"] == ""


class PatientKey(TestCase):
    def test_a_patient_has_no_scope_but_the_user_still_counts(self):
        org = make_org()
        alice, ian = make_user(org), make_user(org)
        patient, _replayed = create_once(org.pk, alice, "p1", Patient, lambda: make_patient(org))
        with self.assertRaises(IdempotencyConflict):
            find_replay(org.pk, ian, "p1", Patient)
        self.assertEqual(find_replay(org.pk, alice, "p1", Patient), patient)
