"""Does a SQL statement on a tenant-owned table filter on organization_id?

Every tenant-owned table carries `organization_id` so that the data can later be distributed by organization
(Citus: `organization_id` is the distribution column). That only pays off if every query the application runs
names the organization; a query that does not is sent to every shard. The test suite runs every page through
`statement_violation` (see the root conftest.py) and fails a test whose requests run such a query.

The rule, per statement: a SELECT, UPDATE or DELETE that reads or writes a tenant table must mention
`organization_id` in a condition (WHERE / ON / a subquery's WHERE). INSERTs always carry the column. Joins along a
foreign key from an organization-filtered table are accepted: the joined rows belong to the same organization by
construction (every write path copies the parent's organization), which is what Citus co-location relies on.

Exempt, and only these:
- the few entry points where the organization is what is being looked up: a bearer token or a patient's
  link token found by its hash (`with unscoped("…"):`; on Citus those lookups are routed by a global index or
  a reference table of token hashes);
- Django's deletion collector, which deletes the collected rows by primary key list (removing an MRN or a
  related person; the rows were found through an organization-filtered query first);
- the operator's admin site (`/admin/`, superusers only), which administers every organization by design.
"""

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

_TABLE_REF = re.compile(r'\b(?:FROM|JOIN|UPDATE|INTO)\s+"(?P<table>[A-Za-z0-9_]+)"', re.IGNORECASE)
_CONDITION = re.compile(r"\b(?:WHERE|ON)\b", re.IGNORECASE)
_ORG_COLUMN = re.compile(r'"organization_id"\s*(?:=|IN\b)', re.IGNORECASE)


_UNSCOPED: ContextVar[str] = ContextVar("puente_unscoped", default="")
_DELETE_BY_PK = re.compile(r'^DELETE FROM "(\w+)" WHERE "\1"\."id" IN \(', re.IGNORECASE)


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Mark a lookup that cannot name the organization because it is how the organization is found."""
    token = _UNSCOPED.set(reason)
    try:
        yield
    finally:
        _UNSCOPED.reset(token)


def is_unscoped() -> bool:
    return bool(_UNSCOPED.get())


def tables_in(sql: str) -> set[str]:
    return {m.group("table") for m in _TABLE_REF.finditer(sql)}


def statement_violation(sql: str, tenant_tables: Iterable[str]) -> set[str]:
    """The tenant tables this statement touches without any organization_id condition (empty set: fine)."""
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if verb not in {"SELECT", "UPDATE", "DELETE", "WITH"}:
        return set()
    touched = tables_in(sql) & set(tenant_tables)
    if not touched or _DELETE_BY_PK.match(sql.lstrip()):
        return set()
    match = _CONDITION.search(sql)
    if match and _ORG_COLUMN.search(sql, match.start()):
        return set()
    return touched


@cache
def tenant_tables() -> frozenset[str]:
    """Every table whose model inherits TenantModel (or, below accounts, says `tenant_owned = True`: core's
    idempotency keys), and their django-simple-history tables."""
    from django.apps import apps

    from puente.accounts.models import TenantModel

    tables = set()
    for model in apps.get_models():
        history_of = getattr(model, "instance_type", None)
        if (
            issubclass(model, TenantModel)
            or getattr(model, "tenant_owned", False)
            or (history_of is not None and issubclass(history_of, TenantModel))
        ):
            tables.add(model._meta.db_table)
    return frozenset(tables)
