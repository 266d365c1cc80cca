"""Small helpers shared by the assessment tests."""

from puente.assessments import services
from puente.assessments.forms import field_name
from puente.assessments.models import Assessment


def start(patient, user, setting: str = "hospital") -> Assessment:
    return services.start_assessment(None, patient, setting, user=user)


def form_data(assessment: Assessment, version: int | None = None, editor: str = "", **texts) -> dict:
    """The edit form as the browser sends it: every section, the version it was opened at, the editor token."""
    data = {
        "version": str(version if version is not None else assessment.version),
        "editor": editor,
        "mode": assessment.mode,
    }
    for key in assessment.template.keys:
        data[field_name(key)] = texts.get(key, assessment.sections.get(key, ""))
    return data
