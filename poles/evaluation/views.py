"""Impact evaluation pages: the list of runs, the configuration form, one run's results; re-run actions."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from poles.analytics.selectors import main_programme
from poles.core.permissions import VIEW, can, get_for_change, get_or_404, restrict

from . import presentation, services
from .forms import EvaluationForm
from .models import EvaluationRun


def _runs(user):
    return restrict(EvaluationRun.objects.select_related("author", "programme"), user, VIEW)


def _crumbs(*more):
    return [(_("Impact evaluation"), reverse("evaluation:list")), *more]


@login_required
def run_list(request):
    """The runs of the programmes the user reads, newest first."""
    programme = main_programme()
    if programme is None or not can(request.user, "evaluation.run_evaluation", programme):
        raise PermissionDenied
    context = {
        "title": _("Impact evaluation"),
        "breadcrumb": [(_("Impact evaluation"), None)],
        "runs": _runs(request.user)[:100],
        "programme": programme,
    }
    return render(request, "evaluation/list.html", context)


@login_required
def run_new(request):
    """Configure a run and start it in the background."""
    programme = main_programme()
    if programme is None or not can(request.user, "evaluation.run_evaluation", programme):
        raise PermissionDenied
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run = services.start_run(request.user, programme, form.options(), title=form.cleaned_data["title"])
        messages.success(
            request, _("The evaluation was started; this page shows its results when it is done.")
        )
        return redirect("evaluation:detail", pk=run.pk)
    context = {
        "title": _("New impact evaluation"),
        "breadcrumb": _crumbs((_("New impact evaluation"), None)),
        "form": form,
        "cancel_url": reverse("evaluation:list"),
    }
    return render(request, "evaluation/form.html", context, status=400 if form.errors else 200)


@login_required
def run_detail(request, pk: int):
    """One run: parameters, summary, estimates compared, event study, tables, diagnostics."""
    run = get_or_404(_runs(request.user), request.user, pk=pk)
    if request.GET.get("download") == "json":
        record = {
            "id": run.pk, "title": run.title, "status": run.status, "parameters": run.parameters,
            "data_fingerprint": run.data_fingerprint, "code_version": run.code_version, "results": run.results,
            "summary": {"fr": run.summary_fr, "en": run.summary_en}, "error": run.error,
            "created_at": run.created_at.isoformat(), "duration": run.duration,
            "rerun_of": run.rerun_of_id,
        }  # fmt: skip
        response = HttpResponse(
            json.dumps(record, ensure_ascii=False, indent=1), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="evaluation-run-{run.pk}.json"'
        return response
    if getattr(request, "htmx", False) and request.GET.get("status"):
        if run.finished:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "evaluation/_status.html", {"run": run})
    context = {
        "title": str(run),
        "breadcrumb": _crumbs((str(run), None)),
        "run": run,
        "parameters": presentation.parameter_rows(run),
        "can_rerun": can(request.user, "evaluation.run_evaluation", run.programme),
        "error": presentation.error_message(run, get_language() or "fr"),
    }
    if run.status == EvaluationRun.Status.DONE:
        context.update(
            comparison=presentation.comparison(run),
            event_study=presentation.event_study(run),
            att_rows=presentation.att_rows(run),
            group_rows=presentation.estimate_rows(run, "group", "group"),
            calendar_rows=presentation.estimate_rows(run, "calendar", "period"),
            diagnostics=presentation.diagnostics(run),
            cohorts=presentation.cohort_rows(run),
            balance=presentation.balance_rows(run),
            truth=(run.results or {}).get("truth"),
            reruns=run.reruns.order_by("-created_at")[:5],
        )
    return render(request, "evaluation/detail.html", context)


@login_required
@require_POST
def run_rerun(request, pk: int):
    """Re-run identically (refused, with the reason, if the data changed since)."""
    run = get_for_change(EvaluationRun.objects.all(), request.user, pk=pk)
    new = services.rerun_run(run, request.user)
    messages.success(request, _("Re-run started: it must give the same results if the data did not change."))
    return redirect("evaluation:detail", pk=new.pk)


@login_required
@require_POST
def run_repeat(request, pk: int):
    """The same parameters on today's data."""
    run = get_for_change(EvaluationRun.objects.all(), request.user, pk=pk)
    new = services.repeat_run(run, request.user)
    messages.success(request, _("A new run with the same parameters was started on today's data."))
    return redirect("evaluation:detail", pk=new.pk)
