"""Background jobs (django.tasks, run by `manage.py db_worker`)."""

from django.tasks import task


@task()
def run_directory_import(import_id: str) -> str:
    """Import an uploaded directory file (``DirectoryImport``): progress, result and rejected rows are stored on
    the row for its status page. Returns the final status."""
    from .imports import run_import

    return run_import(import_id)
