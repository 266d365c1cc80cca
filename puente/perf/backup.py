"""Back up and restore the whole database: SQLite through its online backup API, PostgreSQL through
`pg_dump -Fc` / `pg_restore`.

Why these tools and not `dumpdata`/`loaddata`: they copy the database itself, so what is not a Django model
comes along too — the audit log's append-only triggers, the PostgreSQL trigger function, indexes, sequences —
and a restore gives back exactly the rows that were there (no signals, no `save()`, no history rows added).
The SQLite backup API copies a consistent snapshot while the app keeps running; `pg_dump` does the same on
PostgreSQL (one repeatable-read transaction).
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections
from django.utils.translation import gettext as _


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


def _vendor(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(_("Backups support SQLite and PostgreSQL, not %(engine)s.") % {"engine": engine})


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _(
                "%(tool)s was not found. Install the PostgreSQL client tools of the server's major version "
                "(for example: apt install postgresql-client-15) and try again."
            )
            % {"tool": name}
        )
    return found


def _libpq_env(settings_dict: dict) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore as libpq environment variables, so that the password
    never shows on a command line (`ps` would show it to every user of the host)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _run(args: list[str], settings_dict: dict) -> None:
    done = subprocess.run(args, env=_libpq_env(settings_dict), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(_("%(tool)s failed: %(error)s") % {"tool": Path(args[0]).name, "error": done.stderr.strip()})


def backup_database(path, alias: str = "default") -> Path:
    """Write a backup of database `alias` to `path` (SQLite: a database file; PostgreSQL: a pg_dump custom
    archive). The file appears only once complete: it is written beside `path` and renamed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    connection = connections[alias]
    settings_dict = connection.settings_dict
    try:
        if _vendor(settings_dict) == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(partial)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        else:
            _run([_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(partial), settings_dict["NAME"]], settings_dict)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore_database(path, alias: str = "default", *, target: dict | None = None) -> None:
    """Replace the contents of database `alias` (or of the database described by `target`, a DATABASES
    entry — a fresh database for a restore test) with the backup at `path`. All or nothing: the SQLite
    backup API swaps the pages in one step; pg_restore runs as one transaction."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no backup file at %(path)s.") % {"path": path})
    settings_dict = target or connections[alias].settings_dict
    if _vendor(settings_dict) == "sqlite":
        _restore_sqlite(path, alias, target)
    else:
        args = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
        _run([*args, "-d", settings_dict["NAME"], str(path)], settings_dict)
        if target is None:
            connections[alias].close()  # cached plans and sessions pointed at the tables that were replaced


def _restore_sqlite(path: Path, alias: str, target: dict | None) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            source.execute("SELECT 1 FROM django_migrations LIMIT 1")
        except sqlite3.DatabaseError as error:
            raise BackupError(
                _("%(path)s is not a Puente SQLite backup (%(error)s).") % {"path": path, "error": error}
            ) from error
        if target is not None:
            destination = sqlite3.connect(target["NAME"])
            try:
                source.backup(destination)
            finally:
                destination.close()
        else:
            connection = connections[alias]
            connection.ensure_connection()
            source.backup(connection.connection)
    finally:
        source.close()
