"""Bad input: a clear error in the user's language, what was typed kept, nothing saved; HTML shown escaped."""

from django.urls import reverse

from puente.assessments import services
from puente.assessments.models import Assessment, AssessmentAddendum
from puente.assessments.sections import MAX_ADDENDUM_CHARS, MAX_SECTION_CHARS
from puente.assessments.tests.util import form_data, start
from puente.core.testing import PersonaTestCase

TOO_LONG = "x" * (MAX_SECTION_CHARS + 1)


class BadAssessmentInput(PersonaTestCase):
    def setUp(self):
        self.assessment = start(self.patient, self.alice)
        self.edit = reverse("assessments:edit", args=[self.assessment.pk])
        self.client.force_login(self.alice)

    def test_an_overlong_section_gets_a_clear_error_and_nothing_is_saved(self):
        response = self.client.post(self.edit, form_data(self.assessment, housing=TOO_LONG, plan="Keep me"))
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors["s_housing"]
        self.assertIn(f"at most {MAX_SECTION_CHARS} characters (it has {MAX_SECTION_CHARS + 1})", " ".join(errors))
        self.assertContains(response, "Nothing has been saved yet; what you typed is kept.")
        self.assertContains(response, '<a href="#id_s_housing">Housing</a>')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, "Keep me</textarea>")
        self.assertNotContains(response, f'maxlength="{MAX_SECTION_CHARS}"')  # never cut short silently
        a = Assessment.objects.get()
        self.assertEqual((a.version, a.sections["housing"], a.sections["plan"]), (1, "", ""))

    def test_the_error_is_in_spanish_for_a_spanish_user(self):
        self.client.cookies["django_language"] = "es"
        response = self.client.post(self.edit, form_data(self.assessment, housing=TOO_LONG))
        self.assertIn(
            f"menos de {MAX_SECTION_CHARS} caracteres", " ".join(response.context["form"].errors["s_housing"])
        )
        self.assertContains(response, '<html lang="es">')

    def test_an_overlong_autosave_is_refused_with_the_reason(self):
        response = self.client.post(
            reverse("assessments:autosave", args=[self.assessment.pk]), form_data(self.assessment, housing=TOO_LONG)
        )
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "Not saved: Housing:", status_code=422)
        self.assertEqual(Assessment.objects.get().version, 1)

    def test_a_stale_or_missing_version_is_not_a_silent_save(self):
        data = form_data(self.assessment, plan="x")
        data["version"] = "abc"
        response = self.client.post(self.edit, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("version", response.context["form"].errors)
        self.assertEqual(Assessment.objects.get().version, 1)

    def test_the_service_refuses_unknown_sections_and_overlong_text(self):
        with self.assertRaises(services.InvalidSections) as caught:
            services.save_assessment_draft(
                None, self.assessment, {"plan": "ok", "bogus": "x", "housing": TOO_LONG}, version=1, user=self.alice
            )
        self.assertIn("bogus is not a section of this assessment.", caught.exception.errors["__all__"])
        self.assertIn("Housing is too long", caught.exception.errors["housing"][0])
        self.assertEqual(Assessment.objects.get().sections["plan"], "")

    def test_an_overlong_addendum_is_refused(self):
        self.client.post(
            reverse("assessments:sign", args=[self.assessment.pk]),
            form_data(self.assessment, formulation="f", plan="p"),
        )
        response = self.client.post(
            reverse("assessments:addendum_add", args=[self.assessment.pk]), {"text": "y" * (MAX_ADDENDUM_CHARS + 1)}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"at most {MAX_ADDENDUM_CHARS} characters")
        self.assertFalse(AssessmentAddendum.objects.exists())

    def test_html_is_escaped_when_shown(self):
        script = '<script>alert("x")</script>'
        self.client.post(
            reverse("assessments:sign", args=[self.assessment.pk]),
            form_data(self.assessment, formulation=script + "\nsecond line", plan="<b>plan</b>"),
        )
        a = Assessment.objects.get()
        self.assertEqual(a.status, "signed")
        self.assertEqual(a.sections["formulation"], script + "\nsecond line")  # stored as typed
        self.client.post(reverse("assessments:addendum_add", args=[a.pk]), {"text": "<img src=x onerror=alert(1)>"})
        page = self.client.get(reverse("assessments:detail", args=[a.pk]))
        content = page.content.decode()
        self.assertNotIn(script, content)
        self.assertNotIn("<b>plan</b>", content)
        self.assertNotIn("<img src=x", content)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>second line", content)
        self.assertIn("&lt;b&gt;plan&lt;/b&gt;", content)
