"""The synthetic demo directory: about 150 services in Bernalillo, Sandoval, Valencia and Torrance counties,
loaded by ``seed_demo`` through ``load_demo_directory()``. Idempotent: every object has a fixed uuid5 id derived
from its row key, so a second run updates in place.

Everything here is invented (see ``data.py``): organization and service names end in "(demo)", addresses
are marked "(demo address)" and every phone number is in the 555-01xx range reserved for fiction. Some
listings are Spanish-first, some stale (verified long ago or never), some on a waitlist or not accepting.
"""

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .. import models as m
from ..services import refresh_search_documents
from .data import CURATORS, LANGUAGE_NAMES, SERVICES, TERMS

NAMESPACE = uuid.UUID("6f1c2a8e-4b5d-4e2f-9a51-7d0c3e9b1a42")
DEMO_TAXONOMY = "Puente demo taxonomy"


__all__ = ["SERVICES", "load_demo_directory"]


def _id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, ":".join(parts))


def _phone(n: int) -> str:
    return f"505-555-01{n:02d}"


@transaction.atomic
def load_demo_directory() -> int:
    """Create or update the demo directory; return the number of demo services."""
    from puente.accounts.models import Organization as CareOrganization

    now = timezone.now()
    curators = {o.slug: o for o in CareOrganization.objects.filter(slug__in=CURATORS.values())}
    taxonomy, _ = m.Taxonomy.objects.update_or_create(
        id=_id("taxonomy"),
        defaults={"name": DEMO_TAXONOMY, "description": "Synthetic terms for the Puente demo directory."},
    )
    terms = {}
    for name, codes in TERMS.items():
        terms[name], _ = m.TaxonomyTerm.objects.update_or_create(
            id=_id("term", name),
            defaults={"name": name, "description": name, "taxonomy": DEMO_TAXONOMY, "taxonomy_detail": taxonomy},
        )
        for code in codes:
            m.TaxonomyBridge.objects.get_or_create(taxonomy_term=terms[name], sdoh_category=code)
    orgs = {}
    for n, row in enumerate(SERVICES, start=1):
        key, town, kind = row.key, row.town, row.kind
        if row.organization not in orgs:
            curator = curators.get(CURATORS.get(row.organization, ""))
            orgs[row.organization], _ = m.Organization.objects.update_or_create(
                id=_id("org", row.organization),
                defaults={
                    "name": row.organization,
                    "description": "Synthetic demo organization; not a real provider.",
                    "curated_by": curator,
                },
            )
        org = orgs[row.organization]
        fmt = {"place": town.place, "county": f"{town.county} County"}
        service, _ = m.Service.objects.update_or_create(
            id=_id("service", key),
            defaults={
                "organization": org,
                "name": row.name,
                "description": kind.en.format(**fmt),
                "description_es": kind.es.format(**fmt),
                "status": "active",
                "active": True,
                "fees_description": kind.cost,
                "minimum_age": kind.min_age,
                "maximum_age": None,
                "eligibility_description": _eligibility(kind, town),
                "capacity_status": row.capacity,
                "capacity_updated_at": now - timedelta(days=3) if row.capacity else None,
                "last_verified_at": (
                    now - timedelta(days=row.verified_days_ago) if row.verified_days_ago is not None else None
                ),
            },
        )
        # Spread sites on a small spiral around the town centre so distances differ.
        offset = (n % 7) * 0.006
        location, _ = m.Location.objects.update_or_create(
            id=_id("location", key),
            defaults={
                "organization": org,
                "location_type": "physical",
                "name": f"{row.name} — {town.place}" if town.place not in row.name else row.name,
                "latitude": round(town.latitude + offset * (1 if n % 2 else -1), 5),
                "longitude": round(town.longitude + offset * (1 if n % 3 else -1), 5),
            },
        )
        m.Address.objects.update_or_create(
            id=_id("address", key),
            defaults={
                "location": location,
                "address_1": f"{100 + (n * 37) % 3900} {town.streets[n % len(town.streets)]} (demo address)",
                "city": town.city,
                "state_province": "NM",
                "postal_code": town.zip_code,
                "country": "US",
                "address_type": "physical",
            },
        )
        m.ServiceAtLocation.objects.update_or_create(
            id=_id("sal", key), defaults={"service": service, "location": location}
        )
        m.Phone.objects.update_or_create(
            id=_id("phone", key),
            defaults={"service": service, "number": _phone(n % 100), "description": "Demo number (fictional)"},
        )
        for code in row.languages:
            m.Language.objects.update_or_create(
                id=_id("language", key, code), defaults={"service": service, "code": code, "name": LANGUAGE_NAMES[code]}
            )
        for i, (byday, opens, closes) in enumerate(row.schedules):
            m.Schedule.objects.update_or_create(
                id=_id("schedule", key, str(i)),
                defaults={"service": service, "freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes},
            )
        m.CostOption.objects.update_or_create(
            id=_id("cost", key),
            defaults={
                "service": service,
                "option": kind.cost,
                "amount": 0 if kind.cost == "Free" else None,
                "currency": "USD",
            },
        )
        if row.accessible:
            m.Accessibility.objects.update_or_create(
                id=_id("accessibility", key),
                defaults={"location": location, "description": "Wheelchair accessible entrance and restroom"},
            )
        if kind.county_wide:
            m.ServiceArea.objects.update_or_create(
                id=_id("area", key),
                defaults={"service": service, "name": f"{town.county} County, NM", "extent_type": "county"},
            )
        for term_name in kind.terms:
            m.Attribute.objects.update_or_create(
                id=_id("attribute", key, term_name),
                defaults={"link_id": service.id, "link_type": "service", "taxonomy_term": terms[term_name]},
            )
    refresh_search_documents([_id("service", row.key) for row in SERVICES])
    return len(SERVICES)


def _eligibility(kind, town) -> str:
    where = f"{town.county} County residents" if kind.county_wide else f"Anyone in or near {town.place}"
    if kind.min_age is None:
        return f"{where}."
    return f"{where}, ages {kind.min_age} and over."
