"""Every code the application writes to the audit log has a label people can read in the viewer."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

from puente.accounts.models import TenantModel
from puente.audit.labels import OBJECT_TYPE_LABELS, VIEW_LABELS

SOURCE = Path(settings.BASE_DIR) / "puente"
# Rows that are never audited on their own: they are written and read as part of their parent.
PART_OF_PARENT = {"accounts.teammembership", "screening.screeninganswer", "referrals.referralconcern"}
# Organization set-up, audited through the admin's own log, not shown to patients' auditors.
SET_UP = {"accounts.unit", "accounts.team"}


def _codes(pattern: str) -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "/tests/" in str(path):
            continue
        found |= set(re.findall(pattern, path.read_text()))
    return found


def test_every_page_and_list_code_has_a_label():
    missing = _codes(r'object_type="([a-z_.]+)"') - set(OBJECT_TYPE_LABELS)
    assert not missing, f"add these to puente/audit/labels.py OBJECT_TYPE_LABELS: {sorted(missing)}"


def test_every_patient_page_view_code_has_a_label():
    missing = _codes(r'view="([a-z_]+)"') - set(VIEW_LABELS)
    assert not missing, f"add these to puente/audit/labels.py VIEW_LABELS: {sorted(missing)}"


def test_every_tenant_record_type_has_a_label():
    models = {m._meta.label_lower for m in apps.get_models() if issubclass(m, TenantModel)}
    missing = models - set(OBJECT_TYPE_LABELS) - PART_OF_PARENT - SET_UP
    assert not missing, f"add these to puente/audit/labels.py OBJECT_TYPE_LABELS: {sorted(missing)}"
