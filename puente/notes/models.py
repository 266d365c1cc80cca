"""Progress notes (drafts, signed, co-signed), their addenda, each worker's personal phrases and the agency's note
templates."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from puente.accounts.models import Role, TenantModel
from puente.episodes.models import Episode
from puente.patients.models import Patient

from .formats import FORMATS, NoteFormat, get_format

WRITER_ROLES = (Role.SOCIAL_WORKER, Role.SUPERVISOR)
# Who manages the agency's note templates; social workers use them but do not edit them.
TEMPLATE_MANAGER_ROLES = (Role.SUPERVISOR, Role.ADMIN)
LATE_AFTER = timedelta(hours=24)
# Credentials whose notes a supervisor co-signs (a student's, or a licensed master's worker's under supervision).
COSIGN_CREDENTIALS = ("lmsw", "student")


def needs_cosign(user) -> bool:
    credentials = (getattr(user, "credentials", "") or "").lower()
    return any(c in credentials for c in COSIGN_CREDENTIALS)


class NoteFormatChoice(models.TextChoices):
    DAP = "dap", _("DAP")
    SOAP = "soap", _("SOAP")
    BIRP = "birp", _("BIRP")
    NARRATIVE = "narrative", _("Narrative")


class SensitiveReason(models.TextChoices):
    IPV = "ipv", _("Intimate partner violence")
    PART2 = "part2", _("Substance use treatment (42 CFR Part 2)")
    MANDATED_REPORT = "mandated_report", _("Mandated report")


class ProgressNoteQuerySet(models.QuerySet["ProgressNote"]):
    def visible_to(self, user) -> "ProgressNoteQuerySet":
        """Notes this user may read, organization first.

        Social workers and supervisors read the notes of the patients they may open; sensitive notes only where
        they have a care relationship (not through break-the-glass). The care team reads signed, non-sensitive
        notes of their units' patients, for coordination. Intake, partners and administrators read none.
        """
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        qs = self.filter(organization_id=user.organization_id)
        if user.role in WRITER_ROLES:
            cared_for = Patient.objects.visible_to(user, break_glass=False).values("id")
            return qs.filter(patient__in=Patient.objects.visible_to(user)).filter(
                Q(sensitive=False) | Q(patient__in=cared_for)
            )
        if user.role == Role.CARE_TEAM:
            return qs.filter(patient__in=Patient.objects.visible_to(user), sensitive=False).exclude(
                status=ProgressNote.Status.DRAFT
            )
        return self.none()


class ProgressNote(TenantModel):
    """A progress note in one format (formats.py), one text per section.

    A draft is edited and autosaved by its author's team; `version` counts its saves so that two people editing
    the same draft never overwrite each other silently. Only the author signs, which locks it; a note by an LMSW or
    a student then waits for a co-signature by a supervisor of one of the patient's teams. Signing more than 24 hours
    after the contact marks it a late entry. What comes after signing is an addendum.

    A sensitive note (intimate partner violence, Part 2 substance use, a mandated report) is hidden from the care
    team, partners and intake. Copy-forward (`services.copy_forward_source`): a new draft may start from the same
    patient's most recent signed note of the same format that the worker can read; never a sensitive note, never a
    draft, never another patient's note. `copied_from` and `template` record where a draft's first text came from.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        COSIGNED = "cosigned", _("Co-signed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="progress_notes")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, null=True, blank=True, related_name="progress_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("format"), max_length=12, choices=NoteFormatChoice.choices)
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    contact_at = models.DateTimeField(_("contact date and time"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    # The editing session (one open form) that saved last: its own in-flight autosaves are not a conflict.
    last_editor = models.CharField(max_length=32, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    requires_cosign = models.BooleanField(_("requires a co-signature"), default=False)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(_("co-signed"), null=True, blank=True)
    late_entry = models.BooleanField(_("late entry"), default=False)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    sensitive_reason = models.CharField(
        _("sensitive content"), max_length=20, choices=SensitiveReason.choices, blank=True
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("started from")
    )
    template = models.ForeignKey(
        "NoteTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency template"),
    )

    objects = ProgressNoteQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_editor"])

    class Meta:
        ordering = ["-contact_at"]
        indexes = [models.Index(fields=["organization", "patient", "-contact_at"], name="note_org_patient")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} note {self.contact_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("notes:edit" if self.is_draft else "notes:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def needs_cosign(self) -> bool:
        return self.requires_cosign and self.status == self.Status.SIGNED

    @property
    def note_format(self) -> NoteFormat:
        return get_format(self.format)

    def section_items(self) -> list[tuple[str, str]]:
        """(title, text) per section of the format, then any stored section the format does not have."""
        fmt = FORMATS.get(self.format)
        keys = fmt.keys if fmt else []
        items = [(str(s.title), self.sections.get(s.key, "")) for s in (fmt.sections if fmt else ())]
        items += [(k, t) for k, t in self.sections.items() if k not in keys]
        return items


class NoteAddendum(TenantModel):
    """Text added to a signed note. Append-only: never edited or removed, so it needs no history."""

    note = models.ForeignKey(ProgressNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(_("addendum"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["organization", "note"], name="note_addendum_org_note")]

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%Y-%m-%d %H:%M}"


class PhraseQuerySet(models.QuerySet["Phrase"]):
    def visible_to(self, user) -> "PhraseQuerySet":
        """A worker's own phrases only."""
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        return self.filter(organization_id=user.organization_id, owner=user)


class Phrase(TenantModel):
    """A worker's reusable snippet (".hv" → "Home visit completed…"), inserted into a note at the cursor."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shortcut = models.CharField(_("shortcut"), max_length=20)
    text = models.TextField(_("text"))

    objects = PhraseQuerySet.as_manager()

    class Meta:
        ordering = ["shortcut"]
        constraints = [models.UniqueConstraint(fields=["owner", "shortcut"], name="phrase_unique_shortcut")]

    def __str__(self) -> str:
        return self.shortcut


class NoteTemplateQuerySet(models.QuerySet["NoteTemplate"]):
    def usable_by(self, user) -> "NoteTemplateQuerySet":
        """Active templates of the user's organization, for those who write notes."""
        if not getattr(user, "is_authenticated", False) or not user.organization_id or user.role not in WRITER_ROLES:
            return self.none()
        return self.filter(organization_id=user.organization_id, active=True)

    def managed_by(self, user) -> "NoteTemplateQuerySet":
        """All templates (inactive too) of the organization, for supervisors and administrators."""
        if (
            not getattr(user, "is_authenticated", False)
            or not user.organization_id
            or user.role not in TEMPLATE_MANAGER_ROLES
        ):
            return self.none()
        return self.filter(organization_id=user.organization_id)


class NoteTemplate(TenantModel):
    """An agency's starter text for a note format ("Hospice initial psychosocial visit"), one text per section.

    Supervisors and administrators manage them; social workers pick one when starting a note. Deactivated rather
    than deleted, because notes keep a link to the template they started from.
    """

    name = models.CharField(_("name"), max_length=100)
    format = models.CharField(_("format"), max_length=12, choices=NoteFormatChoice.choices)
    sections = models.JSONField(_("sections"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = NoteTemplateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="note_template_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def note_format(self) -> NoteFormat:
        return get_format(self.format)
