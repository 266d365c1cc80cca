"""What the audit viewer shows for the codes stored in the log: object types and the patient page viewed.

The log keeps the stable codes (`AuditEvent.object_type`, `detail["view"]`, and the CSV export shows them);
people read these labels. An app that records a new code adds its label here; an unknown code is shown as is.
"""

from django.utils.translation import gettext_lazy as _

OBJECT_TYPE_LABELS = {
    # Records (a model's app_label.modelname)
    "accounts.user": _("User account"),
    "accounts.apitoken": _("API token"),
    "patients.patient": _("Patient record"),
    "patients.patientidentifier": _("MRN"),
    "patients.relatedperson": _("Related person"),
    "patients.possibleduplicate": _("Possible duplicate"),
    "patients.breakglassaccess": _("Emergency access"),
    "episodes.episode": _("Episode of care"),
    "episodes.socialworkreferral": _("Referral to social work"),
    "screening.screeningresponse": _("Screening"),
    "screening.crisisalert": _("Crisis alert"),
    "screening.safetyplan": _("Safety plan"),
    "screening.healthconcern": _("Health concern"),
    "screening.selfscreeninglink": _("Self-screening link"),
    "assessments.assessment": _("Biopsychosocial assessment"),
    "assessments.assessmentaddendum": _("Assessment addendum"),
    "notes.progressnote": _("Progress note"),
    "notes.noteaddendum": _("Note addendum"),
    "notes.phrase": _("Personal phrase"),
    "tasks.task": _("Task"),
    "tasks.notification": _("Notification"),
    # Pages and lists that are not one record
    "patients.patient_list": _("Patient list"),
    "patients.duplicate_check": _("Duplicate check"),
    "patients.access_log": _("Access log"),
    "episodes.episode_list": _("Episode list"),
    "episodes.sw_referral_queue": _("Referral queue"),
    "episodes.dashboard": _("Dashboard"),
    "screening.screeningresponse_list": _("Screening list"),
    "audit.event_list": _("Audit log"),
    "demo.generate_scale": _("Benchmark data"),
}

# detail["view"] of a patient page's read event (puente.patients.views.render_patient_page)
VIEW_LABELS = {
    "edit": _("Edit demographics"),
    "history": _("Record history"),
    "access_log": _("Access log"),
    "identifier_add": _("Add an MRN"),
    "identifier_edit": _("Edit an MRN"),
    "identifier_remove": _("Remove an MRN"),
    "related_add": _("Add a related person"),
    "related_edit": _("Edit a related person"),
    "related_remove": _("Remove a related person"),
    "sw_referral_create": _("Refer to social work"),
    "episode_create": _("New episode of care"),
    "episode_edit": _("Edit episode of care"),
    "screenings": _("Screenings"),
    "screening_new": _("New screening"),
    "screening_detail": _("Screening result"),
    "alert_resolve": _("Crisis alert follow-up"),
    "safety_plan_new": _("New safety plan"),
    "self_link_new": _("New self-screening link"),
    "assessments": _("Assessments"),
    "assessment_start": _("New assessment"),
    "assessment_edit": _("Edit assessment"),
    "assessment_detail": _("Assessment"),
    "notes": _("Progress notes"),
    "note_start": _("New progress note"),
    "note_edit": _("Edit progress note"),
    "note_detail": _("Progress note"),
}


def object_type_label(code: str) -> str:
    return str(OBJECT_TYPE_LABELS.get(code, code))


def view_label(code: str) -> str:
    return str(VIEW_LABELS.get(code, code))
