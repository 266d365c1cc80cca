"""SQLite only: an FTS5 table over ``Service.search_document`` (PostgreSQL has the GIN index of 0002).

Kept in step by ``services.refresh_search_documents`` (not by triggers or signals): the document is only ever
written there, so that is the one place the index must follow. Rows that existed before this migration are
copied in here once.
"""

from django.db import migrations

FTS_TABLE = "directory_service_fts"

# service_id is stored, not indexed: it only maps a match back to the service (matches go through the index).
# The document is already folded and stemmed (text.py), so the tokenizer only splits on spaces.
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
    "USING fts5(service_id UNINDEXED, document, tokenize = 'unicode61')"
)
FILL = f"INSERT INTO {FTS_TABLE} (service_id, document) SELECT id, search_document FROM directory_service"


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)
        schema_editor.execute(FILL)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0004_service_description_es"),
    ]

    operations = [
        migrations.RunPython(create_fts, drop_fts),
    ]
