"""Test-suite set-up shared by every app."""

import os

import pytest

os.environ.setdefault("PUENTE_MODE", "test")


@pytest.fixture(autouse=True)
def _english(settings):
    """Every test starts in English with MFA off unless it turns them on."""
    from django.utils import translation

    settings.PUENTE_REQUIRE_MFA = False
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True, scope="session")
def _allow_audit_flush_on_sqlite():
    """Transactional tests (the browser tests) end with a flush. On SQLite that is a DELETE, which the
    audit log's append-only trigger refuses; lift the trigger for that flush only. PostgreSQL flushes
    with TRUNCATE, which row triggers do not see."""
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    from django.db.backends.sqlite3.operations import DatabaseOperations

    triggers = importlib.import_module("puente.audit.migrations.0002_append_only_triggers")

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if "audit_auditevent" not in tables:
            return statements
        return [*triggers.SQLITE_REVERSE, *statements, *triggers.SQLITE]

    DatabaseOperations.sql_flush = sql_flush
