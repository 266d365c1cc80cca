"""Small builders for tests (no fixtures, no factory library) and the persona set.

Personas, all in the hospital unless said otherwise:
  alice  social worker on Hospital Social Work (the patient's team)
  bob    teammate on the same team
  charlie social worker on another team (Hospice) of the same organization
  carol  care team (nurse) on the patient's unit
  pat    partner organization staff
  sam    supervisor of Hospital Social Work
  ian    intake coordinator
  ada    administrator
  olga   social worker at the other care organization
"""

import itertools
import os
import re
from datetime import date, timedelta
from pathlib import Path

from django.test import TestCase
from django.utils import timezone

from puente.accounts.models import Organization, Role, Team, TeamMembership, Unit, User
from puente.episodes.models import Episode, SocialWorkReferral
from puente.patients.models import Patient

_seq = itertools.count(1)


def external_data(name: str = "") -> Path:
    """The third-party data the tests check against (`../shared/data/external` beside the project).

    `PUENTE_EXTERNAL_DATA` names it explicitly; a checkout elsewhere (a CI clone in /tmp) falls back to the
    workplace's copy. Tests that need it skip, loudly, when it is absent.
    """
    from django.conf import settings

    candidates = [
        os.environ.get("PUENTE_EXTERNAL_DATA", ""),
        str(Path(settings.BASE_DIR).parent / "shared" / "data" / "external"),
        "/work/shared/data/external",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate) / name
    return Path(candidates[1]) / name


def make_org(name: str = "Sandia General Hospital", kind: str = Organization.Kind.HOSPITAL) -> Organization:
    n = next(_seq)
    return Organization.objects.create(name=name, slug=f"org-{n}", kind=kind)


def make_user(org: Organization | None, role: str = Role.SOCIAL_WORKER, name: str = "", **extra) -> User:
    n = next(_seq)
    name = name or f"User {n}"
    email = f"{name.split()[0].lower()}{n}@example.org"
    return User.objects.create_user(
        email, "correct horse battery", full_name=name, organization=org, role=role, **extra
    )


def make_team(org: Organization, name: str = "", supervisor: User | None = None, members=()) -> Team:
    team = Team.objects.create(organization=org, name=name or f"Team {next(_seq)}", supervisor=supervisor)
    for m in members:
        TeamMembership.objects.create(organization=org, team=team, user=m)
    return team


def make_unit(org: Organization, name: str = "4 West", facility: str = "Sandia General") -> Unit:
    return Unit.objects.create(organization=org, name=f"{name} {next(_seq)}", facility=facility)


def make_patient(org: Organization, given: str = "María", family: str = "García", **extra) -> Patient:
    from puente.patients.matching import normalize

    extra.setdefault("birth_date", date(1950, 5, 17))
    extra.setdefault("sex_at_birth", "female")
    p = Patient(organization=org, legal_given_name=given, legal_family_name=family, **extra)
    p.search_name = normalize(
        " ".join([given, extra.get("legal_middle_name", ""), family, extra.get("preferred_name", "")])
    )
    p.save()
    return p


def make_episode(
    patient: Patient, team: Team | None = None, unit: Unit | None = None, worker: User | None = None, **extra
) -> Episode:
    extra.setdefault("setting", "inpatient")
    extra.setdefault("start", timezone.now() - timedelta(days=1))
    return Episode.objects.create(
        organization_id=patient.organization_id, patient=patient, team=team, unit=unit, assigned_worker=worker, **extra
    )


def make_sw_referral(patient: Patient, team: Team | None = None, hours_ago: float = 2, **extra) -> SocialWorkReferral:
    extra.setdefault("source", "care_team")
    extra.setdefault("reasons", ["lives_alone"])
    return SocialWorkReferral.objects.create(
        organization_id=patient.organization_id,
        patient=patient,
        team=team,
        received_at=timezone.now() - timedelta(hours=hours_ago),
        **extra,
    )


