"""Idempotent writes (api_services): a retry with the same key changes nothing; a key is bound to one write; two
retries racing on PostgreSQL give one change and one replay."""

import threading
import unittest

from django.db import connection
from django.test import TransactionTestCase

from puente.accounts.models import Organization, Role
from puente.core.testing import PersonaTestCase, make_episode, make_org, make_patient, make_team, make_user
from puente.referrals import lifecycle, services
from puente.referrals.api_services import KeyReused, change_status_once, scoped_key
from puente.referrals.models import ReferralEvent
from puente.referrals.tests.util import make_consent, make_listing


class ChangeStatusOnce(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.listing = make_listing(cls.partner_org)
        make_consent(cls.patient, cls.alice, cls.partner_org)
        cls.referral = services.make_referral(
            None, cls.patient, send=True, service_at_location=cls.listing, user=cls.alice
        )

    def test_it_stores_the_key_and_replays(self):
        key = scoped_key(self.pat, "k")
        _r, replayed = change_status_once(
            None, self.referral, "accepted", side=lifecycle.TARGET, key=key, user=self.pat
        )
        self.assertIs(replayed, False)
        self.assertEqual(ReferralEvent.objects.get(idempotency_key=key).to_status, "accepted")
        again, replayed = change_status_once(
            None, self.referral, "accepted", side=lifecycle.TARGET, key=key, user=self.pat
        )
        self.assertIs(replayed, True)
        self.assertEqual(again.status, "accepted")
        self.assertEqual(ReferralEvent.objects.filter(referral=self.referral, to_status="accepted").count(), 1)

    def test_a_key_is_bound_to_its_write(self):
        key = scoped_key(self.pat, "k")
        change_status_once(None, self.referral, "accepted", side=lifecycle.TARGET, key=key, user=self.pat)
        with self.assertRaises(KeyReused):
            change_status_once(None, self.referral, "in-progress", side=lifecycle.TARGET, key=key, user=self.pat)
        self.referral.refresh_from_db()
        self.assertEqual(self.referral.status, "accepted")

    def test_keys_are_per_user(self):
        self.assertNotEqual(scoped_key(self.pat, "k"), scoped_key(self.alice, "k"))
        self.assertEqual(scoped_key(self.pat, ""), "")


@unittest.skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL (SQLite serializes writers)")
class ConcurrentRetry(TransactionTestCase):
    def test_two_retries_with_one_key_make_one_change(self):
        org = make_org()
        partner = make_org("Roadrunner Food Bank", Organization.Kind.PARTNER)
        alice = make_user(org, name="Alice Worker")
        pat = make_user(partner, Role.PARTNER, name="Pat Partner")
        make_episode(patient := make_patient(org), team=make_team(org, members=[alice]), worker=alice)
        listing = make_listing(partner)
        make_consent(patient, alice, partner)
        referral = services.make_referral(None, patient, send=True, service_at_location=listing, user=alice)
        key = scoped_key(pat, "retry")
        barrier = threading.Barrier(2)
        results: list = []

        def accept():
            try:
                barrier.wait()
                _r, replayed = change_status_once(None, referral, "accepted", side=lifecycle.TARGET, key=key, user=pat)
                results.append("replay" if replayed else "ok")
            except (lifecycle.IllegalTransition, KeyReused) as exc:
                results.append(f"refused: {exc}")
            finally:
                connection.close()

        threads = [threading.Thread(target=accept) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(sorted(results), ["ok", "replay"])
        self.assertEqual(ReferralEvent.objects.filter(referral=referral, to_status="accepted").count(), 1)
