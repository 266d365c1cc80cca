"""The IDOR/persona matrix over every URL pattern, generated from the URL conf (issue 7, "Security").

Why generated: a hand-written list of URLs goes stale the day someone adds a view. Here the patterns come from
``get_resolver()``; every pattern that names an object (a uuid/int kwarg, or an ``<…_id>`` in the API) must be in
``OBJECT_URLS`` (how to build it for an object of the *other* organization) or in an explicit exemption list, or
``test_it_covers_every_url_pattern_that_names_an_object`` fails. So a new view cannot escape the matrix.

What is asserted:
  * alice (social worker, Sandia) requesting any object of Olga's organization gets 404 or 403 (401 from the
    bearer-token API), never a 2xx/3xx, and the object's name never appears in the body;
  * every page without an id redirects an anonymous user to the login page, except the public pages listed
    in ``PUBLIC``;
  * pat (partner staff) never sees a patient's name on any page without an id.
"""

import re
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from puente.accounts.models import Role
from puente.core.testing import (
    PersonaTestCase,
    make_episode,
    make_patient,
    make_sw_referral,
    make_team,
    make_unit,
    make_user,
)

# A name nobody else in the suite uses, so finding it in a body is a leak and nothing else.
SECRET_GIVEN = "Zephyrine"
SECRET_FAMILY = "Quillfeather"
SECRET_TEXT = "Marigoldsecret"  # the text of every non-patient object (note body, goal, task title …)

ID_KWARG = re.compile(r"(^pk$|_pk$|_id$)")


