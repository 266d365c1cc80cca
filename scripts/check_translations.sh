#!/usr/bin/env bash
# Re-extract the translatable strings into locale/es/LC_MESSAGES/django.po, then fail if any entry is
# untranslated or fuzzy (or has broken placeholders: msgfmt --check).
# After translating what it lists: `PUENTE_MODE=test .venv/bin/python manage.py compilemessages -l es --ignore=.venv`
# and commit both django.po and django.mo.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
[ -x "$PY" ] || PY=python3
PO=locale/es/LC_MESSAGES/django.po

PUENTE_MODE=test "$PY" manage.py makemessages -l es \
  --ignore=.venv --ignore=node_modules --ignore=staticfiles --no-location >/dev/null

stats=$(msgfmt --statistics --check -o /dev/null "$PO" 2>&1) || { echo "$stats" >&2; exit 1; }
echo "$PO: $stats"
if grep -Eq '(fuzzy|untranslated)' <<<"$stats"; then
  echo "FAIL: translate the new entries and remove every '#, fuzzy' line, e.g.:" >&2
  msgattrib --only-fuzzy --no-obsolete --no-wrap "$PO" | grep "^msgid " | grep -v "^msgid \"\"$" | head -20 >&2 || true
  msgattrib --untranslated --no-obsolete --no-wrap "$PO" | grep "^msgid " | grep -v "^msgid \"\"$" | head -20 >&2 || true
  exit 1
fi
echo "OK: every Spanish entry is translated."
