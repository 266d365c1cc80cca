"""A synthetic HSDS 3.0 tabular package (``datapackage.json`` + CSVs) of any size, for the import benchmark.

Pure: no ORM. Deterministic for a seed (ids are uuid5 of the seed and the row, so a second run writes the same ids
and re-importing it exercises the update path). The shape is a realistic directory's: an organization has ten
services and six sites; each site has a street address; each service has a phone, weekly hours, one or two
languages, a service at location and one or two taxonomy attributes; a few services give an age range. Every
row is valid, so importing it rejects nothing.
"""

import csv
import json
import random
import uuid
from pathlib import Path

NAMESPACE = uuid.UUID("5d2b3a1e-6c1f-4b43-9a55-1f0c3b8e2a70")
CENTRE = (35.0844, -106.6504)  # Albuquerque
SERVICES_PER_ORGANIZATION = 10
LOCATIONS_PER_ORGANIZATION = 6
TOWNS = [
    ("Albuquerque", "87102"),
    ("Rio Rancho", "87124"),
    ("Los Lunas", "87031"),
    ("Belen", "87002"),
    ("Moriarty", "87035"),
    ("Santa Fe", "87501"),
]
KINDS = [
    ("Food pantry", "Groceries and food boxes for families.", "food-insecurity"),
    ("Rent help", "Emergency rent and eviction prevention.", "housing-instability"),
    ("Shelter", "Overnight shelter and meals.", "homelessness"),
    ("Rides to care", "Free rides to medical appointments.", "transportation-insecurity"),
    ("Utility assistance", "Help with heating and electric bills.", "utility-insecurity"),
    ("Benefits counselling", "Help applying for SNAP and Medicaid.", "financial-insecurity"),
    ("Job centre", "Job search, resumes and training.", "employment-status"),
    ("Legal aid", "Free civil legal help.", "material-hardship"),
]
LANGUAGES = [("en", "English"), ("es", "Spanish"), ("vi", "Vietnamese"), ("nv", "Navajo")]
DAYS = ["MO,TU,WE,TH,FR", "MO,WE,FR", "TU,TH", "SA", "MO,TU,WE,TH,FR,SA"]

TABLES = {
    "taxonomies.csv": ["id", "name", "description", "version"],
    "taxonomy_terms.csv": ["id", "code", "name", "description", "taxonomy_id", "language"],
    "organizations.csv": ["id", "name", "description", "email", "website", "legal_status"],
    "locations.csv": ["id", "location_type", "organization_id", "name", "latitude", "longitude"],
    "addresses.csv": [
        "id",
        "location_id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "services.csv": [
        "id",
        "organization_id",
        "name",
        "description",
        "email",
        "status",
        "fees_description",
        "minimum_age",
        "maximum_age",
        "last_modified",
    ],
    "service_at_location.csv": ["id", "service_id", "location_id"],
    "phones.csv": ["id", "service_id", "number", "type"],
    "schedules.csv": ["id", "service_id", "freq", "byday", "opens_at", "closes_at", "description"],
    "languages.csv": ["id", "service_id", "code", "name"],
    "attributes.csv": ["id", "link_id", "link_type", "taxonomy_term_id"],
}


def _id(seed, kind, *parts) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{seed}:{kind}:{':'.join(map(str, parts))}"))


def write_package(folder, services: int, seed: int = 7) -> dict:
    """Write a package of ``services`` services to ``folder``; return the row count of each table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = {name: (folder / name).open("w", encoding="utf-8", newline="") for name in TABLES}
    try:
        writers = {name: csv.writer(stream) for name, stream in files.items()}
        counts = dict.fromkeys(TABLES, 0)

        def row(table, *values):
            writers[table].writerow(values)
            counts[table] += 1

        for name, columns in TABLES.items():
            writers[name].writerow(columns)
        taxonomy = _id(seed, "taxonomy")
        row("taxonomies.csv", taxonomy, "Synthetic needs", "Benchmark taxonomy", "1")
        terms = []
        for n, (kind, description, code) in enumerate(KINDS):
            term = _id(seed, "term", n)
            terms.append(term)
            row("taxonomy_terms.csv", term, code, kind, description, taxonomy, "en")
        organizations = -(-services // SERVICES_PER_ORGANIZATION)
        for o in range(organizations):
            org = _id(seed, "org", o)
            town, zip_code = TOWNS[o % len(TOWNS)]
            row(
                "organizations.csv",
                org,
                f"Community Partner {o}",
                f"A synthetic community organization in {town}.",
                f"info{o}@example.org",
                f"https://example.org/{o}",
                "nonprofit",
            )
            sites = []
            for s in range(LOCATIONS_PER_ORGANIZATION):
                loc = _id(seed, "loc", o, s)
                sites.append(loc)
                lat = CENTRE[0] + rng.uniform(-2.2, 2.2)
                lon = CENTRE[1] + rng.uniform(-2.6, 2.6)
                row("locations.csv", loc, "physical", org, f"{town} site {s}", f"{lat:.5f}", f"{lon:.5f}")
                row(
                    "addresses.csv",
                    _id(seed, "addr", o, s),
                    loc,
                    f"{100 + s} Synthetic Way",
                    town,
                    "NM",
                    zip_code,
                    "US",
                    "physical",
                )
            first = o * SERVICES_PER_ORGANIZATION
            for i in range(first, min(first + SERVICES_PER_ORGANIZATION, services)):
                _service(row, rng, seed, i, org, town, sites, terms)
    finally:
        for stream in files.values():
            stream.close()
    resources = [{"name": name.removesuffix(".csv"), "path": name} for name in TABLES]
    (folder / "datapackage.json").write_text(json.dumps({"name": "synthetic-hsds", "resources": resources}, indent=1))
    return counts


def _service(row, rng, seed, i, org, town, sites, terms):
    sid = _id(seed, "svc", i)
    k = rng.randrange(len(KINDS))
    kind, description, _code = KINDS[k]
    young = rng.random() < 0.2  # a few give an age range; the others leave both cells empty
    row(
        "services.csv",
        sid,
        org,
        f"{kind} {i} ({town})",
        description,
        f"service{i}@example.org",
        "active",
        rng.choice(["Free", "Sliding scale", "Free for residents"]),
        "0" if young else "",
        "17" if young else "",
        "2026-10-01T12:00:00Z",
    )
    row("service_at_location.csv", _id(seed, "sal", i), sid, rng.choice(sites))
    row("phones.csv", _id(seed, "phone", i), sid, f"505-555-{i % 10000:04d}", "voice")
    row(
        "schedules.csv",
        _id(seed, "hours", i),
        sid,
        "WEEKLY",
        rng.choice(DAYS),
        "09:00",
        "17:00",
        "Walk-ins welcome",
    )
    for n, (code, name) in enumerate(rng.sample(LANGUAGES, rng.choice([1, 2]))):
        row("languages.csv", _id(seed, "lang", i, n), sid, code, name)
    row("attributes.csv", _id(seed, "attr", i, 0), sid, "service", terms[k])
    if rng.random() < 0.3:
        row("attributes.csv", _id(seed, "attr", i, 1), sid, "service", terms[(k + 1) % len(terms)])
