"""The setting templates as data: the sections of workflows.md §1–§3, each with a translated title and prompt."""

from django.test import SimpleTestCase
from django.utils.functional import Promise

from puente.assessments.models import Setting
from puente.assessments.sections import SECTIONS, TEMPLATES, get_template, template_for_episode

COMMON = [
    "reason_for_referral",
    "illness",
    "mental_cognitive",
    "substance_use",
    "family_supports",
    "culture_spirituality",
    "housing",
    "finances",
    "coping_strengths",
    "risk",
    "formulation",
    "plan",
]


class Templates(SimpleTestCase):
    def test_it_has_a_template_for_each_setting(self):
        self.assertEqual(set(TEMPLATES), set(Setting.values))
        for setting, template in TEMPLATES.items():
            with self.subTest(setting=setting):
                self.assertEqual(template.setting, setting)
                self.assertTrue(template.version)
                self.assertEqual(len(template.keys), len(set(template.keys)))

    def test_every_setting_has_the_common_sections_in_order(self):
        for setting, template in TEMPLATES.items():
            with self.subTest(setting=setting):
                self.assertEqual([k for k in template.keys if k in COMMON], COMMON)
                self.assertEqual(template.keys[0], "reason_for_referral")
                self.assertEqual(template.keys[-2:], ["formulation", "plan"])

    def test_hospice_and_home_health_add_their_own_sections(self):
        self.assertEqual(get_template("hospital").keys, COMMON)
        hospice_extra = set(get_template("hospice").keys) - set(COMMON)
        self.assertEqual(hospice_extra, {"caregiver_capacity", "dnr_most", "mpoa", "funeral_home", "bereavement_risk"})
        home_extra = set(get_template("home_health").keys) - set(COMMON)
        self.assertEqual(home_extra, {"impediment", "home_environment"})

    def test_every_title_and_prompt_is_marked_for_translation(self):
        for section in SECTIONS.values():
            with self.subTest(section=section.key):
                self.assertIsInstance(section.title, Promise)
                self.assertIsInstance(section.prompt, Promise)
                self.assertTrue(str(section.title) and str(section.prompt))

    def test_it_maps_episode_settings_to_templates(self):
        for episode_setting, expected in [
            ("inpatient", "hospital"),
            ("emergency", "hospital"),
            ("outpatient", "hospital"),
            ("home_health", "home_health"),
            ("hospice", "hospice"),
            (None, None),
        ]:
            self.assertEqual(template_for_episode(episode_setting), expected)
        with self.assertRaises(LookupError):
            get_template("nursing_home")
