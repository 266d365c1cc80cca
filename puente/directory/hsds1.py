"""Pure mapping of an HSDS 1.x tabular package (as many 2-1-1 systems still export) to HSDS 3.0 tables, in the
``{"services.csv": [...]}`` shape ``hsds_parser.parse_data`` takes. No ORM. Mapping from standards.md §7:

- physical_addresses / postal_addresses → address (+ ``address_type``; ``address_3``/``address_4`` appended to
  ``address_2``)
- regular_schedules (weekday, opens_at, closes_at) → schedule (WEEKLY, ``byday``); the weekday may be a name,
  an abbreviation or a number (1 = Monday … 7 = Sunday)
- eligibility → ``service.eligibility_description`` (several rows joined)
- services_taxonomy + taxonomy → attribute + taxonomy_term, with one taxonomy row per ``vocabulary``
  (e.g. "AIRS/211 LA"); ``taxonomy_detail`` → the attribute's ``value``
- accessibility_for_disabilities → accessibility; service_area → service_area (``service_area`` → ``name``);
  languages (``language`` → ``name``, code looked up); the other tables keep their 3.0 fields
- ids: a UUID is kept, anything else gets a stable uuid5 from (source, table, id)
Not mapped (noted in the result): holiday_schedules, payment_accepted, metadata, meta_table_description.
"""

from django.utils.translation import gettext as _

from .ohana import SourceIds, clean, language_row, to_float

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {
    name: code
    for code, names in zip(
        DAYS,
        (
            ("monday", "mon", "mo", "1"),
            ("tuesday", "tue", "tu", "2"),
            ("wednesday", "wed", "we", "3"),
            ("thursday", "thu", "th", "4"),
            ("friday", "fri", "fr", "5"),
            ("saturday", "sat", "sa", "6"),
            ("sunday", "sun", "su", "7"),
        ),
        strict=True,
    )
    for name in names
}
NOT_MAPPED = ("holiday_schedules.csv", "payment_accepted.csv", "metadata.csv", "meta_table_description.csv")
SERVICE_AT_LOCATION = ("services_at_location.csv", "service_at_location.csv", "service_at_locations.csv")


def weekday(value) -> str:
    """ "Monday" / "mon" / "1" → "MO"; unknown values are kept (the schedule then never reads as open)."""
    return DAY_NAMES.get(str(value or "").strip().lower(), str(value or ""))


