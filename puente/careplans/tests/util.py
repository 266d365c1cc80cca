"""Small builders shared by the care plan tests (synthetic data only)."""

from datetime import date, timedelta

from django.utils import timezone

from puente.careplans import services
from puente.careplans.models import Goal, Intervention
from puente.screening.models import HealthConcern


def concern(patient, user, category: str = "food-insecurity", icd10: str = "Z59.41", **kwargs) -> HealthConcern:
    return services.create_concern(None, patient, category=category, icd10_code=icd10, user=user, **kwargs)


def goal(
    patient,
    user,
    for_concern: HealthConcern | None = None,
    text: str = "I want food in the fridge every week.",
    status: str = Goal.Status.ACTIVE,
    **kwargs,
) -> Goal:
    c = for_concern or concern(patient, user)
    return services.create_goal(None, patient, concern_id=c.pk, text=text, status=status, user=user, **kwargs)


def intervention(
    g: Goal,
    user,
    kind: str = Intervention.Kind.BENEFIT_APPLICATION,
    description: str = "Help apply for SNAP benefits",
    **kwargs,
) -> Intervention:
    return services.create_intervention(None, g, kind=kind, description=description, user=user, **kwargs)


def review(
    patient,
    user,
    reviewed_on: date | None = None,
    summary: str = "Reviewed with the patient.",
    next_review_due: date | None = None,
):
    day = reviewed_on or timezone.localdate()
    return services.record_plan_review(
        None,
        patient,
        reviewed_on=day,
        summary=summary,
        next_review_due=next_review_due or day + timedelta(days=15),
        user=user,
    )
