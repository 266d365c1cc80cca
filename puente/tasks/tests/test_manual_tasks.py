"""A worker sets a task by hand for a patient: who may, what is refused, and that the assignee sees it."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase, make_user
from puente.tasks.models import Task


class ManualTasks(PersonaTestCase):
    def url(self):
        return reverse("tasks:new", args=[self.patient.pk])

    def post(self, persona="alice", **data):
        self.client.force_login(getattr(self, persona))
        due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        return self.client.post(
            self.url(),
            {
                "title": "Call the landlord about the lease",
                "due_at": due,
                "priority": "urgent",
                "assignee": str(self.bob.pk),
                **data,
            },
        )

    def test_a_worker_adds_a_task_for_a_teammate_and_it_is_on_their_dashboard(self):
        response = self.post()
        self.assertRedirects(response, reverse("patients:detail", args=[self.patient.pk]))
        task = Task.objects.get(organization_id=self.org.id, patient=self.patient)
        self.assertEqual((task.assignee, task.priority, task.source), (self.bob, "urgent", ""))
        self.assertTrue(AuditEvent.objects.filter(object_type="tasks.task", action="create").exists())
        self.client.force_login(self.bob)
        self.assertContains(self.client.get(reverse("episodes:dashboard")), "Call the landlord about the lease")

    def test_who_may_open_the_form(self):
        expected = {"alice": 200, "bob": 200, "sam": 200, "charlie": 404, "olga": 404, "pat": 404, "ada": 404}
        for persona, status in expected.items():
            with self.subTest(persona=persona):
                self.client.force_login(getattr(self, persona))
                self.assertEqual(self.client.get(self.url()).status_code, status)
        self.client.force_login(self.carol)  # the care team reads, never writes
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_bad_input_is_refused_and_kept(self):
        cases = {
            "past": {"due_at": (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
            "empty title": {"title": ""},
            "markup": {"title": "<script>x</script> call"},
            "other organization's worker": {"assignee": str(self.olga.pk)},
        }
        for label, data in cases.items():
            with self.subTest(label):
                response = self.post(**data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "errorlist")
                if "title" not in data:
                    self.assertContains(response, "Call the landlord about the lease")
        self.assertFalse(Task.objects.filter(organization_id=self.org.id, patient=self.patient).exists())

    def test_it_is_in_spanish(self):
        self.client.force_login(self.alice)
        self.client.cookies["django_language"] = "es"
        self.assertContains(self.client.get(self.url()), 'lang="es"')
        inactive = make_user(self.org, name="Gone Worker", is_active=False)
        self.assertNotContains(self.client.get(self.url()), f'<option value="{inactive.pk}"')  # not assignable
