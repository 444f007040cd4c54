"""Yearly cluster reports (web page and PDF) and cluster ratings: services, forms and views.

The report puts the performance contract's targets beside actuals computed from the platform's
data (clusters/kpis.py), with a status per indicator; cluster staff add the year's highlights and
the values poles cannot compute, then submit, which freezes the figures in the report's snapshot.
Officers record ratings of official evaluations with their text and date.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework import exceptions as api_exceptions
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.core import audit, charts
from poles.core import services as core_services
from poles.core.api import ServiceModelViewSet
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.forms import PolesForm, PolesModelForm, VersionField
from poles.core.permissions import can, get_or_404
from poles.core.workflow import Transition, Workflow, perform

from . import kpis
from .models import Cluster, ClusterRating, ClusterReport, Kpi, ReportedValue

REPORT = Workflow(
    model=ClusterReport,
    transitions=[
        Transition("submit", ("draft",), "submitted", "clusters.change_cluster", gettext_lazy("Submit")),
        Transition(
            "reopen",
            ("submitted",),
            "draft",
            "clusters.rate_cluster",
            gettext_lazy("Reopen"),
            needs_reason=True,
        ),
    ],
)

# --- Services ----------------------------------------------------------------------------------


def report_for(cluster: Cluster, year: int) -> ClusterReport | None:
    return ClusterReport.objects.filter(cluster=cluster, year=year).first()


def reported_values(report: ClusterReport | None) -> dict[int, Decimal]:
    if report is None:
        return {}
    return {v.kpi_id: v.value for v in report.reported_values.all()}


def save_report(
    cluster: Cluster,
    year: int,
    *,
    actor,
    narrative_fr: str = "",
    narrative_en: str = "",
    values: dict[int, tuple[Decimal, str]] | None = None,
    expected_version: int | None = None,
) -> ClusterReport:
    """Write the year's highlights and reported values (cluster staff or officers, while a draft)."""
    if not can(actor, "clusters.change_cluster", cluster):
        raise PermissionDenied
    with transaction.atomic():
        report = report_for(cluster, year)
        if report is None:
            report = core_services.create(
                ClusterReport, actor=actor, cluster=cluster, year=year, narrative_fr=narrative_fr,
                narrative_en=narrative_en,
            )  # fmt: skip
        else:
            if report.status != ClusterReport.Status.DRAFT:
                raise TransitionNotAllowed(_("This report is submitted: an officer must reopen it first."))
            report = core_services.update(
                report, actor=actor, expected_version=expected_version, narrative_fr=narrative_fr,
                narrative_en=narrative_en,
            )  # fmt: skip
        for kpi_id, (value, comment) in (values or {}).items():
            if kpi_id not in _reportable_ids():
                raise ValidationError(_("This indicator is computed by poles; it cannot be typed in."))
            before = (
                ReportedValue.objects.filter(report=report, kpi_id=kpi_id).values("value", "comment").first()
            )
            if value is None:
                ReportedValue.objects.filter(report=report, kpi_id=kpi_id).delete()
            else:
                ReportedValue.objects.update_or_create(
                    report=report, kpi_id=kpi_id, defaults={"value": value, "comment": comment}
                )
            after = {"value": value, "comment": comment} if value is not None else None
            if audit.to_json(before) != audit.to_json(after):
                audit.record(
                    "clusters.reportedvalue.save",
                    report,
                    actor=actor,
                    before=before,
                    after={"kpi": kpi_id, **(after or {})},
                )
    return report


def _reportable_ids() -> set[int]:
    return {k.pk for k in Kpi.objects.all() if k.source not in kpis.SOURCES}


def submit_report(report: ClusterReport, *, actor, expected_version: int | None = None) -> ClusterReport:
    """Submit the year's report; the computed figures are frozen in its snapshot."""

    def apply(obj):
        rows = kpis.report_rows(obj.cluster, obj.year, reported_values(obj))
        obj.submitted_at = timezone.now()
        obj.snapshot = audit.to_json(
            {
                "rows": [
                    {
                        "kpi": r.kpi.code,
                        "target": r.target,
                        "actual": r.actual.value if r.actual else None,
                        "status": r.status,
                    }
                    for r in rows
                ]
            }
        )

    return perform(REPORT, report, "submit", actor, expected_version=expected_version, apply=apply)


