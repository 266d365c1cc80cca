"""The community side of `generate_scale`: partner organizations and their staff, the directory they curate, and
the patients' closed-loop referrals to it (the leading underscore keeps this module from being a command).

Per 100,000 patients (the benchmark issue): 100,000 directory services and about 300,000 community referrals.
Written like the rest of the data set: bulk_create, one transaction per batch, every random draw from the run's
seeded generator (the same seed gives the same rows), no audit row per record.

Kept consistent with what the services write, so that the pages read the generated rows as they read real ones:

- Directory: each service is one of the demo directory's kinds (`directory.demo.data`: names, English and Spanish
  descriptions, taxonomy terms bridged to Gravity SDOH categories, hours) with a location, a phone and its
  languages. `SERVICES_CLUSTERED` of them sit around the demo's central New Mexico towns, the rest anywhere in the
  state (as `bench_directory` spreads them): a statewide directory, not 100,000 services in one city. The
  search document is built by `directory.services.refresh_search_documents`, batch by batch (it also fills
  SQLite's full-text table).
- Partners: organizations of the partner kind, each with partner staff, each curating a few directory
  organizations (`curated_by`); referrals go to the active services of those, as `create_referral` requires.
- Referrals: statuses spread over the Gravity lifecycle; each has the `ReferralEvent` rows of its path through
  `referrals.lifecycle` (every step a legal transition by the side allowed to make it, in time order), the dates
  `_apply` sets, the partner's `handled_by` and `last_partner_update_at`, a reason where the lifecycle requires one,
  and an outcome where a worker (or the patient's check-back) gave one. A referral that was sent has the consent
  `send_referral` requires (named partner, demographics/contact/concerns, verbal with a witness) and the three
  disclosure rows sending wrote. Patients who accept texts and whose referral was accepted over a week ago were
  sent their check-back (a link row, answered about half the time); the others' check-backs are left to the
  `send_referral_checkbacks` job, as on a live system. No notifications or tasks are generated.
- Times are in the past, in order: the rows carry their historical `created_at`/`updated_at` (see
  `historical_timestamps`), so lists sorted by creation show a real spread.
"""

import math
import random
import uuid
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from puente.accounts.models import Organization, Role, User
from puente.consent import rules
from puente.consent.models import Consent, Disclosure
from puente.directory import models as dm
from puente.directory.demo import NAMESPACE as DEMO_NAMESPACE
from puente.directory.demo.data import (
    CAPACITY,
    KINDS,
    LANGUAGE_NAMES,
    TERMS,
    TOWNS,
    VERIFIED_DAYS_AGO,
)
from puente.directory.services import refresh_search_documents
from puente.referrals import lifecycle
from puente.referrals.models import CheckBackLink, NotMetReason, Referral, ReferralEvent

INSERT_BATCH = 1000
# Per 100,000 patients.
SERVICES_PER_PATIENT = 1.0
REFERRALS_PER_PATIENT = 3.0
PARTNERS_PER_100K = 50
PARTNER_STAFF = 2  # per partner organization
SERVICES_PER_DIRECTORY_ORG = 25
CURATED_PER_PARTNER = 4  # directory organizations each partner keeps; the rest of the directory has no partner
DIRECTORY_BATCH = 5000  # services per transaction (the search document is rebuilt per batch)
SERVICES_CLUSTERED = 0.2  # share of services around the demo towns; the rest anywhere in New Mexico
STATE_CENTRE, STATE_SPAN = (35.0844, -106.6504), (2.2, 2.6)  # ± degrees: about 300 x 300 miles
CHECKBACK_DAYS, CHECKBACK_LINK_HOURS = 7, 168  # the settings' defaults (referrals.services)

