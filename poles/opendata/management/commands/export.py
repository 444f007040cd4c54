"""`poles export 360giving|scdl|datapackage --out PATH`: publish the programme's public data."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from poles.opendata.exporters import datapackage, giving360, scdl


class Command(BaseCommand):
    """The open-data exports; only public data (what anonymous visitors see) ever goes out."""

    @property
    def help(self):
        return _(
            "Export the public data: 360Giving JSON, SCDL Subventions CSV or a Frictionless data package."
        )

    def add_arguments(self, parser):
        parser.add_argument("format", choices=["360giving", "scdl", "datapackage"])
        parser.add_argument(
            "--out", required=True, type=Path, help=_("Output file (a folder for the data package).")
        )

    def handle(self, *args, **options):
        out: Path = options["out"]
        kind = options["format"]
        if kind == "datapackage":
            counts = datapackage.write(out)
            summary = ", ".join(f"{name} {n}" for name, n in counts.items())
            self.stdout.write(
                _("Data package written to %(path)s: %(counts)s.") % {"path": out, "counts": summary}
            )
            return
        out.parent.mkdir(parents=True, exist_ok=True)
        if kind == "360giving":
            package = giving360.build()
            out.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            self.stdout.write(
                _("%(n)s grants written to %(path)s.") % {"n": len(package["grants"]), "path": out}
            )
            return
        with out.open("w", encoding="utf-8", newline="") as handle:
            result = scdl.write(handle)
        self.stdout.write(_("%(n)s grants written to %(path)s.") % {"n": result.written, "path": out})
        if result.skipped:
            skipped = ", ".join(f"{why} {n}" for why, n in sorted(result.skipped.items()))
            self.stdout.write(_("Left out (no SIRET or no date): %(skipped)s.") % {"skipped": skipped})
