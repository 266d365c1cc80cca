"""Directory search: one function, ``search_services(criteria)``, used by the search page and by other apps
(the referral form calls it with the patient's home ZIP).

Reads only. The query count is constant in the directory size and in the page size. The text, the need and the
language are one full-text query (the need and language as facet words of the search document, ``text.py``)
over the database's own index; the other filters are SQL conditions on the service or correlated subqueries.
Distance uses a bounding-box prefilter twice over, in one query: the full-text index is asked for the grid
cells the box touches (place words of the document) with the other terms, and those services' sites are joined
within the box (indexed latitude/longitude); then the exact haversine distance. A page's cards are loaded in a
fixed number of queries (``load_cards``).
"""

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Prefetch, Q, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import hours
from .geo import ZipPoint, bounding_box, distance_miles, zip_point
from .models import (
    Accessibility,
    Address,
    CostOption,
    Language,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyBridge,
)
from .text import SQLITE_FTS_TABLE, box_cells, facet_terms, fts5_query, query_terms, tsquery

DAY_NAMES = {
    "MO": _("Mon"),
    "TU": _("Tue"),
    "WE": _("Wed"),
    "TH": _("Thu"),
    "FR": _("Fri"),
    "SA": _("Sat"),
    "SU": _("Sun"),
}
PER_PAGE = 20
MAX_PER_PAGE = 100


class UnknownZip(ValueError):
    """The ZIP code is not in the offline ZIP data."""


@dataclass
class SearchCriteria:
    """What to search for. Every field is optional; empty means "no filter". Inactive listings never show.

    text         free text over names, descriptions, organization and taxonomy terms (stems, accents folded)
    need         a Gravity SDOH category code ("food-insecurity"), through the taxonomy bridge, or a tuple of codes
                 (a patient's positive domains): services addressing any of them
    zip_code     a 5-digit ZIP: results get distances and are sorted nearest first
    radius_miles with ``zip_code``: only services with a location within the radius, or whose service area
                 names the ZIP's county; None = any distance
    language     ISO 639-1 code ("es") or language name ("Spanish")
    age          the client's age in years: minimum_age <= age <= maximum_age (missing bounds do not limit)
    cost         "free" or "sliding"
    open_now     open at ``now`` (America/Denver wall clock)
    open_on      open some time on a weekday, "MO" … "SU"
    accessible   a location with wheelchair accessibility noted
    capacity     capacity statuses to keep ("accepting", "waitlist", "not_accepting"); empty = all
    page, per_page  1-based page; per_page at most 100
    now          the moment for ``open_now`` (default: now); tests pass a fixed one
    """

    text: str = ""
    need: str | tuple[str, ...] = ""
    zip_code: str = ""
    radius_miles: float | None = None
    language: str = ""
    age: int | None = None
    cost: str = ""
    open_now: bool = False
    open_on: str = ""
    accessible: bool = False
    capacity: tuple[str, ...] = ()
    page: int = 1
    per_page: int = PER_PAGE
    now: datetime | None = None


class CostLine(NamedTuple):
    option: str
    amount_description: str


@dataclass
class ServiceResult:
    """One card: the service (organization, languages, schedules, phones, locations, areas, costs prefetched),
    its nearest location's distance (None without a ZIP or a located site), whether its service area covers
    the ZIP's county, and whether it is open now."""

    service: Service
    distance_miles: float | None = None
    covers_area: bool = False
    open_now: bool = False
    # A search page's cards carry their relations, read in one query each for the whole page (``load_cards``); a
    # service page leaves them None and reads its prefetched relations.
    card_phones: list | None = None
    card_schedules: list | None = None
    card_languages: list[str] | None = None
    card_costs: list[CostLine] | None = None
    card_sites: list | None = None

    @property
    def languages(self) -> list[str]:
        if self.card_languages is not None:
            return self.card_languages
        return [language.name or language.code for language in self.service.languages.all()]

    @property
    def costs(self) -> list[CostLine]:
        if self.card_costs is not None:
            return self.card_costs
        return [CostLine(c.option, c.amount_description) for c in self.service.cost_options.all()]

    @property
    def sites(self) -> list:
        """The service's sites (service at location, with its location), by id."""
        return self.card_sites if self.card_sites is not None else list(self.service.service_at_locations.all())

    @property
    def schedules(self):
        return self.card_schedules if self.card_schedules is not None else _schedules(self.service)

    @property
    def openings(self):
        return hours.openings(self.schedules)

    @property
    def hours_lines(self) -> list[str]:
        """ "Mon, Wed 09:00–17:00" per weekly opening."""
        return [f"{', '.join(str(DAY_NAMES[d]) for d in o.days)} {o.opens[:5]}–{o.closes[:5]}" for o in self.openings]

    @property
    def phone(self):
        if self.card_phones is not None:
            return self.card_phones[0] if self.card_phones else None
        phones = list(self.service.phones.all())
        for sal in self.service.service_at_locations.all():
            phones += list(sal.location.phones.all()) if sal.location else []
        return phones[0] if phones else None

    @property
    def locations(self):
        return [sal.location for sal in self.sites if sal.location]