class PersonaTestCase(TestCase):
    """A hospital with two teams, a care unit, a partner organization and a second care organization."""

    @classmethod
    def setUpTestData(cls):
        cls.org = make_org()
        cls.other_org = make_org("Rio Grande Home Health & Hospice", Organization.Kind.HOME_HEALTH_HOSPICE)
        cls.partner_org = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
        cls.alice = make_user(cls.org, name="Alice Worker")
        cls.bob = make_user(cls.org, name="Bob Teammate")
        cls.charlie = make_user(cls.org, name="Charlie Otherteam")
        cls.sam = make_user(cls.org, Role.SUPERVISOR, name="Sam Supervisor")
        cls.ian = make_user(cls.org, Role.INTAKE, name="Ian Intake")
        cls.ada = make_user(cls.org, Role.ADMIN, name="Ada Admin")
        cls.carol = make_user(cls.org, Role.CARE_TEAM, name="Carol Nurse", discipline="nurse")
        cls.pat = make_user(cls.partner_org, Role.PARTNER, name="Pat Partner")
        cls.olga = make_user(cls.other_org, name="Olga Elsewhere")
        cls.team = make_team(cls.org, "Hospital Social Work", supervisor=cls.sam, members=[cls.alice, cls.bob])
        cls.other_team = make_team(cls.org, "Hospice", members=[cls.charlie])
        make_team(cls.other_org, "Home Health", members=[cls.olga])
        cls.unit = make_unit(cls.org)
        cls.carol.units.add(cls.unit)
        cls.patient = make_patient(cls.org)
        cls.episode = make_episode(cls.patient, team=cls.team, unit=cls.unit, worker=cls.alice)


_KEY_INPUT = re.compile(r'<input\b[^>]*\bname="idempotency_key"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]*)"')


def shown_idempotency_key(response) -> str:
    """The hidden idempotency key in the form a page shows (what the browser will send back)."""
    tag = _KEY_INPUT.search(response.content.decode())
    assert tag is not None, "the form has no idempotency key"
    value = _VALUE.search(tag.group(0))
    return value.group(1) if value else ""


class CreateFormIdempotencyChecks:
    """The checks every create form with an idempotency key passes (mix into a PersonaTestCase).

    A subclass gives `create_url()`, `valid_data()` (what a user types; may differ per call), `invalid_data()`,
    `created()` (a queryset of the records the form makes) and `expected_location(record)` (where a successful
    submit lands); `writer` and `other_writer` name two personas who may both use the form.
    """

    writer = "alice"
    other_writer = "bob"

    def create_url(self) -> str:
        raise NotImplementedError

    def valid_data(self) -> dict:
        raise NotImplementedError

    def invalid_data(self) -> dict:
        raise NotImplementedError

    def created(self):
        raise NotImplementedError

    def expected_location(self, record) -> str:
        raise NotImplementedError

    def _open(self, persona: str) -> str:
        self.client.force_login(getattr(self, persona))  # type: ignore[attr-defined]
        page = self.client.get(self.create_url())  # type: ignore[attr-defined]
        assert page.status_code == 200, page.status_code
        return shown_idempotency_key(page)

    def _send(self, persona: str, data: dict, key: str):
        self.client.force_login(getattr(self, persona))  # type: ignore[attr-defined]
        return self.client.post(self.create_url(), {**data, "idempotency_key": key})  # type: ignore[attr-defined]

    def test_it_gives_each_new_form_its_own_key(self):
        first, second = self._open(self.writer), self._open(self.writer)
        assert first and second and first != second

    def test_it_creates_one_record_when_the_same_form_is_sent_twice(self):
        before = self.created().count()
        key = self._open(self.writer)
        data = self.valid_data()
        first = self._send(self.writer, data, key)
        second = self._send(self.writer, data, key)
        assert (first.status_code, second.status_code) == (302, 302), (first.status_code, second.status_code)
        assert self.created().count() == before + 1
        record = self.created().order_by("-created_at").first()
        assert first["Location"] == second["Location"] == self.expected_location(record)

    def test_two_forms_make_two_records(self):
        before = self.created().count()
        for _ in range(2):
            response = self._send(self.writer, self.valid_data(), self._open(self.writer))
            assert response.status_code == 302, response.status_code
        assert self.created().count() == before + 2

    def test_a_form_shown_again_after_an_error_keeps_its_key(self):
        before = self.created().count()
        key = self._open(self.writer)
        refused = self._send(self.writer, self.invalid_data(), key)
        assert refused.status_code == 200, refused.status_code
        assert shown_idempotency_key(refused) == key
        assert self.created().count() == before
        # Corrected and sent (twice): saved once, under the same key.
        data = self.valid_data()
        assert self._send(self.writer, data, key).status_code == 302
        assert self._send(self.writer, data, key).status_code == 302
        assert self.created().count() == before + 1

    def test_another_users_key_is_refused_without_showing_their_record(self):
        key = self._open(self.writer)
        self._send(self.writer, self.valid_data(), key)
        theirs = self.created().order_by("-created_at").first()
        count = self.created().count()
        refused = self._send(self.other_writer, self.valid_data(), key)
        assert refused.status_code == 200, refused.status_code
        assert "This form was already used to save something else." in refused.content.decode()
        assert str(theirs.pk) not in refused.content.decode()
        assert self.created().count() == count
        # The form is shown again with a fresh key: saving it again is a new submission.
        assert shown_idempotency_key(refused) not in ("", key)
