"""The community resource directory: Open Referral HSDS 3.0 core objects, shared by the whole network.

Every HSDS object keeps its HSDS id as its primary key (HSDS 3.0 ids are all UUIDs), so foreign keys, re-imports
and exports speak the same ids and no second id column is needed. Records made in Puente get a new uuid4, which is
a valid HSDS id. The directory knows no patients and is not tenant-scoped.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import Role
from puente.core.models import BaseModel


class CapacityStatus(models.TextChoices):
    ACCEPTING = "accepting", _("Accepting new clients")
    WAITLIST = "waitlist", _("Waitlist")
    NOT_ACCEPTING = "not_accepting", _("Not accepting")


class SdohCategory(models.TextChoices):
    """Gravity Project SDOH category codes (SDOHCC-ValueSetSDOHCategory, standards.md §6.3)."""

    UNSPECIFIED = "sdoh-category-unspecified", _("SDOH category unspecified")
    FOOD_INSECURITY = "food-insecurity", _("Food insecurity")
    HOUSING_INSTABILITY = "housing-instability", _("Housing instability")
    HOMELESSNESS = "homelessness", _("Homelessness")
    INADEQUATE_HOUSING = "inadequate-housing", _("Inadequate housing")
    TRANSPORTATION_INSECURITY = "transportation-insecurity", _("Transportation insecurity")
    FINANCIAL_INSECURITY = "financial-insecurity", _("Financial insecurity")
    MATERIAL_HARDSHIP = "material-hardship", _("Material hardship")
    EDUCATIONAL_ATTAINMENT = "educational-attainment", _("Educational attainment")
    EMPLOYMENT_STATUS = "employment-status", _("Employment status")
    VETERAN_STATUS = "veteran-status", _("Veteran status")
    STRESS = "stress", _("Stress")
    SOCIAL_CONNECTION = "social-connection", _("Social connection")
    INTIMATE_PARTNER_VIOLENCE = "intimate-partner-violence", _("Intimate partner violence")
    ELDER_ABUSE = "elder-abuse", _("Elder abuse")
    PERSONAL_HEALTH_LITERACY = "personal-health-literacy", _("Personal health literacy")
    HEALTH_INSURANCE_COVERAGE_STATUS = "health-insurance-coverage-status", _("Health insurance coverage status")
    MEDICAL_COST_BURDEN = "medical-cost-burden", _("Medical cost burden")
    DIGITAL_LITERACY = "digital-literacy", _("Digital literacy")
    DIGITAL_ACCESS = "digital-access", _("Digital access")
    UTILITY_INSECURITY = "utility-insecurity", _("Utility insecurity")
    INCARCERATION_STATUS = "incarceration-status", _("Incarceration status")
    LANGUAGE_ACCESS = "language-access", _("Language access")
    PROTECTIVE_FACTOR = "protective-factor", _("Protective factor")


class HSDSModel(BaseModel):
    """Base of every HSDS object: ``id`` is the HSDS id. ``hsds_type`` is the HSDS object name."""

    hsds_type = ""

    class Meta:
        abstract = True


class Taxonomy(HSDSModel):
    """An HSDS taxonomy."""

    hsds_type = "taxonomy"

    name = models.TextField()
    description = models.TextField()
    uri = models.TextField(blank=True, default="")
    version = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)


class TaxonomyTerm(HSDSModel):
    """An HSDS taxonomy term."""

    hsds_type = "taxonomy_term"

    code = models.TextField(blank=True, default="")
    name = models.TextField()
    description = models.TextField()
    # Soft reference (no database constraint): a term's parent may belong to a taxonomy not imported.
    parent = models.ForeignKey(
        "TaxonomyTerm", models.DO_NOTHING, null=True, blank=True, related_name="children", db_constraint=False
    )
    taxonomy = models.TextField(blank=True, default="")
    language = models.TextField(blank=True, default="")
    taxonomy_detail = models.ForeignKey(
        "Taxonomy", models.SET_NULL, null=True, blank=True, related_name="terms", db_column="taxonomy_id"
    )
    term_uri = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)


class Organization(HSDSModel):
    """An HSDS organization: the provider of services.

    ``curated_by`` is the partner care organization that keeps its listings true (optional; curation comes later).
    """

    hsds_type = "organization"

    name = models.TextField()
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField()
    email = models.TextField(blank=True, default="")
    website = models.TextField(blank=True, default="")
    tax_status = models.TextField(blank=True, default="")
    tax_id = models.TextField(blank=True, default="")
    year_incorporated = models.FloatField(null=True, blank=True)
    legal_status = models.TextField(blank=True, default="")
    logo = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
    # Soft reference (no database constraint): hierarchies often point outside the imported data set.
    parent_organization = models.ForeignKey(
        "Organization", models.DO_NOTHING, null=True, blank=True, related_name="children", db_constraint=False
    )
    curated_by = models.ForeignKey(
        "accounts.Organization", models.SET_NULL, null=True, blank=True, related_name="curated_directory_organizations"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)


class OrganizationIdentifier(HSDSModel):
    """An HSDS organization identifier."""

    hsds_type = "organization_identifier"

    organization = models.ForeignKey(
        "Organization", models.CASCADE, null=True, blank=True, related_name="organization_identifiers"
    )
    identifier_scheme = models.TextField(blank=True, default="")
    identifier_type = models.TextField()
    identifier = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Program(HSDSModel):
    """An HSDS program."""

    hsds_type = "program"

    organization = models.ForeignKey("Organization", models.CASCADE, null=True, blank=True, related_name="programs")
    name = models.TextField()
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)


def stale_days() -> int:
    """Days after which an unverified listing is stale (``PUENTE_DIRECTORY_STALE_DAYS``, default 180)."""
    return int(getattr(settings, "PUENTE_DIRECTORY_STALE_DAYS", 180))


class ServiceQuerySet(models.QuerySet):
    def searchable(self):
        """What search shows: active in Puente (not dropped by a full re-import) and HSDS status active."""
        return self.filter(active=True, status="active")

    def stale(self, now=None):
        """Listings never verified, or verified longer ago than the stale window."""
        cutoff = (now or timezone.now()) - timedelta(days=stale_days())
        return self.filter(models.Q(last_verified_at__isnull=True) | models.Q(last_verified_at__lt=cutoff))

    def curated_by(self, user):
        """The listings ``user`` may verify and update: administrators all; partner staff those of the
        directory organizations their organization curates (``Organization.curated_by``); nobody else any."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.ADMIN:
            return self.all()
        if user.role == Role.PARTNER and user.organization_id:
            return self.filter(organization__curated_by_id=user.organization_id)
        return self.none()

    def addressing(self, sdoh_category):
        """Services whose attributes carry a taxonomy term bridged to ``sdoh_category`` (a code, or several: any)."""
        codes = [sdoh_category] if isinstance(sdoh_category, str) else list(sdoh_category)
        terms = TaxonomyBridge.objects.filter(sdoh_category__in=codes).values("taxonomy_term_id")
        ids = Attribute.objects.filter(taxonomy_term_id__in=terms).values("link_id")
        return self.filter(id__in=ids)


