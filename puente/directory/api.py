"""The read-only HSDS 3.0 API (``/api/hsds/…``), per the shipped OpenAPI (openreferral/specification 3.0).

Public on purpose: a directory of community services carries no patient data, and HSDS exists to publish it to
other systems (2-1-1 lines, other networks). Only what search shows is published (active listings); Puente's
curation data (who verified, reports of wrong information) is not. Plain JSON views, no session needed.

Implemented: ``GET /``, ``/services`` (search, taxonomy_term_id, taxonomy_id, organization_id, modified_after,
postcode, proximity in metres, page, per_page, full), ``/services/{id}``, ``/organizations`` (search, page,
per_page), ``/organizations/{id}``, ``/taxonomies`` (search, page, per_page), ``/taxonomy_terms`` (search,
taxonomy_id, parent_id, top_only, page, per_page). Every list is a ``Page``; parameters combine with AND.
"""

import math
import uuid
from datetime import UTC, datetime

from django.db.models import Q
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from .export import export_flat, export_object, export_service, export_service_list_item
from .geo import zip_point
from .models import Attribute, Organization, Service, Taxonomy, TaxonomyTerm
from .search import distances_from, text_filter

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE_NUMBER = 1_000_000
METRES_PER_MILE = 1609.344
# The widest search the API answers: New Mexico and its neighbours (a larger radius, NaN or infinity is a 400).
MAX_PROXIMITY_METRES = 1_000_000
MAX_PROXIMITY_MILES = MAX_PROXIMITY_METRES / METRES_PER_MILE
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"


class BadParameter(ValueError):
    pass


def _int(request, name, default, minimum=1, maximum=None):
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be an integer") from None
    if value < minimum:
        raise BadParameter(f"{name} must be at least {minimum}")
    return min(value, maximum) if maximum else value


def _bool(request, name):
    return request.GET.get(name, "").lower() in ("1", "true", "yes")


def _page(items_total, page, per_page, contents):
    pages = max(1, math.ceil(items_total / per_page))
    return {
        "total_items": items_total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": not contents,
        "contents": contents,
    }


