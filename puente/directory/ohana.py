"""Pure mapping of an Ohana API CSV export (Code for America's pre-HSDS format, e.g. the San Mateo County sample)
to HSDS 3.0 tables, in the ``{"services.csv": [...]}`` shape ``hsds_parser.parse_data`` takes. No ORM.

Ohana ids are integers per table, so each gets a stable uuid5 from (source, table, id): re-importing the same
source updates in place, and two Ohana sources never collide. The source key defaults to the folder name.

Mapping (Ohana → HSDS 3.0):
- organizations → organization (``date_incorporated`` → ``year_incorporated``; ``funding_sources`` → funding rows)
- programs → program (``description`` = the name: HSDS requires one, Ohana has none)
- locations → location (``virtual`` → ``location_type``; ``website`` → ``url``; ``accessibility`` codes →
  accessibility rows; ``languages`` → language rows)
- addresses → address (physical); mail_addresses → address (postal)
- services → service + one service_at_location for its ``location_id``; the organization is the location's;
  ``eligibility`` + ``audience`` → ``eligibility_description``; ``fees`` → ``fees_description``; ``website`` →
  ``url``; ``languages``, ``required_documents``, ``service_areas``, ``funding_sources`` → child rows;
  ``taxonomy_ids`` → attribute rows linking the taxonomy terms
- phones, contacts → phone, contact; ``number_type`` → ``type``, ``department`` → phone ``description``
- regular_schedules (weekday, opens_at, closes_at) → schedule (WEEKLY, ``byday``)
- taxonomy → taxonomy_term (``code`` = the Ohana taxonomy id, parent by code) under one taxonomy row
Not mapped (noted in the result): holiday_schedules, ``keywords``, ``accepted_payments``, ``short_desc``,
``admin_emails``, ``vanity_number``, organization ``accreditations``/``licenses``.
"""

import re
import uuid

from django.utils.translation import gettext as _

NAMESPACE = uuid.UUID("0b7e3f52-5a0c-4a43-9d7e-2f1f6c1e8a10")
WEEKDAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
LANGUAGE_CODES = {
    "english": "en",
    "spanish": "es",
    "tagalog": "tl",
    "chinese (mandarin)": "zh",
    "chinese (cantonese)": "yue",
    "chinese": "zh",
    "italian": "it",
    "vietnamese": "vi",
    "russian": "ru",
    "french": "fr",
    "german": "de",
    "japanese": "ja",
    "korean": "ko",
    "arabic": "ar",
    "portuguese": "pt",
    "hindi": "hi",
    "farsi": "fa",
    "navajo": "nv",
    "american sign language": "ase",
}
ACCESSIBILITY = {
    "wheelchair": "Wheelchair accessible",
    "wheelchair_van": "Wheelchair accessible van",
    "disabled_parking": "Disabled parking",
    "ramp": "Ramp",
    "restroom": "Accessible restroom",
    "elevator": "Elevator",
    "tty": "TTY",
    "tape_braille": "Tape or Braille",
    "deaf_interpreter": "Deaf interpreter",
    "cd": "Audio materials",
}
NOT_MAPPED = ("holiday_schedules.csv",)


def split_list(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class SourceIds:
    """Stable uuid5 ids for a source's per-table keys; ``keep_uuids``: a key that already is a UUID is kept
    (HSDS 1.x ids often are), so references from other files stay valid."""

    def __init__(self, prefix: str, source: str, keep_uuids: bool = False):
        self.prefix, self.source, self.keep_uuids = prefix, source, keep_uuids

    def __call__(self, table: str, key) -> str | None:
        if key in (None, ""):
            return None
        if self.keep_uuids:
            try:
                return str(uuid.UUID(str(key)))
            except ValueError:
                pass
        return str(uuid.uuid5(NAMESPACE, f"{self.prefix}:{self.source}:{table}:{key}"))


def language_row(name: str) -> dict:
    return {"name": name, "code": LANGUAGE_CODES.get(name.lower(), "")}


def clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if v not in (None, "")}


