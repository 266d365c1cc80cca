"""Agency note templates: supervisors and administrators manage them (list, add, edit, deactivate; audited); social
workers use them when starting a note but cannot edit them; another organization never sees them. Bad input keeps
what was typed."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.audit.models import AuditEvent
from puente.core.testing import PersonaTestCase
from puente.notes import services
from puente.notes.formats import MAX_SECTION_CHARS
from puente.notes.models import NoteTemplate, ProgressNote

SOAP_TEXT = {"subjective": "Patient reports:", "objective": "Observed:", "assessment": "", "plan": "Follow up in"}


class TemplatePermissions(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.template = services.create_note_template(None, "Hospice initial visit", "soap", SOAP_TEXT, user=cls.sam)

    def status(self, persona, method, url, data=None) -> int:
        self.client.force_login(getattr(self, persona))
        return getattr(self.client, method)(url, data or {}).status_code

    def test_persona_matrix(self):
        pages = {
            "list": ("get", reverse("notes:templates"), None, 200),
            "add": ("get", reverse("notes:template_add") + "?format=dap", None, 200),
            "edit": ("get", reverse("notes:template_edit", args=[self.template.pk]), None, 200),
            "deactivate": (
                "post",
                reverse("notes:template_set_active", args=[self.template.pk]),
                {"active": "1"},
                302,
            ),
        }
        denied = {"alice": 403, "bob": 403, "charlie": 403, "carol": 403, "ian": 403, "pat": 403, "olga": 403}
        for name, (method, url, data, ok) in pages.items():
            for persona in ["sam", "ada"]:
                with self.subTest(page=name, persona=persona):
                    self.assertEqual(self.status(persona, method, url, data), ok)
            for persona, code in denied.items():
                with self.subTest(page=name, persona=persona):
                    self.assertEqual(self.status(persona, method, url, data), code)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("notes:templates")).status_code, 302)

    def test_another_organizations_manager_gets_404(self):
        from puente.accounts.models import Role
        from puente.core.testing import make_user

        other_admin = make_user(self.other_org, Role.ADMIN, name="Otto Admin")
        self.client.force_login(other_admin)
        self.assertEqual(self.client.get(reverse("notes:template_edit", args=[self.template.pk])).status_code, 404)
        url = reverse("notes:template_set_active", args=[self.template.pk])
        self.assertEqual(self.client.post(url, {"active": "0"}).status_code, 404)
        self.assertEqual(list(self.client.get(reverse("notes:templates")).context["templates"]), [])
        self.template.refresh_from_db()
        self.assertTrue(self.template.active)

    def test_social_workers_cannot_write_templates_through_the_service(self):
        with self.assertRaises(services.PermissionDenied):
            services.create_note_template(None, "Mine", "dap", {"data": "x"}, user=self.alice)
        with self.assertRaises(services.PermissionDenied):
            services.update_note_template(None, self.template, active=False, user=self.alice)

    def test_the_queryset_filters_by_role_and_organization(self):
        inactive = services.create_note_template(None, "Old", "dap", {"data": "x"}, user=self.ada)
        services.update_note_template(None, inactive, active=False, user=self.ada)
        usable = {"alice": 1, "bob": 1, "sam": 1, "charlie": 1, "carol": 0, "ian": 0, "ada": 0, "pat": 0, "olga": 0}
        managed = {"sam": 2, "ada": 2, "alice": 0, "carol": 0, "olga": 0, "pat": 0}
        for persona, n in usable.items():
            with self.subTest(usable=persona):
                self.assertEqual(NoteTemplate.objects.usable_by(getattr(self, persona)).count(), n)
        for persona, n in managed.items():
            with self.subTest(managed=persona):
                self.assertEqual(NoteTemplate.objects.managed_by(getattr(self, persona)).count(), n)


class ManagingTemplates(PersonaTestCase):
    def test_a_supervisor_adds_edits_and_deactivates_a_template(self):
        self.client.force_login(self.sam)
        step1 = self.client.get(reverse("notes:template_add"))
        self.assertContains(step1, "SOAP (Subjective, Objective, Assessment, Plan)")
        data = {"format": "birp", "name": "Crisis follow-up", "s_behavior": "Presented as", "s_plan": "Safety plan"}
        response = self.client.post(reverse("notes:template_add"), data)
        self.assertRedirects(response, reverse("notes:templates"))
        template = NoteTemplate.objects.get()
        self.assertEqual((template.format, template.sections["plan"], template.active), ("birp", "Safety plan", True))

        edit = reverse("notes:template_edit", args=[template.pk])
        self.assertContains(self.client.get(edit), "Presented as")
        self.client.post(edit, {"name": "Crisis follow-up (v2)", "s_behavior": "Presented as", "s_plan": "Call"})
        self.client.post(reverse("notes:template_set_active", args=[template.pk]), {"active": "0"})
        template.refresh_from_db()
        self.assertEqual(
            (template.name, template.sections["plan"], template.active), ("Crisis follow-up (v2)", "Call", False)
        )
        events = AuditEvent.objects.filter(object_id=str(template.pk)).order_by("id")
        self.assertEqual([e.action for e in events], ["create", "update", "update"])
        self.assertEqual(events[1].detail["changed"], ["name", "sections"])
        self.assertEqual(events[2].detail, {"changed": ["active"], "active": False})
        self.assertNotIn("Safety plan", str([e.detail for e in events]))

    def test_bad_input_shows_a_clear_error_and_keeps_the_text(self):
        services.create_note_template(None, "Taken", "dap", {"data": "x"}, user=self.sam)
        self.client.force_login(self.sam)
        url = reverse("notes:template_add")
        cases = {
            "duplicate name": ({"name": "Taken", "s_plan": "Keep me 1"}, "already has a template with this name"),
            "no name": ({"name": "  ", "s_plan": "Keep me 2"}, "This field is required."),
            "no text": ({"name": "Empty", "s_plan": "   "}, "Write starter text for at least one section."),
            "too long": (
                {"name": "Long", "s_plan": "Keep me 3", "s_data": "x" * (MAX_SECTION_CHARS + 1)},
                "Ensure this value has at most",
            ),
        }
        for name, (data, error) in cases.items():
            with self.subTest(name):
                response = self.client.post(url, {"format": "dap", **data})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, error)
                if data["s_plan"].strip():
                    self.assertContains(response, data["s_plan"])
                self.assertContains(response, f'value="{data["name"]}"' if data["name"].strip() else 'name="name"')
        self.assertEqual(NoteTemplate.objects.count(), 1)

    def test_an_unknown_format_asks_for_the_format(self):
        self.client.force_login(self.sam)
        response = self.client.get(reverse("notes:template_add") + "?format=bogus")
        self.assertContains(response, "Select a valid choice.")
        response = self.client.post(reverse("notes:template_add"), {"format": "bogus", "name": "X", "s_data": "x"})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(NoteTemplate.objects.exists())

    def test_a_bad_active_value_changes_nothing(self):
        template = services.create_note_template(None, "T", "dap", {"data": "x"}, user=self.sam)
        self.client.force_login(self.sam)
        self.client.post(reverse("notes:template_set_active", args=[template.pk]), {"active": "maybe"})
        template.refresh_from_db()
        self.assertTrue(template.active)
        self.assertEqual(AuditEvent.objects.filter(object_id=str(template.pk)).count(), 1)

    def test_the_list_keeps_its_query_count(self):
        services.create_note_template(None, "T0", "dap", {"data": "x"}, user=self.sam)
        self.client.force_login(self.ada)
        url = reverse("notes:templates")
        self.client.get(url)
        with CaptureQueriesContext(connection) as before:
            self.client.get(url)
        for n in range(5):
            services.create_note_template(
                None, f"T{n + 1}", "soap", {"plan": "x"}, user=self.ada if n % 2 else self.sam
            )
        with CaptureQueriesContext(connection) as after:
            response = self.client.get(url)
        self.assertEqual(len(response.context["templates"]), 6)
        self.assertEqual(len(after), len(before))


class StartingFromATemplate(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.soap = services.create_note_template(None, "Home visit", "soap", SOAP_TEXT, user=cls.sam)
        cls.inactive = services.create_note_template(None, "Retired", "soap", {"plan": "old"}, user=cls.sam)
        services.update_note_template(None, cls.inactive, active=False, user=cls.sam)
        cls.url = reverse("notes:start", args=[cls.patient.pk])

    def post(self, persona, **data):
        self.client.force_login(getattr(self, persona))
        return self.client.post(self.url, {"format": "soap", "contact_at": "2026-01-05T10:00", **data})

    def test_a_social_worker_starts_a_note_from_a_template(self):
        response = self.post("alice", template=str(self.soap.pk))
        note = ProgressNote.objects.get()
        self.assertRedirects(response, reverse("notes:edit", args=[note.pk]))
        self.assertEqual(note.sections, SOAP_TEXT)
        self.assertEqual(note.template, self.soap)
        event = AuditEvent.objects.get(action="create", object_id=str(note.pk))
        self.assertEqual(event.detail["template"], str(self.soap.pk))
        page = self.client.get(reverse("notes:edit", args=[note.pk]))
        self.assertContains(page, "Started from the agency template “Home visit”.")

    def test_the_start_page_offers_active_templates_only(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertEqual(list(page.context["form"].fields["template"].queryset), [self.soap])
        self.assertContains(page, "Home visit (SOAP)")
        self.assertNotContains(page, "Agency templates</a>")
        self.client.force_login(self.sam)
        self.assertContains(self.client.get(self.url), "Agency templates</a>")

    def test_it_refuses_bad_template_choices_and_keeps_the_input(self):
        cases = {
            "inactive": ({"template": str(self.inactive.pk)}, "Choose an active template of your agency."),
            "other format": ({"template": str(self.soap.pk), "format": "dap"}, "This template is for SOAP notes."),
            "not a uuid": ({"template": "42"}, "Choose an active template of your agency."),
        }
        for name, (data, error) in cases.items():
            with self.subTest(name):
                response = self.post("alice", sensitive_reason="part2", **data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, error)
                self.assertEqual(response.context["form"]["sensitive_reason"].value(), "part2")
        self.assertFalse(ProgressNote.objects.exists())

    def test_the_service_refuses_an_inactive_or_foreign_template(self):
        for template in [self.inactive]:
            with self.assertRaises(services.InvalidNote):
                services.start_note(None, self.patient, "soap", template=template, user=self.alice)
        with self.assertRaises(services.InvalidNote):
            services.start_note(None, self.patient, "soap", template=self.soap, user=self.olga)

    def test_template_and_copy_forward_together_are_refused(self):
        from puente.notes.tests.util import hours_ago, start

        source = start(self.patient, self.alice, "soap", contact_at=hours_ago(30))
        source = services.sign_note(None, source, version=1, sections={"plan": "p"}, user=self.alice)
        response = self.post("alice", template=str(self.soap.pk), copy_from=str(source.pk))
        self.assertContains(response, "Start from a template or from the last note, not both.")
        self.assertEqual(ProgressNote.objects.count(), 1)
        with self.assertRaises(services.InvalidNote):
            services.start_note(None, self.patient, "soap", template=self.soap, copy_from=source, user=self.alice)
