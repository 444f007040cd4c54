"""Open data pages: public downloads for everyone, imports (upload, dry run, apply, report) for officers."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from poles.core.permissions import VIEW, can, get_or_404, restrict

from . import selectors, services
from .exporters import datapackage, giving360, scdl
from .forms import ImportForm
from .models import ImportRun

DOWNLOADS = {
    "360giving.json": ("application/json", "360Giving"),
    "scdl-subventions.csv": ("text/csv; charset=utf-8", "SCDL Subventions"),
    "datapackage.zip": ("application/zip", "Frictionless Data Package"),
}


def export_bytes(name: str) -> bytes:
    """The file of one public export, built from the database now."""
    if name == "360giving.json":
        return json.dumps(giving360.build(), ensure_ascii=False, indent=1).encode()
    if name == "scdl-subventions.csv":
        buffer = io.StringIO()
        scdl.write(buffer)
        return buffer.getvalue().encode()
    with tempfile.TemporaryDirectory() as folder:
        datapackage.write(Path(folder))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
        return buffer.getvalue()


def home(request):
    """What the programme publishes, in which formats, and how to reuse it."""
    context = {
        "title": _("Open data"),
        "breadcrumb": [(_("Open data"), None)],
        "downloads": [
            (name, label, reverse("opendata:download", args=[name]))
            for name, (_t, label) in DOWNLOADS.items()
        ],
        "counts": {
            "projects": selectors.public_projects().count(),
            "decisions": selectors.public_decisions().count(),
            "organisations": selectors.public_organisations().count(),
        },
        "can_import": can(request.user, "opendata.import_data"),
    }
    return render(request, "opendata/home.html", context)


def download(request, name: str):
    if name not in DOWNLOADS:
        raise Http404
    response = HttpResponse(export_bytes(name), content_type=DOWNLOADS[name][0])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _officer(request):
    if not can(request.user, "opendata.import_data"):
        raise PermissionDenied


@login_required
def imports(request):
    """The upload form (a dry run first) and the latest imports."""
    _officer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = services.start_import(
            request.user, form.cleaned_data["kind"], form.cleaned_data["file"],
            form.cleaned_data.get("organisations_file"), dry_run=True,
        )  # fmt: skip
        messages.info(request, _("The file is being checked; nothing is changed until you apply it."))
        return redirect("opendata:import_detail", pk=run.pk)
    context = {
        "title": _("Imports"),
        "breadcrumb": [(_("Open data"), reverse("opendata:home")), (_("Imports"), None)],
        "form": form,
        "runs": restrict(
            ImportRun.objects.select_related("created_by").defer("data", "second_data"), request.user, VIEW
        )[:50],
    }
    return render(request, "opendata/imports.html", context, status=400 if form.errors else 200)


@login_required
def import_detail(request, pk: int):
    """The report: counts by kind of row, and every error with its line, column and message."""
    _officer(request)
    run = get_or_404(ImportRun.objects.defer("data", "second_data"), request.user, VIEW, pk=pk)
    language = "fr" if (request.LANGUAGE_CODE or "fr").startswith("fr") else "en"
    result = run.result or {}
    errors = [{**e, "text": e["message"].get(language) if isinstance(e["message"], dict) else e["message"]}
              for e in result.get("errors", [])]  # fmt: skip
    context = {
        "title": str(run),
        "breadcrumb": [
            (_("Open data"), reverse("opendata:home")),
            (_("Imports"), reverse("opendata:imports")),
            (str(run), None),
        ],  # fmt: skip
        "run": run,
        "errors": errors[:500],
        "more_errors": max(0, len(errors) - 500),
        "counts": [
            (_("created"), result.get("created", {})),
            (_("updated"), result.get("updated", {})),
            (_("unchanged"), result.get("skipped", {})),
        ],  # fmt: skip
        "can_apply": run.status == ImportRun.Status.CHECKED,
    }
    return render(request, "opendata/import_detail.html", context)


@login_required
@require_POST
def import_apply(request, pk: int):
    _officer(request)
    checked = get_or_404(ImportRun.objects.all(), request.user, VIEW, pk=pk)
    if checked.status != ImportRun.Status.CHECKED:
        messages.error(request, _("Only a file whose dry run found no error can be applied."))
        return redirect("opendata:import_detail", pk=checked.pk)
    run = services.apply_checked(request.user, checked)
    messages.info(request, _("The import is being applied in the background."))
    return redirect("opendata:import_detail", pk=run.pk)
