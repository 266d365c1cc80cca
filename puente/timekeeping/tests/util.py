"""Helpers for the timekeeping tests: local (America/Denver) datetimes and a quick entry."""

from datetime import datetime

from django.utils import timezone

from puente.timekeeping import services


def local(y, m, d, hh=9, mm=0) -> datetime:
    return timezone.make_aware(datetime(y, m, d, hh, mm))


def add_entry(user, patient, start, minutes, activity="home_visit", billing_code="", note=""):
    from datetime import timedelta

    return services.create_time_entry(
        None,
        patient=patient,
        activity=activity,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        billing_code=billing_code,
        note=note,
        user=user,
    )
