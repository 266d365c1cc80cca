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


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits count in the cache: one test's misses from 127.0.0.1 must not lock out the next test's client."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


def _app_frame() -> str:
    """Where in the application the offending query came from (for the failure message)."""
    import traceback

    here = os.path.dirname(os.path.abspath(__file__))
    for frame in reversed(traceback.extract_stack()):
        name = frame.filename
        if name.startswith(os.path.join(here, "puente")) and "/tests/" not in name and "conftest" not in name:
            return f"{os.path.relpath(name, here)}:{frame.lineno} {frame.name}"
    return "?"


_APP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "puente") + os.sep
# Code that may look rows up however it likes: the tests and their builders, migrations, the demo and
# benchmark data loaders.
_NOT_APPLICATION = ("/tests/", "conftest", "/migrations/", "/demo/", "/core/testing.py", "/perf/")


def _called_by_application() -> bool:
    """Is the innermost project frame of this statement application code (not a test or a data loader)?"""
    import sys

    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_APP_DIR):
            return not any(part in name for part in _NOT_APPLICATION)
        frame = frame.f_back
    return False


@pytest.fixture(autouse=True)
def _tenant_queries_filter_on_organization(request):
    """Every query the application runs on a tenant-owned table must name the organization (see
    puente/core/tenancy_guard.py): everything a page or API call runs, and every statement whose innermost
    project frame is application code (services, querysets, background jobs, commands). Tests and their
    builders may look rows up however they like; the application may not."""
    from django.core.signals import request_finished, request_started
    from django.db import connections

    from puente.core.tenancy_guard import is_unscoped, statement_violation, tenant_tables

    mode = os.environ.get("PUENTE_TENANCY_GUARD", "strict")
    if mode == "off" or request.node.get_closest_marker("browser"):
        yield
        return
    state = {"depth": 0, "admin": False}
    found: list[tuple[str, set[str], str]] = []

    def started(environ=None, **kwargs):
        state["depth"] += 1
        # The operator's admin site administers every organization by design (see tenancy_guard).
        state["admin"] = (environ or {}).get("PATH_INFO", "").startswith("/admin/")

    def finished(**kwargs):
        state["depth"] = max(0, state["depth"] - 1)

    def wrapper(execute, sql, params, many, context):
        checked = state["depth"] and not state["admin"] or not state["depth"] and _called_by_application()
        if checked and not is_unscoped():
            bad = statement_violation(sql, tenant_tables())
            if bad:
                found.append((sql, bad, _app_frame()))
        return execute(sql, params, many, context)

    request_started.connect(started)
    request_finished.connect(finished)
    from contextlib import ExitStack

    with ExitStack() as stack:
        for alias in connections:
            stack.enter_context(connections[alias].execute_wrapper(wrapper))
        try:
            yield found
        finally:
            request_started.disconnect(started)
            request_finished.disconnect(finished)
    if not found:
        return
    report = "\n".join(f"{sorted(bad)} at {where}: {sql[:300]}" for sql, bad, where in found)
    if mode == "report":
        path = os.environ.get("PUENTE_TENANCY_REPORT", "var/tenancy-report.txt")
        with open(path, "a") as fh:
            fh.write(f"## {request.node.nodeid}\n{report}\n")
        return
    pytest.fail(f"queries on tenant tables without organization_id:\n{report}", pytrace=False)


def _hypothesis_profiles():
    """Property tests (hypothesis, and schemathesis on top of it) are derandomized by default, so the suite runs the
    same examples on every machine and in CI and a failure reproduces; `HYPOTHESIS_PROFILE=explore` draws fresh
    random examples on each run, for a local hunt. No example database is written."""
    try:
        from hypothesis import settings
    except ImportError:  # requirements-dev.txt not installed: the property tests skip themselves
        return
    settings.register_profile("puente", derandomize=True, database=None, deadline=None, print_blob=True)
    settings.register_profile("explore", derandomize=False, database=None, deadline=None, print_blob=True)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "puente"))


_hypothesis_profiles()
