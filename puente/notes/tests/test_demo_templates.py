"""The demo agency templates: written by each care organization's supervisor, once (idempotent)."""

from django.test import TestCase

from puente.accounts.models import Organization, Role
from puente.audit.models import AuditEvent
from puente.core.testing import make_user
from puente.notes.demo import load_demo_note_templates
from puente.notes.models import NoteTemplate


class DemoTemplates(TestCase):
    def test_it_loads_each_care_organizations_templates_once(self):
        hospital = Organization.objects.create(name="H", slug="sandia-regional", kind=Organization.Kind.HOSPITAL)
        agency = Organization.objects.create(
            name="A", slug="rio-grande-hhh", kind=Organization.Kind.HOME_HEALTH_HOSPICE
        )
        sup = make_user(hospital, Role.SUPERVISOR)
        make_user(agency, Role.SUPERVISOR)
        self.assertEqual(load_demo_note_templates(), 4)
        self.assertEqual(load_demo_note_templates(), 0)
        names = sorted(NoteTemplate.objects.filter(organization=hospital).values_list("name", flat=True))
        self.assertEqual(names, ["Discharge planning visit", "Psychosocial follow-up"])
        self.assertEqual(NoteTemplate.objects.filter(organization=agency).count(), 2)
        self.assertEqual(AuditEvent.objects.filter(action="create", actor=sup).count(), 2)
