"""Acuity, suggestion and workload stay pure: no model, no ORM, no database (architecture.md)."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

APP = Path(__file__).resolve().parent.parent
PURE = ["acuity.py", "suggest.py", "workload.py"]
FORBIDDEN = ("django.db", "puente.", ".models", "models")


class PureModules(SimpleTestCase):
    def test_pure_modules_import_no_model(self):
        for name in PURE:
            tree = ast.parse((APP / name).read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                found = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom):
                    found = [("." * node.level) + (node.module or "")]
                for imported in found:
                    with self.subTest(module=name, imported=imported):
                        self.assertFalse(imported.startswith(FORBIDDEN))
