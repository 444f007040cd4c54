"""`poles import cordis|h2020|organisations|memberships|figures|outputs …`: take in open data."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poles.opendata.importers import IMPORTERS, run_import


class Command(BaseCommand):
    """Every import checks the whole file first and applies it whole or not at all (exit code 2)."""

    @property
    def help(self):
        return _(
            "Import CORDIS, Horizon 2020 or registry files (CSV/XLSX); --dry-run checks without writing."
        )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)

        def common(p):
            p.add_argument("--dry-run", action="store_true", help=_("Check and count, write nothing."))
            p.add_argument("--json", action="store_true", help=_("Print the result as JSON."))

        cordis = sub.add_parser("cordis", help=_("CORDIS project.csv and organization.csv"))
        cordis.add_argument("--projects", required=True, type=Path)
        cordis.add_argument("--organizations", "--organisations", required=True, type=Path)
        common(cordis)
        for kind in IMPORTERS:
            p = sub.add_parser(kind)
            p.add_argument("file", type=Path)
            common(p)
        package = sub.add_parser("datapackage", help=_("A folder written by poles export datapackage"))
        package.add_argument("file", type=Path, metavar="DIR")
        common(package)

    def handle(self, *args, **options):
        kind = options["kind"]
        if kind == "cordis":
            files = {"projects": options["projects"], "organizations": options["organizations"]}
        else:
            files = {"file": options["file"]}
        for path in files.values():
            if not (path.is_dir() if kind == "datapackage" else path.is_file()):
                raise CommandError(_("No such file: %(path)s") % {"path": path})
        from tqdm import tqdm

        # Rows read, on stderr; tqdm shows it on a terminal only (disable=None), never in the JSON.
        with tqdm(
            desc=kind, unit=" rows", file=sys.stderr, disable=None if options["verbosity"] else True
        ) as bar:
            result = run_import(kind, files, dry_run=options["dry_run"], progress=bar.update)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for error in result.errors[:200]:
                self.stdout.write(
                    _("line %(line)s, column %(column)s: %(message)s")
                    % {"line": error.line, "column": error.column or "—", "message": error.text()}
                )
            if len(result.errors) > 200:
                self.stdout.write(_("… and %(n)s more errors.") % {"n": len(result.errors) - 200})
            counts = ", ".join(
                f"{label} {kind_} {n}"
                for label, counter in (
                    (_("created"), result.created),
                    (_("updated"), result.updated),
                    (_("unchanged"), result.skipped),
                )  # fmt: skip
                for kind_, n in sorted(counter.items())
            )
            if result.rejected:
                self.stdout.write(
                    _("File rejected: %(n)s errors, nothing was changed.") % {"n": len(result.errors)}
                )
            elif options["dry_run"]:
                self.stdout.write(_("Dry run, nothing was changed: %(counts)s.") % {"counts": counts or "—"})
            else:
                self.stdout.write(_("Imported: %(counts)s.") % {"counts": counts or "—"})
        if result.rejected:
            sys.exit(2)
