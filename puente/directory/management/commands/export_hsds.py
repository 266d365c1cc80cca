from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from puente.directory.export_tabular import export_hsds_json, export_hsds_package


class Command(BaseCommand):
    help = (
        "Export the directory as HSDS 3.0: --format csv writes a tabular package (datapackage.json and one CSV per "
        "table) to a folder, or a zip when PATH ends in .zip; --format json writes one file of nested services "
        "(a Page with every item; name it service_list.json to import it back without --type). Active services "
        "only unless --include-inactive."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv"], required=True)
        parser.add_argument("--output", required=True, help="a folder or a .zip (csv), a file (json)")
        parser.add_argument("--include-inactive", action="store_true")

    def handle(self, *args, **options):
        output = Path(options["output"])
        inactive = options["include_inactive"]
        if output.suffix != ".zip" and options["format"] == "csv" and output.is_file():
            raise CommandError(_("%(path)s is a file: give a folder or a .zip for a CSV package.") % {"path": output})
        if not output.parent.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": output.parent})
        if options["format"] == "json":
            with open(output, "w", encoding="utf-8") as stream:
                total = export_hsds_json(stream, include_inactive=inactive)
        elif output.suffix == ".zip":
            with open(output, "wb") as stream:
                counts = export_hsds_package(stream, include_inactive=inactive)
            total = counts["services.csv"]
        else:
            total = export_hsds_package(output, include_inactive=inactive)["services.csv"]
        message = ngettext(
            "%(count)d service exported to %(path)s.", "%(count)d services exported to %(path)s.", total
        ) % {"count": total, "path": output}
        self.stdout.write(message)
