"""HSDS 3.0 field rules, transcribed from the shipped JSON schemas (openreferral/specification@279fd2e).

Pure data: no Django import. ``tests/test_schema_spec.py`` checks it against the schema files.
"""

# type -> (required fields, {scalar field: (json type, format or enum)})
SPEC = {
    "organization": (
        ("id", "name", "description"),
        {
            "id": ("string", "uuid"),
            "name": ("string", None),
            "alternate_name": ("string", None),
            "description": ("string", None),
            "email": ("string", "email"),
            "website": ("string", "uri"),
            "tax_status": ("string", None),
            "tax_id": ("string", None),
            "year_incorporated": ("number", None),
            "legal_status": ("string", None),
            "logo": ("string", None),
            "uri": ("string", "uri"),
            "parent_organization_id": ("string", "uuid"),
        },
    ),
    "organization_identifier": (
        ("id", "identifier_type", "identifier"),
        {
            "id": ("string", "uuid"),
            "organization_id": ("string", "uuid"),
            "identifier_scheme": ("string", None),
            "identifier_type": ("string", None),
            "identifier": ("string", None),
        },
    ),
    "program": (
        ("id", "name", "description"),
        {
            "id": ("string", "uuid"),
            "organization_id": ("string", "uuid"),
            "name": ("string", None),
            "alternate_name": ("string", None),
            "description": ("string", None),
        },
    ),
    "service": (
        ("id", "name", "status"),
        {
            "id": ("string", "uuid"),
            "organization_id": ("string", "uuid"),
            "program_id": ("string", "uuid"),
            "name": ("string", None),
            "alternate_name": ("string", None),
            "description": ("string", None),
            "url": ("string", "uri"),
            "email": ("string", "email"),
            "status": ("string", ("active", "inactive", "defunct", "temporarily closed")),
            "interpretation_services": ("string", None),
            "application_process": ("string", None),
            "fees_description": ("string", None),
            "wait_time": ("string", None),
            "fees": ("string", None),
            "accreditations": ("string", None),
            "eligibility_description": ("string", None),
            "minimum_age": ("number", None),
            "maximum_age": ("number", None),
            "assured_date": ("string", None),
            "assurer_email": ("string", "email"),
            "licenses": ("string", None),
            "alert": ("string", None),
            "last_modified": ("string", "date-time"),
        },
    ),
    "location": (
        ("id", "location_type"),
        {
            "id": ("string", "uuid"),
            "location_type": ("string", ("physical", "postal", "virtual")),
            "url": ("string", "uri"),
            "organization_id": ("string", "uuid"),
            "name": ("string", None),
            "alternate_name": ("string", None),
            "description": ("string", None),
            "transportation": ("string", None),
            "latitude": ("number", None),
            "longitude": ("number", None),
            "external_identifier": ("string", None),
            "external_identifier_type": ("string", None),
        },
    ),
    "service_at_location": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "location_id": ("string", "uuid"),
            "description": ("string", None),
        },
    ),
    "address": (
        ("id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
        {
            "id": ("string", "uuid"),
            "location_id": ("string", "uuid"),
            "attention": ("string", None),
            "address_1": ("string", None),
            "address_2": ("string", None),
            "city": ("string", None),
            "region": ("string", None),
            "state_province": ("string", None),
            "postal_code": ("string", None),
            "country": ("string", None),
            "address_type": ("string", ("physical", "postal", "virtual")),
        },
    ),
    "phone": (
        ("id", "number"),
        {
            "id": ("string", "uuid"),
            "location_id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "organization_id": ("string", "uuid"),
            "contact_id": ("string", "uuid"),
            "service_at_location_id": ("string", "uuid"),
            "number": ("string", None),
            "extension": ("number", None),
            "type": ("string", None),
            "description": ("string", None),
        },
    ),
    "schedule": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "location_id": ("string", "uuid"),
            "service_at_location_id": ("string", "uuid"),
            "valid_from": ("string", None),
            "valid_to": ("string", None),
            "dtstart": ("string", None),
            "timezone": ("number", None),
            "until": ("string", None),
            "count": ("number", None),
            "wkst": ("string", ("MO", "TU", "WE", "TH", "FR", "SA", "SU")),
            "freq": ("string", ("WEEKLY", "MONTHLY")),
            "interval": ("number", None),
            "byday": ("string", None),
            "byweekno": ("string", None),
            "bymonthday": ("string", None),
            "byyearday": ("string", None),
            "description": ("string", None),
            "opens_at": ("string", None),
            "closes_at": ("string", None),
            "schedule_link": ("string", "uri"),
            "attending_type": ("string", None),
            "notes": ("string", None),
        },
    ),
    "language": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "location_id": ("string", "uuid"),
            "phone_id": ("string", "uuid"),
            "name": ("string", None),
            "code": ("string", None),
            "note": ("string", None),
        },
    ),
    "service_area": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "name": ("string", None),
            "description": ("string", None),
            "extent": ("string", None),
            "extent_type": ("string", None),
            "uri": ("string", None),
        },
    ),
    "cost_option": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "valid_from": ("string", None),
            "valid_to": ("string", None),
            "option": ("string", None),
            "currency": ("string", None),
            "amount": ("number", None),
            "amount_description": ("string", None),
        },
    ),
    "required_document": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "document": ("string", None),
            "uri": ("string", "uri"),
        },
    ),
    "accessibility": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "location_id": ("string", "uuid"),
            "description": ("string", None),
            "details": ("string", None),
            "url": ("string", "uri"),
        },
    ),
    "contact": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "organization_id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "service_at_location_id": ("string", "uuid"),
            "location_id": ("string", "uuid"),
            "name": ("string", None),
            "title": ("string", None),
            "department": ("string", None),
            "email": ("string", "email"),
        },
    ),
    "funding": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "organization_id": ("string", "uuid"),
            "service_id": ("string", "uuid"),
            "source": ("string", None),
        },
    ),
    "taxonomy": (
        ("id", "name", "description"),
        {
            "id": ("string", "uuid"),
            "name": ("string", None),
            "description": ("string", None),
            "uri": ("string", "uri"),
            "version": ("string", None),
        },
    ),
    "taxonomy_term": (
        ("id", "name", "description"),
        {
            "id": ("string", "uuid"),
            "code": ("string", None),
            "name": ("string", None),
            "description": ("string", None),
            "parent_id": ("string", "uuid"),
            "taxonomy": ("string", None),
            "language": ("string", None),
            "taxonomy_id": ("string", "uuid"),
            "term_uri": ("string", "uri"),
        },
    ),
    "attribute": (
        ("id",),
        {
            "id": ("string", "uuid"),
            "link_id": ("string", "uuid"),
            "taxonomy_term_id": ("string", "uuid"),
            "link_type": ("string", None),
            "link_entity": ("string", None),
            "value": ("string", None),
        },
    ),
    "metadata": (
        (
            "id",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ),
        {
            "id": ("string", "uuid"),
            "resource_id": ("string", "uuid"),
            "resource_type": ("string", None),
            "last_action_date": ("string", None),
            "last_action_type": ("string", None),
            "field_name": ("string", None),
            "previous_value": ("string", None),
            "replacement_value": ("string", None),
            "updated_by": ("string", None),
        },
    ),
}

