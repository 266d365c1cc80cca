from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from tqdm import tqdm

from puente.directory.hsds_parser import write_rejections_csv
from puente.directory.hsds_spec import SPEC
from puente.directory.services import import_hsds1_package, import_hsds_file, import_hsds_package, import_ohana_package


def summary(result) -> str:
    """One translated line per file: counts with their plural forms."""
    created, updated = sum(result.created.values()), sum(result.updated.values())
    parts = [
        ngettext("%(count)d object created", "%(count)d objects created", created) % {"count": created},
        ngettext("%(count)d updated", "%(count)d updated", updated) % {"count": updated},
        ngettext(
            "%(rejected)d of %(count)d top-level object rejected",
            "%(rejected)d of %(count)d top-level objects rejected",
            result.units_total,
        )
        % {"rejected": result.units_rejected, "count": result.units_total},
        ngettext("%(count)d service marked inactive", "%(count)d services marked inactive", result.deactivated)
        % {"count": result.deactivated},
    ]
    removed = sum(result.removed.values())
    if removed:
        parts.append(
            ngettext(
                "removed %(count)d child record the file no longer lists",
                "removed %(count)d child records the file no longer lists",
                removed,
            )
            % {"count": removed}
        )
    return f"{result.file}: {', '.join(parts)}."


def bar_progress(bar):
    """The import's ``progress(done, total, phase)`` callback drawn on a tqdm bar: records written, then the
    search documents rebuilt (the bar starts again, labelled)."""
    current = ["write"]

    def update(done, total, phase="write"):
        if phase != current[0]:
            current[0] = phase
            bar.set_description("search index")
            bar.reset(total=total)
        bar.total = total
        bar.update(done - bar.n)

    return update


def is_package(path: Path) -> bool:
    """A tabular package: its datapackage.json, or a folder with CSV tables and no JSON files to import."""
    if path.is_file():
        return path.name == "datapackage.json"
    jsons = [p for p in path.glob("*.json") if p.name != "datapackage.json"]
    return not jsons and any(path.glob("*.csv"))


class Command(BaseCommand):
    help = (
        "Import HSDS 3.0 data into the resource directory: a JSON file, a folder of JSON files, or a tabular "
        "package (a folder of CSVs, or its datapackage.json); --format ohana / hsds1 read Ohana and HSDS 1.x CSVs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--full", action="store_true", help="Mark services missing from the file inactive.")
        parser.add_argument("--report", help="Where to write the rejection report CSV (default: next to the input).")
        parser.add_argument(
            "--format",
            dest="data_format",
            choices=["auto", "ohana", "hsds1"],
            default="auto",
            help="auto: HSDS 3.0 JSON or CSV package; ohana: an Ohana API CSV export; hsds1: an HSDS 1.x package.",
        )
        parser.add_argument(
            "--source", help="With --format ohana/hsds1: the key for stable ids (default: the folder name)."
        )
        parser.add_argument(
            "--type", dest="object_type", choices=sorted(SPEC), help="Object type, when the file name does not say it."
        )

    def handle(self, *args, path, full, report, object_type, data_format, source, **options):
        path = Path(path)
        if not path.exists():
            raise CommandError(_("No such file or folder: %(path)s") % {"path": path})
        quiet = options["verbosity"] < 1
        results = []
        if data_format in ("ohana", "hsds1"):
            importer = import_ohana_package if data_format == "ohana" else import_hsds1_package
            with tqdm(desc=path.name, unit=" objects", disable=quiet) as bar:
                results.append(importer(path, source=source, full=full, progress=bar_progress(bar)))
        elif is_package(path):
            with tqdm(desc=path.name, unit=" objects", disable=quiet) as bar:
                results.append(import_hsds_package(path, full=full, progress=bar_progress(bar)))
        else:
            files = sorted(path.glob("*.json")) if path.is_dir() else [path]
            for file in files:
                with tqdm(desc=file.name, unit=" objects", disable=quiet) as bar:
                    results.append(
                        import_hsds_file(file, full=full, object_type=object_type, progress=bar_progress(bar))
                    )
        rejections = []
        for result in results:
            rejections += result.rejections
            self.stdout.write(summary(result))
            for note in result.skipped:
                self.stdout.write(_("Note: %(note)s") % {"note": note})
        report_path = Path(report) if report else path.with_name(path.stem + ".rejections.csv")
        if path.is_dir() and not report:
            report_path = path / "rejections.csv"
        with report_path.open("w", encoding="utf-8", newline="") as stream:
            write_rejections_csv(rejections, stream)
        self.stdout.write(
            ngettext(
                "%(count)d problem reported in %(path)s", "%(count)d problems reported in %(path)s", len(rejections)
            )
            % {"count": len(rejections), "path": report_path}
        )