@dataclass
class SearchPage:
    """A page of results: ``results`` (``ServiceResult``), ``total``, ``page``, ``pages``, ``per_page`` and the
    geocoded ``origin`` (a ``ZipPoint``, or None without a ZIP)."""

    results: list[ServiceResult] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1
    per_page: int = PER_PAGE
    origin: ZipPoint | None = None

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _schedules(service):
    out = list(service.schedules.all())
    for sal in service.service_at_locations.all():
        out += list(sal.schedules.all())
    return out


class _FullTextMatch(Func):
    """PostgreSQL: ``to_tsvector('simple', search_document) @@ to_tsquery('simple', query)``, the expression the
    GIN index of migration 0002 covers. A compiled column keeps its table alias inside subqueries."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra):
        doc_sql, doc_params = compiler.compile(self.source_expressions[0])
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        sql = f"to_tsvector('simple'::regconfig, {doc_sql}) @@ to_tsquery('simple'::regconfig, {query_sql})"
        return sql, (*doc_params, *query_params)


def text_filter(qs, text):
    """Services whose search document holds every word of ``text`` (any of its stems); see ``terms_filter``."""
    return terms_filter(qs, query_terms(text))


def terms_filter(qs, terms):
    """Services whose search document matches every term (``text.query_terms``/``text.facet_terms``: any of its
    words), with the database's own full-text engine: PostgreSQL's GIN-indexed tsvector, SQLite's FTS5 table.
    Other engines (none configured today) fall back to a whole-token substring scan with the same answers."""
    if not terms:
        return qs
    if not all(terms):  # a term nothing can match (a need no taxonomy term is bridged to)
        return qs.none()
    if connection.vendor == "postgresql":
        return qs.filter(_FullTextMatch(F("search_document"), Value(tsquery(terms))))
    if connection.vendor == "sqlite":
        # The table name is a constant and the query a bound parameter: nothing user-typed enters the SQL text.
        matching = f"SELECT service_id FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH %s"  # noqa: S608
        return qs.filter(id__in=RawSQL(matching, [fts5_query(terms)]))  # noqa: S611
    for term in terms:
        qs = qs.filter(_holds_any(term))
    return qs


def _holds_any(term) -> Q:
    """The search document holds one of the term's words, as a whole-token substring test (no index)."""
    any_word = Q()
    for word in term:
        any_word |= Q(search_document__contains=f" {word} ")
    return any_word


def search_terms(criteria: SearchCriteria) -> list[frozenset[str]]:
    """The full-text terms of a search: the text's words, the language spoken and the need (through the taxonomy
    bridge: one query for the terms bridged to the categories, never more however many there are)."""
    term_ids = None
    if criteria.need:
        codes = [criteria.need] if isinstance(criteria.need, str) else list(criteria.need)
        term_ids = TaxonomyBridge.objects.filter(sdoh_category__in=codes).values_list("taxonomy_term_id", flat=True)
    return query_terms(criteria.text) + facet_terms(criteria.language, term_ids)


def _has(model, path, *conditions):
    """A ``model`` row linked to the service through ``path`` matches ``conditions``: a correlated EXISTS, checked
    per service through the foreign-key index."""
    return Exists(model.objects.filter(*conditions, **{path: OuterRef("pk")}))