L = lifecycle
# Final status → relative weight; the path to each (and who makes each step) follows.
FINAL_WEIGHTS = {
    L.DRAFT: 4,
    L.REQUESTED: 9,
    L.ACCEPTED: 9,
    L.IN_PROGRESS: 12,
    L.ON_HOLD: 3,
    L.COMPLETED: 40,
    L.REJECTED: 7,
    L.CANCELLED: 6,
    L.FAILED: 7,
    L.ENTERED_IN_ERROR: 3,
}
PATHS = {
    L.DRAFT: [[L.DRAFT]],
    L.REQUESTED: [[L.DRAFT, L.REQUESTED]],
    L.ACCEPTED: [[L.DRAFT, L.REQUESTED, L.ACCEPTED]],
    L.IN_PROGRESS: [[L.DRAFT, L.REQUESTED, L.ACCEPTED, L.IN_PROGRESS]],
    L.ON_HOLD: [
        [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.IN_PROGRESS, L.ON_HOLD],
        [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.ON_HOLD],
    ],
    L.COMPLETED: [
        [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.IN_PROGRESS, L.COMPLETED],
        [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.COMPLETED],
        [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.IN_PROGRESS, L.ON_HOLD, L.IN_PROGRESS, L.COMPLETED],
    ],
    L.REJECTED: [[L.DRAFT, L.REQUESTED, L.REJECTED]],
    L.CANCELLED: [[L.DRAFT, L.REQUESTED, L.CANCELLED], [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.CANCELLED]],
    L.FAILED: [
        [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.IN_PROGRESS, L.FAILED],
        [L.DRAFT, L.REQUESTED, L.ACCEPTED, L.FAILED],
    ],
    L.ENTERED_IN_ERROR: [[L.DRAFT, L.ENTERED_IN_ERROR], [L.DRAFT, L.REQUESTED, L.ENTERED_IN_ERROR]],
}
# Hours a step takes after the previous one (min, max), by the status it reaches.
STEP_HOURS = {
    L.REQUESTED: (0.05, 2),
    L.ACCEPTED: (1, 96),
    L.REJECTED: (1, 96),
    L.IN_PROGRESS: (4, 120),
    L.ON_HOLD: (24, 240),
    L.COMPLETED: (24, 600),
    L.FAILED: (24, 600),
    L.CANCELLED: (12, 200),
    L.ENTERED_IN_ERROR: (0.1, 48),
}
REASONS = {
    L.REJECTED: ["Outside our service area (synthetic)", "Not eligible for this program (synthetic)"],
    L.CANCELLED: ["Patient no longer needs the service (synthetic)", "Patient moved (synthetic)"],
    L.FAILED: ["Could not reach the patient after three calls (synthetic)", "No funds left this month (synthetic)"],
    L.ON_HOLD: ["Waiting for the patient's documents (synthetic)", "Waitlisted until next month (synthetic)"],
    L.ENTERED_IN_ERROR: ["Sent for the wrong patient (synthetic)"],
}
NOT_MET_REASONS = [r.value for r in NotMetReason if r != NotMetReason.OTHER]
CONSENT_CLASSES = [rules.DEMOGRAPHICS, rules.CONTACT, rules.CONCERNS]
# The statuses `referrals.services.due_checkbacks` asks the patient about.
CHECKBACK_STATUSES = {L.ACCEPTED, L.IN_PROGRESS, L.ON_HOLD, L.COMPLETED, L.FAILED}
FOOD_AND_MORE = list(KINDS)  # every kind in turn: the mix of a general directory


def scaled(patients: int, per_100k: float, minimum: int) -> int:
    return max(minimum, round(patients * per_100k / 100_000))


@contextmanager
def historical_timestamps(*models):
    """Let bulk_create keep the `created_at`/`updated_at` the generator sets: both fields are automatic
    (`auto_now_add`/`auto_now`) and would otherwise all read "now", so every referral would seem made today and
    its events would all share one moment. Single-threaded command: the switch is process-wide but brief."""
    fields = [(m._meta.get_field("created_at"), m._meta.get_field("updated_at")) for m in models]
    for created, updated in fields:
        created.auto_now_add = updated.auto_now = False
    try:
        yield
    finally:
        for created, updated in fields:
            created.auto_now_add = updated.auto_now = True


def term_id(name: str) -> uuid.UUID:
    """The demo directory's id for a taxonomy term (`directory.demo._id`): the generated services share the demo's
    taxonomy instead of a second set of identically named terms."""
    return uuid.uuid5(DEMO_NAMESPACE, f"term:{name}")