# An array key inside an object -> the HSDS type of its items. A key is a child list of a parent type when the
# child type has a ``<parent>_id`` field (attributes and metadata link to any object).
ARRAY_TYPES = {
    "funding": "funding",
    "contacts": "contact",
    "phones": "phone",
    "locations": "location",
    "programs": "program",
    "organization_identifiers": "organization_identifier",
    "services": "service",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "languages": "language",
    "cost_options": "cost_option",
    "required_documents": "required_document",
    "addresses": "address",
    "accessibility": "accessibility",
    "attributes": "attribute",
    "metadata": "metadata",
}

# A single nested object that the enclosing object refers to -> (its type, the referring field).
REFS = {
    "organization": ("organization", "organization_id"),
    "program": ("program", "program_id"),
    "location": ("location", "location_id"),
    "service": ("service", "service_id"),
    "taxonomy_term": ("taxonomy_term", "taxonomy_term_id"),
    "taxonomy_detail": ("taxonomy", "taxonomy_id"),
}

# A referring field -> the type it must point at. ``parent_organization_id`` and ``parent_id`` are soft: kept
# without a check, since hierarchies (and the official examples) point outside the data set.
REF_FIELDS = {
    "organization_id": "organization",
    "program_id": "program",
    "service_id": "service",
    "location_id": "location",
    "service_at_location_id": "service_at_location",
    "contact_id": "contact",
    "phone_id": "phone",
    "taxonomy_term_id": "taxonomy_term",
    "taxonomy_id": "taxonomy",
}

