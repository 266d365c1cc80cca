from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from puente.directory.hsds_parser import write_rejections_csv
from puente.directory.hsds_spec import SPEC
from puente.directory.services import import_hsds_file


class Command(BaseCommand):
    help = "Import an HSDS 3.0 JSON file (or every *.json in a folder) into the resource directory."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--full", action="store_true", help="Mark services missing from the file inactive.")
        parser.add_argument("--report", help="Where to write the rejection report CSV (default: next to the input).")
        parser.add_argument(
            "--type", dest="object_type", choices=sorted(SPEC), help="Object type, when the file name does not say it."
        )

    def handle(self, *args, path, full, report, object_type, **options):
        path = Path(path)
        if path.is_dir():
            files = sorted(path.glob("*.json"))
        elif path.is_file():
            files = [path]
        else:
            raise CommandError(_("No such file or folder: %(path)s") % {"path": path})
        rejections = []
        for file in files:
            with tqdm(desc=file.name, unit=" objects", disable=options["verbosity"] < 1) as bar:
                result = import_hsds_file(file, full=full, object_type=object_type, progress=bar.update)
            rejections += result.rejections
            self.stdout.write(
                _(
                    "%(file)s: %(created)d created, %(updated)d updated, %(rejected)d of %(total)d top-level objects "
                    "rejected, %(deactivated)d services marked inactive."
                )
                % {
                    "file": file.name,
                    "created": sum(result.created.values()),
                    "updated": sum(result.updated.values()),
                    "rejected": result.units_rejected,
                    "total": result.units_total,
                    "deactivated": result.deactivated,
                }
            )
        report_path = Path(report) if report else path.with_name(path.stem + ".rejections.csv")
        if path.is_dir() and not report:
            report_path = path / "rejections.csv"
        with report_path.open("w", encoding="utf-8", newline="") as stream:
            write_rejections_csv(rejections, stream)
        self.stdout.write(
            _("%(count)d problems reported in %(path)s") % {"count": len(rejections), "path": report_path}
        )