def walk(patterns=None, prefix="", namespace=""):
    """(route, 'namespace:name', kwarg names, converters) for every URL pattern, recursively."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = f"{namespace}:{p.name}" if namespace else str(p.name)
            kwargs = re.findall(r"<(?:\w+:)?(\w+)>", route)
            yield route, name, kwargs


def names_an_object(kwargs) -> bool:
    return any(ID_KWARG.search(k) for k in kwargs)


def fill(route: str, values: dict) -> str:
    """The path for ``route`` with its ``<conv:name>`` parts replaced (works for django-ninja's routes too,
    whose several operations share one name and so cannot be reversed one by one)."""
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


# Django's admin: superuser-only, has its own login, and is the documented tenancy-guard exemption.
SKIPPED_PREFIXES = ("admin/",)

# Objects shared by the whole network (the directory is HSDS data, not tenant-owned; instruments are data files):
# any staff member may see them, so they are not IDOR cases. The curation views are in the matrix below.
SHARED = {
    "directory:service",
    "directory:report",
    "directory:hsds_service",
    "directory:hsds_organization",
    "api:get_instrument_definition",
}


def _bridge_term():
    from puente.directory.models import TaxonomyTerm

    return TaxonomyTerm.objects.get_or_create(name=f"{SECRET_TEXT} term", defaults={"description": SECRET_TEXT})[0]


def _directory_import():
    from puente.directory.models import DirectoryImport

    return DirectoryImport.objects.get_or_create(
        file_name=f"{SECRET_TEXT}.json", defaults={"data": b"{}", "data_format": "hsds_json"}
    )[0]


# url name → kwargs for an object of the OTHER organization (built in setUpTestData).
OBJECT_URLS = {
    "patients:detail": lambda c: {"pk": c.o_patient.pk},
    "patients:edit": lambda c: {"pk": c.o_patient.pk},
    "patients:identifier_add": lambda c: {"pk": c.o_patient.pk},
    "patients:identifier_edit": lambda c: {"pk": c.o_patient.pk, "identifier_pk": c.o_identifier.pk},
    "patients:identifier_remove": lambda c: {"pk": c.o_patient.pk, "identifier_pk": c.o_identifier.pk},
    "patients:related_add": lambda c: {"pk": c.o_patient.pk},
    "patients:related_edit": lambda c: {"pk": c.o_patient.pk, "person_pk": c.o_related.pk},
    "patients:related_remove": lambda c: {"pk": c.o_patient.pk, "person_pk": c.o_related.pk},
    "patients:break_glass": lambda c: {"pk": c.o_patient.pk},
    "patients:access_log": lambda c: {"pk": c.o_patient.pk},
    "patients:history": lambda c: {"pk": c.o_patient.pk},
    "patients:break_glass_review": lambda c: {"pk": c.o_break_glass.pk},
    "episodes:take": lambda c: {"pk": c.o_sw_referral.pk},
    "episodes:assign": lambda c: {"pk": c.o_sw_referral.pk},
    "episodes:contact": lambda c: {"pk": c.o_sw_referral.pk},
    "episodes:close": lambda c: {"pk": c.o_sw_referral.pk},
    "episodes:referral_create": lambda c: {"patient_pk": c.o_patient.pk},
    "episodes:episode_create": lambda c: {"patient_pk": c.o_patient.pk},
    "episodes:episode_edit": lambda c: {"patient_pk": c.o_patient.pk, "pk": c.o_episode.pk},
    "screening:index": lambda c: {"patient_pk": c.o_patient.pk},
    "screening:new": lambda c: {"patient_pk": c.o_patient.pk, "instrument_id": "phq9"},
    "screening:safety_plan_new": lambda c: {"patient_pk": c.o_patient.pk},
    "screening:detail": lambda c: {"pk": c.o_screening.pk},
    "screening:concern_decide": lambda c: {"pk": c.o_concern.pk},
    "screening:alert_resolve": lambda c: {"pk": c.o_alert.pk},
    "screening:self_link_new": lambda c: {"patient_pk": c.o_patient.pk},
    "tasks:done": lambda c: {"pk": c.o_task.pk},
    "notes:list": lambda c: {"patient_pk": c.o_patient.pk},
    "notes:start": lambda c: {"patient_pk": c.o_patient.pk},
    "tasks:new": lambda c: {"patient_pk": c.o_patient.pk},
    "notes:detail": lambda c: {"pk": c.o_note.pk},
    "notes:edit": lambda c: {"pk": c.o_note.pk},
    "notes:autosave": lambda c: {"pk": c.o_note.pk},
    "notes:sign": lambda c: {"pk": c.o_note.pk},
    "notes:cosign": lambda c: {"pk": c.o_note.pk},
    "notes:addendum_add": lambda c: {"pk": c.o_note.pk},
    "notes:template_edit": lambda c: {"pk": c.o_note_template.pk},
    "notes:template_set_active": lambda c: {"pk": c.o_note_template.pk},
    "assessments:list": lambda c: {"patient_pk": c.o_patient.pk},
    "assessments:start": lambda c: {"patient_pk": c.o_patient.pk},
    "assessments:detail": lambda c: {"pk": c.o_assessment.pk},
    "assessments:edit": lambda c: {"pk": c.o_assessment.pk},
    "assessments:autosave": lambda c: {"pk": c.o_assessment.pk},
    "assessments:sign": lambda c: {"pk": c.o_assessment.pk},
    "assessments:addendum_add": lambda c: {"pk": c.o_assessment.pk},
    # Curation: the listing is kept by the other organization's partner; alice curates nothing.
    "directory:verify": lambda c: {"pk": c.o_listing.service_id},
    "directory:capacity": lambda c: {"pk": c.o_listing.service_id},
    "directory:edit": lambda c: {"pk": c.o_listing.service_id},
    "directory:resolve": lambda c: {"pk": c.o_listing_report.pk},
    # The taxonomy bridge editor: administrators only (a term is shared HSDS data; alice is no administrator).
    "directory:bridge_term": lambda c: {"pk": _bridge_term().pk},
    "directory:bridge_add": lambda c: {"pk": _bridge_term().pk},
    "directory:bridge_remove": lambda c: {"pk": _bridge_term().pk},
    # Directory imports: administrators only (shared directory data; alice is no administrator).
    "directory:import": lambda c: {"pk": _directory_import().pk},
    "directory:import_rejections": lambda c: {"pk": _directory_import().pk},
    "careplans:plan": lambda c: {"patient_pk": c.o_patient.pk},
    "careplans:pdf": lambda c: {"patient_pk": c.o_patient.pk},
    "careplans:concern_add": lambda c: {"patient_pk": c.o_patient.pk},
    "careplans:goal_add": lambda c: {"patient_pk": c.o_patient.pk},
    "careplans:review_add": lambda c: {"patient_pk": c.o_patient.pk},
    "careplans:concern_edit": lambda c: {"pk": c.o_concern.pk},
    "careplans:goal_edit": lambda c: {"pk": c.o_goal.pk},
    "careplans:progress_add": lambda c: {"pk": c.o_goal.pk},
    "careplans:intervention_add": lambda c: {"pk": c.o_goal.pk},
    "careplans:intervention_edit": lambda c: {"pk": c.o_intervention.pk},
    "consent:list": lambda c: {"patient_pk": c.o_patient.pk},
    "consent:new": lambda c: {"patient_pk": c.o_patient.pk},
    "consent:revoke": lambda c: {"pk": c.o_consent.pk},
    "consent:document": lambda c: {"pk": c.o_consent_document.pk},
    "referrals:patient_list": lambda c: {"patient_pk": c.o_patient.pk},
    "referrals:new": lambda c: {"patient_pk": c.o_patient.pk},
    "referrals:resources": lambda c: {"patient_pk": c.o_patient.pk},
    "referrals:detail": lambda c: {"pk": c.o_referral.pk},
    "referrals:send": lambda c: {"pk": c.o_referral.pk},
    "referrals:status": lambda c: {"pk": c.o_referral.pk},
    "referrals:outcome": lambda c: {"pk": c.o_referral.pk},
    "referrals:partner_detail": lambda c: {"pk": c.o_referral.pk},
    "referrals:partner_status": lambda c: {"pk": c.o_referral.pk},
    "referrals:sheet": lambda c: {"pk": c.o_referral.pk},
    "caseload:assign": lambda c: {"pk": c.o_sw_referral.pk},
    "caseload:target": lambda c: {"pk": c.o_team.pk},
    "caseload:territory": lambda c: {"team_pk": c.o_team.pk, "user_pk": c.olga.pk},
    "timekeeping:patient": lambda c: {"patient_pk": c.o_patient.pk},
    "timekeeping:timer_start": lambda c: {"patient_pk": c.o_patient.pk},
    "timekeeping:timer_stop": lambda c: {"patient_pk": c.o_patient.pk},
    "timekeeping:timer_discard": lambda c: {"patient_pk": c.o_patient.pk},
    "timekeeping:program_save": lambda c: {"patient_pk": c.o_patient.pk, "family": "chi"},
    "timekeeping:entry_edit": lambda c: {"pk": c.o_time_entry.pk},
    "timekeeping:entry_delete": lambda c: {"pk": c.o_time_entry.pk},
    # The bearer-token API (several operations share a name; each is tried with GET, POST and PATCH).
    "api:get_patient": lambda c: {"patient_id": c.o_patient.pk},
    "api:update_patient": lambda c: {"patient_id": c.o_patient.pk},
    "api:get_episode": lambda c: {"episode_id": c.o_episode.pk},
    "api:update_episode": lambda c: {"episode_id": c.o_episode.pk},
    "api:submit": lambda c: {"patient_id": c.o_patient.pk},
    "api:list_screenings": lambda c: {"patient_id": c.o_patient.pk},
    "api:get_screening": lambda c: {"screening_id": c.o_screening.pk},
    "api:get_referral": lambda c: {"referral_id": c.o_referral.pk},
    "api:change_status": lambda c: {"referral_id": c.o_referral.pk},
    "api:record_outcome": lambda c: {"referral_id": c.o_referral.pk},
}

# Pages anyone may open without signing in (the patient's token links are public by design).
PUBLIC = {
    "accounts:login",
    "healthz",
    "screening:self",  # /s/<token>/
    "referrals:checkback",  # /r/<token>/
    "directory:hsds_root",  # the public HSDS API
    "directory:hsds_services",
    "directory:hsds_service",
    "directory:hsds_organizations",
    "directory:hsds_organization",
    "directory:hsds_taxonomies",
    "directory:hsds_taxonomy_terms",
    "api:openapi-json",  # the API's schema: describes operations, holds no data
    "accounts:set_language",  # the language button is on the login page too
}
# django-ninja registers a name for its root, but no view answers there (404 for everyone).
NOT_A_PAGE = {"api:api-root"}

# Known leaks found by this matrix: "url name method" → reason (none at the time of writing). Each entry is a
# strict expected failure: its sub-case asserts that the leak is still there, so the suite stays green while the
# leak stays visible, and the day the view is fixed the sub-case turns red until the entry is removed.
KNOWN_LEAKS: dict[str, str] = {}


def patterns():
    return [(r, n, k) for r, n, k in walk() if not r.startswith(SKIPPED_PREFIXES)]


class UrlMatrixTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from puente.assessments.models import Assessment
        from puente.careplans.models import Goal, Intervention
        from puente.consent.models import ConsentDocument
        from puente.directory.models import ListingReport
        from puente.notes.models import NoteTemplate, ProgressNote
        from puente.patients.models import BreakGlassAccess, PatientIdentifier, RelatedPerson
        from puente.referrals.tests.util import make_concern, make_consent, make_listing, make_referral
        from puente.screening.models import CrisisAlert, ScreeningResponse
        from puente.tasks.models import Task
        from puente.timekeeping.models import TimeEntry

        org = cls.other_org
        now = timezone.now()
        cls.o_supervisor = make_user(org, Role.SUPERVISOR, name="Oscar Supervisor")
        cls.o_team = make_team(org, "Home Health West", supervisor=cls.o_supervisor, members=[cls.olga])
        cls.o_unit = make_unit(org)
        cls.o_patient = make_patient(org, SECRET_GIVEN, SECRET_FAMILY)
        cls.o_episode = make_episode(cls.o_patient, team=cls.o_team, unit=cls.o_unit, worker=cls.olga)
        cls.o_sw_referral = make_sw_referral(cls.o_patient, team=cls.o_team)
        common = {"organization": org, "patient": cls.o_patient}
        cls.o_identifier = PatientIdentifier.objects.create(**common, facility="Rio Grande", value="MRN-SECRET-1")
        cls.o_related = RelatedPerson.objects.create(**common, relationship="daughter", name=f"{SECRET_TEXT} Kin")
        cls.o_break_glass = BreakGlassAccess.objects.create(
            **common, user=cls.o_supervisor, reason=SECRET_TEXT, expires_at=now + timedelta(hours=1)
        )
        cls.o_screening = ScreeningResponse.objects.create(
            **common, instrument_id="phq9", instrument_version="1", effective_at=now
        )
        cls.o_concern = make_concern(cls.o_patient)
        cls.o_alert = CrisisAlert.objects.create(**common, response=cls.o_screening, kind="suicide_risk")
        cls.o_task = Task.objects.create(organization=org, title=SECRET_TEXT, due_at=now, patient=cls.o_patient)
        cls.o_note = ProgressNote.objects.create(**common, author=cls.olga, format="dap", contact_at=now)
        cls.o_note_template = NoteTemplate.objects.create(organization=org, name=SECRET_TEXT, format="dap")
        cls.o_assessment = Assessment.objects.create(
            **common, setting="home_health", template_version="1", author=cls.olga
        )
        cls.o_goal = Goal.objects.create(**common, concern=cls.o_concern, text=SECRET_TEXT, created_by=cls.olga)
        cls.o_intervention = Intervention.objects.create(
            **common, goal=cls.o_goal, kind="education", description=SECRET_TEXT, created_by=cls.olga
        )
        cls.o_consent = make_consent(cls.o_patient, cls.olga, cls.partner_org)
        data = f"%PDF-1.4 {SECRET_TEXT}".encode()
        cls.o_consent_document = ConsentDocument.objects.create(
            organization=org,
            consent=cls.o_consent,
            kind="form",
            content_type="application/pdf",
            size=len(data),
            sha256="0" * 64,
            data=data,
            created_by=cls.olga,
        )
        # The listing is curated by the other organization (not alice's, not a partner alice belongs to).
        cls.o_listing = make_listing(org, name=f"{SECRET_TEXT} pantry")
        cls.o_listing_report = ListingReport.objects.create(
            service_id=cls.o_listing.service_id, reason="phone", details=SECRET_TEXT, reported_by=cls.olga
        )
        cls.o_referral = make_referral(cls.o_patient, cls.olga, cls.o_listing, status="sent")
        cls.o_time_entry = TimeEntry.objects.create(
            organization=org,
            worker=cls.olga,
            patient=cls.o_patient,
            activity="home_visit",
            started_at=now - timedelta(hours=1),
            ended_at=now,
            service_date=timezone.localdate(),
        )


class ObjectUrls(UrlMatrixTestCase):
    def test_it_covers_every_url_pattern_that_names_an_object(self):
        named = {name for _route, name, kwargs in patterns() if names_an_object(kwargs)}
        missing = named - set(OBJECT_URLS) - SHARED - PUBLIC
        self.assertEqual(missing, set(), "add these URL names to OBJECT_URLS (or, if shared/public, say why)")
        stale = (set(OBJECT_URLS) | SHARED) - named
        self.assertEqual(stale, set(), "these names are no longer in the URL conf: remove them")

    def test_it_answers_404_or_403_to_another_organizations_object_for_every_url(self):
        self.client.force_login(self.alice)
        tried = 0
        for route, name, kwargs in patterns():
            if name not in OBJECT_URLS:
                continue
            path = fill(route, {k: str(v) for k, v in OBJECT_URLS[name](self).items()})
            allowed = {401, 403, 404} if route.startswith("api/v1/") else {403, 404}
            for method in ("get", "post", "patch") if route.startswith("api/v1/") else ("get", "post"):
                with self.subTest(url=name, method=method, path=path):
                    response = getattr(self.client, method)(path)
                    if response.status_code == 405:
                        continue  # the method is not served; the other one is checked
                    tried += 1
                    body = response.content.decode(errors="replace")
                    leaked = [s for s in (SECRET_GIVEN, SECRET_FAMILY, SECRET_TEXT) if s in body]
                    problem = leaked or response.status_code not in allowed
                    if f"{name} {method}" in KNOWN_LEAKS:
                        self.assertTrue(problem, f"{name} {method} no longer leaks: remove it from KNOWN_LEAKS")
                        continue
                    self.assertIn(response.status_code, allowed, f"{method.upper()} {path}")
                    self.assertEqual(leaked, [], f"{method.upper()} {path} shows the other organization's data")
        # Every named URL answered at least one method (a GET-only and a POST-only view both count).
        self.assertGreaterEqual(tried, len(OBJECT_URLS))

    def test_it_builds_paths_that_reach_the_objects(self):
        """The control: the owner's side sees the object, so a 404 above is the guard, not a bad path, and the
        name check is able to fail."""
        for route, name, _kwargs in patterns():
            if name in OBJECT_URLS:
                resolve(fill(route, {k: str(v) for k, v in OBJECT_URLS[name](self).items()}))
        self.client.force_login(self.olga)
        response = self.client.get(reverse("patients:detail", args=[self.o_patient.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, SECRET_FAMILY)
        response = self.client.get(reverse("notes:detail", args=[self.o_note.pk]))
        self.assertEqual(response.status_code, 200)


class PagesWithoutIds(UrlMatrixTestCase):
    def plain_pages(self):
        for route, name, kwargs in patterns():
            if kwargs:
                continue
            yield name, "/" + route

    def test_it_sends_an_anonymous_user_to_the_login_page_except_on_public_pages(self):
        login = reverse("accounts:login")
        for name, path in self.plain_pages():
            with self.subTest(url=name, path=path):
                response = self.client.get(path)
                if response.status_code == 405:  # a POST-only view (logout, mark read …)
                    response = self.client.post(path)
                if name in NOT_A_PAGE:
                    self.assertEqual(response.status_code, 404, path)
                elif name in PUBLIC:
                    self.assertLess(response.status_code, 400, path)
                elif path.startswith("/api/v1/") and name not in ("api:openapi-json", "api:api-root"):
                    self.assertEqual(response.status_code, 401, path)
                else:
                    self.assertEqual(response.status_code, 302, path)
                    self.assertTrue(response["Location"].startswith(login), response["Location"])

    def test_it_never_shows_a_partner_a_patients_name(self):
        # A patient of the partner's own kind of relation: a referral to pat's organization with consent.
        self.client.force_login(self.pat)
        for name, path in self.plain_pages():
            with self.subTest(url=name, path=path):
                response = self.client.get(path)
                self.assertLess(response.status_code, 500, path)
                body = response.content.decode(errors="replace")
                for secret in (self.patient.legal_family_name, SECRET_FAMILY):
                    self.assertNotIn(secret, body, f"{path} shows {secret} to a partner")
