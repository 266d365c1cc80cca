"""Consents to share a patient's information with partner organizations, and the disclosures made under them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Organization, TenantModel
from puente.patients.models import Patient

from . import documents, rules


class DataClass(models.TextChoices):
    """What a consent may cover. Notes are listed so a disclosure log can name them; the form never offers them."""

    DEMOGRAPHICS = rules.DEMOGRAPHICS, _("Demographics (name, date of birth, language)")
    CONTACT = rules.CONTACT, _("Contact details (phone, email, address unless confidential)")
    CONCERNS = rules.CONCERNS, _("Social needs (health concerns)")
    SCREENING = rules.SCREENING, _("Screening results")
    SUBSTANCE_USE = rules.SUBSTANCE_USE, _("Substance use information (42 CFR Part 2)")
    NOTES = rules.NOTES, _("Progress notes")


class RecipientClass(models.TextChoices):
    SOCIAL_SERVICES = rules.CLASS_SOCIAL_SERVICES, _("Social services providers (any partner organization)")


class Method(models.TextChoices):
    SIGNED_ON_SCREEN = "signed_on_screen", _("Written signature on screen")
    VERBAL = "verbal", _("Verbal, with a witness")
    UPLOADED = "uploaded", _("Signed form, uploaded")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def visible_to(self, user) -> "ConsentQuerySet":
        """Consents of the patients this user may open (organization first). Partners see none."""
        if not getattr(user, "is_authenticated", False) or not user.organization_id or user.is_partner:
            return self.none()
        return self.filter(organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user))

    def for_patient(self, patient: Patient) -> "ConsentQuerySet":
        return self.filter(organization_id=patient.organization_id, patient=patient)


class Consent(TenantModel):
    """A patient's authorization to share named classes of information with a recipient, for a purpose.

    Modelled on the SDOHCC Consent profile (category IDSCL; patient, date, organization, source). The recipient is
    a named partner organization or a class of recipients. It counts from `effective_on` to `expires_on` (both
    included) until revoked; revoking never recalls what was already disclosed (see `Disclosure`).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    signed_by_name = models.CharField(
        _("signed by"), max_length=200, blank=True, help_text=_("Leave empty when the patient signed.")
    )
    signer_relationship = models.CharField(_("relationship to the patient"), max_length=100, blank=True)
    recipient_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named recipient"),
    )
    recipient_class = models.CharField(
        _("class of recipients"), max_length=40, choices=RecipientClass.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    data_classes = models.JSONField(_("what may be shared"), default=list)
    method = models.CharField(_("how consent was given"), max_length=20, choices=Method.choices)
    signature = models.CharField(_("signature (typed name)"), max_length=200, blank=True)
    witness_name = models.CharField(_("witness"), max_length=200, blank=True)
    # Where the signed paper form is kept (scan id in the document system); file storage is not set up yet.
    document_reference = models.CharField(_("signed form reference"), max_length=200, blank=True)
    effective_on = models.DateField(_("effective from"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    part2 = models.BooleanField(_("42 CFR Part 2 consent (substance use)"), default=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_by_name = models.CharField(_("revoked by (person)"), max_length=200, blank=True)
    revocation_note = models.CharField(_("revocation note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_on", "-created_at"]
        indexes = [models.Index(fields=["organization", "patient"], name="consent_org_patient")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(recipient_organization__isnull=False, recipient_class=""))
                | (models.Q(recipient_organization__isnull=True) & ~models.Q(recipient_class="")),
                name="consent_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"Consent {self.effective_on:%Y-%m-%d}"

    @property
    def recipient_label(self) -> str:
        if self.recipient_organization_id:
            return str(self.recipient_organization)
        return str(self.get_recipient_class_display())

    @property
    def data_class_labels(self) -> list[str]:
        labels = dict(DataClass.choices)
        return [str(labels.get(c, c)) for c in self.data_classes]

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def state(self, at=None) -> str:
        """active / revoked / expired / pending, for display."""
        at = at or timezone.now()
        today = timezone.localdate(at)
        if self.revoked_at is not None and self.revoked_at <= at:
            return "revoked"
        if self.expires_on is not None and today > self.expires_on:
            return "expired"
        if today < self.effective_on:
            return "pending"
        return "active"

    def facts(self) -> rules.ConsentFacts:
        return rules.ConsentFacts(
            ref=self,
            recipient_org_id=self.recipient_organization_id,
            recipient_class=self.recipient_class,
            data_classes=frozenset(self.data_classes),
            effective_on=self.effective_on,
            expires_on=self.expires_on,
            revoked_at=self.revoked_at,
            part2=self.part2,
            created_at=self.created_at,
        )


class DisclosureQuerySet(models.QuerySet["Disclosure"]):
    def visible_to(self, user) -> "DisclosureQuerySet":
        if not getattr(user, "is_authenticated", False) or not user.organization_id or user.is_partner:
            return self.none()
        return self.filter(organization_id=user.organization_id, patient__in=Patient.objects.visible_to(user))


class Disclosure(TenantModel):
    """One share of patient information with a recipient, under a consent: the accounting of disclosures.

    Written when the information leaves (a referral is sent); kept after the consent is revoked, because revoking
    does not recall what was already shared. `source_type`/`source_id` name what carried it (e.g. a referral).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="disclosures")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    recipient_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    data_class = models.CharField(_("information"), max_length=20, choices=DataClass.choices)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    disclosed_at = models.DateTimeField(_("disclosed"), default=timezone.now)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at"]
        indexes = [models.Index(fields=["organization", "patient", "-disclosed_at"], name="disclosure_org_patient")]

    def __str__(self) -> str:
        return f"{self.data_class} to {self.recipient_organization_id} {self.disclosed_at:%Y-%m-%d}"


class DocumentKind(models.TextChoices):
    SIGNATURE = documents.SIGNATURE, _("Signature drawn on screen")
    FORM = documents.FORM, _("Signed consent form")


class ConsentDocumentQuerySet(models.QuerySet["ConsentDocument"]):
    def visible_to(self, user) -> "ConsentDocumentQuerySet":
        """Documents of the consents this user may read (organization first). Partners see none."""
        if not getattr(user, "is_authenticated", False) or not user.organization_id or user.is_partner:
            return self.none()
        return self.filter(organization_id=user.organization_id, consent__in=Consent.objects.visible_to(user))

    def for_consents(self, organization_id, consents) -> "ConsentDocumentQuerySet":
        """The documents of these consents without their bytes (for lists: one query, nothing large loaded)."""
        return self.filter(organization_id=organization_id, consent__in=[c.pk for c in consents]).defer("data")


class ConsentDocument(TenantModel):
    """The evidence of how a consent was given: the signature drawn on screen (PNG) or the signed form uploaded
    (PDF, JPEG or PNG). At most one of each kind per consent; never changed once stored.

    The bytes are kept in the database on purpose: a consent's evidence is PHI, and a file store would be one
    more place to secure, back up, restore and keep in step with the rows (the database already has all three).
    The files are small (a signature is a few kilobytes, a scanned form is capped by PUENTE_CONSENT_UPLOAD_MAX_MB).
    `content_type` is what the bytes are (magic numbers, `documents.sniff`), never what the browser claimed.
    """

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ConsentDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["consent", "kind"], name="consent_document_one_per_kind")]
        indexes = [models.Index(fields=["organization", "consent"], name="consent_document_org_consent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.size} bytes"

    @property
    def filename(self) -> str:
        stem = "signature" if self.kind == DocumentKind.SIGNATURE else "consent-form"
        return f"{stem}.{documents.EXTENSIONS.get(self.content_type, 'bin')}"
