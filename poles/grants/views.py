"""Follow-up pages: the projects a user follows, one project's file, agreements and payments,
reports and their review, milestones, outputs and IPR.

Views stay thin: they find the object through the permission layer (404 when hidden, 403 when
visible but not the user's), call one service, and show its refusal in the user's language
without losing what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from poles.core import audit
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import can, get_for_change, get_or_404
from poles.core.roles import roles_of
from poles.core.views import FilteredListView
from poles.projects.models import Project

from . import selectors, services
from .filters import AgreementFilter, FollowedProjectFilter, OutputFilter, ReportFilter
from .forms import (
    AgreementCreateForm,
    ConsortiumAgreementForm,
    IPDeclarationForm,
    LicenceForm,
    MilestoneForm,
    OutputForm,
    OutputReviewForm,
    PaymentForm,
    ReasonVersionForm,
    ReportForm,
    ReviewForm,
    SignForm,
)
from .models import Agreement, ConsortiumAgreement, Instalment, Milestone, Output, ProgressReport


def _home_crumb():
    return (_("Follow-up"), reverse("grants:home"))


def _project_crumbs(project, *more):
    return [_home_crumb(), (project.acronym, reverse("grants:project", args=[project.pk])), *more]


def _form_errors(form, exc) -> None:
    """Put a service's refusal on the form (field errors where the service named a field)."""
    if isinstance(exc, StaleObject | TransitionNotAllowed):
        form.add_error(None, exc.message)
    elif isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)


def _form_page(request, form, title, crumbs, *, cancel_url="", template="poles/form_page.html", **extra):
    context = {"title": title, "breadcrumb": crumbs, "form": form, "cancel_url": cancel_url, **extra}
    return render(request, template, context, status=400 if form.errors else 200)


def _followed(request, pk) -> Project:
    return get_or_404(selectors.followed_projects(request.user), request.user, pk=pk)


def _project_form(
    request, pk, *, permission, form_class, save, done, anchor, title, crumb, instance=None, with_user=False
):
    """A form about one followed project: the permission, the form, the service, a message and back.

    `save(project, values)` runs the service with the form's cleaned values (the optimistic-lock
    `version` stays in `values`; services that take it read `expected_version` from there). A service's
    refusal (stale version, not allowed, invalid) lands on the form instead of a 500.
    """
    project = _followed(request, pk)
    if not can(request.user, permission, project):
        raise PermissionDenied
    form_kwargs = {"project": project, **({"user": request.user} if with_user else {})}
    if instance is not None:
        form_kwargs["instance"] = instance(project)
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            save(project, dict(form.cleaned_data))
        except (StaleObject, TransitionNotAllowed, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("grants:project", args=[project.pk]) + anchor)
    return _form_page(
        request,
        form,
        title,
        _project_crumbs(project, (crumb, None)),
        cancel_url=reverse("grants:project", args=[project.pk]),
    )


def _without_version(values: dict) -> dict:
    return {k: v for k, v in values.items() if k != "version"}


# --- Lists -------------------------------------------------------------------------------------