def _paging(request):
    page = _int(request, "page", 1)
    # A huge page number (found by schemathesis, tests/test_hsds_api_fuzz.py) overflowed the database's integer
    # in OFFSET and answered 500; no directory has a million pages.
    if page > MAX_PAGE_NUMBER:
        raise BadParameter(f"page must be at most {MAX_PAGE_NUMBER}")
    return page, _int(request, "per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)


def _json(view):
    """GET only; a bad parameter is a 400 with a ``detail``, an unknown id a 404."""

    @require_GET
    def wrapped(request, *args, **kwargs):
        try:
            return JsonResponse(view(request, *args, **kwargs), json_dumps_params={"ensure_ascii": False})
        except BadParameter as e:
            return JsonResponse({"detail": str(e)}, status=400)
        except Http404:
            return JsonResponse({"detail": "not found"}, status=404)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_json
def api_root(request):
    return {"version": "3.0", "profile": "https://docs.openreferral.org/en/latest/", "openapi_url": OPENAPI_URL}


def _uuid_param(request, name):
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a UUID") from None


@_json
def service_list(request):
    page, per_page = _paging(request)
    qs = text_filter(Service.objects.searchable(), request.GET.get("search", ""))
    if term_id := _uuid_param(request, "taxonomy_term_id"):
        qs = qs.filter(id__in=Attribute.objects.filter(taxonomy_term_id=term_id).values("link_id"))
    if taxonomy_id := _uuid_param(request, "taxonomy_id"):
        terms = TaxonomyTerm.objects.filter(taxonomy_detail_id=taxonomy_id)
        qs = qs.filter(id__in=Attribute.objects.filter(taxonomy_term__in=terms).values("link_id"))
    if org_id := _uuid_param(request, "organization_id"):
        qs = qs.filter(organization_id=org_id)
    if raw := request.GET.get("modified_after", ""):
        try:
            after = datetime.fromisoformat(raw)
        except ValueError:
            raise BadParameter("modified_after must be an ISO 8601 date-time") from None
        qs = qs.filter(updated_at__gte=after if after.tzinfo else after.replace(tzinfo=UTC))
    qs = qs.select_related("organization", "program")
    full = _bool(request, "full")
    render = export_service if full else export_service_list_item
    postcode = request.GET.get("postcode", "")
    if not postcode:
        total = qs.count()
        rows = list(qs.order_by("name", "id")[(page - 1) * per_page : page * per_page])
        return _page(total, page, per_page, [render(s) for s in rows])
    origin = zip_point(postcode)
    if origin is None:
        raise BadParameter("postcode is not a known US ZIP code")
    proximity = request.GET.get("proximity", "")
    try:
        radius = float(proximity) / METRES_PER_MILE if proximity else 0.0
    except ValueError:
        raise BadParameter("proximity must be a number of metres") from None
    if not math.isfinite(radius) or not 0 <= radius <= MAX_PROXIMITY_MILES:
        raise BadParameter(f"proximity must be between 0 and {MAX_PROXIMITY_METRES} metres")
    # Without proximity, only services whose service area covers the postcode (per the OpenAPI text).
    distances, area_ids = distances_from(qs, origin, radius)
    near = sorted((d, str(sid)) for sid, d in distances.items() if d <= radius)
    ids = [sid for _d, sid in near]
    ids += sorted(str(i) for i in area_ids if str(i) not in set(ids))
    chosen = ids[(page - 1) * per_page : page * per_page]
    by_id = {str(s.id): s for s in qs.filter(id__in=chosen)}
    return _page(len(ids), page, per_page, [render(by_id[i]) for i in chosen if i in by_id])


@_json
def service_detail(request, pk):
    service = Service.objects.searchable().filter(pk=pk).first()
    if service is None:
        raise Http404
    return export_service(service)


@_json
def organization_list(request):
    page, per_page = _paging(request)
    qs = Organization.objects.order_by("name", "id")
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    rows = list(qs[(page - 1) * per_page : page * per_page])
    return _page(qs.count(), page, per_page, [export_flat(o, "organization") for o in rows])


@_json
def organization_detail(request, pk):
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise Http404
    out = export_object(org, "organization")
    services = Service.objects.searchable().filter(organization=org).order_by("name", "id")
    out["services"] = [export_flat(s, "service") for s in services]
    return out


@_json
def taxonomy_list(request):
    page, per_page = _paging(request)
    qs = Taxonomy.objects.order_by("name", "id")
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search))
    rows = list(qs[(page - 1) * per_page : page * per_page])
    return _page(qs.count(), page, per_page, [export_flat(t, "taxonomy") for t in rows])


@_json
def taxonomy_term_list(request):
    page, per_page = _paging(request)
    qs = TaxonomyTerm.objects.select_related("taxonomy_detail").order_by("name", "id")
    if search := request.GET.get("search", "").strip():
        qs = qs.filter(Q(name__icontains=search) | Q(description__icontains=search) | Q(code__iexact=search))
    if taxonomy_id := _uuid_param(request, "taxonomy_id"):
        qs = qs.filter(taxonomy_detail_id=taxonomy_id)
    if parent_id := _uuid_param(request, "parent_id"):
        qs = qs.filter(parent_id=parent_id)
    if _bool(request, "top_only"):
        qs = qs.filter(parent_id__isnull=True)
    rows = list(qs[(page - 1) * per_page : page * per_page])
    contents = []
    for term in rows:
        item = export_flat(term, "taxonomy_term")
        if term.taxonomy_detail is not None:
            item["taxonomy_detail"] = export_flat(term.taxonomy_detail, "taxonomy")
        contents.append(item)
    return _page(qs.count(), page, per_page, contents)