def filtered_queryset(criteria: SearchCriteria, now: datetime, terms=None):
    """The services matching every criterion except distance; SQL only, nothing evaluated. The text, need and
    language are the full-text ``terms`` (``search_terms``) and are left out when ``terms`` is None."""
    qs = Service.objects.searchable()
    if terms is not None:
        qs = terms_filter(qs, terms)
    if criteria.age is not None:
        qs = qs.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=criteria.age))
        qs = qs.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=criteria.age))
    if criteria.cost == "free":
        free = Q(amount=0) | Q(option__icontains="free")
        qs = qs.filter(_has(CostOption, "service_id", free) | Q(fees_description__istartswith="free"))
    elif criteria.cost == "sliding":
        sliding = Q(option__icontains="sliding")
        qs = qs.filter(_has(CostOption, "service_id", sliding) | Q(fees_description__icontains="sliding"))
    if criteria.open_now or criteria.open_on:
        today = now.date().isoformat()
        rule = Q(freq="") | Q(freq__iexact="WEEKLY")
        if criteria.open_now:
            t = now.strftime("%H:%M:%S")
            valid = (Q(valid_from="") | Q(valid_from__lte=today)) & (Q(valid_to="") | Q(valid_to__gte=today))
            rule &= valid & Q(byday__contains=hours.day_code(now), opens_at__lte=t, closes_at__gt=t)
        if criteria.open_on:
            rule &= Q(byday__contains=criteria.open_on)
        qs = qs.filter(_has(Schedule, "service_id", rule) | _has(Schedule, "service_at_location__service_id", rule))
    if criteria.accessible:
        ramps = Q(description__icontains="wheelchair") | Q(details__icontains="wheelchair")
        qs = qs.filter(_has(Accessibility, "location__service_at_locations__service_id", ramps))
    if criteria.capacity:
        qs = qs.filter(capacity_status__in=criteria.capacity)
    return qs


# What a card shows and the search and referral pages read of a card's rows (hours, the nearest site, whether the
# listing has a partner account): a service row carries long descriptions, a site its address texts, and reading
# them all was a third of a page of cards.
CARD_SERVICE_FIELDS = (
    "name",
    "organization_id",
    "organization__name",
    "organization__curated_by_id",
    "capacity_status",
    "last_verified_at",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "fees_description",
)
CARD_SITE_FIELDS = ("service_id", "location_id", "location__name", "location__latitude", "location__longitude")
CARD_SCHEDULE_FIELDS = (
    "service_id",
    "service_at_location_id",
    "freq",
    "byday",
    "opens_at",
    "closes_at",
    "valid_from",
    "valid_to",
)


@dataclass
class Card:
    service: Service
    phones: list
    schedules: list
    languages: list[str]
    costs: list[CostLine]
    sites: list


def load_cards(ids) -> dict[str, Card]:
    """{service id: Card} for a page of cards, in six queries: the services with their organizations; their
    languages and cost options as plain rows; their sites with their locations; then the page's phones (services'
    and sites') and schedules (services' and service-at-locations'), one query each. Each list keeps the order a
    service page shows (the service's own first, then each site's, each by id; languages by name). No prefetch:
    Django's prefetch machinery cost ~1 ms a relation, more than the reads, and no search document is read
    (docs/performance.md)."""
    services = list(Service.objects.select_related("organization").only(*CARD_SERVICE_FIELDS).filter(id__in=ids))
    languages: dict = {}
    for sid, name, code in (
        Language.objects.filter(service_id__in=ids).order_by("name", "id").values_list("service_id", "name", "code")
    ):
        languages.setdefault(sid, []).append(name or code)
    costs: dict = {}
    for sid, option, amount in (
        CostOption.objects.filter(service_id__in=ids)
        .order_by("id")
        .values_list("service_id", "option", "amount_description")
    ):
        costs.setdefault(sid, []).append(CostLine(option, amount))
    sites: dict = {}
    sals = list(
        ServiceAtLocation.objects.filter(service_id__in=ids)
        .select_related("location")
        .only(*CARD_SITE_FIELDS)
        .order_by("id")
    )
    for sal in sals:
        sites.setdefault(sal.service_id, []).append(sal)
    phones = _by_owner(
        Phone.objects.filter(
            Q(service_id__in=ids) | Q(location_id__in=[sal.location_id for sal in sals if sal.location_id])
        ).only("service_id", "location_id", "number"),
        "service_id",
        "location_id",
    )
    schedules = _by_owner(
        Schedule.objects.filter(Q(service_id__in=ids) | Q(service_at_location_id__in=[sal.id for sal in sals])).only(
            *CARD_SCHEDULE_FIELDS
        ),
        "service_id",
        "service_at_location_id",
    )
    cards = {}
    for service in services:
        own_sites = sites.get(service.id, [])
        own_phones = list(phones.get(("service_id", service.id), []))
        own_schedules = list(schedules.get(("service_id", service.id), []))
        for sal in own_sites:
            if sal.location_id:
                own_phones += phones.get(("location_id", sal.location_id), [])
            own_schedules += schedules.get(("service_at_location_id", sal.id), [])
        cards[str(service.id)] = Card(
            service, own_phones, own_schedules, languages.get(service.id, []), costs.get(service.id, []), own_sites
        )
    return cards


