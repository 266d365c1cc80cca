"""Compile a subquery once when one request embeds it in several queries.

Django compiles a queryset used in a filter (``patient__in=patients``) again inside every query that embeds it.
The dashboard embeds the worker's visible patients (``Patient.objects.visible_to``: nested ``Exists`` trees) in
four queries, and compiling it four times cost more than running it (docs/performance.md). ``compiled_ids``
compiles it once into SQL with bound parameters: the same SQL text reaches the database each time, nothing typed
by a user enters it, and the rows it selects are decided when each query runs, as with the queryset.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL


def compiled_ids(queryset) -> RawSQL | QuerySet:
    """``queryset``'s primary keys as a subquery compiled once, for ``<field>__in=`` in other queries of the same
    request (never across requests: the SQL holds values of the moment, such as "now" for expiring grants). An
    empty queryset (``.none()``: a user with no organization) is returned as it is: Django then answers the
    queries that embed it with nothing, without running them."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return queryset
    return RawSQL(sql, params)  # noqa: S611 (Django's own compiled SQL with bound parameters)