class FollowUpHome(LoginRequiredMixin, FilteredListView):
    """The funded projects the user follows, with the next report due and the late ones."""

    template_name = "grants/home.html"
    partial_template_name = "grants/_projects.html"
    filterset_class = FollowedProjectFilter
    download_name = "funded-projects"
    download_columns = (
        (gettext_lazy("acronym"), "acronym"), (gettext_lazy("title"), "title"), (gettext_lazy("call"), "call.title"),
        (gettext_lazy("start"), "start_date"), (gettext_lazy("aid decided"), "aid"), (gettext_lazy("paid"), "paid"),
        (gettext_lazy("agreements"), "n_agreements"), (gettext_lazy("next report due"), "next_due"),
        (gettext_lazy("late reports"), "n_late"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.with_follow_up_figures(selectors.followed_projects(self.request.user))

    def download_objects(self, queryset):
        return _with_aid_and_paid(list(queryset))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            title=_("Follow-up of funded projects"), breadcrumb=[(_("Follow-up"), None)]
        )
        _with_aid_and_paid(context["object_list"])
        context["payable"] = selectors.payable_for_funder(self.request.user).filter(
            agreement__funder_id__in=list(_roles(self.request).funder_of)
        )[:20]
        context["today"] = timezone.localdate()
        return context


def _roles(request):
    return roles_of(request.user)


def _with_aid_and_paid(projects):
    """The projects with the aid decided and paid for each (two queries for all of them)."""
    ids = [p.pk for p in projects]
    aid, paid = selectors.aid_by_project(ids), selectors.paid_by_project(ids)
    for project in projects:
        project.aid, project.paid = aid.get(project.pk, 0), paid.get(project.pk, 0)
    return projects


class AgreementList(LoginRequiredMixin, FilteredListView):
    template_name = "grants/agreement_list.html"
    partial_template_name = "grants/_agreements.html"
    filterset_class = AgreementFilter
    download_name = "agreements"
    download_columns = (
        (gettext_lazy("reference"), "reference"), (gettext_lazy("project"), "project.acronym"),
        (gettext_lazy("funder"), "funder.name"),
        (gettext_lazy("partner"), lambda a: a.participation.organisation.name if a.participation else _("Whole consortium")),
        (gettext_lazy("aid covered"), "amount"), (gettext_lazy("status"), "get_status_display"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.agreements_for(self.request.user).order_by("-created_at", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Agreements"), breadcrumb=[_home_crumb(), (_("Agreements"), None)], **kwargs
        )


class ReportList(LoginRequiredMixin, FilteredListView):
    template_name = "grants/report_list.html"
    partial_template_name = "grants/_reports.html"
    filterset_class = ReportFilter
    download_name = "reports"
    download_columns = (
        (gettext_lazy("report"), str), (gettext_lazy("period start"), "period_start"),
        (gettext_lazy("period end"), "period_end"), (gettext_lazy("due on"), "due_on"),
        (gettext_lazy("status"), "get_status_display"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.reports_for(self.request.user).order_by("due_on", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            title=_("Progress and final reports"), breadcrumb=[_home_crumb(), (_("Reports"), None)], **kwargs
        )
        context["today"] = timezone.localdate()
        return context


class OutputList(FilteredListView):
    """Outputs of funded projects: validated ones for everybody, the others for the project's people."""

    template_name = "grants/output_list.html"
    partial_template_name = "grants/_outputs.html"
    filterset_class = OutputFilter
    download_name = "outputs"
    download_columns = (
        (gettext_lazy("output"), "title"), (gettext_lazy("kind"), "get_kind_display"),
        (gettext_lazy("partner"), "participation.organisation.name"), (gettext_lazy("project"), "project.acronym"),
        (gettext_lazy("date"), "achieved_on"), (gettext_lazy("quantity"), "quantity"),
        (gettext_lazy("status"), "get_status_display"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.outputs_for(self.request.user).order_by("-achieved_on", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Outputs of funded projects"), breadcrumb=[(_("Outputs"), None)], **kwargs
        )


# --- One project -------------------------------------------------------------------------------


def project_detail(request, pk):
    project = _followed(request, pk)
    user = request.user
    file = selectors.project_file(project, user)
    context = {
        "title": _("Follow-up: %(project)s") % {"project": project.acronym},
        "breadcrumb": _project_crumbs(project)[:-1] + [(project.acronym, None)],
        "project": project,
        "file": file,
        "today": timezone.localdate(),
        "can_agree": bool(services.funders_to_agree(project, user))
        and project.status == Project.Status.FUNDED,
        "can_milestones": can(user, "grants.manage_milestones", project),
        "can_outputs": can(user, "grants.add_output", project),
        "can_ipr": can(user, "grants.manage_ipr", project),
    }
    return render(request, "grants/project.html", context)


@login_required
def agreement_create(request, pk):
    project = _followed(request, pk)
    funders = services.funders_to_agree(project, request.user)
    if not funders:
        raise PermissionDenied
    form = AgreementCreateForm(request.POST or None, funders=funders)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.create_agreements(project, form.cleaned_data["funder"], actor=request.user)
        except (TransitionNotAllowed, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Agreement prepared: %(n)s agreement(s) awaiting signature.") % {"n": len(made)}
            )
            return redirect("grants:agreement_detail", pk=made[0].pk)
    return _form_page(
        request, form, _("Prepare an agreement"), _project_crumbs(project, (_("Prepare an agreement"), None)),
        cancel_url=reverse("grants:project", args=[project.pk]), template="grants/agreement_create.html",
        project=project, decisions=services.decisions_without_agreement(project),
    )  # fmt: skip


# --- Agreements and payments -------------------------------------------------------------------


def agreement_detail(request, pk):
    agreement = get_or_404(Agreement.objects.all(), request.user, pk=pk)
    agreement = selectors.agreement_file(agreement)
    facts = services.conditions_for(agreement)
    instalments = list(agreement.instalments.all())
    for instalment in instalments:
        instalment.unmet = services.unmet_condition_message(instalment, facts)
    can_pay = can(request.user, "grants.pay_instalment", agreement)
    context = {
        "title": _("Agreement %(ref)s") % {"ref": agreement.reference},
        "breadcrumb": _project_crumbs(agreement.project, (agreement.reference, None)),
        "agreement": agreement,
        "instalments": instalments,
        "paid": sum(i.paid for i in instalments),
        "can_sign": agreement.status == Agreement.Status.DRAFT
        and can(request.user, "grants.sign_agreement", agreement),
        "can_terminate": agreement.status in (Agreement.Status.DRAFT, Agreement.Status.SIGNED)
        and can(request.user, "grants.terminate_agreement", agreement),
        "can_pay": can_pay,
        "history": audit.history(agreement).order_by("-id")[:20],
    }
    return render(request, "grants/agreement.html", context)


@login_required
def agreement_sign(request, pk):
    agreement = get_for_change(Agreement.objects.select_related("project"), request.user, pk=pk)
    form = SignForm(request.POST or None, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_agreement(
                agreement, actor=request.user, funder_signed_on=data["funder_signed_on"],
                beneficiary_signed_on=data["beneficiary_signed_on"], expected_version=data["version"],
            )  # fmt: skip
        except (StaleObject, TransitionNotAllowed, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Signature recorded: the instalments whose condition holds are payable.")
            )
            return redirect("grants:agreement_detail", pk=agreement.pk)
    crumbs = _project_crumbs(
        agreement.project,
        (agreement.reference, reverse("grants:agreement_detail", args=[agreement.pk])),
        (_("Record the signature"), None),
    )
    return _form_page(
        request, form, _("Record the signature"), crumbs,
        cancel_url=reverse("grants:agreement_detail", args=[agreement.pk]),
    )  # fmt: skip


@login_required
def agreement_terminate(request, pk):
    agreement = get_for_change(Agreement.objects.select_related("project"), request.user, pk=pk)
    form = ReasonVersionForm(request.POST or None, initial={"version": agreement.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.terminate_agreement(
                agreement, actor=request.user, reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )  # fmt: skip
        except (StaleObject, TransitionNotAllowed, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Agreement terminated; what was not paid is released."))
            return redirect("grants:agreement_detail", pk=agreement.pk)
    crumbs = _project_crumbs(
        agreement.project,
        (agreement.reference, reverse("grants:agreement_detail", args=[agreement.pk])),
        (_("Terminate"), None),
    )
    return _form_page(
        request, form, _("Terminate the agreement"), crumbs,
        cancel_url=reverse("grants:agreement_detail", args=[agreement.pk]),
    )  # fmt: skip


@login_required
def instalment_pay(request, pk):
    instalment = get_for_change(
        Instalment.objects.select_related("agreement__project", "decision__participation__organisation"),
        request.user,
        pk=pk,
    )
    form = PaymentForm(request.POST or None, instalment=instalment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pay_instalment(
                instalment, actor=request.user, amount=data["amount"], paid_on=data["paid_on"],
                reference=data["reference"], expected_version=data["version"],
            )  # fmt: skip
        except (StaleObject, TransitionNotAllowed, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("grants:agreement_detail", pk=instalment.agreement_id)
    agreement = instalment.agreement
    crumbs = _project_crumbs(
        agreement.project,
        (agreement.reference, reverse("grants:agreement_detail", args=[agreement.pk])),
        (_("Record a payment"), None),
    )
    return _form_page(
        request, form, _("Record a payment"), crumbs, template="grants/pay.html", instalment=instalment,
        unmet=services.unmet_condition_message(instalment), history=audit.history(instalment).order_by("-id")[:10],
        cancel_url=reverse("grants:agreement_detail", args=[agreement.pk]),
    )  # fmt: skip


# --- Reports -----------------------------------------------------------------------------------


def report_detail(request, pk):
    report = get_or_404(ProgressReport.objects.select_related("project__call"), request.user, pk=pk)
    user = request.user
    editable = report.status in (ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED)
    context = {
        "title": str(report),
        "breadcrumb": _project_crumbs(report.project, (str(report), None)),
        "report": report,
        "spending": selectors.spending_table(report),
        "milestones": selectors.milestones_of(report.project).filter(due_on__lte=report.period_end),
        "today": timezone.localdate(),
        "can_edit": editable and can(user, "grants.edit_report", report),
        "can_submit": editable and can(user, "grants.submit_report", report),
        "can_review": report.status == ProgressReport.Status.SUBMITTED
        and can(user, "grants.review_report", report),
        "review_form": ReviewForm(initial={"version": report.version}),
        "history": audit.history(report).order_by("-id")[:20],
    }
    return render(request, "grants/report.html", context)


@login_required
def report_edit(request, pk):
    report = get_for_change(ProgressReport.objects.select_related("project"), request.user, pk=pk)
    if not can(request.user, "grants.edit_report", report):
        raise PermissionDenied
    form = ReportForm(request.POST or None, report=report, spending=selectors.spending_values(report))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_report(
                report, actor=request.user, narrative=form.cleaned_data["narrative"], spending=form.spending(),
                expected_version=form.cleaned_data["version"],
            )  # fmt: skip
        except (StaleObject, TransitionNotAllowed, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Report saved. Submit it when it is complete."))
            return redirect("grants:report_detail", pk=report.pk)
    crumbs = _project_crumbs(
        report.project, (str(report), reverse("grants:report_detail", args=[report.pk])), (_("Write"), None)
    )
    return _form_page(
        request, form, _("Write %(report)s") % {"report": report}, crumbs,
        cancel_url=reverse("grants:report_detail", args=[report.pk]), template="grants/report_form.html",
        report=report,
    )  # fmt: skip


def _report_action(request, pk, action):
    report = get_for_change(ProgressReport.objects.all(), request.user, pk=pk)
    version = int(request.POST["version"]) if request.POST.get("version", "").isdigit() else None
    comment = request.POST.get("comment", "")
    try:
        if action == "submit":
            services.submit_report(report, actor=request.user, expected_version=version)
            messages.success(request, _("Report submitted to the funders."))
        elif action == "approve":
            services.approve_report(report, actor=request.user, comment=comment, expected_version=version)
            messages.success(request, _("Report approved; the instalments waiting for it are payable."))
        else:
            services.send_back_report(report, actor=request.user, reason=comment, expected_version=version)
            messages.success(request, _("Report sent back to the consortium."))
    except (StaleObject, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    return redirect("grants:report_detail", pk=report.pk)


@login_required
@require_POST
def report_submit(request, pk):
    return _report_action(request, pk, "submit")


@login_required
@require_POST
def report_approve(request, pk):
    return _report_action(request, pk, "approve")


@login_required
@require_POST
def report_send_back(request, pk):
    return _report_action(request, pk, "send_back")


# --- Milestones --------------------------------------------------------------------------------


@login_required
def milestone_add(request, pk):
    return _project_form(
        request, pk, permission="grants.manage_milestones", form_class=MilestoneForm,
        save=lambda project, values: services.add_milestone(project, actor=request.user, **_without_version(values)),
        done=_("Milestone added."), anchor="#milestones",
        title=_("Add a milestone or deliverable"), crumb=_("Add a milestone"),
    )  # fmt: skip


@login_required
def milestone_edit(request, pk):
    milestone = get_for_change(Milestone.objects.select_related("project"), request.user, pk=pk)
    project = milestone.project
    if not can(request.user, "grants.manage_milestones", project):
        raise PermissionDenied
    form = MilestoneForm(
        request.POST or None, instance=Milestone.objects.get(pk=milestone.pk), project=project
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_milestone(
                milestone, actor=request.user, expected_version=form.cleaned_data["version"], **values
            )
        except (StaleObject, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Milestone saved."))
            return redirect(reverse("grants:project", args=[project.pk]) + "#milestones")
    return _form_page(
        request, form, _("Milestone: %(title)s") % {"title": milestone.title},
        _project_crumbs(project, (milestone.title, None)), cancel_url=reverse("grants:project", args=[project.pk]),
        template="grants/form_history.html", history=audit.history(milestone).order_by("-id")[:20],
    )  # fmt: skip


# --- Outputs -----------------------------------------------------------------------------------


@login_required
def output_add(request, pk):
    return _project_form(
        request, pk, permission="grants.add_output", form_class=OutputForm, with_user=True,
        save=lambda project, values: services.declare_output(project, actor=request.user, **_without_version(values)),
        done=_("Output declared; a funder will validate it."), anchor="#outputs",
        title=_("Declare an output"), crumb=_("Declare an output"),
    )  # fmt: skip


def output_detail(request, pk):
    output = get_or_404(
        Output.objects.select_related("project", "participation__organisation"), request.user, pk=pk
    )
    context = {
        "title": str(output),
        "breadcrumb": [(_("Outputs"), reverse("grants:outputs")), (output.title, None)],
        "output": output,
        "can_edit": output.status != Output.Status.VALIDATED
        and can(request.user, "grants.declare_output", output),
        "can_review": output.status == Output.Status.DECLARED
        and can(request.user, "grants.validate_output", output),
        "follows_project": selectors.followed_projects(request.user).filter(pk=output.project_id).exists(),
        "history": audit.history(output).order_by("-id")[:20]
        if selectors.followed_projects(request.user).filter(pk=output.project_id).exists()
        else [],
    }
    return render(request, "grants/output.html", context)


@login_required
def output_edit(request, pk):
    output = get_for_change(Output.objects.select_related("project"), request.user, pk=pk)
    if not can(request.user, "grants.declare_output", output):
        raise PermissionDenied
    form = OutputForm(
        request.POST or None,
        instance=Output.objects.get(pk=output.pk),
        project=output.project,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_output(
                output, actor=request.user, expected_version=form.cleaned_data["version"], **values
            )
        except (StaleObject, TransitionNotAllowed, ValidationError) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Output saved."))
            return redirect("grants:output_detail", pk=output.pk)
    return _form_page(
        request, form, _("Edit the output"), _project_crumbs(output.project, (output.title, None)),
        cancel_url=reverse("grants:output_detail", args=[output.pk]),
    )  # fmt: skip


@login_required
def output_review(request, pk):
    output = get_for_change(Output.objects.select_related("project"), request.user, pk=pk)
    if not can(request.user, "grants.validate_output", output):
        raise PermissionDenied
    form = OutputReviewForm(request.POST or None, initial={"version": output.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "validate":
                services.validate_output(
                    output, actor=request.user, note=data["note"], expected_version=data["version"]
                )
            else:
                services.reject_output(
                    output, actor=request.user, reason=data["note"], expected_version=data["version"]
                )
        except (StaleObject, TransitionNotAllowed) as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("grants:output_detail", pk=output.pk)
    return _form_page(
        request, form, _("Validate or reject the output"), _project_crumbs(output.project, (output.title, None)),
        cancel_url=reverse("grants:output_detail", args=[output.pk]), template="grants/output_review.html",
        output=output,
    )  # fmt: skip


# --- IPR ---------------------------------------------------------------------------------------


@login_required
def consortium_agreement(request, pk):
    return _project_form(
        request, pk, permission="grants.manage_ipr", form_class=ConsortiumAgreementForm,
        instance=lambda project: ConsortiumAgreement.objects.filter(project=project).first(),
        save=lambda project, values: services.save_consortium_agreement(
            project, actor=request.user, expected_version=values["version"], **_without_version(values)
        ),
        done=_("Consortium agreement saved."), anchor="#ipr",
        title=_("Consortium agreement"), crumb=_("Consortium agreement"),
    )  # fmt: skip


@login_required
def ip_add(request, pk):
    return _project_form(
        request, pk, permission="grants.manage_ipr", form_class=IPDeclarationForm,
        save=lambda project, values: services.declare_ip(project, actor=request.user, **values),
        done=_("IP declared."), anchor="#ipr",
        title=_("Declare background or foreground IP"), crumb=_("Declare IP"),
    )  # fmt: skip


@login_required
def licence_add(request, pk):
    return _project_form(
        request, pk, permission="grants.manage_ipr", form_class=LicenceForm,
        save=lambda project, values: services.record_licence(project, actor=request.user, **values),
        done=_("Licence recorded."), anchor="#ipr",
        title=_("Record a licence"), crumb=_("Record a licence"),
    )  # fmt: skip
