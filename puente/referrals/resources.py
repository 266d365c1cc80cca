"""Finding community resources for one patient: the directory's search, prefilled from the record, with a
"refer this patient" action on each result.

The directory (level 3) knows no patients; this module (level 5) is where the patient's home ZIP, open health
concerns and language meet ``directory.search.search_services``. Reads only; a fixed number of queries whatever the
number of results (the cards' data is prefetched by the search, the services' SDOH categories are one query).
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from puente.directory.geo import distance_miles, zip_point
from puente.directory.models import Attribute, SdohCategory
from puente.screening.models import HealthConcern

# Needs the search is prefilled with: what the worker is working on (active) and what a screen found and is not
# yet decided (suggested). Resolved, inactive and dismissed concerns are left out.
OPEN_CONCERN_STATUSES = (HealthConcern.Status.ACTIVE, HealthConcern.Status.SUGGESTED)
DEFAULT_RADIUS = "15"
# A search by these languages narrows nothing useful: English is everywhere, "und" means unknown.
UNFILTERED_LANGUAGES = ("", "en", "und")
NEED_CODES = {c.value for c in SdohCategory if c != SdohCategory.UNSPECIFIED}


def open_concerns(patient) -> list[HealthConcern]:
    """The patient's active and suggested health concerns, by category."""
    return list(
        HealthConcern.objects.filter(
            organization_id=patient.organization_id, patient=patient, status__in=OPEN_CONCERN_STATUSES
        ).order_by("category", "created_at")
    )


def concern_needs(concerns) -> list[str]:
    """The Gravity categories of the concerns the need filter knows, once each, in order."""
    return list(dict.fromkeys(c.category for c in concerns if c.category in NEED_CODES))


def home_zip(patient) -> str:
    """The patient's 5-digit home ZIP when the offline ZIP data knows it, else ""."""
    code = (patient.postal_code or "").strip()[:5]
    return code if zip_point(code) is not None else ""


def search_language(patient) -> str:
    """The language to filter by: the patient's preferred language unless it is English or unknown."""
    return "" if patient.preferred_language in UNFILTERED_LANGUAGES else patient.preferred_language


def prefill(patient, concerns) -> dict:
    """The search form's data on the first visit: home ZIP, 15 miles, the open concerns' needs, the language.

    A confidential address still gives its ZIP for distance, but through the ``near_home`` switch: the ZIP itself
    is then never written into the page or its URL."""
    zip_code = home_zip(patient)
    data = {"radius": DEFAULT_RADIUS, "need": concern_needs(concerns), "language": search_language(patient)}
    if patient.address_confidential:
        data["near_home"] = "on" if zip_code else ""
    else:
        data["zip"] = zip_code
    return data


@dataclass
class ReferAction:
    """What a result card offers: a link to the referral form with the service at location and the matching
    concerns preselected, or why not (``no_partner``: the listing's organization has no partner account in Puente;
    ``no_site``: the service has no location to refer to)."""

    url: str = ""
    service_at_location: object = None
    concerns: list = field(default_factory=list)
    problem: str = ""


def _nearest_site(result, origin):
    sites = result.sites
    if origin is None:
        return sites[0] if sites else None
    located = [
        (distance_miles(origin.latitude, origin.longitude, sal.location.latitude, sal.location.longitude), i)
        for i, sal in enumerate(sites)
        if sal.location is not None and sal.location.latitude is not None and sal.location.longitude is not None
    ]
    if located:
        return sites[min(located)[1]]
    return sites[0] if sites else None


def service_categories(service_ids, codes) -> dict:
    """{service id: set of the given Gravity codes it addresses}, through the taxonomy bridge. One query."""
    if not service_ids or not codes:
        return {}
    rows = (
        Attribute.objects.filter(link_id__in=list(service_ids), taxonomy_term__sdoh_bridges__sdoh_category__in=codes)
        .order_by()
        .values_list("link_id", "taxonomy_term__sdoh_bridges__sdoh_category")
    )
    found: dict = {}
    for sid, code in rows:
        found.setdefault(sid, set()).add(code)
    return found


def refer_actions(page, patient, concerns, needs) -> list[tuple]:
    """[(ServiceResult, ReferAction)] for a search page.

    The service at location offered is the service's nearest site to the search's origin (the first one without
    an origin); the referral form still lets the worker choose another. The concerns preselected are the open
    concerns whose category the service addresses, among the needs searched for (all of them when no need was
    chosen). Whether a listing has a partner account is read from ``curated_by_id`` (what ``partner_org_for``
    and ``referable_services`` decide on), which the cards already carry: no query per result."""
    results = list(page.results) if page else []
    needs = set(needs or ())
    wanted = {c.category for c in concerns if not needs or c.category in needs}
    categories = service_categories([r.service.id for r in results], sorted(wanted))
    base = reverse("referrals:new", args=[patient.pk])
    rows = []
    for r in results:
        org = r.service.organization
        if org is None or org.curated_by_id is None:
            rows.append((r, ReferAction(problem="no_partner")))
            continue
        sal = _nearest_site(r, page.origin)
        if sal is None:
            rows.append((r, ReferAction(problem="no_site")))
            continue
        addressed = categories.get(r.service.id, set())
        matching = [c for c in concerns if c.category in addressed]
        query = urlencode([("service", str(sal.pk)), *(("concern", str(c.pk)) for c in matching)])
        rows.append((r, ReferAction(url=f"{base}?{query}", service_at_location=sal, concerns=matching)))
    return rows
