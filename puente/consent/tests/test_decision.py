"""The sharing rule, table-driven: recipient (named, class, other), scope, the expiry boundary, revocation,
Part 2 and notes; then `may_share` on stored consents, revocation included."""

from datetime import UTC, date, datetime, timedelta

from django.test import SimpleTestCase
from django.utils import timezone

from puente.accounts.models import Organization
from puente.consent import rules
from puente.consent.decide import may_share, shareable_classes
from puente.consent.services import revoke_consent
from puente.core.testing import PersonaTestCase, make_org
from puente.referrals.tests.util import make_consent

PARTNER = "partner-1"
OTHER = "partner-2"
AT = datetime(2026, 6, 15, 18, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)
BASE = {rules.DEMOGRAPHICS, rules.CONTACT, rules.CONCERNS}


def facts(
    recipient=PARTNER, cls="", classes=BASE, start=date(2026, 1, 1), end=date(2026, 12, 31), revoked=None, part2=False
):
    return rules.ConsentFacts(
        ref="c",
        recipient_org_id=recipient,
        recipient_class=cls,
        data_classes=frozenset(classes),
        effective_on=start,
        expires_on=end,
        revoked_at=revoked,
        part2=part2,
    )


CLASS = {"recipient": None, "cls": rules.CLASS_SOCIAL_SERVICES}

# (name, consent kwargs or None for no consent, data class, recipient org, recipient is partner, allowed, reason)
TABLE = [
    ("no consent", None, rules.DEMOGRAPHICS, PARTNER, True, False, rules.NO_CONSENT),
    ("named, in scope", {}, rules.DEMOGRAPHICS, PARTNER, True, True, rules.OK_NAMED),
    ("named, other recipient", {}, rules.DEMOGRAPHICS, OTHER, True, False, rules.OTHER_RECIPIENT),
    ("class, any partner", CLASS, rules.DEMOGRAPHICS, OTHER, True, True, rules.OK_CLASS),
    ("class, not a partner", CLASS, rules.DEMOGRAPHICS, OTHER, False, False, rules.NOT_A_PARTNER),
    (
        "class with an unknown class name",
        {"recipient": None, "cls": "lawyers"},
        rules.DEMOGRAPHICS,
        PARTNER,
        True,
        False,
        rules.OTHER_RECIPIENT,
    ),
    ("out of scope", {}, rules.SCREENING, PARTNER, True, False, rules.NOT_IN_SCOPE),
    ("screening in scope", {"classes": BASE | {rules.SCREENING}}, rules.SCREENING, PARTNER, True, True, rules.OK_NAMED),
    ("expires today: still valid", {"end": TODAY}, rules.DEMOGRAPHICS, PARTNER, True, True, rules.OK_NAMED),
    ("expired yesterday", {"end": TODAY - timedelta(days=1)}, rules.DEMOGRAPHICS, PARTNER, True, False, rules.EXPIRED),
    ("no expiry date", {"end": None}, rules.DEMOGRAPHICS, PARTNER, True, True, rules.OK_NAMED),
    ("effective today", {"start": TODAY}, rules.DEMOGRAPHICS, PARTNER, True, True, rules.OK_NAMED),
    (
        "effective tomorrow",
        {"start": TODAY + timedelta(days=1)},
        rules.DEMOGRAPHICS,
        PARTNER,
        True,
        False,
        rules.NOT_YET_EFFECTIVE,
    ),
    (
        "revoked a second ago",
        {"revoked": AT - timedelta(seconds=1)},
        rules.DEMOGRAPHICS,
        PARTNER,
        True,
        False,
        rules.REVOKED,
    ),
    ("revoked at this very moment", {"revoked": AT}, rules.DEMOGRAPHICS, PARTNER, True, False, rules.REVOKED),
    (
        "revoked later (decision in the past)",
        {"revoked": AT + timedelta(seconds=1)},
        rules.DEMOGRAPHICS,
        PARTNER,
        True,
        True,
        rules.OK_NAMED,
    ),
    (
        "Part 2 data, plain consent",
        {"classes": BASE | {rules.SUBSTANCE_USE}},
        rules.SUBSTANCE_USE,
        PARTNER,
        True,
        False,
        rules.PART2_NEEDS_FLAG,
    ),
    (
        "Part 2 data, Part 2 named consent",
        {"classes": BASE | {rules.SUBSTANCE_USE}, "part2": True},
        rules.SUBSTANCE_USE,
        PARTNER,
        True,
        True,
        rules.OK_NAMED,
    ),
    (
        "Part 2 data, Part 2 class consent",
        {**CLASS, "classes": BASE | {rules.SUBSTANCE_USE}, "part2": True},
        rules.SUBSTANCE_USE,
        PARTNER,
        True,
        False,
        rules.PART2_NEEDS_NAMED,
    ),
    (
        "Part 2 consent without the class",
        {"part2": True},
        rules.SUBSTANCE_USE,
        PARTNER,
        True,
        False,
        rules.NOT_IN_SCOPE,
    ),
    ("notes, even if listed", {"classes": BASE | {rules.NOTES}}, rules.NOTES, PARTNER, True, False, rules.NOTES_NEVER),
    ("notes, class consent", CLASS, rules.NOTES, PARTNER, True, False, rules.NOTES_NEVER),
    ("unknown class of data", {}, "x-rays", PARTNER, True, False, rules.UNKNOWN_CLASS),
]


