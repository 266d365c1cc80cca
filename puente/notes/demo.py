"""Demo agency note templates for `seed_demo`: a few per care organization, written by its supervisor. Synthetic
starter text only; idempotent (does nothing for an organization that already has templates)."""

from django.db import transaction

from puente.accounts.models import Organization, Role, User

from . import services
from .models import NoteTemplate

CARE_ORG_SLUGS = ("sandia-regional", "rio-grande-hhh")
# (organization slug or None for every care organization, name, format, starter text by section)
TEMPLATES = [
    (
        None,
        "Psychosocial follow-up",
        "dap",
        {
            "data": "Met with the patient (and family: ___) at ___. Patient reports ___.",
            "assessment": "Coping: ___. Support system: ___. Barriers to the plan: ___.",
            "plan": "Next contact on ___. Follow up on ___.",
        },
    ),
    (
        "sandia-regional",
        "Discharge planning visit",
        "soap",
        {
            "subjective": "Patient's goals for discharge: ___.",
            "objective": "Living situation: ___. Services in place: ___.",
            "assessment": "Discharge needs: ___.",
            "plan": "Referrals made: ___. Discharge destination confirmed with ___.",
        },
    ),
    (
        "rio-grande-hhh",
        "Hospice initial psychosocial visit",
        "birp",
        {
            "behavior": "Patient and family presented as ___.",
            "intervention": "Explored goals of care, advance directives and spiritual needs.",
            "response": "Family responded ___.",
            "plan": "Bereavement risk: ___. Next visit within ___ days.",
        },
    ),
]


@transaction.atomic
def load_demo_note_templates() -> int:
    made = 0
    for org in Organization.objects.filter(slug__in=CARE_ORG_SLUGS).order_by("slug"):
        if NoteTemplate.objects.filter(organization_id=org.pk).exists():
            continue
        supervisor = User.objects.filter(organization=org, role=Role.SUPERVISOR).order_by("email").first()
        if supervisor is None:
            continue
        for slug, name, fmt, sections in TEMPLATES:
            if slug in (None, org.slug):
                services.create_note_template(None, name, fmt, sections, user=supervisor)
                made += 1
    return made