def _by_owner(queryset, *owner_fields) -> dict:
    """{(field, owner id): [rows by id]} for each of ``owner_fields`` a row is linked through."""
    grouped: dict = {}
    for row in queryset.order_by("id"):
        for name in owner_fields:
            if owner := getattr(row, name):
                grouped.setdefault((name, owner), []).append(row)
    return grouped


def detail_queryset():
    """A service page's data in a fixed number of queries: what a card shows (``ServiceResult`` reads these
    relations when it is given no ``card_*`` lists) plus areas, costs, addresses, accessibility and who verified."""
    return Service.objects.select_related("organization", "last_verified_by", "capacity_updated_by").prefetch_related(
        "languages",
        Prefetch("phones", queryset=Phone.objects.order_by("id")),
        Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                Prefetch("location__phones", queryset=Phone.objects.order_by("id")),
                Prefetch("schedules", queryset=Schedule.objects.order_by("id")),
            ),
        ),
        "service_areas",
        "cost_options",
        Prefetch("service_at_locations__location__addresss", queryset=Address.objects.order_by("id")),
        "service_at_locations__location__accessibility",
    )


def _matches(document: str, terms) -> bool:
    """The rule of ``terms_filter``, in Python: every term has one of its words in the document (a set test: a
    need's term may list hundreds of bridged taxonomy terms)."""
    if not terms:
        return True
    words = set(document.split())
    return all(not words.isdisjoint(term) for term in terms)


def distances_from(qs, origin: ZipPoint, radius: float | None, terms=()):
    """Where the services of ``qs`` are relative to ``origin``: ({service id: nearest site's miles} within
    ``radius`` (any distance when None), [ids of ``qs`` services whose service area names the origin's county,
    by name]).

    With a radius, one full-text query asks for ``terms`` (text, need, language: ``search_terms``) and the place
    words of the cells the bounding box touches (``text.box_cells``), joined to those services' sites within the
    box (indexed latitude/longitude), so the rows measured exactly are the services matching everything with a
    site near the origin: the cost grows with the results, not with the directory nor the density of a city.
    Three queries at most (the county's service areas are read as a list first, then checked).
    """
    nearest: dict = {}
    # No ORDER BY: the rows only fill a dict.
    if radius is None:
        sites = ServiceAtLocation.objects.filter(
            location__latitude__isnull=False, location__longitude__isnull=False, service_id__in=qs.values("id")
        )
        rows = sites.order_by().values_list("service_id", "location__latitude", "location__longitude")
    else:
        lo_lat, hi_lat, lo_lon, hi_lon = bounding_box(origin.latitude, origin.longitude, radius)
        cells = box_cells(lo_lat, hi_lat, lo_lon, hi_lon)
        near = terms_filter(qs, [*terms, cells] if cells else list(terms))
        # One filter() call: the latitude and longitude conditions and the values read go through the same join.
        rows = (
            near.filter(
                service_at_locations__location__latitude__range=(lo_lat, hi_lat),
                service_at_locations__location__longitude__range=(lo_lon, hi_lon),
            )
            .order_by()
            .values_list("id", "service_at_locations__location__latitude", "service_at_locations__location__longitude")
        )
    for sid, lat, lon in rows:
        d = distance_miles(origin.latitude, origin.longitude, lat, lon)
        if (radius is None or d <= radius) and (sid not in nearest or d < nearest[sid]):
            nearest[sid] = d
    area_ids = []
    county = origin.county_name
    if county:
        areas = ServiceArea.objects.filter(
            Q(name__icontains=county) | Q(extent__icontains=county) | Q(description__icontains=county)
        )
        covered = set(areas.order_by().values_list("service_id", flat=True))
        if covered:
            rows = qs.filter(id__in=covered).order_by("name", "id").values_list("id", "search_document")
            area_ids = [sid for sid, document in rows if _matches(document, terms)]
    return nearest, area_ids


