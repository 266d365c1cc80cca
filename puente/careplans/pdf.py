"""The patient-facing care plan as a PDF (WeasyPrint), in the patient's language.

What the patient's copy holds, on purpose: plain words for each need (no SDOH category code, no Z or ICD code),
the goals in the patient's own words, what will be done, by whom and by when, the next review date and the
social worker's name. What it never holds: any address (a confidential one above all), progress notes, review
summaries, evidence, and concerns about safety at home (`categories.NOT_PRINTED`), because someone else in the
household may read it. Cancelled goals and interventions are left out.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from puente.episodes.models import Episode
from puente.patients.models import Patient
from puente.screening.models import HealthConcern

from .categories import NOT_PRINTED, plain_words
from .models import Goal, Intervention, PlanReview

PRINTED_GOALS = (Goal.Status.PROPOSED, Goal.Status.ACTIVE, Goal.Status.ACHIEVED, Goal.Status.NOT_ACHIEVED)
PRINTED_INTERVENTIONS = (Intervention.Status.PLANNED, Intervention.Status.IN_PROGRESS, Intervention.Status.COMPLETED)


def printable_plan(patient: Patient) -> list[dict]:
    """Active concerns in plain words, each with its goals and their interventions (four queries)."""
    org = patient.organization_id
    concerns = [
        c
        for c in HealthConcern.objects.filter(
            organization_id=org, patient=patient, status=HealthConcern.Status.ACTIVE
        ).order_by("created_at")
        if c.category not in NOT_PRINTED
    ]
    goals = list(
        Goal.objects.filter(organization_id=org, patient=patient, status__in=PRINTED_GOALS).order_by("created_at")
    )
    items = list(
        Intervention.objects.filter(organization_id=org, patient=patient, status__in=PRINTED_INTERVENTIONS)
        .select_related("assignee")
        .order_by("due_date", "created_at")
    )
    by_goal: dict = {}
    for item in items:
        by_goal.setdefault(item.goal_id, []).append(item)
    by_concern: dict = {}
    for goal in goals:
        by_concern.setdefault(goal.concern_id, []).append({"goal": goal, "interventions": by_goal.get(goal.pk, [])})
    return [{"need": plain_words(c.category), "goals": by_concern.get(c.pk, [])} for c in concerns]


def care_plan_pdf(patient: Patient, *, printed_by) -> tuple[bytes, str]:
    """(PDF bytes, language code)."""
    from weasyprint import HTML

    language = patient.message_language
    org = patient.organization_id
    episode = (
        Episode.objects.filter(organization_id=org, patient=patient, status=Episode.Status.ACTIVE)
        .select_related("assigned_worker")
        .order_by("-start")
        .first()
    )
    review = PlanReview.objects.filter(organization_id=org, patient=patient).order_by("-reviewed_on").first()
    with translation.override(language):
        html = render_to_string(
            "careplans/pdf.html",
            {
                "name": patient.display_name,
                "needs": printable_plan(patient),
                "worker": (episode.assigned_worker if episode and episode.assigned_worker else printed_by),
                "next_review_due": review.next_review_due if review else None,
                "printed_on": timezone.localdate(),
                "language": language,
            },
        )
    # No base_url: the template has no links, images or remote fonts to fetch.
    return HTML(string=html).write_pdf(), language
