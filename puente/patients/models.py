"""The patient record: identity, language, contact, address, insurance, related persons, duplicates."""

from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from puente.accounts.models import Role, Team, TeamMembership, TenantModel

# ISO 639 codes (639-1 where one exists, else 639-3). The Pueblo languages are oral: see product.md.
LANGUAGE_CHOICES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("nv", _("Navajo (Diné bizaad)")),
    ("kee", _("Keres, Eastern")),
    ("kjq", _("Keres, Western (Acoma, Laguna)")),
    ("tix", _("Tiwa, Southern (Isleta, Sandia)")),
    ("twf", _("Tiwa, Northern (Taos, Picuris)")),
    ("tew", _("Tewa")),
    ("tow", _("Towa (Jemez)")),
    ("zun", _("Zuni")),
    ("apm", _("Apache, Mescalero-Chiricahua")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("ar", _("Arabic")),
    ("ko", _("Korean")),
    ("tl", _("Tagalog")),
    ("fr", _("French")),
    ("de", _("German")),
    ("ru", _("Russian")),
    ("ase", _("American Sign Language")),
    ("und", _("Other / unknown")),
]


class SexAtBirth(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Unknown")
    DECLINED = "declined", _("Declined to answer")


class Insurance(models.TextChoices):
    MEDICARE = "medicare", _("Medicare")
    MEDICARE_ADVANTAGE = "medicare_advantage", _("Medicare Advantage")
    MEDICAID = "medicaid", _("NM Medicaid (Turquoise Care)")
    DUAL = "dual", _("Medicare and Medicaid")
    PRIVATE = "private", _("Private insurance")
    VA_IHS = "va_ihs", _("VA / Indian Health Service")
    UNINSURED = "uninsured", _("Uninsured")
    UNKNOWN = "unknown", _("Unknown")


TURQUOISE_CARE_MCOS = ["BCBSNM", "Molina", "Presbyterian", "UnitedHealthcare"]


class PatientQuerySet(models.QuerySet["Patient"]):
    def visible_to(self, user, *, break_glass: bool = True) -> "PatientQuerySet":
        """Patients this user may open: organization first, then team, unit or assignment.

        Every branch is an ``EXISTS`` correlated on the patient, so the permission costs no extra round trip and
        no DISTINCT, and PostgreSQL may either probe the patient's own episodes (an index on ``patient_id``: one
        patient's page) or hash the branch once (a list). ``id IN (subquery)`` branches OR-ed together left it
        only the second: every page materialised all of a team's patients (docs/performance.md).
        """
        if not getattr(user, "is_authenticated", False) or not user.organization_id:
            return self.none()
        if not user.is_clinical_staff:
            # Partners see referrals (a later issue), never a patient list; administrators manage
            # users and configuration and reach a record only through break-the-glass.
            if not break_glass:
                return self.none()
            return self.filter(organization_id=user.organization_id).filter(self._break_glass(user))
        qs = self.filter(organization_id=user.organization_id)
        if user.role == Role.INTAKE:
            # Intake registers patients and runs the duplicate check, so sees the whole organization.
            return qs
        # Episodes live in the episodes app, which depends on this one; look the models up lazily.
        episode = apps.get_model("episodes", "Episode")
        sw_referral = apps.get_model("episodes", "SocialWorkReferral")
        org = user.organization_id
        patient = OuterRef("pk")
        if user.role == Role.CARE_TEAM:
            unit_ids = user.units.filter(organization_id=org).values("id")
            cond = Q(
                Exists(
                    episode.objects.filter(
                        organization_id=org, patient_id=patient, unit_id__in=unit_ids, status=episode.Status.ACTIVE
                    )
                )
            )
        else:
            team_ids = (
                Team.objects.filter(organization_id=org)
                .filter(
                    Q(id__in=TeamMembership.objects.filter(organization_id=org, user=user).values("team_id"))
                    | Q(supervisor=user)
                )
                .values("id")
            )
            episodes = episode.objects.filter(organization_id=org, patient_id=patient)
            cond = (
                # A worker who registers a patient keeps access to the record until it has an episode or
                # referral of its own (otherwise "create" would end on a 404).
                Q(created_by=user)
                | Q(Exists(episodes.filter(Q(team_id__in=team_ids) | Q(assigned_worker=user))))
                | Q(
                    Exists(
                        sw_referral.objects.filter(organization_id=org, patient_id=patient).filter(
                            Q(team_id__in=team_ids) | Q(assigned_to=user)
                        )
                    )
                )
            )
        return qs.filter(cond | self._break_glass(user)) if break_glass else qs.filter(cond)

    @staticmethod
    def _break_glass(user) -> Q:
        return Q(
            Exists(
                BreakGlassAccess.objects.filter(
                    organization_id=user.organization_id,
                    user=user,
                    patient_id=OuterRef("pk"),
                    expires_at__gt=timezone.now(),
                )
            )
        )

    def living(self) -> "PatientQuerySet":
        return self.filter(deceased_date__isnull=True)


class Patient(TenantModel):
    """A person cared for by one care organization. The same person at two organizations is two records."""

    legal_given_name = models.CharField(_("legal first name"), max_length=100)
    legal_middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    legal_family_name = models.CharField(_("legal last name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"))
    sex_at_birth = models.CharField(_("sex assigned at birth"), max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(_("gender identity"), max_length=60, blank=True)
    pronouns = models.CharField(_("pronouns"), max_length=30, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=3, choices=LANGUAGE_CHOICES, default="en")
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    oral_interpretation_only = models.BooleanField(
        _("oral interpretation only"),
        default=False,
        help_text=_("No written translations: the language is not written by choice of its community."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    phone_may_text = models.BooleanField(_("consents to text messages"), default=False)
    email = models.EmailField(_("email"), blank=True)
    email_ok = models.BooleanField(_("consents to email"), default=False)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True, default="NM")
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    county = models.CharField(_("county"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    address_confidential = models.BooleanField(
        _("confidential address"),
        default=False,
        help_text=_("Never shown to partners and never printed (e.g. a safe-house or an abuser nearby)."),
    )
    insurance = models.CharField(_("insurance"), max_length=20, choices=Insurance.choices, default="unknown")
    insurance_plan = models.CharField(
        _("plan"), max_length=100, blank=True, help_text=_("Medicare Advantage plan or Turquoise Care MCO")
    )
    insurance_member_id = models.CharField(_("member ID"), max_length=40, blank=True)
    advance_directive_on_file = models.BooleanField(_("advance directive on file"), default=False)
    deceased_date = models.DateField(_("date of death"), null=True, blank=True)
    # Accent-free, lower-case names for search and the duplicate check; set by services.
    search_name = models.CharField(max_length=400, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PatientQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_name"])

    class Meta:
        ordering = ["legal_family_name", "legal_given_name"]
        indexes = [
            models.Index(fields=["organization", "birth_date"], name="patient_org_dob"),
            models.Index(fields=["organization", "legal_family_name", "legal_given_name"], name="patient_org_name"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("patients:detail", args=[self.pk])

    @property
    def message_language(self) -> str:
        """The language Puente writes to the patient in (PDFs, links, messages): their preferred language when there
        is a catalog for it, else the site's default (an interpreter reads it aloud)."""
        available = {code for code, _name in settings.LANGUAGES}
        return self.preferred_language if self.preferred_language in available else settings.LANGUAGE_CODE[:2]

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.legal_given_name
        return f"{given} {self.legal_family_name}"

    @property
    def legal_name(self) -> str:
        parts = [self.legal_given_name, self.legal_middle_name, self.legal_family_name]
        return " ".join(p for p in parts if p)

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    @property
    def age(self) -> int:
        end = self.deceased_date or timezone.localdate()
        return self.age_on(end)


class PatientIdentifier(TenantModel):
    """A medical record number issued by a facility; a patient may have several."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    facility = models.CharField(_("issuing facility"), max_length=120)
    value = models.CharField(_("MRN"), max_length=40)

    history = HistoricalRecords()

    class Meta:
        ordering = ["facility"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "facility", "value"], name="mrn_unique_per_facility")
        ]
        indexes = [models.Index(fields=["organization", "value"], name="mrn_org_value")]

    def __str__(self) -> str:
        return f"{self.facility}: {self.value}"


class RelatedPerson(TenantModel):
    """Caregiver, health-care proxy, guardian, emergency contact or household member."""

    class Relationship(models.TextChoices):
        CAREGIVER = "caregiver", _("Caregiver")
        PROXY = "proxy", _("Health-care proxy / MPOA")
        GUARDIAN = "guardian", _("Guardian")
        EMERGENCY = "emergency", _("Emergency contact")
        HOUSEHOLD = "household", _("Household member")

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="related_persons")
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    name = models.CharField(_("name"), max_length=200)
    relation_detail = models.CharField(_("relation to patient"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    may_receive_information = models.BooleanField(_("may receive health information"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["relationship", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class PossibleDuplicate(TenantModel):
    """A recorded suspicion that two records are the same person. Nothing is merged automatically."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="possible_duplicates")
    other = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    noted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "other"], name="possible_duplicate_unique")]

    def __str__(self) -> str:
        return f"{self.patient_id} ~ {self.other_id}"


class BreakGlassAccess(TenantModel):
    """Time-limited emergency access to a record outside the user's care team, with a stated reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField(_("reason"))
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "user", "expires_at"], name="breakglass_user_exp")]

    def __str__(self) -> str:
        return f"{self.user} → {self.patient_id} until {self.expires_at:%H:%M}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