def reopen_report(report: ClusterReport, *, actor, reason: str) -> ClusterReport:
    return perform(REPORT, report, "reopen", actor, reason=reason)


def record_rating(cluster: Cluster, *, actor, **values) -> ClusterRating:
    """An officer records a rating from an official evaluation, with its text and date."""
    if not can(actor, "clusters.rate_cluster", cluster):
        raise PermissionDenied
    return core_services.create(ClusterRating, actor=actor, cluster=cluster, **values)


# --- Forms -------------------------------------------------------------------------------------


class ReportForm(PolesForm):
    narrative_fr = forms.CharField(
        label=gettext_lazy("Highlights of the year (French)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    narrative_en = forms.CharField(
        label=gettext_lazy("Highlights of the year (English)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    version = VersionField()

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kpi_fields = []
        current = {v.kpi_id: v for v in report.reported_values.all()} if report else {}
        if report is not None:
            self.fields["narrative_fr"].initial = report.narrative_fr
            self.fields["narrative_en"].initial = report.narrative_en
            self.fields["version"].initial = report.version
        for kpi in Kpi.objects.order_by("code"):
            if kpi.source in kpis.SOURCES:
                continue
            existing = current.get(kpi.pk)
            self.fields[f"kpi_{kpi.pk}"] = forms.DecimalField(
                label=f"{kpi} ({kpi.unit})" if kpi.unit else str(kpi), min_value=0, max_digits=14, decimal_places=2,
                required=False, initial=existing.value if existing else None,
            )  # fmt: skip
            self.fields[f"kpi_{kpi.pk}_comment"] = forms.CharField(
                label=gettext_lazy("Comment"), max_length=300, required=False,
                initial=existing.comment if existing else "",
            )  # fmt: skip
            self.kpi_fields.append(kpi.pk)

    def values(self) -> dict[int, tuple]:
        return {
            pk: (self.cleaned_data[f"kpi_{pk}"], self.cleaned_data[f"kpi_{pk}_comment"])
            for pk in self.kpi_fields
        }


class RatingForm(PolesModelForm):
    class Meta(PolesModelForm.Meta):
        model = ClusterRating
        fields = ["evaluation", "year", "rating", "rated_on", "text_fr", "text_en"]
        widgets = {
            "rated_on": forms.DateInput(attrs={"type": "date"}),
            "text_fr": forms.Textarea(attrs={"rows": 4}),
            "text_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cluster = cluster


# --- Views -------------------------------------------------------------------------------------


def _cluster(request, slug) -> Cluster:
    return get_or_404(Cluster.objects.select_related("programme"), request.user, slug=slug)


def _check_year(year: int) -> None:
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise Http404


def report_context(cluster: Cluster, year: int, user=None) -> dict:
    """What the page and the PDF show (one computation for both)."""
    report = report_for(cluster, year)
    rows = kpis.report_rows(cluster, year, reported_values(report))
    ratings = list(cluster.ratings.filter(year__lte=year).order_by("-year")[:3])
    breakdown = kpis.members_breakdown(cluster, year)
    sizes = ["micro", "small", "medium", "mid", "large", ""]
    from poles.organisations.models import Category, SizeClass

    size_labels = dict(SizeClass.choices)
    size_labels[""] = _("No size class")
    breakdown_rows = [
        (
            dict(Category.choices).get(category, category),
            [counts.get(s, 0) for s in sizes],
            sum(counts.values()),
        )
        for category, counts in sorted(breakdown.items())
    ]
    measured = [r for r in rows if r.share is not None]
    chart = charts.bar(
        "kpi-shares",
        _("Share of each target reached (%)"),
        [str(r.kpi) for r in measured],
        [round(r.share * 100) for r in measured],
        value_label=_("% of target"),
        horizontal=True,
    )
    if chart.figure is not None:
        chart.figure["layout"] = {"height": 120 + 40 * len(measured), "margin": {"l": 330}}
    contract = cluster.contracts.filter(start_year__lte=year, end_year__gte=year).first()
    from django.apps import apps

    action = apps.get_model("ecosystem", "Action")
    return {
        "cluster": cluster,
        "year": year,
        "report": report,
        "rows": rows,
        "status_labels": kpis.STATUS_LABELS,
        "contract": contract,
        "ratings": ratings,
        "breakdown_sizes": [size_labels[s] for s in sizes],
        "breakdown_rows": breakdown_rows,
        "chart": chart,
        "actions": action.objects.filter(cluster=cluster, start_date__year=year).order_by("start_date")[:50],
        "years": list(range(max(cluster.labelled_on.year, 2005), timezone.localdate().year + 1)),
        "generated_on": timezone.localdate(),
    }


def report_page(request, slug, year):
    cluster = _cluster(request, slug)
    _check_year(year)
    context = report_context(cluster, year, request.user)
    context.update(
        title=_("%(cluster)s — report %(year)s") % {"cluster": cluster.name, "year": year},
        breadcrumb=[
            (_("Clusters"), reverse("clusters:list")),
            (cluster.name, reverse("clusters:detail", args=[cluster.slug])),
            (_("Report %(year)s") % {"year": year}, None),
        ],
        can_edit=can(request.user, "clusters.change_cluster", cluster)
        and (context["report"] is None or context["report"].status == ClusterReport.Status.DRAFT),
        can_rate=can(request.user, "clusters.rate_cluster", cluster),
    )
    return render(request, "clusters/report.html", context)


def render_report_pdf(cluster: Cluster, year: int) -> bytes:
    """The report as a PDF (xhtml2pdf), from the same figures as the page."""
    from xhtml2pdf import pisa

    html = render_to_string("clusters/report_pdf.html", report_context(cluster, year))
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"PDF rendering failed ({result.err} errors)")
    return out.getvalue()


def report_pdf(request, slug, year):
    cluster = _cluster(request, slug)
    _check_year(year)
    response = HttpResponse(render_report_pdf(cluster, year), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cluster.slug}-report-{year}.pdf"'
    return response


@login_required
def report_edit(request, slug, year):
    cluster = _cluster(request, slug)
    _check_year(year)
    if not can(request.user, "clusters.change_cluster", cluster):
        raise PermissionDenied
    report = report_for(cluster, year)
    form = ReportForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_report(
                cluster, year, actor=request.user, narrative_fr=data["narrative_fr"], narrative_en=data["narrative_en"],
                values=form.values(), expected_version=data["version"] if report else None,
            )  # fmt: skip
        except (StaleObject, TransitionNotAllowed) as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Report saved."))
            return redirect("clusters:report", slug=cluster.slug, year=year)
    page = reverse("clusters:report", args=[cluster.slug, year])
    context = {
        "title": _("Write the %(year)s report") % {"year": year},
        "breadcrumb": [
            (_("Clusters"), reverse("clusters:list")),
            (cluster.name, reverse("clusters:detail", args=[cluster.slug])),
            (_("Report %(year)s") % {"year": year}, page),
            (_("Write"), None),
        ],
        "form": form,
        "cancel_url": page,
        "history": audit.history(report).order_by("-id")[:20] if report else [],
    }
    return render(request, "clusters/report_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def report_submit(request, slug, year):
    cluster = _cluster(request, slug)
    report = report_for(cluster, year)
    if report is None:
        raise Http404
    if not can(request.user, "clusters.change_cluster", cluster):
        raise PermissionDenied
    try:
        submit_report(report, actor=request.user)
    except (StaleObject, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Report submitted; its figures are frozen."))
    return redirect("clusters:report", slug=cluster.slug, year=year)


@login_required
@require_POST
def report_reopen(request, slug, year):
    cluster = _cluster(request, slug)
    report = report_for(cluster, year)
    if report is None:
        raise Http404
    try:
        reopen_report(report, actor=request.user, reason=request.POST.get("reason", ""))
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Report reopened: the cluster can change it again."))
    return redirect("clusters:report", slug=cluster.slug, year=year)


@login_required
def rating_add(request, slug):
    cluster = _cluster(request, slug)
    if not can(request.user, "clusters.rate_cluster", cluster):
        raise PermissionDenied
    form = RatingForm(request.POST or None, cluster=cluster)
    if request.method == "POST" and form.is_valid():
        try:
            record_rating(cluster, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Rating recorded."))
            return redirect(reverse("clusters:detail", args=[cluster.slug]) + "#tab-history")
    context = {
        "title": _("Record a rating"),
        "breadcrumb": [
            (_("Clusters"), reverse("clusters:list")),
            (cluster.name, reverse("clusters:detail", args=[cluster.slug])),
            (_("Record a rating"), None),
        ],
        "form": form,
        "cancel_url": reverse("clusters:detail", args=[cluster.slug]),
    }
    return render(request, "poles/form_page.html", context, status=400 if form.errors else 200)


# --- API ---------------------------------------------------------------------------------------


class ReportSerializer(serializers.ModelSerializer):
    """A cluster report with its indicator rows (targets, actuals computed now, status)."""

    cluster = serializers.SlugRelatedField(slug_field="slug", queryset=Cluster.objects.all())
    rows = serializers.SerializerMethodField()
    values = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True),
        write_only=True,
        required=False,
        help_text=gettext_lazy("Reported values of the indicators poles cannot compute, by indicator code."),
    )

    class Meta:
        model = ClusterReport
        fields = [
            "id",
            "cluster",
            "year",
            "status",
            "narrative_fr",
            "narrative_en",
            "submitted_at",
            "rows",
            "values",
            "version",
        ]
        read_only_fields = ["status", "submitted_at", "version"]

    def get_rows(self, obj) -> list[dict]:
        return [
            {
                "kpi": r.kpi.code, "unit": r.kpi.unit, "target": r.target, "actual": r.actual.value if r.actual else None,
                "status": r.status, "reported": bool(r.actual and r.actual.reported),
            }
            for r in kpis.report_rows(obj.cluster, obj.year, reported_values(obj))
        ]  # fmt: skip


class ClusterReportViewSet(ServiceModelViewSet):
    """Yearly cluster reports: submitted ones are public; the cluster's staff write and submit theirs."""

    base_queryset = ClusterReport.objects.select_related("cluster").prefetch_related("reported_values")
    serializer_class = ReportSerializer
    filterset_fields = ["cluster__slug", "year", "status"]
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _values(self, data) -> dict:
        codes = data.pop("values", {}) or {}
        found = {k.code: k.pk for k in Kpi.objects.filter(code__in=list(codes))}
        unknown = sorted(set(codes) - set(found))
        if unknown:
            raise api_exceptions.ValidationError({"values": unknown})
        return {found[code]: (value, "") for code, value in codes.items()}

    def perform_service_create(self, data):
        values = self._values(data)
        if report_for(data["cluster"], data["year"]) is not None:
            raise api_exceptions.ValidationError({"year": [_("A report exists for this year: update it.")]})
        try:
            return save_report(
                data["cluster"], data["year"], actor=self.request.user, narrative_fr=data.get("narrative_fr", ""),
                narrative_en=data.get("narrative_en", ""), values=values,
            )  # fmt: skip
        except PermissionDenied as exc:
            raise api_exceptions.PermissionDenied() from exc

    def perform_service_update(self, obj, data, expected_version):
        values = self._values(data)
        return save_report(
            obj.cluster, obj.year, actor=self.request.user, narrative_fr=data.get("narrative_fr", obj.narrative_fr),
            narrative_en=data.get("narrative_en", obj.narrative_en), values=values, expected_version=expected_version,
        )  # fmt: skip

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the report: its figures are frozen in its snapshot."""
        report = self.get_object()
        saved = submit_report(report, actor=request.user, expected_version=self.check_if_match(report))
        response = Response(self.get_serializer(saved).data)
        response["ETag"] = saved.etag
        return response


def register_api(router) -> None:
    router.register("cluster-reports", ClusterReportViewSet, basename="clusterreport")
