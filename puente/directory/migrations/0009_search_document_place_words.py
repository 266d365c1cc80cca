"""Add the place words (the grid cells of each service's located sites: text.cell_word) to the search documents
of the services already in the directory, so a search within a radius, which now asks the full-text index for the
cells around the origin, finds them before any listing is edited or re-imported.

Later changes keep the documents current through services.refresh_search_documents; this appends the words once,
reading the historical models, and refills SQLite's FTS5 table (migration 0005). The cell rule is written out
here (not imported) so that this migration keeps writing what it wrote if text.py changes."""

import math

from django.db import migrations

BATCH = 2000
CELL_DEGREES = 0.25


def _place_word(latitude, longitude):
    def signed(n):
        return f"m{-n}" if n < 0 else str(n)

    row, column = math.floor(latitude / CELL_DEGREES), math.floor(longitude / CELL_DEGREES)
    return f"zzfg{signed(row)}x{signed(column)}"


def add_place_words(apps, schema_editor):
    Service = apps.get_model("directory", "Service")
    ServiceAtLocation = apps.get_model("directory", "ServiceAtLocation")
    ids = list(Service.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        places: dict = {}
        located = ServiceAtLocation.objects.filter(
            service_id__in=chunk, location__latitude__isnull=False, location__longitude__isnull=False
        ).values_list("service_id", "location__latitude", "location__longitude")
        for service_id, latitude, longitude in located:
            places.setdefault(service_id, {})[_place_word(latitude, longitude)] = None
        for service in Service.objects.filter(id__in=list(places)).only("id", "search_document"):
            present = set(service.search_document.split())
            added = [word for word in places[service.id] if word not in present]
            if added:
                document = service.search_document.strip()
                service.search_document = f" {' '.join([document, *added] if document else added)} "
                service.save(update_fields=["search_document"])
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DELETE FROM directory_service_fts")
        schema_editor.execute(
            "INSERT INTO directory_service_fts (service_id, document) SELECT id, search_document FROM directory_service"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0008_directoryimport_progress_phase"),
    ]

    operations = [
        migrations.RunPython(add_place_words, migrations.RunPython.noop),
    ]
