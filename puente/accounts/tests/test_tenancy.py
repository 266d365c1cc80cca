"""Every statement on a tenant table names the organization; relations cannot cross organizations.

The suite-wide guard (root conftest.py) fails any test whose requests run an unscoped statement. These tests
check the guard's rule itself and the relation layer (`accounts/tenancy.py`, `TenantModel`) that makes the
ORM's own statements comply.
"""

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from puente.accounts.models import Team
from puente.core.tenancy_guard import statement_violation, tenant_tables, unscoped
from puente.core.testing import make_org, make_patient, make_team, make_user
from puente.episodes.forms import EpisodeForm
from puente.episodes.models import Episode
from puente.patients.models import PatientIdentifier

TABLES = {"patients_patient", "episodes_episode"}

RULE_CASES = [
    # (statement, tables reported)
    ('SELECT "patients_patient"."id" FROM "patients_patient" WHERE "patients_patient"."id" = %s', {"patients_patient"}),
    (
        'SELECT "patients_patient"."id" FROM "patients_patient" WHERE ("patients_patient"."organization_id" = %s '
        'AND "patients_patient"."id" = %s)',
        set(),
    ),
    ('SELECT COUNT(*) FROM "patients_patient"', {"patients_patient"}),
    (
        'SELECT * FROM "episodes_episode" INNER JOIN "patients_patient" ON (x) '
        'WHERE "episodes_episode"."patient_id" = %s',
        {"episodes_episode", "patients_patient"},
    ),
    ('SELECT * FROM "episodes_episode" WHERE "episodes_episode"."organization_id" IN (%s, %s)', set()),
    ('UPDATE "patients_patient" SET "phone" = %s WHERE "patients_patient"."id" = %s', {"patients_patient"}),
    ('UPDATE "patients_patient" SET "phone" = %s WHERE ("patients_patient"."organization_id" = %s)', set()),
    ('DELETE FROM "patients_patient" WHERE "patients_patient"."phone" = %s', {"patients_patient"}),
    ('DELETE FROM "patients_patient" WHERE "patients_patient"."id" IN (%s)', set()),  # deletion collector
    ('INSERT INTO "patients_patient" ("id") VALUES (%s)', set()),
    ('SELECT "accounts_user"."id" FROM "accounts_user" WHERE "accounts_user"."email" = %s', set()),
    # Selecting the column is not filtering on it.
    ('SELECT "patients_patient"."organization_id" FROM "patients_patient"', {"patients_patient"}),
]


@pytest.mark.parametrize(("sql", "expected"), RULE_CASES)
def test_it_reports_statements_that_do_not_name_the_organization(sql, expected):
    assert statement_violation(sql, TABLES) == expected


def test_it_knows_the_tenant_tables_and_their_history_tables():
    tables = tenant_tables()
    assert {"patients_patient", "patients_historicalpatient", "episodes_episode", "accounts_team"} <= tables
    assert "accounts_organization" not in tables and "accounts_user" not in tables
    assert "directory_service" not in tables  # the directory is shared by the network


class RelationsNameTheOrganization(TestCase):
    def setUp(self):
        self.org = make_org()
        self.worker = make_user(self.org)
        self.patient = make_patient(self.org)
        PatientIdentifier.objects.create(organization=self.org, patient=self.patient, facility="SGH", value="A1")
        self.episode = Episode.objects.create(
            organization=self.org, patient=self.patient, setting="inpatient", start="2026-11-01T08:00Z"
        )

    def _statements(self, action) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            action()
        return [q["sql"] for q in ctx.captured_queries]

    def assert_all_scoped(self, statements):
        assert statements, "nothing was queried"
        for sql in statements:
            assert not statement_violation(sql, tenant_tables()), sql

    def test_it_scopes_a_reverse_relation(self):
        self.assert_all_scoped(self._statements(lambda: list(self.patient.identifiers.all())))

    def test_it_scopes_a_lazy_foreign_key_load(self):
        episode = Episode.objects.get(organization_id=self.org.id, pk=self.episode.pk)
        self.assert_all_scoped(self._statements(lambda: episode.patient))

    def test_it_scopes_prefetches_both_ways(self):
        def load():
            patients = list(type(self.patient).objects.filter(organization_id=self.org.id).prefetch_related("episodes"))
            list(Episode.objects.filter(organization_id=self.org.id).prefetch_related("patient"))
            return patients

        self.assert_all_scoped(self._statements(load))

    def test_it_scopes_save_and_refresh(self):
        def change():
            self.episode.attending = "Dr. Ortiz"
            self.episode.save(update_fields=["attending", "updated_at"])
            self.episode.refresh_from_db()

        self.assert_all_scoped(self._statements(change))
        assert self.episode.attending == "Dr. Ortiz"

    def test_it_lets_a_marked_entry_point_look_up_without_the_organization(self):
        with unscoped("test"):
            from puente.core.tenancy_guard import is_unscoped

            assert is_unscoped()
        assert not is_unscoped()


class ForeignKeysStayInTheirOrganization(TestCase):
    """A side effect that is a security property: a form cannot point a record at another organization's row."""

    def test_an_episode_form_refuses_another_organizations_team(self):
        org, other = make_org(), make_org("Mesa Home Health")
        patient = make_patient(org)
        foreign_team = make_team(other, "Their team")
        form = EpisodeForm(
            {"setting": "inpatient", "start": "2026-11-01 08:00", "team": str(foreign_team.pk), "status": "active"},
            organization_id=org.id,
        )
        form.instance.patient = patient
        assert not form.is_valid()
        assert "team" in form.errors
        assert not Team.objects.filter(organization_id=org.id).exists()

    def test_a_record_cannot_be_validated_against_another_organizations_row(self):
        from django.core.exceptions import ValidationError

        org, other = make_org(), make_org("Mesa Home Health")
        patient = make_patient(org)
        episode = Episode(organization=org, patient=patient, setting="inpatient", start="2026-11-01T08:00Z")
        episode.team = make_team(other, "Their team")
        with pytest.raises(ValidationError) as caught:
            episode.full_clean()
        assert "team" in caught.value.message_dict
        episode.team = make_team(org, "Our team")
        episode.full_clean()  # the same organization's team is fine


@pytest.mark.django_db
def test_the_suite_wide_guard_catches_an_unscoped_statement_in_a_request(_tenant_queries_filter_on_organization):
    """The guard is wired: a statement run while a request is handled, without the organization, is caught."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from puente.patients.models import Patient

    found = _tenant_queries_filter_on_organization
    if found is None:
        pytest.skip("PUENTE_TENANCY_GUARD=off")
    list(Patient.objects.all())  # outside a request: test set-up may do this
    assert found == []
    # As Django's test client does: a simulated request must not close the test's connection at its end.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        request_started.send(sender=None, environ={"PATH_INFO": "/patients/"})
        list(Patient.objects.all())
        list(Patient.objects.filter(organization_id=make_org().id))
        request_finished.send(sender=None)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert [sorted(bad) for _, bad, _ in found] == [["patients_patient"]]
    found.clear()  # caught as intended; let the test pass
