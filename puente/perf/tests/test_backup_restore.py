"""Backup and restore: a backup restored into a fresh database holds every row of every table, and the audit
log there is still append-only."""

import sqlite3
import uuid
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase

from puente.audit.models import AuditAction
from puente.audit.services import record_event
from puente.perf import backup as backup_module
from puente.perf.backup import BackupError, backup_database, restore_database


def _all_rows(cursor, tables: list[str]) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order, as plain values (so two drivers compare equal)."""
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names come from introspection
        rows[table] = sorted((tuple(_plain(v) for v in row) for row in cursor.fetchall()), key=repr)
    return rows


def _plain(value) -> str:
    # Django's SQLite connection converts declared types (0 → False, text → datetime); a bare connection does not.
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, datetime):
        value = value.isoformat(" ")
    return str(value)


class BackupRestore(TransactionTestCase):
    def setUp(self):
        call_command("generate_scale", patients=20, seed=3, verbosity=0)
        record_event(None, AuditAction.CREATE, object_type="perf.backup_test", actor_label="test")
        self.tmp = Path(self._tmpdir())
        self.tables = connection.introspection.table_names()

    def _tmpdir(self) -> str:
        import tempfile

        directory = tempfile.mkdtemp(prefix="puente-backup-")
        self.addCleanup(__import__("shutil").rmtree, directory, True)
        return directory

    def _source_rows(self):
        with connection.cursor() as cursor:
            return _all_rows(cursor, self.tables)

    def test_it_restores_every_row_into_a_fresh_database_with_the_audit_triggers(self):
        expected = self._source_rows()
        self.assertGreater(len(expected["patients_patient"]), 0)
        self.assertGreater(len(expected["audit_auditevent"]), 0)
        archive = backup_database(self.tmp / "puente.backup")
        if connection.vendor == "sqlite":
            self._check_sqlite(archive, expected)
        elif connection.vendor == "postgresql":
            self._check_postgresql(archive, expected)
        else:
            pytest.skip(f"no restore check for {connection.vendor}")

    def _check_sqlite(self, archive: Path, expected):
        fresh = self.tmp / "fresh.sqlite3"
        restore_database(archive, target={"ENGINE": "django.db.backends.sqlite3", "NAME": str(fresh)})
        restored = sqlite3.connect(fresh)
        try:
            self.assertEqual(_all_rows(restored.cursor(), self.tables), expected)
            with self.assertRaises(sqlite3.DatabaseError):
                restored.execute("UPDATE audit_auditevent SET action = 'read'")
            with self.assertRaises(sqlite3.DatabaseError):
                restored.execute("DELETE FROM audit_auditevent")
        finally:
            restored.close()

    def _check_postgresql(self, archive: Path, expected):
        import psycopg

        settings_dict = dict(connection.settings_dict)
        name = f"puente_restore_{uuid.uuid4().hex[:12]}"
        params = {k: v for k, v in connection.get_connection_params().items() if k != "dbname"}
        params.pop("cursor_factory", None)
        with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            restore_database(archive, target={**settings_dict, "NAME": name})
            with psycopg.connect(**params, dbname=name, autocommit=True) as restored:
                self.assertEqual(_all_rows(restored.cursor(), self.tables), expected)
                with self.assertRaises(psycopg.Error):
                    restored.execute("UPDATE audit_auditevent SET action = 'read'")
                with self.assertRaises(psycopg.Error):
                    restored.execute("DELETE FROM audit_auditevent")
        finally:
            with psycopg.connect(**params, dbname="postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def test_it_restores_over_the_live_database_through_the_commands(self):
        archive = self.tmp / "cmd.backup"
        out = StringIO()
        call_command("backup", str(archive), stdout=out)
        self.assertIn("Backed up", out.getvalue())
        expected = self._source_rows()
        record_event(None, AuditAction.CREATE, object_type="perf.after_backup", actor_label="test")
        self.assertNotEqual(self._source_rows(), expected)
        call_command("restore", str(archive), "--noinput", stdout=StringIO())
        self.assertEqual(self._source_rows(), expected)  # the event written after the backup is gone

    def test_it_refuses_a_missing_or_foreign_file(self):
        with self.assertRaisesMessage(CommandError, "There is no backup file"):
            call_command("restore", str(self.tmp / "nope.backup"), "--noinput")
        if connection.vendor == "sqlite":
            junk = self.tmp / "junk.backup"
            junk.write_text("not a database")
            with self.assertRaisesMessage(CommandError, "is not a Puente SQLite backup"):
                call_command("restore", str(junk), "--noinput")


def test_it_names_the_missing_postgresql_client_tools(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump was not found.*postgresql-client"):
        backup_module._tool("pg_dump")
