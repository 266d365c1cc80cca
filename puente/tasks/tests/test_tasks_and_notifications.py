"""The user's tasks on the dashboard and in-app notifications in the header."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from puente.core.testing import PersonaTestCase
from puente.tasks import services
from puente.tasks.models import Notification


class TasksAndNotifications(PersonaTestCase):
    def test_open_tasks_show_on_the_owners_dashboard_only(self):
        services.create_task(
            None,
            organization_id=self.org.pk,
            title="Call the daughter back",
            due_at=timezone.now() - timedelta(minutes=5),
            patient=self.patient,
            assignee=self.alice,
            user=self.alice,
        )
        self.client.force_login(self.alice)
        page = self.client.get(reverse("episodes:dashboard"))
        self.assertContains(page, "Call the daughter back")
        self.assertContains(page, "Due now")
        self.client.force_login(self.bob)
        self.assertNotContains(self.client.get(reverse("episodes:dashboard")), "Call the daughter back")

    def test_the_header_counts_unread_notifications_and_the_list_marks_them_read(self):
        services.notify(self.alice, "test", "Something needs you", url="/dashboard/")
        services.notify(self.bob, "test", "Not for Alice")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("episodes:dashboard")), "(1")
        page = self.client.get(reverse("tasks:notifications"))
        self.assertContains(page, "Something needs you")
        self.assertNotContains(page, "Not for Alice")
        self.client.post(reverse("tasks:notifications_read"))
        self.assertFalse(Notification.objects.filter(user=self.alice, read_at__isnull=True).exists())
        self.assertTrue(Notification.objects.filter(user=self.bob, read_at__isnull=True).exists())