class Service(HSDSModel):
    """An HSDS service, plus Puente's verification, capacity and active flag.

    A service missing from a full re-import is marked inactive, never deleted.
    """

    hsds_type = "service"

    organization = models.ForeignKey("Organization", models.SET_NULL, null=True, blank=True, related_name="services")
    program = models.ForeignKey("Program", models.SET_NULL, null=True, blank=True, related_name="services")
    name = models.TextField()
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    # Puente addition: HSDS has one description; the Spanish one lives here (searched, shown in Spanish).
    description_es = models.TextField(blank=True, default="")
    url = models.TextField(blank=True, default="")
    email = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=20,
        choices=[
            ("active", "active"),
            ("inactive", "inactive"),
            ("defunct", "defunct"),
            ("temporarily closed", "temporarily closed"),
        ],
    )
    interpretation_services = models.TextField(blank=True, default="")
    application_process = models.TextField(blank=True, default="")
    fees_description = models.TextField(blank=True, default="")
    wait_time = models.TextField(blank=True, default="")
    fees = models.TextField(blank=True, default="")
    accreditations = models.TextField(blank=True, default="")
    eligibility_description = models.TextField(blank=True, default="")
    minimum_age = models.FloatField(null=True, blank=True)
    maximum_age = models.FloatField(null=True, blank=True)
    assured_date = models.TextField(blank=True, default="")
    assurer_email = models.TextField(blank=True, default="")
    licenses = models.TextField(blank=True, default="")
    alert = models.TextField(blank=True, default="")
    last_modified = models.DateTimeField(null=True, blank=True)
    # Puente additions (not HSDS).
    active = models.BooleanField(default=True)
    last_verified_at = models.DateTimeField(null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    capacity_status = models.CharField(max_length=20, blank=True, default="", choices=CapacityStatus.choices)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    capacity_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Folded English + Spanish stems of the name, description, organization and taxonomy terms, and the facet
    # words of its languages and taxonomy term ids (see text.py); rebuilt by services.refresh_search_documents
    # whenever those change.
    search_document = models.TextField(blank=True, default="", editable=False)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)

    @property
    def is_stale(self) -> bool:
        """Not verified within ``PUENTE_DIRECTORY_STALE_DAYS`` (never verified counts as stale)."""
        if self.last_verified_at is None:
            return True
        return self.last_verified_at < timezone.now() - timedelta(days=stale_days())

    @property
    def sdoh_categories(self):
        """The Gravity SDOH category codes this service addresses, through the taxonomy bridge (sorted)."""
        terms = Attribute.objects.filter(link_id=self.id).values("taxonomy_term_id")
        codes = TaxonomyBridge.objects.filter(taxonomy_term_id__in=terms).values_list("sdoh_category", flat=True)
        return sorted(set(codes))