def map_ohana(tables: dict[str, list[dict]], source: str) -> tuple[dict, list[str]]:
    """Ohana tables (file name -> rows as dicts) -> (HSDS 3.0 tables, notes). Rows keep their order, so
    ``services.csv[3]`` in a rejection is the 4th data row of Ohana's services.csv too."""
    ids = SourceIds("ohana", source)
    out: dict[str, list[dict]] = {
        name: []
        for name in (
            "organizations.csv",
            "funding.csv",
            "programs.csv",
            "locations.csv",
            "accessibility.csv",
            "languages.csv",
            "addresses.csv",
            "services.csv",
            "service_at_location.csv",
            "required_documents.csv",
            "service_areas.csv",
            "contacts.csv",
            "phones.csv",
            "schedules.csv",
            "taxonomies.csv",
            "taxonomy_terms.csv",
            "attributes.csv",
        )
    }
    notes = [_("%(file)s is not imported (no HSDS 3.0 equivalent).") % {"file": n} for n in NOT_MAPPED if n in tables]

    for row in tables.get("organizations.csv", []):
        oid = ids("organization", row.get("id"))
        year = re.search(r"\b(1[89]\d\d|20\d\d)\b", row.get("date_incorporated", ""))
        out["organizations.csv"].append(
            clean(
                {
                    "id": oid,
                    "name": row.get("name"),
                    "alternate_name": row.get("alternate_name"),
                    "description": row.get("description"),
                    "email": row.get("email"),
                    "website": row.get("website"),
                    "legal_status": row.get("legal_status"),
                    "tax_id": row.get("tax_id"),
                    "tax_status": row.get("tax_status"),
                    "year_incorporated": int(year.group(1)) if year else None,
                }
            )
        )
        # A row without an id is rejected by the parser (required field); its funding, accessibility and languages
        # have nothing to hang from, so they are left out instead of crashing the whole import with a KeyError.
        for i, source_name in enumerate(split_list(row.get("funding_sources", "")) if row.get("id") else []):
            out["funding.csv"].append(
                {"id": ids("org_funding", f"{row['id']}:{i}"), "organization_id": oid, "source": source_name}
            )

    for row in tables.get("programs.csv", []):
        out["programs.csv"].append(
            clean(
                {
                    "id": ids("program", row.get("id")),
                    "organization_id": ids("organization", row.get("organization_id")),
                    "name": row.get("name"),
                    "alternate_name": row.get("alternate_name"),
                    "description": row.get("name"),
                }
            )
        )

    location_org = {}
    for row in tables.get("locations.csv", []):
        lid = ids("location", row.get("id"))
        location_org[row.get("id")] = row.get("organization_id")
        out["locations.csv"].append(
            clean(
                {
                    "id": lid,
                    "organization_id": ids("organization", row.get("organization_id")),
                    "location_type": "virtual" if row.get("virtual", "").lower() == "true" else "physical",
                    "name": row.get("name"),
                    "alternate_name": row.get("alternate_name"),
                    "description": row.get("description"),
                    "transportation": row.get("transportation"),
                    "url": row.get("website"),
                    "latitude": to_float(row.get("latitude")),
                    "longitude": to_float(row.get("longitude")),
                }
            )
        )
        for code in split_list(row.get("accessibility", "")) if row.get("id") else []:
            out["accessibility.csv"].append(
                {
                    "id": ids("accessibility", f"{row['id']}:{code}"),
                    "location_id": lid,
                    "description": ACCESSIBILITY.get(code, code.replace("_", " ").capitalize()),
                }
            )
        for name in split_list(row.get("languages", "")) if row.get("id") else []:
            out["languages.csv"].append(
                {"id": ids("location_language", f"{row['id']}:{name}"), "location_id": lid, **language_row(name)}
            )

    for table, kind in (("addresses.csv", "physical"), ("mail_addresses.csv", "postal")):
        for row in tables.get(table, []):
            out["addresses.csv"].append(
                clean(
                    {
                        "id": ids(table, row.get("id")),
                        "location_id": ids("location", row.get("location_id")),
                        "attention": row.get("attention"),
                        "address_1": row.get("address_1"),
                        "address_2": row.get("address_2"),
                        "city": row.get("city"),
                        "state_province": row.get("state_province"),
                        "postal_code": row.get("postal_code"),
                        "country": row.get("country") or "US",
                        "address_type": kind,
                    }
                )
            )

    for row in tables.get("services.csv", []):
        key = row.get("id")
        sid = ids("service", key)
        eligibility = "\n".join(v for v in (row.get("eligibility"), row.get("audience")) if v)
        out["services.csv"].append(
            clean(
                {
                    "id": sid,
                    "organization_id": ids("organization", location_org.get(row.get("location_id"))),
                    "program_id": ids("program", row.get("program_id")),
                    "name": row.get("name"),
                    "alternate_name": row.get("alternate_name"),
                    "description": row.get("description"),
                    "url": row.get("website"),
                    "email": row.get("email"),
                    "status": row.get("status") or "active",
                    "interpretation_services": row.get("interpretation_services"),
                    "application_process": row.get("application_process"),
                    "fees_description": row.get("fees"),
                    "wait_time": row.get("wait_time"),
                    "eligibility_description": eligibility,
                }
            )
        )
        if row.get("location_id"):
            out["service_at_location.csv"].append(
                {
                    "id": ids("service_at_location", key),
                    "service_id": sid,
                    "location_id": ids("location", row["location_id"]),
                }
            )
        for name in split_list(row.get("languages", "")):
            out["languages.csv"].append(
                {"id": ids("service_language", f"{key}:{name}"), "service_id": sid, **language_row(name)}
            )
        for doc in split_list(row.get("required_documents", "")):
            out["required_documents.csv"].append(
                {"id": ids("required_document", f"{key}:{doc}"), "service_id": sid, "document": doc}
            )
        for area in split_list(row.get("service_areas", "")):
            out["service_areas.csv"].append(
                {"id": ids("service_area", f"{key}:{area}"), "service_id": sid, "name": area}
            )
        for i, source_name in enumerate(split_list(row.get("funding_sources", ""))):
            out["funding.csv"].append(
                {"id": ids("service_funding", f"{key}:{i}"), "service_id": sid, "source": source_name}
            )
        for code in split_list(row.get("taxonomy_ids", "")):
            out["attributes.csv"].append(
                {
                    "id": ids("attribute", f"{key}:{code}"),
                    "link_id": sid,
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": ids("taxonomy_term", code),
                }
            )

    for row in tables.get("contacts.csv", []):
        out["contacts.csv"].append(
            clean(
                {
                    "id": ids("contact", row.get("id")),
                    "location_id": ids("location", row.get("location_id")),
                    "organization_id": ids("organization", row.get("organization_id")),
                    "service_id": ids("service", row.get("service_id")),
                    "name": row.get("name"),
                    "title": row.get("title"),
                    "email": row.get("email"),
                    "department": row.get("department"),
                }
            )
        )

    for row in tables.get("phones.csv", []):
        out["phones.csv"].append(
            clean(
                {
                    "id": ids("phone", row.get("id")),
                    "contact_id": ids("contact", row.get("contact_id")),
                    "location_id": ids("location", row.get("location_id")),
                    "organization_id": ids("organization", row.get("organization_id")),
                    "service_id": ids("service", row.get("service_id")),
                    "number": " ".join(v for v in (row.get("country_prefix"), row.get("number")) if v),
                    "extension": to_float(row.get("extension")),
                    "type": row.get("number_type"),
                    "description": row.get("department"),
                }
            )
        )

    for row in tables.get("regular_schedules.csv", []):
        out["schedules.csv"].append(
            clean(
                {
                    "id": ids("schedule", row.get("id")),
                    "service_id": ids("service", row.get("service_id")),
                    "location_id": ids("location", row.get("location_id")),
                    "freq": "WEEKLY",
                    "byday": WEEKDAYS.get((row.get("weekday") or "").strip().lower(), row.get("weekday")),
                    "opens_at": row.get("opens_at"),
                    "closes_at": row.get("closes_at"),
                }
            )
        )

    if tables.get("taxonomy.csv"):
        taxonomy_id = ids("taxonomy", "taxonomy")
        name = _("Ohana taxonomy (%(source)s)") % {"source": source}
        out["taxonomies.csv"].append({"id": taxonomy_id, "name": name, "description": name})
        for row in tables["taxonomy.csv"]:
            code, parent = row.get("taxonomy_id"), row.get("parent_id")
            out["taxonomy_terms.csv"].append(
                clean(
                    {
                        "id": ids("taxonomy_term", code),
                        "code": code,
                        "name": row.get("name"),
                        "description": row.get("name"),
                        "parent_id": ids("taxonomy_term", parent) if parent and parent != code else None,
                        "taxonomy": name,
                        "taxonomy_id": taxonomy_id,
                    }
                )
            )
    return {k: v for k, v in out.items() if v}, notes


def to_float(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return value  # kept, so the parser reports it as "Expected a number"
