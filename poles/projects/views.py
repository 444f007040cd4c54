"""Proposal pages: lists, the proposal page, drafting, consortium, documents, submission, revisions,
the clusters' labelling queue and the officers' eligibility page.

Every page reads through the permission layer (404 for what a user may not see, 403 for what
they see but may not change) and writes through one service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from poles.calls import selectors as call_selectors
from poles.calls.engine.eligibility import RULES
from poles.calls.models import Call
from poles.calls.textdiff import diff
from poles.core import audit
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import VIEW, can, get_for_change, get_or_404, restrict
from poles.core.roles import roles_of
from poles.core.views import FilteredListView
from poles.organisations.models import Organisation

from . import guards, revisions, selectors, services
from .filters import LabelRequestFilter, ProjectFilter
from .forms import (
    AttachmentForm,
    DeclareForm,
    LabelAnswerForm,
    OverrideForm,
    ParticipationForm,
    PartnerSearchForm,
    ProposalForm,
    RequiredReasonForm,
    search_organisations,
)
from .models import Attachment, EligibilityCheck, LabelRequest, Participation, Project
from .workflow import PROPOSAL

S = Project.Status


def project_url(project: Project) -> str:
    return reverse("projects:detail", kwargs={"pk": project.pk})


def _crumbs(project: Project | None = None, *more):
    crumbs = [(_("Proposals"), reverse("projects:list"))]
    if project is not None:
        crumbs.append((project.acronym or project.title, project_url(project)))
    return [*crumbs, *more]


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _message(exc) -> str:
    if isinstance(exc, TransitionNotAllowed | StaleObject):
        return str(exc.message)
    return " ".join(exc.messages)


def _visible(request, pk) -> Project:
    return get_or_404(
        selectors.proposals_for(request.user).select_related("call", "lead_cluster"), request.user, pk=pk
    )


def _changeable(request, pk) -> Project:
    return get_for_change(Project.objects.select_related("call", "lead_cluster"), request.user, pk=pk)


def _drafted(request, pk) -> Project:
    """A proposal the user drafts: its consortium lead (officers read drafts but do not write them)."""
    project = _changeable(request, pk)
    if not can(request.user, "projects.submit_project", project):
        raise PermissionDenied
    return project


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version") or 0) or None
    except ValueError:
        return None


def _form_page(request, form, title, project, *, template="poles/form_page.html", status=None, **extra):
    context = {
        "title": title,
        "breadcrumb": _crumbs(project, (title, None)),
        "form": form,
        "cancel_url": project_url(project) if project else reverse("projects:list"),
        "project": project,
        **extra,
    }
    return render(request, template, context, status=status or (400 if form.errors else 200))


# --------------------------------------------------------------------------- lists


class ProposalList(FilteredListView):
    template_name = "projects/list.html"
    partial_template_name = "projects/_results.html"
    filterset_class = ProjectFilter
    download_name = "projects"
    download_related = ("call", "lead_cluster")
    download_prefetch = ("participations__organisation",)
    download_columns = (
        (gettext_lazy("acronym"), "acronym"), (gettext_lazy("title"), "title"), (gettext_lazy("call"), "call.title"),
        (gettext_lazy("lead cluster"), "lead_cluster.name"), (gettext_lazy("lead"), "lead.organisation.name"),
        (gettext_lazy("submitted at"), "submitted_at"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.list_proposals(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Proposals and projects"), breadcrumb=[(_("Proposals"), None)], **kwargs
        )


class MyProposals(FilteredListView):
    template_name = "projects/mine.html"
    partial_template_name = "projects/_results.html"
    filterset_class = ProjectFilter

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.my_proposals(self.request.user)

    def get_context_data(self, **kwargs):
        open_calls = call_selectors.calls_for(self.request.user).filter(
            status=Call.Status.OPEN, submission_deadline__gte=timezone.now()
        )
        return super().get_context_data(
            title=_("My proposals"), breadcrumb=[(_("My proposals"), None)], open_calls=open_calls,
            is_member=bool(roles_of(self.request.user).member_of), **kwargs,
        )  # fmt: skip


class LabellingQueue(FilteredListView):
    template_name = "projects/labelling.html"
    partial_template_name = "projects/_labelling_results.html"
    filterset_class = LabelRequestFilter

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if not roles_of(request.user).cluster_of and not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.labelling_queue(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Labelling requests"),
            breadcrumb=[(_("Labelling requests"), None)],
            now=timezone.now(),
            **kwargs,
        )


# --------------------------------------------------------------------------- the proposal page


def proposal_detail(request, pk):
    project = _visible(request, pk)
    page = selectors.proposal_page(project, request.user)
    editable = project.status in services.EDITABLE and can(request.user, "projects.submit_project", project)
    transitions = [
        t
        for t in PROPOSAL.available(project, request.user)
        if t.name in ("submit", "withdraw", "request_revision")
    ]
    context = {
        "title": f"{project.acronym} — {project.title}",
        "breadcrumb": _crumbs(None, (project.acronym or project.title, None)),
        "project": project,
        "editable": editable,
        "transitions": {t.name for t in transitions},
        "can_check": can(request.user, "projects.check_eligibility", project)
        and project.source == Project.Source.PROGRAMME,
        "answerable": [
            r
            for r in page["labels"]
            if can(request.user, "projects.answer_label_request", r) and project.status != S.DRAFT
        ],
        "history": audit.history(project).order_by("-id")[:30] if page["confidential"] else [],
        **page,
    }
    return render(request, "projects/detail.html", context)


# --------------------------------------------------------------------------- drafting


@login_required
def proposal_create(request, reference):
    call = get_or_404(call_selectors.calls_for(request.user), request.user, reference=reference)
    roles = roles_of(request.user)
    organisations = Organisation.objects.filter(pk__in=roles.member_of).order_by("name")
    if not organisations.exists():
        raise PermissionDenied
    if call.status != Call.Status.OPEN or timezone.now() > call.submission_deadline:
        messages.error(request, _("This call does not accept proposals now."))
        return redirect(reverse("calls:detail", args=[call.reference]))
    form = ProposalForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.create_proposal(
                call, data["organisation"], actor=request.user, acronym=data["acronym"], title=data["title"],
                summary=data["summary"], keywords=data["keywords"], lead_cluster=data["lead_cluster"],
                clusters=data["clusters"], start_date=data["start_date"], duration_months=data["duration_months"],
            )  # fmt: skip
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Draft created. Now build the consortium and its budget."))
            return redirect(project_url(project))
    del form.fields["version"]
    context = {
        "title": _("New proposal"),
        "breadcrumb": [
            (_("Calls"), reverse("calls:list")),
            (call.title, reverse("calls:detail", args=[call.reference])),
            (_("New proposal"), None),
        ],
        "form": form,
        "cancel_url": reverse("calls:detail", args=[call.reference]),
        "call": call,
    }
    return render(request, "projects/create.html", context, status=400 if form.errors else 200)


@login_required
def proposal_edit(request, pk):
    project = _drafted(request, pk)
    form = ProposalForm(request.POST or None, initial=ProposalForm.initial_from(project))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_proposal(
                project, actor=request.user, expected_version=data["version"], clusters=data["clusters"],
                **{k: data[k] for k in ("acronym", "title", "summary", "keywords", "lead_cluster", "start_date", "duration_months")},
            )  # fmt: skip
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Proposal saved."))
            return redirect(project_url(project))
    return _form_page(request, form, _("Edit the proposal"), project)


@login_required
def partners(request, pk):
    project = _drafted(request, pk)
    search = PartnerSearchForm(request.GET or None)
    results = []
    if search.is_bound and search.is_valid():
        results = search_organisations(
            search.cleaned_data["q"], project.participations.values("organisation_id")
        )
    context = {
        "title": _("Consortium"),
        "breadcrumb": _crumbs(project, (_("Consortium"), None)),
        "project": project,
        "search": search,
        "results": results,
        "rows": selectors.consortium(project, confidential=True),
        "editable": project.status in services.EDITABLE,
    }
    return render(request, "projects/partners.html", context)


@login_required
@require_POST
def partner_add(request, pk):
    project = _drafted(request, pk)
    organisation = get_or_404(
        Organisation.objects.all(), request.user, pk=request.POST.get("organisation") or 0
    )
    try:
        services.add_partner(project, organisation, actor=request.user, expected_version=_version(request))
    except (ValidationError, StaleObject) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("%(name)s joined the consortium.") % {"name": organisation.name})
    return redirect(reverse("projects:partners", args=[project.pk]))


@login_required
@require_POST
def partner_remove(request, pk, participation):
    project = _drafted(request, pk)
    target = get_or_404(Participation.objects.filter(project=project), request.user, pk=participation)
    try:
        services.remove_partner(target, actor=request.user, expected_version=_version(request))
    except (ValidationError, StaleObject) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Partner removed."))
    return redirect(reverse("projects:partners", args=[project.pk]))


@login_required
def participation_edit(request, pk, participation):
    project = _drafted(request, pk)
    target = get_or_404(
        Participation.objects.filter(project=project).select_related("organisation"),
        request.user,
        pk=participation,
    )
    funders = [
        cf.funder for cf in project.call.call_funders.select_related("funder").order_by("funder__name")
    ]
    form = ParticipationForm(
        request.POST or None, initial=ParticipationForm.initial_from(target, project.version), funders=funders
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_participation(
                target,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_arguments(),
            )
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Budget of %(name)s saved.") % {"name": target.organisation.name})
            return redirect(reverse("projects:partners", args=[project.pk]))
    title = _("Budget of %(name)s") % {"name": target.organisation.name}
    return _form_page(
        request, form, title, project, template="projects/participation_form.html", participation=target
    )


@login_required
def attachments(request, pk):
    project = _drafted(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None, initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_attachment(
                project, form.cleaned_data["file"], form.cleaned_data["kind"], actor=request.user,
                expected_version=form.cleaned_data["version"],
            )  # fmt: skip
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
        else:
            messages.success(request, _("Document attached."))
            return redirect(reverse("projects:attachments", args=[project.pk]))
    return _form_page(
        request, form, _("Documents"), project, template="projects/attachments.html",
        documents=project.attachments.order_by("kind", "created_at"),
    )  # fmt: skip


def attachment_download(request, pk, attachment):
    """Serve a document only to those who may read the proposal in full (else 404, as if absent)."""
    project = _visible(request, pk)
    if not can(request.user, "projects.view_confidential", project):
        raise Http404
    document = get_or_404(selectors.attachments_for(request.user, project), request.user, pk=attachment)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=document.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove(request, pk, attachment):
    project = _drafted(request, pk)
    document = get_or_404(Attachment.objects.filter(project=project), request.user, pk=attachment)
    try:
        services.remove_attachment(document, actor=request.user, expected_version=_version(request))
    except (ValidationError, StaleObject) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Document removed."))
    return redirect(reverse("projects:attachments", args=[project.pk]))


# --------------------------------------------------------------------------- transitions


def _checklist(project: Project) -> list[tuple[bool, str]]:
    """What the submit page shows before the applicant submits: each guard, met or not."""
    items = []
    for guard, label in (
        (guards.call_accepts_submissions, _("The call accepts submissions")),
        (guards.has_one_lead, _("The proposal has one lead partner")),
        (guards.asks_a_cluster, _("At least one cluster is asked to label it")),
    ):
        problem = guard(project)
        items.append((problem is None, str(problem) if problem else label))
    return items


@login_required
def submit(request, pk):
    project = _drafted(request, pk)
    form = RequiredReasonForm(request.POST or None, initial={"version": project.version})
    del form.fields["reason"]
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(project, actor=request.user, expected_version=form.cleaned_data["version"])
        except (TransitionNotAllowed, StaleObject) as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Proposal submitted. The clusters you asked have been told."))
            return redirect(project_url(project))
    context = {
        "checklist": _checklist(project),
        "rows": selectors.consortium(project, confidential=True),
        "late_for_labels": timezone.now() > project.call.labelling_deadline,
        "self_check": selectors.self_check(project),
    }
    return _form_page(
        request, form, _("Submit the proposal"), project, template="projects/submit.html", **context
    )


@login_required
def withdraw(request, pk):
    project = _changeable(request, pk)
    form = RequiredReasonForm(request.POST or None, initial={"version": project.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw(
                project,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except (TransitionNotAllowed, StaleObject) as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Proposal withdrawn."))
            return redirect(project_url(project))
    return _form_page(request, form, _("Withdraw the proposal"), project)


@login_required
def request_revision(request, pk):
    project = _visible(request, pk)
    if not can(request.user, "projects.request_revision", project):
        raise PermissionDenied
    form = RequiredReasonForm(request.POST or None, initial={"version": project.version})
    form.fields["reason"].label = _("What the applicant must revise")
    if request.method == "POST" and form.is_valid():
        try:
            services.request_revision(
                project,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except (TransitionNotAllowed, StaleObject) as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Revision requested; the applicant has been told."))
            return redirect(project_url(project))
    return _form_page(request, form, _("Ask for a revision"), project)


def revision_list(request, pk):
    project = _visible(request, pk)
    if not can(request.user, "projects.view_confidential", project):
        raise Http404
    stored = list(project.revisions.order_by("number"))
    number = request.GET.get("number")
    chosen = next((r for r in stored if str(r.number) == number), stored[-1] if stored else None)
    previous = next((r for r in reversed(stored) if chosen and r.number < chosen.number), None)
    lines = revisions.compare(previous.snapshot if previous else None, chosen.snapshot) if chosen else []
    pending = None
    if stored and project.status in services.EDITABLE:
        pending = diff(revisions.lines(stored[-1].snapshot), revisions.lines(revisions.snapshot(project)))
    context = {
        "title": _("Revisions"),
        "breadcrumb": _crumbs(project, (_("Revisions"), None)),
        "project": project,
        "revisions": stored,
        "chosen": chosen,
        "previous": previous,
        "lines": lines,
        "pending": pending,
    }
    return render(request, "projects/revisions.html", context)


# --------------------------------------------------------------------------- labelling


@login_required
def label_answer(request, pk):
    label_request = get_for_change(
        LabelRequest.objects.select_related("project__call", "cluster"), request.user, pk=pk
    )
    project = label_request.project
    form = LabelAnswerForm(
        request.POST or None,
        initial={"version": label_request.version, "opinion": label_request.opinion,
                 "decision": label_request.status if label_request.status != LabelRequest.Status.PENDING else None},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_label_request(
                label_request, form.cleaned_data["decision"], actor=request.user, opinion=form.cleaned_data["opinion"],
                expected_version=form.cleaned_data["version"],
            )  # fmt: skip
        except (TransitionNotAllowed, StaleObject) as exc:
            form.add_error(None, str(exc.message))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Answer recorded; the applicant has been told."))
            return redirect(reverse("projects:labelling"))
    title = _("Label %(acronym)s for %(cluster)s") % {
        "acronym": project.acronym,
        "cluster": label_request.cluster.name,
    }
    context = {
        "label_request": label_request,
        "page": selectors.proposal_page(project, request.user),
        "late": timezone.now() > project.call.labelling_deadline,
    }
    return _form_page(request, form, title, project, template="projects/label_answer.html", **context)


@login_required
@require_POST
def settle_labelling(request, reference):
    call = get_for_change(Call.objects.all(), request.user, reference=reference)
    if timezone.now() <= call.labelling_deadline:
        messages.error(request, _("The labelling deadline has not passed yet."))
    else:
        counts = services.settle_call_labelling(call, actor=request.user)
        messages.success(
            request, _("%(labelled)s proposals moved to labelled; %(waiting)s still have no label.") % counts
        )
    return redirect(reverse("calls:detail", args=[call.reference]))


# --------------------------------------------------------------------------- eligibility


def _officer_project(request, pk) -> Project:
    project = _visible(request, pk)
    if not can(request.user, "projects.check_eligibility", project):
        if not request.user.is_authenticated:
            raise Http404
        raise PermissionDenied
    return project


def eligibility(request, pk):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    project = _officer_project(request, pk)
    check = guards.latest_check(project)
    overridden = {o.rule_index: o for o in check.overrides.select_related("decided_by")} if check else {}
    language = (request.LANGUAGE_CODE or "fr")[:2]
    rows = []
    for row in check.results if check else []:
        definition = RULES.get(row["rule"])
        rows.append(
            {
                "index": row["index"],
                "rule": row["rule"],
                "label": definition.label if definition else row["rule"],
                "status": row["status"],
                "message": row["message"].get(language) or row["message"].get("en"),
                "figures": {key: _figure(value) for key, value in row["figures"].items()},
                "override": overridden.get(row["index"]),
            }
        )
    effective = guards.effective_verdict(check) if check else None
    decidable = project.status in (S.SUBMITTED, S.LABELLED)
    context = {
        "title": _("Eligibility of %(acronym)s") % {"acronym": project.acronym},
        "breadcrumb": _crumbs(project, (_("Eligibility"), None)),
        "project": project,
        "check": check,
        "rows": rows,
        "effective": effective,
        "any_override": bool(overridden),
        "stale": bool(check and project.submitted_at and check.checked_at < project.submitted_at),
        "decidable": decidable,
        "can_run": decidable,
        "can_declare_eligible": decidable
        and project.status == S.LABELLED
        and guards.checked_eligible(project) is None,
        "can_declare_ineligible": decidable
        and check is not None
        and effective != EligibilityCheck.Verdict.ELIGIBLE,
        "override_form": OverrideForm(),
        "declare_form": DeclareForm(initial={"version": project.version}),
        "labelling_problem": guards.labelling_settled(project) if project.status == S.SUBMITTED else None,
        "checks": project.eligibility_checks.order_by("-checked_at")[:10],
    }
    return render(request, "projects/eligibility.html", context)


def _figure(value) -> str:
    """A stored figure as people read it: lists joined, nothing shown as a dash."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    return str(value)