class Location(HSDSModel):
    """An HSDS location."""

    hsds_type = "location"

    location_type = models.CharField(
        max_length=20, choices=[("physical", "physical"), ("postal", "postal"), ("virtual", "virtual")]
    )
    url = models.TextField(blank=True, default="")
    organization = models.ForeignKey("Organization", models.SET_NULL, null=True, blank=True, related_name="locations")
    name = models.TextField(blank=True, default="")
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    transportation = models.TextField(blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.TextField(blank=True, default="")
    external_identifier_type = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]
        # The distance search's bounding-box prefilter.
        indexes = [models.Index(fields=["latitude", "longitude"], name="directory_location_latlon")]

    def __str__(self):
        return self.name or str(self.id)


class ServiceAtLocation(HSDSModel):
    """An HSDS service at location."""

    hsds_type = "service_at_location"

    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="service_at_locations")
    location = models.ForeignKey("Location", models.CASCADE, null=True, blank=True, related_name="service_at_locations")
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Contact(HSDSModel):
    """An HSDS contact."""

    hsds_type = "contact"

    organization = models.ForeignKey("Organization", models.CASCADE, null=True, blank=True, related_name="contacts")
    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="contacts")
    service_at_location = models.ForeignKey(
        "ServiceAtLocation", models.CASCADE, null=True, blank=True, related_name="contacts"
    )
    location = models.ForeignKey("Location", models.CASCADE, null=True, blank=True, related_name="contacts")
    name = models.TextField(blank=True, default="")
    title = models.TextField(blank=True, default="")
    department = models.TextField(blank=True, default="")
    email = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)


