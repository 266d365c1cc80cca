"""Pure readers for tabular directory packages (no ORM): a folder of CSV files, with or without a Frictionless
``datapackage.json``, read into the ``{"services.csv": [row, …], …}`` shape ``hsds_parser.parse_data`` takes
(the same shape as the official ``tabular.json`` example).

A table that cannot be read (bad encoding, not CSV) is reported and left out; rows of other tables that refer to
it are then rejected by the parser as unknown references, so nothing is half-imported. Positions in the
rejection report are ``services.csv[0]`` = the first data row (line 2 of the file).
"""

import csv
import io
import json
from pathlib import Path

from django.utils.translation import gettext as _

from .hsds_parser import Rejection, encoding_problem
from .hsds_spec import SPEC, TABLES


def _number(value):
    try:
        number = float(value)
    except ValueError:
        return value  # left as text: the parser rejects it with "Expected a number"
    return int(number) if number.is_integer() else number


def read_csv(raw: bytes, name: str):
    """Bytes of one CSV -> (rows as dicts with empty cells left out, rejection or None)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], Rejection(name, "", "", "", "", encoding_problem(raw, exc))
    try:
        rows = [
            {k: v for k, v in row.items() if k and v not in (None, "")} for row in csv.DictReader(io.StringIO(text))
        ]
    except csv.Error as exc:
        return [], Rejection(name, "", "", "", "", _("The file is not valid CSV: %(msg)s.") % {"msg": exc})
    return rows, None


def table_files(folder: Path) -> tuple[list[str], list[str]]:
    """The CSV files of an HSDS 3.0 package: those the descriptor lists, else the standard table names present.
    Returns (file names, notes about what was skipped)."""
    notes = []
    descriptor = folder / "datapackage.json"
    names = []
    if descriptor.is_file():
        try:
            package = json.loads(descriptor.read_text(encoding="utf-8-sig"))
            names = [r["path"] for r in package.get("resources", []) if isinstance(r.get("path"), str)]
        except (ValueError, AttributeError, KeyError, TypeError):
            notes.append(_("datapackage.json is not a readable descriptor; the standard table names were used."))
    if not names:
        names = [n for n in TABLES if (folder / n).is_file()]
    present = [n for n in names if (folder / n).is_file()]
    notes += [_("%(file)s is listed but missing.") % {"file": n} for n in names if n not in present]
    return present, notes


def read_hsds_package(path) -> tuple[dict, list, list]:
    """An HSDS 3.0 tabular package (a folder, or its ``datapackage.json``) -> (data, rejections, notes)."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    files, notes = table_files(folder)
    data, rejections = {}, []
    for name in files:
        rows, problem = read_csv((folder / name).read_bytes(), name)
        if problem:
            rejections.append(problem)
            continue
        object_type = TABLES.get(name)
        if object_type is None:
            data[name] = rows  # the parser notes it as skipped
            continue
        spec = SPEC[object_type][1]
        data[name] = [
            {k: _number(v) if spec.get(k, ("",))[0] == "number" else v for k, v in row.items()} for row in rows
        ]
    return data, rejections, notes
