"""Benchmark the typical directory search (need + 15-mile radius + language + text) at scale.

    manage.py bench_directory --generate 100000   # add synthetic services (tagged "Benchmark (synthetic)")
    manage.py bench_directory --runs 200          # time the search; prints p50/p95 and the query count
    manage.py bench_directory --clean             # remove the synthetic services

Run it against a throwaway database (DATABASE_URL), never production: generation writes rows directly.
"""

import random
import statistics
import time
import uuid

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from puente.directory import models as m
from puente.directory.search import SearchCriteria, search_services
from puente.directory.services import refresh_search_documents

TAG = "Benchmark (synthetic)"
CENTRE = (35.0844, -106.6504)  # Albuquerque
ZIPS = ["87102", "87105", "87110", "87114", "87121", "87124", "87501", "87532", "87031", "87002"]
TERMS = [
    ("Bench food", "food-insecurity"),
    ("Bench housing", "housing-instability"),
    ("Bench rides", "transportation-insecurity"),
    ("Bench utilities", "utility-insecurity"),
]
WORDS = ["pantry groceries", "rent eviction", "rides medical", "heating bills", "comida familias", "vivienda renta"]
BATCH = 5000


class Command(BaseCommand):
    help = "Benchmark directory search at scale (synthetic data; throwaway databases only)."

    def add_arguments(self, parser):
        parser.add_argument("--generate", type=int, default=0, help="Add this many synthetic services first.")
        parser.add_argument("--runs", type=int, default=100)
        parser.add_argument("--clean", action="store_true", help="Remove the synthetic services and stop.")

    def handle(self, *args, generate, runs, clean, **options):
        if clean:
            orgs = m.Organization.objects.filter(name=TAG)
            m.Location.objects.filter(organization__in=orgs).delete()
            m.Service.objects.filter(organization__in=orgs).delete()
            orgs.delete()
            self.stdout.write("Synthetic benchmark services removed.")
            return
        if generate:
            started = time.perf_counter()
            self.generate(generate)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a real directory
            self.stdout.write(f"Generated {generate} services in {time.perf_counter() - started:.1f} s.")
        self.bench(runs)

    def generate(self, count):
        rng = random.Random(7)
        org, _ = m.Organization.objects.get_or_create(name=TAG, defaults={"description": TAG})
        terms = []
        for name, code in TERMS:
            term, _ = m.TaxonomyTerm.objects.get_or_create(name=name, defaults={"description": name})
            m.TaxonomyBridge.objects.get_or_create(taxonomy_term=term, sdoh_category=code)
            terms.append(term)
        for start in range(0, count, BATCH):
            n = min(BATCH, count - start)
            with transaction.atomic():
                services, locations, sals, languages, attributes = [], [], [], [], []
                for i in range(start, start + n):
                    sid, lid = uuid.uuid4(), uuid.uuid4()
                    words = rng.choice(WORDS)
                    services.append(
                        m.Service(
                            id=sid,
                            organization=org,
                            name=f"Bench service {i}",
                            description=f"Synthetic {words}",
                            status="active",
                        )
                    )
                    # Spread over about 300 x 300 miles of New Mexico.
                    lat, lon = CENTRE[0] + rng.uniform(-2.2, 2.2), CENTRE[1] + rng.uniform(-2.6, 2.6)
                    locations.append(
                        m.Location(id=lid, organization=org, location_type="physical", latitude=lat, longitude=lon)
                    )
                    sals.append(m.ServiceAtLocation(service_id=sid, location_id=lid))
                    languages.append(m.Language(service_id=sid, code=rng.choice(["en", "es", "es", "vi"])))
                    attributes.append(m.Attribute(link_id=sid, link_type="service", taxonomy_term=rng.choice(terms)))
                m.Service.objects.bulk_create(services)
                m.Location.objects.bulk_create(locations)
                m.ServiceAtLocation.objects.bulk_create(sals)
                m.Language.objects.bulk_create(languages)
                m.Attribute.objects.bulk_create(attributes)
                refresh_search_documents([s.id for s in services])
            self.stdout.write(f"  {start + n} / {count}")

    def bench(self, runs):
        rng = random.Random(11)
        total = m.Service.objects.count()
        timings, queries = [], set()
        for i in range(runs + 5):
            criteria = SearchCriteria(
                need=rng.choice(TERMS)[1],
                zip_code=rng.choice(ZIPS),
                radius_miles=15,
                language="es",
                text=rng.choice(WORDS).split()[0],
            )
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                search_services(criteria)
                elapsed = (time.perf_counter() - started) * 1000
            if i >= 5:  # warm-up runs are not counted
                timings.append(elapsed)
                queries.add(len(ctx.captured_queries))
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        self.stdout.write(
            f"{connection.vendor}: {total} services, {runs} searches: p50 {statistics.median(timings):.1f} ms, "
            f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; queries per search {sorted(queries)}"
        )