class Phone(HSDSModel):
    """An HSDS phone."""

    hsds_type = "phone"

    location = models.ForeignKey("Location", models.CASCADE, null=True, blank=True, related_name="phones")
    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="phones")
    organization = models.ForeignKey("Organization", models.CASCADE, null=True, blank=True, related_name="phones")
    contact = models.ForeignKey("Contact", models.CASCADE, null=True, blank=True, related_name="phones")
    service_at_location = models.ForeignKey(
        "ServiceAtLocation", models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.TextField()
    extension = models.FloatField(null=True, blank=True)
    type = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Address(HSDSModel):
    """An HSDS address."""

    hsds_type = "address"

    location = models.ForeignKey("Location", models.CASCADE, null=True, blank=True, related_name="addresss")
    attention = models.TextField(blank=True, default="")
    address_1 = models.TextField()
    address_2 = models.TextField(blank=True, default="")
    city = models.TextField()
    region = models.TextField(blank=True, default="")
    state_province = models.TextField()
    postal_code = models.TextField()
    country = models.TextField()
    address_type = models.CharField(
        max_length=20, choices=[("physical", "physical"), ("postal", "postal"), ("virtual", "virtual")]
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Schedule(HSDSModel):
    """An HSDS schedule."""

    hsds_type = "schedule"

    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="schedules")
    location = models.ForeignKey("Location", models.CASCADE, null=True, blank=True, related_name="schedules")
    service_at_location = models.ForeignKey(
        "ServiceAtLocation", models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.TextField(blank=True, default="")
    valid_to = models.TextField(blank=True, default="")
    dtstart = models.TextField(blank=True, default="")
    timezone = models.FloatField(null=True, blank=True)
    until = models.TextField(blank=True, default="")
    count = models.FloatField(null=True, blank=True)
    wkst = models.CharField(
        max_length=20,
        blank=True,
        default="",
        choices=[("MO", "MO"), ("TU", "TU"), ("WE", "WE"), ("TH", "TH"), ("FR", "FR"), ("SA", "SA"), ("SU", "SU")],
    )
    freq = models.CharField(
        max_length=20, blank=True, default="", choices=[("WEEKLY", "WEEKLY"), ("MONTHLY", "MONTHLY")]
    )
    interval = models.FloatField(null=True, blank=True)
    byday = models.TextField(blank=True, default="")
    byweekno = models.TextField(blank=True, default="")
    bymonthday = models.TextField(blank=True, default="")
    byyearday = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    opens_at = models.TextField(blank=True, default="")
    closes_at = models.TextField(blank=True, default="")
    schedule_link = models.TextField(blank=True, default="")
    attending_type = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Language(HSDSModel):
    """An HSDS language."""

    hsds_type = "language"

    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="languages")
    location = models.ForeignKey("Location", models.CASCADE, null=True, blank=True, related_name="languages")
    phone = models.ForeignKey("Phone", models.CASCADE, null=True, blank=True, related_name="languages")
    name = models.TextField(blank=True, default="")
    code = models.TextField(blank=True, default="")
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)


class ServiceArea(HSDSModel):
    """An HSDS service area."""

    hsds_type = "service_area"

    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="service_areas")
    name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    extent = models.TextField(blank=True, default="")
    extent_type = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name or str(self.id)


class CostOption(HSDSModel):
    """An HSDS cost option."""

    hsds_type = "cost_option"

    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="cost_options")
    valid_from = models.TextField(blank=True, default="")
    valid_to = models.TextField(blank=True, default="")
    option = models.TextField(blank=True, default="")
    currency = models.TextField(blank=True, default="")
    amount = models.FloatField(null=True, blank=True)
    amount_description = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class RequiredDocument(HSDSModel):
    """An HSDS required document."""

    hsds_type = "required_document"

    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="required_documents")
    document = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Accessibility(HSDSModel):
    """An HSDS accessibility."""

    hsds_type = "accessibility"

    location = models.ForeignKey("Location", models.CASCADE, null=True, blank=True, related_name="accessibility")
    description = models.TextField(blank=True, default="")
    details = models.TextField(blank=True, default="")
    url = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Funding(HSDSModel):
    """An HSDS funding."""

    hsds_type = "funding"

    organization = models.ForeignKey("Organization", models.CASCADE, null=True, blank=True, related_name="funding")
    service = models.ForeignKey("Service", models.CASCADE, null=True, blank=True, related_name="funding")
    source = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Attribute(HSDSModel):
    """Links a taxonomy term to any HSDS object (`link_type` names the object type, `link_id` its id)."""

    hsds_type = "attribute"

    link_id = models.UUIDField(null=True, blank=True, db_index=True)
    taxonomy_term = models.ForeignKey("TaxonomyTerm", models.CASCADE, null=True, blank=True, related_name="attributes")
    link_type = models.TextField(blank=True, default="")
    link_entity = models.TextField(blank=True, default="")
    value = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class Metadata(HSDSModel):
    """An HSDS change record about any object (`resource_type`, `resource_id`), kept as given."""

    hsds_type = "metadata"

    resource_id = models.UUIDField(null=True, blank=True, db_index=True)
    resource_type = models.TextField(blank=True, default="")
    last_action_date = models.TextField()
    last_action_type = models.TextField()
    field_name = models.TextField()
    previous_value = models.TextField()
    replacement_value = models.TextField()
    updated_by = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return str(self.id)


