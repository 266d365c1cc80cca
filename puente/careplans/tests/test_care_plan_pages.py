"""Care plan pages: who reads and writes (persona matrix), one audit read per page, writes audited, the reduced
view for the care team, a fixed query count, htmx fragments."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.audit.models import AuditEvent
from puente.careplans.models import Goal, GoalProgress, Intervention, PlanReview
from puente.careplans.tests import util
from puente.core.testing import PersonaTestCase, make_patient
from puente.notes import services as note_services
from puente.screening.models import HealthConcern

WRITERS = ["alice", "bob", "sam"]
NO_PATIENT = ["charlie", "ada", "pat", "olga"]
# Pages of one goal, intervention or concern: intake does not read care plans, so for them the item does not exist.
ITEM_PAGES = {"concern_edit", "goal_edit", "progress_add", "intervention_add", "intervention_edit"}


class CarePlanPages(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.concern = util.concern(cls.patient, cls.alice, note="Ran out of food twice this month.")
        cls.goal = util.goal(cls.patient, cls.alice, cls.concern, text="Groceries every week without skipping meals")
        cls.item = util.intervention(cls.goal, cls.alice, assignee=cls.bob)
        cls.progress = GoalProgress.objects.create(
            organization=cls.org,
            patient=cls.patient,
            goal=cls.goal,
            noted_on=timezone.localdate(),
            text="Applied for SNAP at the county office.",
            author=cls.alice,
        )
        cls.review = util.review(cls.patient, cls.alice, summary="Patient feels hopeful about SNAP.")

    def urls(self) -> dict[str, str]:
        p = self.patient.pk
        return {
            "plan": reverse("careplans:plan", args=[p]),
            "concern_add": reverse("careplans:concern_add", args=[p]),
            "goal_add": reverse("careplans:goal_add", args=[p]),
            "review_add": reverse("careplans:review_add", args=[p]),
            "concern_edit": reverse("careplans:concern_edit", args=[self.concern.pk]),
            "goal_edit": reverse("careplans:goal_edit", args=[self.goal.pk]),
            "progress_add": reverse("careplans:progress_add", args=[self.goal.pk]),
            "intervention_add": reverse("careplans:intervention_add", args=[self.goal.pk]),
            "intervention_edit": reverse("careplans:intervention_edit", args=[self.item.pk]),
        }

    def status_for(self, persona: str, url: str, method: str = "get", data=None) -> int:
        self.client.force_login(getattr(self, persona))
        return getattr(self.client, method)(url, data or {}).status_code

    def test_it_lets_the_team_and_the_care_team_read_the_plan_and_denies_everyone_else(self):
        url = self.urls()["plan"]
        expected = {p: 200 for p in WRITERS} | {p: 404 for p in NO_PATIENT} | {"carol": 200, "ian": 403}
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                self.assertEqual(self.status_for(persona, url), status)
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_it_shows_the_forms_to_writers_only(self):
        for name, url in self.urls().items():
            if name == "plan":
                continue
            ian = 404 if name in ITEM_PAGES else 403
            expected = {p: 200 for p in WRITERS} | {p: 404 for p in NO_PATIENT} | {"carol": 403, "ian": ian}
            for persona, status in expected.items():
                with self.subTest(page=name, persona=persona):
                    self.assertEqual(self.status_for(persona, url), status)

    def test_it_refuses_writes_from_readers_and_strangers_and_changes_nothing(self):
        urls = self.urls()
        item_urls = {urls[name] for name in ITEM_PAGES}
        posts = {
            urls["concern_add"]: {"category": "stress"},
            urls["goal_add"]: {"concern": str(self.concern.pk), "text": "x", "status": "active"},
            urls["review_add"]: {"reviewed_on": "2026-01-05", "summary": "x", "next_review_due": "2026-01-20"},
            urls["concern_edit"]: {"version": "1", "status": "resolved"},
            urls["goal_edit"]: {"version": "1", "text": "x", "status": "cancelled"},
            urls["progress_add"]: {"noted_on": "2026-01-05", "text": "x"},
            urls["intervention_add"]: {"kind": "education", "description": "x"},
            urls["intervention_edit"]: {"version": "1", "kind": "other", "description": "x", "status": "cancelled"},
            reverse("careplans:pdf", args=[self.patient.pk]): {},
        }
        before = AuditEvent.objects.count()
        expected = {p: 404 for p in NO_PATIENT} | {"carol": 403, "ian": 403}
        for persona, status in expected.items():
            for url, data in posts.items():
                wanted = 404 if persona == "ian" and url in item_urls else status
                with self.subTest(persona=persona, url=url):
                    self.assertEqual(self.status_for(persona, url, "post", data), wanted)
        self.assertEqual(AuditEvent.objects.count(), before)
        self.assertEqual(self.goal.__class__.objects.get(pk=self.goal.pk).text, self.goal.text)
        self.assertEqual(HealthConcern.objects.filter(patient=self.patient).count(), 1)
        self.assertEqual(PlanReview.objects.count(), 1)

    def test_it_writes_one_audit_read_per_page_and_per_fragment(self):
        self.client.force_login(self.alice)
        for name, url in self.urls().items():
            for headers in ({}, {"HX-Request": "true"}):
                with self.subTest(page=name, htmx=bool(headers)):
                    before = AuditEvent.objects.count()
                    response = self.client.get(url, headers=headers)
                    self.assertEqual(response.status_code, 200)
                    events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
                    self.assertEqual(len(events), 1)
                    self.assertEqual((events[0].action, events[0].patient_id), ("read", self.patient.pk))
                    self.assertTrue(events[0].detail["view"].startswith("care_plan"))

    def test_it_shows_concerns_goals_interventions_progress_and_reviews(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.urls()["plan"])
        for text in (
            "Food insecurity",
            "Z59.41",
            "Groceries every week without skipping meals",
            "Help apply for SNAP benefits",
            "Bob Teammate",
            "Applied for SNAP at the county office.",
            "Patient feels hopeful about SNAP.",
            "Ran out of food twice this month.",
            "Entered by hand",
        ):
            self.assertContains(page, text)
        self.assertContains(page, reverse("careplans:pdf", args=[self.patient.pk]))

    def test_it_gives_the_care_team_a_reduced_read_only_view(self):
        self.client.force_login(self.carol)
        page = self.client.get(self.urls()["plan"])
        self.assertContains(page, "Groceries every week without skipping meals")
        self.assertContains(page, "Help apply for SNAP benefits")
        self.assertNotContains(page, "Applied for SNAP at the county office.")
        self.assertNotContains(page, "Patient feels hopeful about SNAP.")
        self.assertNotContains(page, "Ran out of food twice this month.")
        self.assertNotContains(page, self.urls()["goal_edit"])
        self.assertNotContains(page, reverse("careplans:pdf", args=[self.patient.pk]))
        self.assertFalse(page.context["may_write"])

    def test_it_links_the_plan_from_the_patient_record_for_the_roles_that_read_it(self):
        url = self.urls()["plan"]
        for persona, shown in {"alice": True, "sam": True, "carol": True, "ian": False}.items():
            self.client.force_login(getattr(self, persona))
            page = self.client.get(reverse("patients:detail", args=[self.patient.pk]))
            with self.subTest(persona=persona):
                (self.assertContains if shown else self.assertNotContains)(page, url)

    def test_it_shows_evidence_from_a_note_only_when_the_note_is_visible(self):
        note = note_services.start_note(None, self.patient, "dap", user=self.alice, sensitive_reason="ipv")
        util.concern(self.patient, self.alice, category="intimate-partner-violence", icd10="Z63.0", source_note=note)
        detail = reverse("notes:detail", args=[note.pk])
        self.client.force_login(self.alice)
        page = self.client.get(self.urls()["plan"])
        self.assertContains(page, detail)
        self.assertContains(page, "Not printed on the patient")
        self.client.force_login(self.carol)
        self.assertNotContains(self.client.get(self.urls()["plan"]), detail)

    def test_it_lists_suggested_concerns_with_the_way_to_decide_them(self):
        HealthConcern.objects.create(
            organization=self.org, patient=self.patient, category="transportation-insecurity", icd10_code="Z59.82"
        )
        self.client.force_login(self.alice)
        page = self.client.get(self.urls()["plan"])
        self.assertContains(page, "Suggested by screening")
        self.assertContains(page, "Transportation insecurity")

    def test_it_flags_an_overdue_review_in_words(self):
        old = timezone.localdate() - timedelta(days=30)
        util.review(self.patient, self.alice, reviewed_on=old, next_review_due=old + timedelta(days=15))
        PlanReview.objects.filter(pk=self.review.pk).delete()
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.urls()["plan"]), "Review overdue")

    def test_it_keeps_a_constant_number_of_queries_however_long_the_plan(self):
        other = make_patient(self.org, "Rosa", "Baca")
        from puente.core.testing import make_episode

        make_episode(other, team=self.team, unit=self.unit, worker=self.alice)
        c = util.concern(other, self.alice)
        g = util.goal(other, self.alice, c)
        util.intervention(g, self.alice)
        util.review(other, self.alice)
        self.client.force_login(self.alice)
        url = reverse("careplans:plan", args=[other.pk])
        self.client.get(url)  # the first request of a session does its own bookkeeping
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for n in range(4):
            c = util.concern(other, self.alice, category="stress", icd10="Z73.3")
            for m in range(3):
                g = util.goal(other, self.alice, c, text=f"Goal {n}-{m}")
                util.intervention(g, self.alice, assignee=self.bob)
                util.intervention(g, self.alice, assignee=self.sam)
                GoalProgress.objects.create(
                    organization=self.org,
                    patient=other,
                    goal=g,
                    noted_on=timezone.localdate(),
                    text="ok",
                    author=self.bob,
                )
            util.review(other, self.bob)
        with CaptureQueriesContext(connection) as big:
            page = self.client.get(url)
        self.assertEqual(len(page.context["sections"]), 5)
        self.assertEqual(len(big.captured_queries), len(small.captured_queries))

    def test_every_write_through_the_pages_is_audited(self):
        self.client.force_login(self.alice)
        urls = self.urls()
        today = timezone.localdate()
        steps = [
            (urls["concern_add"], {"category": "stress", "icd10_code": "Z73.3", "priority": "high"}, "create"),
            (urls["goal_add"], {"concern": str(self.concern.pk), "text": "Sleep better", "status": "active"}, "create"),
            (urls["progress_add"], {"noted_on": today.isoformat(), "text": "Sleeping 6 hours"}, "create"),
            (urls["intervention_add"], {"kind": "counseling", "description": "Weekly check-in call"}, "create"),
            (
                urls["review_add"],
                {
                    "reviewed_on": today.isoformat(),
                    "summary": "On track",
                    "next_review_due": (today + timedelta(days=15)).isoformat(),
                },
                "create",
            ),
            (urls["goal_edit"], {"version": "1", "text": "Groceries every week", "status": "achieved"}, "update"),
            (
                urls["intervention_edit"],
                {"version": "1", "kind": "benefit_application", "description": "SNAP", "status": "completed"},
                "update",
            ),
            (urls["concern_edit"], {"version": "1", "status": "resolved", "priority": "low"}, "update"),
        ]
        for url, data, action in steps:
            with self.subTest(url=url):
                before = AuditEvent.objects.count()
                response = self.client.post(url, data)
                self.assertEqual(
                    response.status_code,
                    302,
                    getattr(response, "context", None)
                    and response.context.get("form")
                    and response.context["form"].errors,
                )
                self.assertTrue(response["Location"].startswith(urls["plan"]))
                events = list(AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before])
                self.assertEqual([e.action for e in events], [action])
                self.assertEqual(events[0].patient_id, self.patient.pk)
        self.goal.refresh_from_db()
        self.assertEqual((self.goal.status, self.goal.version), ("achieved", 2))
        update = AuditEvent.objects.filter(object_type="careplans.goal", action="update").get()
        self.assertEqual(update.detail, {"fields": ["status", "text"], "status": ["active", "achieved"]})
        self.assertEqual(Intervention.objects.get(pk=self.item.pk).status, "completed")
        self.assertEqual(HealthConcern.objects.get(pk=self.concern.pk).status, "resolved")
        self.assertEqual(Goal.objects.filter(patient=self.patient).count(), 2)

    def test_an_htmx_save_answers_with_a_redirect_header_and_an_htmx_error_keeps_the_fragment(self):
        self.client.force_login(self.alice)
        url = self.urls()["progress_add"]
        response = self.client.post(
            url,
            {"noted_on": timezone.localdate().isoformat(), "text": "Called the pantry"},
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver" + self.urls()["plan"]},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual((response["HX-Retarget"], response["HX-Reselect"]), ("main", "main"))
        self.assertTrue(response["HX-Reswap"].startswith(f"outerHTML show:#goal-{self.goal.pk}"))
        self.assertContains(response, "Called the pantry")
        self.assertContains(response, "Progress noted.")
        self.assertNotIn("HX-Push-Url", response)  # saved from the plan page itself
        response = self.client.post(
            url,
            {"noted_on": timezone.localdate().isoformat(), "text": "From the form's own page"},
            headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{url}"},
        )
        self.assertEqual(response["HX-Push-Url"], self.urls()["plan"])
        response = self.client.post(url, {"noted_on": "", "text": "Keep this text"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "careplans/_form.html")
        self.assertTemplateNotUsed(response, "base.html")
        self.assertContains(response, "Keep this text")


class VisibilityAndBreakGlass(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.goal = util.goal(cls.patient, cls.alice)
        util.intervention(cls.goal, cls.alice)
        util.review(cls.patient, cls.alice)

    def test_the_querysets_filter_by_organization_and_role(self):
        expected = {"alice": 1, "bob": 1, "sam": 1, "carol": 1, "ian": 0, "charlie": 0, "pat": 0, "olga": 0, "ada": 0}
        for persona, count in expected.items():
            user = getattr(self, persona)
            with self.subTest(persona=persona):
                self.assertEqual(Goal.objects.visible_to(user).count(), count)
                self.assertEqual(Intervention.objects.visible_to(user).count(), count)
                self.assertEqual(PlanReview.objects.visible_to(user).count(), count)

    def test_break_the_glass_reads_the_plan_but_never_writes_it(self):
        from puente.patients.models import BreakGlassAccess

        BreakGlassAccess.objects.create(
            organization=self.org,
            user=self.charlie,
            patient=self.patient,
            reason="Called by the ED at night",
            expires_at=timezone.now() + timedelta(minutes=30),
        )
        self.client.force_login(self.charlie)
        page = self.client.get(reverse("careplans:plan", args=[self.patient.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertFalse(page.context["may_write"])
        self.assertNotContains(page, reverse("careplans:goal_edit", args=[self.goal.pk]))
        edit = reverse("careplans:goal_edit", args=[self.goal.pk])
        self.assertEqual(self.client.post(edit, {"version": "1", "text": "x", "status": "cancelled"}).status_code, 403)
        self.assertEqual(self.client.get(reverse("careplans:pdf", args=[self.patient.pk])).status_code, 403)
        self.assertEqual(Goal.objects.get(pk=self.goal.pk).text, self.goal.text)

    def test_a_concern_entered_by_hand_can_cite_a_note_the_worker_can_read(self):
        note = note_services.start_note(None, self.patient, "dap", user=self.alice)
        hidden = note_services.start_note(None, self.patient, "dap", user=self.alice, sensitive_reason="ipv")
        url = reverse("careplans:concern_add", args=[self.patient.pk])
        self.client.force_login(self.bob)
        form = self.client.get(url).context["form"]
        self.assertEqual({str(note.pk), str(hidden.pk)} & set(form.notes), {str(note.pk), str(hidden.pk)})
        response = self.client.post(url, {"category": "stress", "source_note": str(note.pk)})
        self.assertEqual(response.status_code, 302)
        concern = HealthConcern.objects.get(patient=self.patient, category="stress")
        self.assertEqual((concern.source_note, concern.status, concern.created_by), (note, "active", self.bob))
        page = self.client.get(reverse("careplans:plan", args=[self.patient.pk]))
        self.assertContains(page, reverse("notes:detail", args=[note.pk]))
        # A note of another patient is not a choice: refused, nothing saved.
        other = make_patient(self.org, "Rosa", "Baca")
        foreign = note_services.start_note(None, other, "dap", user=self.alice)
        response = self.client.post(url, {"category": "homelessness", "source_note": str(foreign.pk)})
        self.assertEqual(response.status_code, 200)
        self.assertIn("source_note", response.context["form"].errors)
        self.assertFalse(HealthConcern.objects.filter(category="homelessness").exists())
