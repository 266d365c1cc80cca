"""Add the facet words (languages spoken, taxonomy term ids: text.facet_words) to the search documents of the
services already in the directory, so the need and language filters become full-text terms.

Later changes keep the documents current through services.refresh_search_documents; this appends the words once
with the same pure function, reading the historical models, and refills SQLite's FTS5 table (migration 0005)."""

from django.db import migrations

from puente.directory.text import facet_words

BATCH = 2000
FTS_TABLE = "directory_service_fts"


def add_facet_words(apps, schema_editor):
    Service = apps.get_model("directory", "Service")
    Attribute = apps.get_model("directory", "Attribute")
    Language = apps.get_model("directory", "Language")
    ServiceAtLocation = apps.get_model("directory", "ServiceAtLocation")
    ids = list(Service.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        spoken: dict = {}
        own = Language.objects.filter(service_id__in=chunk).values_list("service_id", "code", "name")
        for service_id, code, name in own:
            spoken.setdefault(service_id, []).extend([code, name])
        by_location: dict = {}
        for service_id, location_id in ServiceAtLocation.objects.filter(service_id__in=chunk).values_list(
            "service_id", "location_id"
        ):
            by_location.setdefault(location_id, []).append(service_id)
        at_sites = Language.objects.filter(location_id__in=list(by_location)).values_list("location_id", "code", "name")
        for location_id, code, name in at_sites:
            for service_id in by_location[location_id]:
                spoken.setdefault(service_id, []).extend([code, name])
        terms: dict = {}
        linked = Attribute.objects.filter(link_id__in=chunk, taxonomy_term__isnull=False)
        for link_id, term_id in linked.values_list("link_id", "taxonomy_term_id"):
            terms.setdefault(link_id, []).append(term_id)
        for service in Service.objects.filter(id__in=chunk).only("id", "search_document"):
            added = facet_words(spoken.get(service.id, ()), terms.get(service.id, ()))
            if added:
                document = service.search_document.strip()
                service.search_document = f" {' '.join([document, *added] if document else added)} "
                service.save(update_fields=["search_document"])
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DELETE FROM {FTS_TABLE}")  # noqa: S608 (constant table name)
        schema_editor.execute(
            f"INSERT INTO {FTS_TABLE} (service_id, document) SELECT id, search_document FROM directory_service"
        )  # noqa: S608,E501


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_directory_import"),
    ]

    operations = [
        migrations.RunPython(add_facet_words, migrations.RunPython.noop),
    ]