class TaxonomyBridge(BaseModel):
    """Maps a taxonomy term (AIRS/211 LA, Open Eligibility, any imported taxonomy) to a Gravity SDOH category.

    A service addresses the SDOH categories its attributes' taxonomy terms are bridged to.
    """

    taxonomy_term = models.ForeignKey(TaxonomyTerm, models.CASCADE, related_name="sdoh_bridges")
    sdoh_category = models.CharField(max_length=40, choices=SdohCategory.choices)

    class Meta:
        ordering = ["taxonomy_term__name", "sdoh_category"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy_term", "sdoh_category"], name="directory_bridge_unique"),
        ]

    def __str__(self):
        return f"{self.taxonomy_term} → {self.sdoh_category}"


class ListingReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ListingReport.Status.OPEN)

    def for_curator(self, user):
        """Reports on the listings ``user`` curates (administrators: all; partner staff: their organization's)."""
        return self.filter(service__in=Service.objects.curated_by(user))


class ListingReport(BaseModel):
    """A staff user's report that a listing is wrong: a curation task its curators resolve.

    Not tenant-owned: the directory is shared by the network, and the report goes to the listing's curators,
    whoever reported it. The reporter's organization is kept for follow-up questions.
    """

    class Reason(models.TextChoices):
        PHONE = "phone", _("Phone number is wrong")
        ADDRESS = "address", _("Address or location is wrong")
        HOURS = "hours", _("Hours are wrong")
        ELIGIBILITY = "eligibility", _("Eligibility or cost is wrong")
        CLOSED = "closed", _("Service has closed")
        CAPACITY = "capacity", _("Not taking clients, or a waitlist")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    service = models.ForeignKey(Service, models.CASCADE, related_name="reports", verbose_name=_("service"))
    reason = models.CharField(_("what is wrong"), max_length=20, choices=Reason.choices)
    details = models.TextField(_("details"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    reporter_organization = models.ForeignKey(
        "accounts.Organization", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    resolution = models.TextField(_("resolution"), blank=True, default="")

    objects = ListingReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "service"], name="directory_report_open")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.service}"


class ImportFormat(models.TextChoices):
    HSDS_JSON = "hsds_json", _("HSDS 3.0 JSON")
    HSDS_CSV = "hsds_csv", _("HSDS 3.0 CSV package (zip)")
    HSDS1_CSV = "hsds1_csv", _("HSDS 1.x CSV package (zip)")
    OHANA_CSV = "ohana_csv", _("Ohana CSV export (zip)")


class ImportPhase(models.TextChoices):
    WRITE = "write", _("Writing records")
    INDEX = "index", _("Updating the search index")


class DirectoryImportQuerySet(models.QuerySet):
    def listing(self):
        """For lists: without the uploaded bytes and the rejection rows (both can be megabytes)."""
        return self.defer("data", "rejections")


class DirectoryImport(BaseModel):
    """One upload of directory data by an administrator, imported by the background worker (``jobs.py``).

    Not tenant-owned: the directory is shared by the network. The uploaded bytes are kept in the row so any
    worker host can read them; the result (counts, rejected rows, error) is kept for the status page and the
    downloadable report.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    file_name = models.CharField(_("file"), max_length=255)
    data_format = models.CharField(_("format"), max_length=20, choices=ImportFormat.choices)
    # HSDS 3.0 JSON only: the object type when the file name does not say it ("" = from the name).
    object_type = models.CharField(_("object type"), max_length=40, blank=True, default="")
    full = models.BooleanField(_("mark services missing from this file inactive"), default=False)
    data = models.BinaryField(editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # What the progress counts: records being written, then the search documents being rebuilt (the last minute of
    # a large import, which would otherwise sit at 100 %).
    progress_phase = models.CharField(max_length=10, blank=True, default="", choices=ImportPhase.choices)
    # {"created": {type: n}, "updated": {type: n}, "deactivated": n, "units_total": n, "units_rejected": n,
    #  "notes": [text]}
    summary = models.JSONField(default=dict, blank=True)
    # [{"file", "position", "object_type", "object_id", "field", "reason"}], the hsds_parser.Rejection fields
    rejections = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = DirectoryImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, self.progress_done * 100 // self.progress_total) if self.progress_total else 0

    @property
    def created_total(self) -> int:
        return sum((self.summary or {}).get("created", {}).values())

    @property
    def updated_total(self) -> int:
        return sum((self.summary or {}).get("updated", {}).values())
