"""generate_scale's community side: partners and their staff, a searchable directory they curate, and closed-loop
referrals whose events walk the Gravity lifecycle legally, with the consents and disclosures sending needs."""

import re
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import TestCase
from django.utils import timezone

from puente.accounts.models import Organization, Role, User
from puente.consent import rules
from puente.consent.decide import may_share
from puente.consent.models import Consent, Disclosure
from puente.directory import models as dm
from puente.directory.geo import distance_miles, zip_point
from puente.directory.search import SearchCriteria, search_services
from puente.referrals import lifecycle
from puente.referrals.models import CheckBackLink, Referral, ReferralEvent
from puente.referrals.services import partner_org_for

N, SEED = 80, 21


def generate(patients=N, seed=SEED, **opts) -> str:
    out = StringIO()
    opts.setdefault("verbosity", 0)
    call_command("generate_scale", patients=patients, seed=seed, stdout=out, **opts)
    return out.getvalue()


class GenerateCommunity(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = generate(verbosity=1)
        cls.partners = list(Organization.objects.filter(kind=Organization.Kind.PARTNER).order_by("slug"))
        cls.partner_staff = {u.pk: u for u in User.objects.filter(role=Role.PARTNER)}

    def test_it_creates_partner_organizations_with_partner_staff_who_curate_listings(self):
        self.assertEqual([p.slug for p in self.partners], [f"scale-s{SEED}-partner-1", f"scale-s{SEED}-partner-2"])
        for partner in self.partners:
            with self.subTest(partner=partner.slug):
                staff = User.objects.filter(organization=partner)
                self.assertEqual(staff.count(), 2)
                self.assertEqual(set(staff.values_list("role", flat=True)), {Role.PARTNER})
                self.assertTrue(dm.Organization.objects.filter(curated_by=partner).exists())
                user = staff.order_by("email").first()
                self.assertTrue(dm.Service.objects.curated_by(user).exists())
                self.assertTrue(Referral.objects.for_partner(user).exists())  # the partner's inbox has something

    def test_it_creates_about_one_searchable_service_per_patient(self):
        services = dm.Service.objects.all()
        self.assertEqual(services.count(), N)
        self.assertFalse(services.filter(search_document="").exists())
        self.assertFalse(services.filter(service_at_locations__isnull=True).exists())
        self.assertFalse(services.filter(languages__isnull=True).exists())
        self.assertFalse(services.filter(phones__isnull=True).exists())
        self.assertEqual(dm.Location.objects.filter(latitude__isnull=True).count(), 0)
        for service in services[:20]:
            with self.subTest(service=service.name):
                self.assertTrue(service.sdoh_categories)  # every listing addresses a need through the bridge

    def test_it_creates_referrals_consistent_with_the_services_that_make_and_send_them(self):
        referrals = Referral.objects.select_related("service_at_location__service__organization", "requested_by")
        self.assertTrue(2 * N <= referrals.count() <= 4 * N, referrals.count())  # about three per patient
        self.assertGreaterEqual(len(set(referrals.values_list("status", flat=True))), 7)
        self.assertFalse(referrals.exclude(organization_id=F("patient__organization_id")).exists())
        for r in referrals:
            with self.subTest(referral=r.pk, status=r.status):
                self.assertEqual(r.recipient_organization_id, partner_org_for(r.service_at_location).pk)
                self.assertEqual(r.service_at_location.service.status, "active")
                self.assertEqual(r.requested_by.organization_id, r.organization_id)
                self.assertIn(r.requested_by.role, (Role.SOCIAL_WORKER, Role.SUPERVISOR))
                sent = r.requested_at is not None
                self.assertEqual(r.consent_id is not None, sent)
                if sent:
                    # send_referral's check passes with the referral's own consent, which existed when it was sent.
                    consent = r.consent
                    self.assertLessEqual(consent.created_at, r.requested_at)
                    self.assertEqual(consent.recipient_organization_id, r.recipient_organization_id)
                    decision = may_share(
                        r.patient,
                        r.recipient_organization,
                        rules.DEMOGRAPHICS,
                        r.requested_at,
                        consents=[consent.facts()],
                    )
                    self.assertTrue(decision.allowed, decision.reason)
                    disclosed = Disclosure.objects.filter(organization_id=r.organization_id, source_id=str(r.pk))
                    self.assertEqual(
                        set(disclosed.values_list("data_class", flat=True)),
                        {rules.DEMOGRAPHICS, rules.CONTACT, rules.CONCERNS},
                    )
                if r.handled_by_id:
                    self.assertIn(r.handled_by_id, self.partner_staff)
                    self.assertEqual(self.partner_staff[r.handled_by_id].organization_id, r.recipient_organization_id)
                self.assertEqual(bool(r.status_reason), r.status in lifecycle.REASON_REQUIRED)
                if r.outcome == "not_met":
                    self.assertTrue(r.outcome_reason)
                r.full_clean()
        self.assertEqual(Consent.objects.count(), Referral.objects.exclude(consent=None).count())

    def test_it_records_each_referrals_events_in_legal_lifecycle_order(self):
        now = timezone.now()
        events: dict = {}
        for e in ReferralEvent.objects.order_by("created_at"):
            events.setdefault(e.referral_id, []).append(e)
        referrals = list(Referral.objects.all())
        self.assertEqual(set(events), {r.pk for r in referrals})
        for r in referrals:
            with self.subTest(referral=r.pk, status=r.status):
                rows = events[r.pk]
                times = [e.created_at for e in rows]
                self.assertEqual(times, sorted(times))
                self.assertLess(times[-1], now)
                self.assertEqual(r.created_at, times[0])
                status_rows = [e for e in rows if e.kind == "status"]
                self.assertEqual((status_rows[0].from_status, status_rows[0].to_status), ("", lifecycle.DRAFT))
                current = lifecycle.DRAFT
                for e in status_rows[1:]:
                    self.assertEqual(e.from_status, current)
                    side = lifecycle.TARGET if e.actor_id in self.partner_staff else lifecycle.REQUESTER
                    self.assertTrue(lifecycle.is_allowed(current, e.to_status, side), (current, e.to_status, side))
                    if e.to_status in lifecycle.REASON_REQUIRED:
                        self.assertTrue(e.reason)
                    self.assertTrue(e.actor_label)
                    if e.to_status == lifecycle.REQUESTED:
                        self.assertEqual(r.requested_at, e.created_at)
                    if e.to_status == lifecycle.ACCEPTED:
                        self.assertEqual(r.accepted_at, e.created_at)
                    current = e.to_status
                self.assertEqual(current, r.status)
                self.assertEqual(r.status_changed_at, status_rows[-1].created_at)
                outcome_rows = [e for e in rows if e.kind == "outcome"]
                self.assertEqual(bool(outcome_rows), bool(r.outcome and not r.outcome_from_patient))
                checkbacks = [e for e in rows if e.kind == "checkback"]
                self.assertEqual(bool(checkbacks), bool(r.checkback_answer))

    def test_it_sends_check_backs_only_when_due_and_to_patients_who_accept_texts(self):
        links = CheckBackLink.objects.select_related("referral__patient")
        self.assertTrue(links.exists())
        for link in links:
            r = link.referral
            self.assertTrue(r.patient.phone_may_text)
            self.assertEqual(r.checkback_sent_at, r.accepted_at + timedelta(days=7))
            self.assertEqual(link.used_at, r.checkback_answered_at)
        self.assertEqual(Referral.objects.exclude(checkback_sent_at=None).count(), links.count())

    def test_it_builds_listings_that_directory_search_finds_by_need_distance_language_and_text(self):
        origin = zip_point("87102")
        food = set(
            dm.TaxonomyBridge.objects.filter(sdoh_category="food-insecurity").values_list("taxonomy_term_id", flat=True)
        )
        found_any = False
        for radius in (15, 60, 250):
            with self.subTest(radius=radius):
                expected = set()
                for s in dm.Service.objects.prefetch_related("languages", "service_at_locations__location"):
                    terms = dm.TaxonomyTerm.objects.filter(attributes__link_id=s.pk)
                    words = " ".join([s.name, s.description, s.description_es, *terms.values_list("name", flat=True)])
                    near = any(
                        distance_miles(origin.latitude, origin.longitude, sal.location.latitude, sal.location.longitude)
                        <= radius
                        for sal in s.service_at_locations.all()
                    )
                    if (
                        s.status == "active"
                        and near
                        and "es" in {lang.code for lang in s.languages.all()}
                        and set(terms.values_list("pk", flat=True)) & food
                        and "food" in re.findall(r"[a-z]+", words.lower())
                    ):
                        expected.add(s.pk)
                criteria = SearchCriteria(
                    need="food-insecurity", zip_code="87102", radius_miles=radius, language="es", text="food"
                )
                page = search_services(criteria)
                self.assertEqual({r.service.pk for r in page.results}, expected)
                found_any |= bool(expected)
        self.assertTrue(found_any, "the state-wide radius should find a Spanish-speaking food service")

    def test_it_reports_the_community_counts(self):
        self.assertRegex(
            self.output,
            r"Community: 2 partner organizations \(4 partner staff\), 80 directory services in \d+ directory "
            r"organizations \(built and indexed for search in [\d.]+s\), \d+ community referrals with \d+ events",
        )
        self.assertIn(f"partner01@p1.s{SEED}.scale.example (partner)", self.output)

    def test_it_gives_the_same_community_for_the_same_seed(self):
        # Users by email, not id: a rolled-back transaction does not give PostgreSQL's id sequence its numbers back.
        # Times are relative to the moment of generation, so they are not compared.
        def snapshot():
            with transaction.atomic():
                generate(patients=12, seed=98)
                partners = Organization.objects.filter(slug__startswith="scale-s98-partner-")
                services = list(
                    dm.Service.objects.filter(organization__curated_by__in=partners)
                    .order_by("pk")
                    .values_list("pk", "name", "service_at_locations__location__latitude")
                )
                referrals = list(
                    Referral.objects.filter(recipient_organization__in=partners)
                    .order_by("pk")
                    .values_list("pk", "patient_id", "status", "service_at_location_id", "requested_by__email")
                )
                events = list(
                    ReferralEvent.objects.filter(referral__recipient_organization__in=partners)
                    .order_by("pk")
                    .values_list("pk", "from_status", "to_status", "actor__email")
                )
                transaction.set_rollback(True)
            return services, referrals, events

        first = snapshot()
        self.assertTrue(all(first))
        self.assertEqual(snapshot(), first)

    def test_it_makes_no_community_referrals_without_activity(self):
        before = Referral.objects.count()
        generate(patients=6, seed=97, no_activity=True)
        self.assertEqual(Referral.objects.count(), before)
        self.assertTrue(Organization.objects.filter(slug="scale-s97-partner-1").exists())