class DecisionTable(SimpleTestCase):
    def test_it_decides_every_row(self):
        for name, kwargs, data_class, org, is_partner, allowed, reason in TABLE:
            with self.subTest(name):
                consents = [] if kwargs is None else [facts(**kwargs)]
                d = rules.decide(consents, rules.RecipientFacts(org, is_partner), data_class, AT, TODAY)
                self.assertIs(d.allowed, allowed)
                self.assertEqual(d.reason, reason)
                self.assertEqual(d.consent, "c" if allowed else None)

    def test_it_prefers_a_named_consent_over_a_class_one(self):
        named = rules.ConsentFacts("named", PARTNER, "", frozenset(BASE), date(2026, 1, 1), None, None, False)
        cls = rules.ConsentFacts(
            "class",
            None,
            rules.CLASS_SOCIAL_SERVICES,
            frozenset(BASE),
            date(2026, 1, 1),
            None,
            None,
            False,
            created_at=AT,
        )
        d = rules.decide([cls, named], rules.RecipientFacts(PARTNER, True), rules.DEMOGRAPHICS, AT, TODAY)
        self.assertEqual((d.consent, d.reason), ("named", rules.OK_NAMED))

    def test_one_allowing_consent_is_enough_and_the_refusal_reason_is_the_nearest(self):
        expired = facts(end=TODAY - timedelta(days=1))
        good = facts(classes={rules.DEMOGRAPHICS})
        recipient = rules.RecipientFacts(PARTNER, True)
        self.assertTrue(rules.decide([expired, good], recipient, rules.DEMOGRAPHICS, AT, TODAY))
        d = rules.decide([expired, good, facts(recipient=OTHER)], recipient, rules.CONTACT, AT, TODAY)
        self.assertEqual(d.reason, rules.NOT_IN_SCOPE)


class MayShare(PersonaTestCase):
    def test_it_reads_stored_consents_and_revocation_stops_sharing_at_once(self):
        consent = make_consent(self.patient, self.alice, self.partner_org)
        self.assertTrue(may_share(self.patient, self.partner_org, rules.DEMOGRAPHICS))
        self.assertFalse(may_share(self.patient, self.partner_org, rules.SCREENING))
        self.assertFalse(may_share(self.patient, self.partner_org, rules.NOTES))
        before = timezone.now()
        revoke_consent(None, consent, by_name="María García", user=self.alice)
        d = may_share(self.patient, self.partner_org, rules.DEMOGRAPHICS)
        self.assertEqual((d.allowed, d.reason), (False, rules.REVOKED))
        # A decision about a moment before the revocation still says yes: what was shared then was allowed.
        self.assertTrue(may_share(self.patient, self.partner_org, rules.DEMOGRAPHICS, at=before))

    def test_it_never_shares_with_a_care_organization_or_another_patients_consent(self):
        make_consent(self.patient, self.alice, None)  # class: social services providers
        self.assertTrue(may_share(self.patient, make_org("Another Pantry", Organization.Kind.PARTNER), rules.CONTACT))
        self.assertFalse(may_share(self.patient, self.other_org, rules.CONTACT))
        from puente.core.testing import make_patient

        other = make_patient(self.org, "José", "Baca")
        self.assertFalse(may_share(other, self.partner_org, rules.DEMOGRAPHICS))

    def test_shareable_classes_reads_the_consents_once(self):
        make_consent(self.patient, self.alice, self.partner_org)
        with self.assertNumQueries(1):
            decisions = shareable_classes(self.patient, self.partner_org)
        self.assertEqual(
            {c for c, d in decisions.items() if d.allowed}, {rules.DEMOGRAPHICS, rules.CONTACT, rules.CONCERNS}
        )