@login_required
@require_POST
def eligibility_run(request, pk):
    project = _officer_project(request, pk)
    try:
        check = services.run_eligibility_check(project, actor=request.user)
    except (TransitionNotAllowed, ValidationError) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(
            request, _("Eligibility checked: %(verdict)s.") % {"verdict": check.get_verdict_display()}
        )
    return redirect(reverse("projects:eligibility", args=[project.pk]))


@login_required
@require_POST
def eligibility_override(request, pk, check, index):
    project = _officer_project(request, pk)
    target = get_or_404(
        restrict(EligibilityCheck.objects.filter(project=project), request.user, VIEW), request.user, pk=check
    )
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for overriding the warning."))
    else:
        try:
            services.override_warning(target, index, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("Warning overridden; the reason is kept in the history."))
    return redirect(reverse("projects:eligibility", args=[project.pk]))


@login_required
@require_POST
def declare(request, pk, verdict):
    project = _officer_project(request, pk)
    form = DeclareForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    action = {"eligible": services.declare_eligible, "ineligible": services.declare_ineligible}.get(verdict)
    if action is None:
        raise Http404
    try:
        action(project, actor=request.user, expected_version=form.cleaned_data.get("version"), reason=reason)
    except (TransitionNotAllowed, StaleObject) as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("projects:eligibility", args=[project.pk]))
    messages.success(request, _("Decision recorded; the applicant has been told."))
    return redirect(project_url(project))
