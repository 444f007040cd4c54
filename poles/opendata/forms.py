"""The upload form of the import page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesForm

from .importers.base import max_bytes
from .models import ImportRun

EXTENSIONS = (".csv", ".xlsx", ".gz", ".txt")


class ImportForm(PolesForm):
    kind = forms.ChoiceField(label=_("Kind of file"), choices=ImportRun.Kind.choices)
    file = forms.FileField(
        label=_("File (CSV, XLSX)"),
        help_text=_("Columns are matched by their names; for CORDIS, the project.csv file."),
    )
    organisations_file = forms.FileField(
        label=_("CORDIS organization.csv"), required=False, help_text=_("Only for CORDIS imports.")
    )

    def clean(self):
        data = super().clean()
        for name in ("file", "organisations_file"):
            upload = data.get(name)
            if upload is None:
                continue
            if not upload.name.lower().endswith(EXTENSIONS):
                self.add_error(name, _("Send a CSV or XLSX file."))
            elif upload.size > max_bytes():
                self.add_error(
                    name, _("The file is too large: at most %(limit)s MB.") % {"limit": max_bytes() // 2**20}
                )
        if data.get("kind") == ImportRun.Kind.CORDIS and not data.get("organisations_file"):
            self.add_error("organisations_file", _("A CORDIS import needs the organization.csv file too."))
        return data