def map_hsds1(tables: dict[str, list[dict]], source: str) -> tuple[dict, list[str]]:
    """HSDS 1.x tables (file name -> rows as dicts) -> (HSDS 3.0 tables, notes)."""
    ids = SourceIds("hsds1", source, keep_uuids=True)
    out: dict[str, list[dict]] = {}
    notes = [_("%(file)s is not imported (no HSDS 3.0 equivalent).") % {"file": n} for n in NOT_MAPPED if n in tables]

    def add(table, row):
        out.setdefault(table, []).append(clean(row))

    for row in tables.get("organizations.csv", []):
        add(
            "organizations.csv",
            {
                "id": ids("organization", row.get("id")),
                "name": row.get("name"),
                "alternate_name": row.get("alternate_name"),
                "description": row.get("description") or row.get("name"),
                "email": row.get("email"),
                "website": row.get("url") or row.get("website"),
                "tax_status": row.get("tax_status"),
                "tax_id": row.get("tax_id"),
                "year_incorporated": to_float(row.get("year_incorporated")),
                "legal_status": row.get("legal_status"),
            },
        )
    for row in tables.get("programs.csv", []):
        add(
            "programs.csv",
            {
                "id": ids("program", row.get("id")),
                "organization_id": ids("organization", row.get("organization_id")),
                "name": row.get("name"),
                "alternate_name": row.get("alternate_name"),
                "description": row.get("description") or row.get("name"),
            },
        )
    eligibility: dict[str, list[str]] = {}
    for row in tables.get("eligibility.csv", []):
        if row.get("eligibility"):
            eligibility.setdefault(row.get("service_id"), []).append(row["eligibility"])
    for row in tables.get("services.csv", []):
        add(
            "services.csv",
            {
                "id": ids("service", row.get("id")),
                "organization_id": ids("organization", row.get("organization_id")),
                "program_id": ids("program", row.get("program_id")),
                "name": row.get("name"),
                "alternate_name": row.get("alternate_name"),
                "description": row.get("description"),
                "url": row.get("url"),
                "email": row.get("email"),
                "status": row.get("status") or "active",
                "interpretation_services": row.get("interpretation_services"),
                "application_process": row.get("application_process"),
                "wait_time": row.get("wait_time"),
                "fees": row.get("fees"),
                "fees_description": row.get("fees"),
                "accreditations": row.get("accreditations"),
                "licenses": row.get("licenses"),
                "eligibility_description": "\n".join(eligibility.get(row.get("id"), [])),
            },
        )
    for row in tables.get("locations.csv", []):
        add(
            "locations.csv",
            {
                "id": ids("location", row.get("id")),
                "organization_id": ids("organization", row.get("organization_id")),
                "location_type": "physical",
                "name": row.get("name"),
                "alternate_name": row.get("alternate_name"),
                "description": row.get("description"),
                "transportation": row.get("transportation"),
                "latitude": to_float(row.get("latitude")),
                "longitude": to_float(row.get("longitude")),
            },
        )
    for name in SERVICE_AT_LOCATION:
        for row in tables.get(name, []):
            add(
                "service_at_location.csv",
                {
                    "id": ids("service_at_location", row.get("id")),
                    "service_id": ids("service", row.get("service_id")),
                    "location_id": ids("location", row.get("location_id")),
                    "description": row.get("description"),
                },
            )
    for table, kind in (("physical_addresses.csv", "physical"), ("postal_addresses.csv", "postal")):
        for row in tables.get(table, []):
            add(
                "addresses.csv",
                {
                    "id": ids(table, row.get("id")),
                    "location_id": ids("location", row.get("location_id")),
                    "attention": row.get("attention"),
                    "address_1": row.get("address_1"),
                    "address_2": ", ".join(
                        v for v in (row.get("address_2"), row.get("address_3"), row.get("address_4")) if v
                    ),
                    "city": row.get("city"),
                    "region": row.get("region"),
                    "state_province": row.get("state_province"),
                    "postal_code": row.get("postal_code"),
                    "country": row.get("country") or "US",
                    "address_type": kind,
                },
            )
    for row in tables.get("contacts.csv", []):
        add(
            "contacts.csv",
            {
                "id": ids("contact", row.get("id")),
                "organization_id": ids("organization", row.get("organization_id")),
                "service_id": ids("service", row.get("service_id")),
                "service_at_location_id": ids("service_at_location", row.get("service_at_location_id")),
                "name": row.get("name"),
                "title": row.get("title"),
                "department": row.get("department"),
                "email": row.get("email"),
            },
        )
    for row in tables.get("phones.csv", []):
        add(
            "phones.csv",
            {
                "id": ids("phone", row.get("id")),
                "location_id": ids("location", row.get("location_id")),
                "service_id": ids("service", row.get("service_id")),
                "organization_id": ids("organization", row.get("organization_id")),
                "contact_id": ids("contact", row.get("contact_id")),
                "service_at_location_id": ids("service_at_location", row.get("service_at_location_id")),
                "number": row.get("number"),
                "extension": to_float(row.get("extension")),
                "type": row.get("type"),
                "description": row.get("description"),
            },
        )
    for row in tables.get("regular_schedules.csv", []):
        add(
            "schedules.csv",
            {
                "id": ids("schedule", row.get("id")),
                "service_id": ids("service", row.get("service_id")),
                "location_id": ids("location", row.get("location_id")),
                "service_at_location_id": ids("service_at_location", row.get("service_at_location_id")),
                "freq": "WEEKLY",
                "byday": weekday(row.get("weekday")),
                "opens_at": row.get("opens_at"),
                "closes_at": row.get("closes_at"),
            },
        )
    for row in tables.get("service_area.csv", []) + tables.get("service_areas.csv", []):
        add(
            "service_areas.csv",
            {
                "id": ids("service_area", row.get("id")),
                "service_id": ids("service", row.get("service_id")),
                "name": row.get("service_area") or row.get("name"),
                "description": row.get("description"),
            },
        )
    for row in tables.get("required_documents.csv", []):
        add(
            "required_documents.csv",
            {
                "id": ids("required_document", row.get("id")),
                "service_id": ids("service", row.get("service_id")),
                "document": row.get("document"),
            },
        )
    for row in tables.get("languages.csv", []):
        lang = row.get("language") or row.get("name") or ""
        add(
            "languages.csv",
            {
                "id": ids("language", row.get("id")),
                "service_id": ids("service", row.get("service_id")),
                "location_id": ids("location", row.get("location_id")),
                **language_row(lang),
            },
        )
    for row in tables.get("accessibility_for_disabilities.csv", []):
        add(
            "accessibility.csv",
            {
                "id": ids("accessibility", row.get("id")),
                "location_id": ids("location", row.get("location_id")),
                "description": row.get("accessibility"),
                "details": row.get("details"),
            },
        )
    for row in tables.get("funding.csv", []):
        add(
            "funding.csv",
            {
                "id": ids("funding", row.get("id")),
                "organization_id": ids("organization", row.get("organization_id")),
                "service_id": ids("service", row.get("service_id")),
                "source": row.get("source"),
            },
        )
    vocabularies = {}
    for row in tables.get("taxonomy.csv", []):
        vocabulary = row.get("vocabulary") or _("Imported taxonomy (%(source)s)") % {"source": source}
        if vocabulary not in vocabularies:
            vocabularies[vocabulary] = ids("taxonomy", vocabulary)
            add("taxonomies.csv", {"id": vocabularies[vocabulary], "name": vocabulary, "description": vocabulary})
        add(
            "taxonomy_terms.csv",
            {
                "id": ids("taxonomy_term", row.get("id")),
                "code": row.get("id"),
                "name": row.get("name"),
                "description": row.get("name"),
                "parent_id": ids("taxonomy_term", row.get("parent_id"))
                if row.get("parent_id") != row.get("id")
                else None,
                "taxonomy": vocabulary,
                "taxonomy_id": vocabularies[vocabulary],
            },
        )
    for row in tables.get("services_taxonomy.csv", []):
        add(
            "attributes.csv",
            {
                "id": ids("attribute", row.get("id")),
                "link_id": ids("service", row.get("service_id")),
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": ids("taxonomy_term", row.get("taxonomy_id")),
                "value": row.get("taxonomy_detail"),
            },
        )
    return out, notes
