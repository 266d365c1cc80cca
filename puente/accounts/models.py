"""Organizations (tenants), staff users, roles, teams, care units and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.core.models import BaseModel


class Organization(BaseModel):
    """A tenant: a care organization (owns patients) or a partner (community-based) organization."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        HOME_HEALTH_HOSPICE = "home_health_hospice", _("Home health & hospice agency")
        CLINIC = "clinic", _("Clinic")
        PARTNER = "partner", _("Partner organization")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_care_organization(self) -> bool:
        return self.kind != self.Kind.PARTNER


class TenantModel(BaseModel):
    """Base for every tenant-owned table: the organization_id column is the distribution key."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )

    class Meta:
        abstract = True

    # Why these two overrides: every statement on a tenant table names the organization (Citus routing; see
    # accounts/tenancy.py for the relation side). `save()` of an existing row and `refresh_from_db()` would
    # otherwise address the row by primary key alone.
    def _do_update(self, base_qs, *args, **kwargs):
        if self.organization_id is not None:
            base_qs = base_qs.filter(organization_id=self.organization_id)
        return super()._do_update(base_qs, *args, **kwargs)

    def _get_unique_checks(self, exclude=None, include_meta_constraints=False):
        # A new row's primary key is a fresh uuid4 (and the database enforces it): checking it would be one
        # more statement that cannot name the organization.
        unique_checks, date_checks = super()._get_unique_checks(exclude, include_meta_constraints)
        if self._state.adding:
            unique_checks = [(cls, fields) for cls, fields in unique_checks if tuple(fields) != ("id",)]
        return unique_checks, date_checks

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        if from_queryset is None and self.organization_id is not None:
            from_queryset = type(self)._base_manager.filter(organization_id=self.organization_id)
        return super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)


class Role(models.TextChoices):
    SOCIAL_WORKER = "social_worker", _("Social worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    CARE_TEAM = "care_team", _("Care team")
    INTAKE = "intake", _("Intake coordinator")
    PARTNER = "partner", _("Partner")
    ADMIN = "admin", _("Administrator")


class Discipline(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    PHYSICIAN = "physician", _("Physician")
    THERAPIST = "therapist", _("Therapist")
    CHAPLAIN = "chaplain", _("Chaplain")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address. Belongs to exactly one organization."""

    id = models.BigAutoField(primary_key=True)
    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SOCIAL_WORKER)
    discipline = models.CharField(_("discipline"), max_length=20, choices=Discipline.choices, blank=True)
    credentials = models.CharField(_("credentials"), max_length=40, blank=True, help_text=_("e.g. LCSW, LMSW"))
    language = models.CharField(_("language"), max_length=8, default="en")
    languages_spoken = models.CharField(_("languages spoken"), max_length=100, blank=True)
    units = models.ManyToManyField("accounts.Unit", blank=True, related_name="care_team_members")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text=_("May use the Django admin."))
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def is_clinical_staff(self) -> bool:
        """Roles that work with patient records of their care organization."""
        return self.role in (Role.SOCIAL_WORKER, Role.SUPERVISOR, Role.CARE_TEAM, Role.INTAKE)

    @property
    def can_manage_queue(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.INTAKE)

    @property
    def can_view_audit(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @property
    def has_reduced_view(self) -> bool:
        """Care-team users see the summary the care team needs, not the full social-work record."""
        return self.role == Role.CARE_TEAM


class Unit(TenantModel):
    """A facility unit (e.g. 4 West, ED, Home Health North). Care-team users see patients of their units."""

    name = models.CharField(_("name"), max_length=120)
    facility = models.CharField(_("facility"), max_length=120)

    class Meta:
        ordering = ["facility", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "facility", "name"], name="unit_unique")]

    def __str__(self) -> str:
        return f"{self.facility} — {self.name}"


class Team(TenantModel):
    """A social-work team (Hospital Social Work, Home Health, Hospice) with members and a supervisor."""

    name = models.CharField(_("name"), max_length=120)
    supervisor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="supervised_teams"
    )
    members = models.ManyToManyField(User, through="TeamMembership", related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class TeamMembership(TenantModel):
    """A staff member on a team; a worker may belong to several teams."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ApiToken(TenantModel):
    """A bearer token for an integration. Only a SHA-256 hash is stored; the token acts as its user."""

    SCOPES = (
        "patients:read",
        "patients:write",
        "episodes:read",
        "episodes:write",
        "screening:read",
        "screening:write",
        "referrals:read",
        "referrals:write",
    )

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "pnt_" + secrets.token_urlsafe(32)