class Community:
    """Partners, the directory they curate and the community referrals, drawn from `gen`'s generator."""

    def __init__(self, gen, seed: int, patients: int):
        # A generator of its own, seeded from the run's seed: drawing from the run's would shift every patient and
        # episode after the first referral, so adding the community would change the rest of a seed's data set.
        self.gen, self.seed = gen, seed
        self.rng = random.Random(f"generate_scale community {seed}")  # noqa: S311 - synthetic data, not security
        self.n_partners = scaled(patients, PARTNERS_PER_100K, 2 if patients else 0)
        self.n_services = max(round(patients * SERVICES_PER_PATIENT), 2 * self.n_partners)
        self.partners: list[Organization] = []
        self.staff_by_partner: dict = {}
        self.targets: list[tuple] = []  # (service_at_location id, partner organization id) referrals may go to
        self.counts = {
            "partners": 0,
            "partner_staff": 0,
            "directory_organizations": 0,
            "services": 0,
            "referrals": 0,
            "referral_events": 0,
            "consents": 0,
            "disclosures": 0,
            "checkback_links": 0,
        }

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _when(self, episode):
        end = episode.end or self.gen.now
        return episode.start + (end - episode.start) * self.rng.random()

    # Partners and the directory.

    def build(self, care_org_ids, progress=None) -> None:
        self._partners()
        # Event rows carry the actor's name as the services write it (`str(user)`): read once, not per event.
        self.names = dict(
            User.objects.filter(organization_id__in=[*care_org_ids, *(p.pk for p in self.partners)]).values_list(
                "pk", "full_name"
            )
        )
        terms = self._taxonomy()
        n_dir = max(self.n_partners, math.ceil(self.n_services / SERVICES_PER_DIRECTORY_ORG)) if self.n_services else 0
        curated = min(n_dir, CURATED_PER_PARTNER * self.n_partners)
        with transaction.atomic():
            orgs = [
                dm.Organization(
                    id=self._uuid(),
                    name=f"Scale Community Services {self.seed}-{k + 1} (synthetic)",
                    description="Synthetic organization for the scale benchmark; not a real provider.",
                    curated_by=self.partners[k % self.n_partners] if k < curated else None,
                )
                for k in range(n_dir)
            ]
            dm.Organization.objects.bulk_create(orgs, batch_size=INSERT_BATCH)
        self.counts["directory_organizations"] = len(orgs)
        for start in range(0, self.n_services, DIRECTORY_BATCH):
            size = min(DIRECTORY_BATCH, self.n_services - start)
            self._services(orgs, terms, start, size)
            if progress is not None:
                progress.update(size)

    @transaction.atomic
    def _partners(self) -> None:
        users = []
        for k in range(self.n_partners):
            org = Organization.objects.create(
                id=self._uuid(),
                slug=f"scale-s{self.seed}-partner-{k + 1}",
                name=f"Scale Community Partner {k + 1} (synthetic)",
                kind=Organization.Kind.PARTNER,
            )
            self.partners.append(org)
            for j in range(PARTNER_STAFF):
                spanish = self.rng.random() < 0.5
                users.append(
                    User(
                        email=f"partner{j + 1:02d}@p{k + 1}.s{self.seed}.scale.example",
                        password=self.gen.password,
                        full_name=self.gen._person_name(self.rng),
                        organization=org,
                        role=Role.PARTNER,
                        language="es" if spanish else "en",
                        languages_spoken="English, Spanish" if spanish else "English",
                    )
                )
        User.objects.bulk_create(users, batch_size=INSERT_BATCH)
        staff = User.objects.filter(organization__in=self.partners, role=Role.PARTNER).order_by("email")
        for user in staff:
            self.staff_by_partner.setdefault(user.organization_id, []).append(user.pk)
        self.counts["partners"], self.counts["partner_staff"] = len(self.partners), len(users)

    @transaction.atomic
    def _taxonomy(self) -> dict[str, uuid.UUID]:
        """The demo taxonomy's terms and bridges (created if missing, shared by every seed and by the demo)."""
        taxonomy, _ = dm.Taxonomy.objects.get_or_create(
            id=uuid.uuid5(DEMO_NAMESPACE, "taxonomy"),
            defaults={"name": "Puente demo taxonomy", "description": "Synthetic terms for the Puente demo directory."},
        )
        ids = {}
        for name, codes in TERMS.items():
            term, _ = dm.TaxonomyTerm.objects.get_or_create(
                id=term_id(name),
                defaults={"name": name, "description": name, "taxonomy": taxonomy.name, "taxonomy_detail": taxonomy},
            )
            for code in codes:
                dm.TaxonomyBridge.objects.get_or_create(taxonomy_term=term, sdoh_category=code)
            ids[name] = term.pk
        return ids

    @transaction.atomic
    def _services(self, orgs, terms, start: int, size: int) -> None:
        rng, now = self.rng, self.gen.now
        towns = list(TOWNS.values())
        services, locations, sals, phones, languages, attributes, schedules = [], [], [], [], [], [], []
        for i in range(start, start + size):
            kind = KINDS[FOOD_AND_MORE[i % len(FOOD_AND_MORE)]]
            org = orgs[i % len(orgs)]
            town = rng.choice(towns)
            if rng.random() < SERVICES_CLUSTERED:
                place, county = town.place, f"{town.county} County"
                lat, lon = town.latitude + rng.gauss(0, 0.04), town.longitude + rng.gauss(0, 0.05)
                extra = list(town.languages)
            else:
                place, county = "Rural New Mexico", "rural New Mexico"
                lat = STATE_CENTRE[0] + rng.uniform(-STATE_SPAN[0], STATE_SPAN[0])
                lon = STATE_CENTRE[1] + rng.uniform(-STATE_SPAN[1], STATE_SPAN[1])
                extra = []
            verified = VERIFIED_DAYS_AGO[i % len(VERIFIED_DAYS_AGO)]
            capacity = CAPACITY[i % len(CAPACITY)]
            service = dm.Service(
                id=self._uuid(),
                organization_id=org.pk,
                name=f"{kind.name.format(place=place, county=county)} {i + 1}",
                description=kind.en.format(place=place, county=county),
                description_es=kind.es.format(place=place, county=county),
                # A few temporarily closed: search must leave them out, referrals do not go to them.
                status="temporarily closed" if rng.random() < 0.03 else "active",
                active=True,
                fees_description=kind.cost,
                minimum_age=kind.min_age,
                capacity_status=capacity,
                capacity_updated_at=now - timedelta(days=3) if capacity else None,
                last_verified_at=now - timedelta(days=verified) if verified is not None else None,
            )
            location = dm.Location(
                id=self._uuid(),
                organization_id=org.pk,
                location_type="physical",
                name=service.name,
                latitude=round(lat, 5),
                longitude=round(lon, 5),
            )
            sal = dm.ServiceAtLocation(id=self._uuid(), service_id=service.pk, location_id=location.pk)
            services.append(service)
            locations.append(location)
            sals.append(sal)
            phones.append(
                dm.Phone(
                    id=self._uuid(),
                    service_id=service.pk,
                    number=f"505-555-01{rng.randint(0, 99):02d}",  # the range reserved for fiction
                    description="Synthetic number",
                )
            )
            codes = ["en"] + (["es"] if rng.random() < 0.55 else [])
            codes += [c for c in extra if rng.random() < 0.3]
            for code in codes:
                languages.append(
                    dm.Language(id=self._uuid(), service_id=service.pk, code=code, name=LANGUAGE_NAMES[code])
                )
            for name in kind.terms:
                attributes.append(
                    dm.Attribute(id=self._uuid(), link_id=service.pk, link_type="service", taxonomy_term_id=terms[name])
                )
            for byday, opens, closes in kind.hours[i % len(kind.hours)]:
                schedules.append(
                    dm.Schedule(
                        id=self._uuid(),
                        service_id=service.pk,
                        freq="WEEKLY",
                        byday=byday,
                        opens_at=opens,
                        closes_at=closes,
                    )
                )
            if org.curated_by_id is not None and service.status == "active":
                self.targets.append((sal.pk, org.curated_by_id))
        for model, rows in (
            (dm.Service, services),
            (dm.Location, locations),
            (dm.ServiceAtLocation, sals),
            (dm.Phone, phones),
            (dm.Language, languages),
            (dm.Attribute, attributes),
            (dm.Schedule, schedules),
        ):
            model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        refresh_search_documents([s.pk for s in services])
        self.counts["services"] += len(services)

    # Referrals, for one batch of patients (called inside the batch's transaction).

    def referrals(self, plan, pairs) -> None:
        if not self.targets:
            return
        rows = {"referrals": [], "events": [], "consents": [], "disclosures": [], "links": []}
        for patient, episode in pairs:
            workers = plan.workers_by_team[episode.team_id]
            requester = episode.assigned_worker_id or (self.rng.choice(workers).pk if workers else None)
            if requester is None:
                continue
            for _ in range(self.rng.randint(0, round(2 * REFERRALS_PER_PATIENT))):
                self._referral(patient, episode, requester, rows)
        with historical_timestamps(Consent, Referral, ReferralEvent, Disclosure, CheckBackLink):
            Consent.objects.bulk_create(rows["consents"], batch_size=INSERT_BATCH)
            Referral.objects.bulk_create(rows["referrals"], batch_size=INSERT_BATCH)
            ReferralEvent.objects.bulk_create(rows["events"], batch_size=INSERT_BATCH)
            Disclosure.objects.bulk_create(rows["disclosures"], batch_size=INSERT_BATCH)
            CheckBackLink.objects.bulk_create(rows["links"], batch_size=INSERT_BATCH)
        for key, name in (
            ("referrals", "referrals"),
            ("events", "referral_events"),
            ("consents", "consents"),
            ("disclosures", "disclosures"),
            ("links", "checkback_links"),
        ):
            self.counts[name] += len(rows[key])

    def _path(self) -> tuple[list[str], list]:
        """A lifecycle path and the moment of each step, ending before now."""
        rng = self.rng
        final = rng.choices(list(FINAL_WEIGHTS), weights=list(FINAL_WEIGHTS.values()))[0]
        path = rng.choice(PATHS[final])
        gaps = [timedelta(hours=rng.uniform(*STEP_HOURS[s])) for s in path[1:]]
        return path, gaps

    def _referral(self, patient, episode, requester, rows) -> None:
        rng, now = self.rng, self.gen.now
        sal_id, partner_id = rng.choice(self.targets)
        partner_staff = self.staff_by_partner[partner_id]
        path, gaps = self._path()
        began = self._when(episode)
        room = now - timedelta(minutes=1) - began
        total = sum(gaps, timedelta())
        if total and total > room:  # squeeze the path into the time left so that nothing happens in the future
            factor = max(room, timedelta()) / total
            gaps = [g * factor for g in gaps]
        times = [began]
        for gap in gaps:
            times.append(times[-1] + gap)
        referral = Referral(
            id=self._uuid(),
            organization_id=patient.organization_id,
            patient_id=patient.pk,
            service_at_location_id=sal_id,
            recipient_organization_id=partner_id,
            priority="urgent" if rng.random() < 0.15 else "routine",
            message_to_partner="Please call the patient about the service (synthetic).",
            patient_told="The organization will call within a week (synthetic).",
            status=path[-1],
            status_changed_at=times[-1],
            requested_by_id=requester,
            created_at=began,
            updated_at=times[-1],
        )
        events = [self._event(referral, requester, "", L.DRAFT, "", began)]
        for previous, status, when in zip(path, path[1:], times[1:], strict=False):
            side = L.REQUESTER if status in (L.REQUESTED, L.ENTERED_IN_ERROR) else L.TARGET
            if status == L.CANCELLED and rng.random() < 0.7:
                side = L.REQUESTER  # either side may cancel; usually the patient told the worker
            actor = requester if side == L.REQUESTER else rng.choice(partner_staff)
            reason = rng.choice(REASONS[status]) if status in L.REASON_REQUIRED else ""
            events.append(self._event(referral, actor, previous, status, reason, when))
            referral.status_reason = reason
            if status == L.REQUESTED:
                referral.requested_at = when
            if status == L.ACCEPTED:
                referral.accepted_at, referral.handled_by_id = when, actor
            if side == L.TARGET:
                referral.last_partner_update_at = when
        if referral.requested_at is not None:
            self._consent_and_disclosures(referral, patient, rows)
        self._outcome(referral, patient, events, rows)
        rows["referrals"].append(referral)
        rows["events"].extend(events)

    def _event(self, referral, actor_id, from_status, to_status, reason, when, kind="status") -> ReferralEvent:
        return ReferralEvent(
            id=self._uuid(),
            organization_id=referral.organization_id,
            referral_id=referral.pk,
            actor_id=actor_id,
            actor_label=self.names.get(actor_id, "") if actor_id else "the patient",
            from_status=from_status,
            to_status=to_status,
            kind=kind,
            reason=reason,
            created_at=when,
            updated_at=when,
        )

    def _consent_and_disclosures(self, referral, patient, rows) -> None:
        """The consent `send_referral` found (named partner, in effect on the day it was sent) and the disclosures
        it logged."""
        sent = referral.requested_at
        signed_on = timezone.localdate(sent) - timedelta(days=self.rng.randint(0, 20))
        consent = Consent(
            id=self._uuid(),
            organization_id=patient.organization_id,
            patient_id=patient.pk,
            recipient_organization_id=referral.recipient_organization_id,
            purpose="Help with social needs (synthetic)",
            data_classes=CONSENT_CLASSES,
            method="verbal",
            witness_name="Synthetic witness",
            effective_on=signed_on,
            expires_on=signed_on + timedelta(days=365),
            created_by_id=referral.requested_by_id,
            created_at=sent - timedelta(minutes=5),
            updated_at=sent - timedelta(minutes=5),
        )
        referral.consent_id = consent.pk
        rows["consents"].append(consent)
        for data_class in CONSENT_CLASSES:
            rows["disclosures"].append(
                Disclosure(
                    id=self._uuid(),
                    organization_id=patient.organization_id,
                    patient_id=patient.pk,
                    consent_id=consent.pk,
                    recipient_organization_id=referral.recipient_organization_id,
                    data_class=data_class,
                    purpose="Referral",
                    source_type="referrals.referral",
                    source_id=str(referral.pk),
                    disclosed_at=sent,
                    disclosed_by_id=referral.requested_by_id,
                    created_at=sent,
                    updated_at=sent,
                )
            )

    def _outcome(self, referral, patient, events, rows) -> None:
        """The worker's outcome on most closed referrals; the patient's check-back where it was sent."""
        rng, now = self.rng, self.gen.now
        last = referral.status_changed_at
        if referral.status in (L.COMPLETED, L.FAILED) and rng.random() < 0.6:
            if referral.status == L.COMPLETED:
                outcome = rng.choices(["met", "partly_met", "not_met"], weights=[70, 20, 10])[0]
            else:
                outcome = "not_met"
            reason = rng.choice(NOT_MET_REASONS) if outcome == "not_met" else ""
            when = min(last + timedelta(hours=rng.uniform(1, 72)), now - timedelta(seconds=30))
            referral.outcome, referral.outcome_reason = outcome, reason
            referral.outcome_recorded_by_id, referral.outcome_recorded_at = referral.requested_by_id, when
            events.append(
                self._event(
                    referral,
                    referral.requested_by_id,
                    referral.status,
                    referral.status,
                    f"{outcome} {reason}".strip(),
                    when,
                    kind="outcome",
                )
            )
        self._checkback(referral, patient, events, rows)
        events.sort(key=lambda e: e.created_at)
        referral.updated_at = events[-1].created_at

    @staticmethod
    def _status_at(events, moment) -> str:
        return [e.to_status for e in events if e.kind == "status" and e.created_at <= moment][-1]

    def _checkback(self, referral, patient, events, rows) -> None:
        """As `send_due_checkbacks` would have: a week after acceptance, if the referral was then among the
        statuses it asks about; by text only (the other channels make tasks, which are not generated)."""
        rng, now = self.rng, self.gen.now
        accepted = referral.accepted_at
        if accepted is None or accepted + timedelta(days=CHECKBACK_DAYS) > now:
            return
        sent = accepted + timedelta(days=CHECKBACK_DAYS)
        if self._status_at(events, sent) not in CHECKBACK_STATUSES or not (patient.phone and patient.phone_may_text):
            return
        # The link's token is a random hash: nobody holds the token.
        referral.checkback_sent_at, referral.checkback_channel = sent, "sms"
        link = CheckBackLink(
            id=self._uuid(),
            organization_id=referral.organization_id,
            referral_id=referral.pk,
            token_hash=f"{self.rng.getrandbits(256):064x}",
            language=patient.message_language,
            expires_at=sent + timedelta(hours=CHECKBACK_LINK_HOURS),
            created_at=sent,
            updated_at=sent,
        )
        rows["links"].append(link)
        answered = sent + timedelta(hours=rng.uniform(1, CHECKBACK_LINK_HOURS - 1))
        if rng.random() < 0.5 and answered < now:
            # The event names the status the referral had when the patient answered.
            status_then = self._status_at(events, answered)
            answer = rng.choices(["yes", "partly", "no"], weights=[60, 25, 15])[0]
            reason = rng.choice(NOT_MET_REASONS) if answer != "yes" else ""
            link.used_at = answered
            referral.checkback_answer, referral.checkback_reason = answer, reason
            referral.checkback_answered_at = answered
            if not referral.outcome:  # as answer_checkback: the patient's answer fills a missing outcome
                referral.outcome = {"yes": "met", "partly": "partly_met", "no": "not_met"}[answer]
                referral.outcome_reason = reason if answer == "no" else ""
                referral.outcome_from_patient, referral.outcome_recorded_at = True, answered
            events.append(
                self._event(
                    referral, None, status_then, status_then, f"{answer} {reason}".strip(), answered, kind="checkback"
                )
            )
