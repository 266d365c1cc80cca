"""Biopsychosocial assessments (drafts, signed and locked) and the addenda written after signing."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from puente.accounts.models import Role, TenantModel
from puente.episodes.models import Episode
from puente.patients.models import Patient

from .sections import SECTIONS, Section, Template, get_template

# Who reads assessments: the social-work team. The care team has a reduced view of the record, intake registers
# patients, and neither reads the full psychosocial narrative (NASW technology standard 2.01: need to know).
READER_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR)


class Setting(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    HOME_HEALTH = "home_health", _("Home health")
    HOSPICE = "hospice", _("Hospice")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone (telehealth psychosocial assessment)")
    VIDEO = "video", _("By video (telehealth psychosocial assessment)")


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user) -> "AssessmentQuerySet":
        """Assessments of the patients this user may open, for the social-work roles only."""
        if not getattr(user, "is_authenticated", False) or user.role not in READER_ROLES:
            return self.none()
        return self.filter(organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user))

    def drafts(self) -> "AssessmentQuerySet":
        return self.filter(status=Assessment.Status.DRAFT)


class Assessment(TenantModel):
    """A biopsychosocial assessment written on a setting's template (sections.py), one text per section.

    A draft is edited, and autosaved, by the social-work team; `version` counts its saves, so that two people editing
    the same draft never overwrite each other silently. Signing (by the author or a supervisor) locks it; what comes
    later is an addendum.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    episode = models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("episode"),
    )
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    template_version = models.CharField(_("template version"), max_length=20)
    mode = models.CharField(_("how it was done"), max_length=12, choices=Mode.choices, default=Mode.IN_PERSON)
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    prefilled_sections = models.JSONField(
        default=list, blank=True, help_text="Keys of the sections that started with text from the record."
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    # The editing session (one open form) that saved last: its own in-flight autosaves are not a conflict.
    last_editor = models.CharField(max_length=32, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_editor"])

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "patient", "-created_at"], name="assessment_org_patient")]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} assessment {self.created_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        name = "assessments:edit" if self.is_draft else "assessments:detail"
        return reverse(name, args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def template(self) -> Template:
        return get_template(self.setting)

    def section_items(self) -> list[tuple[Section, str]]:
        """Each section of the template with its text, then any stored section the template no longer has."""
        items = [(s, self.sections.get(s.key, "")) for s in self.template.sections]
        known = set(self.template.keys)
        for key, text in self.sections.items():
            if key not in known:
                items.append((SECTIONS.get(key) or Section(key, key, ""), text))  # type: ignore[arg-type]
        return items


class AssessmentAddendum(TenantModel):
    """Text added to a signed assessment. Append-only: never edited or removed, so it needs no history."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(_("addendum"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["organization", "assessment"], name="addendum_org_assessment")]

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%Y-%m-%d %H:%M}"