def _nearest_site(sites, origin: ZipPoint):
    """The card's distance for a service found through its service area: its nearest site."""
    found = [
        distance_miles(origin.latitude, origin.longitude, sal.location.latitude, sal.location.longitude)
        for sal in sites
        if sal.location and sal.location.latitude is not None and sal.location.longitude is not None
    ]
    return min(found) if found else None


def search_services(criteria: SearchCriteria) -> SearchPage:
    """Search the directory; return one page of results.

    Without a ZIP the results are ordered by name. With a ZIP (``UnknownZip`` if it is not in the ZIP data)
    they are ordered by the nearest site's distance; services that match only through their service area
    (the ZIP's county) follow, by name; services with no site and no matching area come last without a radius
    and are left out with one.
    """
    now = timezone.localtime(criteria.now or timezone.now())
    per_page = max(1, min(int(criteria.per_page or PER_PAGE), MAX_PER_PAGE))
    terms = search_terms(criteria)
    # With a radius the terms are checked on the candidates near the origin (distances_from), not by the index.
    near_only = bool(criteria.zip_code) and criteria.radius_miles is not None
    qs = filtered_queryset(criteria, now, None if near_only else terms)
    origin = None
    if criteria.zip_code:
        origin = zip_point(criteria.zip_code)
        if origin is None:
            raise UnknownZip(criteria.zip_code)
    distances: dict = {}
    area_ids: set = set()
    if origin is None:
        total = qs.count()
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, criteria.page), pages)
        ids = [
            str(i)
            for i in qs.order_by("name", "id").values_list("id", flat=True)[(page - 1) * per_page : page * per_page]
        ]
    else:
        radius = criteria.radius_miles
        distances, area_list = distances_from(qs, origin, radius, terms if near_only else ())
        area_ids = set(area_list)
        ranked = [sid for _d, sid in sorted((d, str(sid)) for sid, d in distances.items())]
        placed = set(ranked)
        if radius is None:
            # Everything is ranked except services without a located site; those follow, by name.
            located = ServiceAtLocation.objects.filter(location__latitude__isnull=False).values("service_id")
            rest = qs.exclude(id__in=located).order_by("name", "id")
            rest_total = rest.count()
        else:
            rest_ids = [str(i) for i in area_list if str(i) not in placed]
            rest_total = len(rest_ids)
        total = len(ranked) + rest_total
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, criteria.page), pages)
        start, stop = (page - 1) * per_page, page * per_page
        ids = ranked[start:stop]
        if len(ids) < per_page and stop > len(ranked):
            offset = max(0, start - len(ranked))
            want = per_page - len(ids)
            if radius is None:
                ids += [str(i) for i in rest.values_list("id", flat=True)[offset : offset + want]]
            else:
                ids += rest_ids[offset : offset + want]
    cards = load_cards(ids)
    results = []
    for sid in ids:
        if sid not in cards:
            continue
        card = cards[sid]
        service = card.service
        results.append(
            ServiceResult(
                service=service,
                distance_miles=(
                    distances[service.id]
                    if service.id in distances
                    else _nearest_site(card.sites, origin)
                    if origin
                    else None
                ),
                covers_area=service.id in area_ids,
                open_now=hours.is_open(card.schedules, now),
                card_phones=card.phones,
                card_schedules=card.schedules,
                card_languages=card.languages,
                card_costs=card.costs,
                card_sites=card.sites,
            )
        )
    return SearchPage(results=results, total=total, page=page, pages=pages, per_page=per_page, origin=origin)