# Tables of the JSON rendering of the tabular package (examples/tabular.json).
TABLES = {
    "organizations.csv": "organization",
    "organization_identifiers.csv": "organization_identifier",
    "programs.csv": "program",
    "services.csv": "service",
    "locations.csv": "location",
    "service_at_location.csv": "service_at_location",
    "service_at_locations.csv": "service_at_location",
    "addresses.csv": "address",
    "phones.csv": "phone",
    "schedules.csv": "schedule",
    "languages.csv": "language",
    "service_areas.csv": "service_area",
    "cost_options.csv": "cost_option",
    "required_documents.csv": "required_document",
    "accessibility.csv": "accessibility",
    "contacts.csv": "contact",
    "funding.csv": "funding",
    "taxonomies.csv": "taxonomy",
    "taxonomy_terms.csv": "taxonomy_term",
    "attributes.csv": "attribute",
    "metadata.csv": "metadata",
}


# The arrays of children each type has in the shipped schemas (``organization.services`` is accepted on import too:
# the organization_full example carries it).
SCHEMA_ARRAYS = {
    "organization": (
        "funding",
        "contacts",
        "phones",
        "locations",
        "programs",
        "organization_identifiers",
        "attributes",
        "metadata",
    ),
    "organization_identifier": ("attributes", "metadata"),
    "program": ("attributes", "metadata"),
    "service": (
        "phones",
        "schedules",
        "service_areas",
        "service_at_locations",
        "languages",
        "funding",
        "cost_options",
        "required_documents",
        "contacts",
        "attributes",
        "metadata",
    ),
    "location": (
        "languages",
        "addresses",
        "contacts",
        "accessibility",
        "phones",
        "schedules",
        "attributes",
        "metadata",
    ),
    "service_at_location": ("contacts", "phones", "schedules", "attributes", "metadata"),
    "address": ("attributes", "metadata"),
    "phone": ("languages", "attributes", "metadata"),
    "schedule": ("attributes", "metadata"),
    "language": ("attributes", "metadata"),
    "service_area": ("attributes", "metadata"),
    "cost_option": ("attributes", "metadata"),
    "required_document": ("attributes", "metadata"),
    "accessibility": ("attributes", "metadata"),
    "contact": ("phones", "attributes", "metadata"),
    "funding": ("attributes", "metadata"),
    "taxonomy": ("metadata",),
    "taxonomy_term": ("metadata",),
    "attribute": ("metadata",),
    "metadata": (),
}


def child_lists(object_type, importing=True):
    """The array keys that hold children of ``object_type`` -> child type (as the schemas define them)."""
    keys = SCHEMA_ARRAYS[object_type] + (("services",) if importing and object_type == "organization" else ())
    return {key: ARRAY_TYPES[key] for key in keys}


def refs(object_type):
    """The single nested objects ``object_type`` may carry -> (type, referring field)."""
    fields = SPEC[object_type][1]
    return {key: ref for key, ref in REFS.items() if ref[1] in fields}
