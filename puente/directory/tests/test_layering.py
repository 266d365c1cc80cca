"""The directory is level 3: it knows no patients and imports nothing from the apps above it."""

import ast
from pathlib import Path

from django.test import SimpleTestCase

APP = Path(__file__).resolve().parent.parent
FORBIDDEN = ("puente.patients", "puente.screening", "puente.episodes", "puente.tasks", "puente.assessments")


class Layering(SimpleTestCase):
    def test_no_module_imports_an_app_above_the_directory(self):
        for path in APP.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                for name in names:
                    with self.subTest(path=path.name, name=name):
                        self.assertFalse(name.startswith(FORBIDDEN))
