"""Review pages: the officers' pool, assignment and consensus pages; the reviewer's own pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from poles.calls.models import Call
from poles.core import audit
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import VIEW, can, get_for_change, get_or_404, restrict
from poles.core.roles import roles_of
from poles.core.views import FilteredListView
from poles.projects.models import Project

from . import selectors, services
from .filters import ReviewerFilter
from .forms import (
    AutoAssignForm,
    ConsensusForm,
    DeclarationForm,
    ManualAssignmentForm,
    ReviewerEditForm,
    ReviewerForm,
    ReviewForm,
)
from .models import Assignment, ProjectScore, Reviewer


def _form_errors(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: per field where the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _officer_call(request, pk) -> Call:
    call = get_object_or_404(Call.objects.select_related("programme"), pk=pk)
    if not can(request.user, "reviews.assign", call):
        raise PermissionDenied
    return call


def _officer_project(request, pk) -> Project:
    project = get_or_404(Project.objects.select_related("call", "call__programme"), request.user, VIEW, pk=pk)
    if project.call_id is None or not can(request.user, "reviews.assign", project):
        raise PermissionDenied
    return project


def _call_crumbs(call: Call, *tail):
    return [
        (_("Review"), reverse("reviews:calls")),
        (call.title, reverse("reviews:call", args=[call.pk])),
        *tail,
    ]


# --------------------------------------------------------------------------- officers


@login_required
def calls(request):
    """Calls of the officer's programmes, with how far their review has gone."""
    roles = roles_of(request.user)
    if not (roles.superuser or roles.officer_of):
        raise PermissionDenied
    context = {
        "title": _("Review of proposals"),
        "breadcrumb": [(_("Review"), None)],
        "calls": selectors.calls_in_review(request.user),
    }
    return render(request, "reviews/calls.html", context)


@login_required
def call_detail(request, pk):
    """One call's proposals in review: reviewers, review progress, score and rank."""
    call = _officer_call(request, pk)
    rows = selectors.call_review_rows(call)
    context = {
        "title": call.title,
        "breadcrumb": _call_crumbs(call)[:1] + [(call.title, None)],
        "call": call,
        "rows": rows,
        "form": AutoAssignForm(),
        "grid": selectors.grid_of(call),
        "n_eligible": sum(1 for p in rows if p.status == Project.Status.ELIGIBLE),
    }
    return render(request, "reviews/call.html", context)


@login_required
@require_POST
def auto_assign(request, pk):
    """Run the automatic assignment on the call's eligible and short-handed proposals."""
    call = _officer_call(request, pk)
    form = AutoAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a number of reviewers per proposal between 1 and 10."))
        return redirect("reviews:call", pk=call.pk)
    try:
        outcome = services.auto_assign(
            call, actor=request.user, per_proposal=form.cleaned_data["per_proposal"]
        )
    except (TransitionNotAllowed, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
        return redirect("reviews:call", pk=call.pk)
    messages.success(
        request,
        _("%(assignments)s assignments made; %(started)s proposals sent to review.")
        % {"assignments": len(outcome.created), "started": len(outcome.started)},
    )
    for message in outcome.shortfalls.values():
        messages.warning(request, str(message))
    return redirect("reviews:call", pk=call.pk)


@login_required
def ranking(request, pk):
    """The call's ranked list: overall score, thresholds, ties."""
    call = get_or_404(Call.objects.all(), request.user, VIEW, pk=pk)
    if not can(request.user, "reviews.view_scores", call):
        raise PermissionDenied
    grid = selectors.grid_of(call)
    context = {
        "title": _("Ranking — %(call)s") % {"call": call.title},
        "breadcrumb": [
            (_("Review"), reverse("reviews:calls") if roles_of(request.user).officer_of else None),
            (call.title, None),
            (_("Ranking"), None),
        ],  # fmt: skip
        "call": call,
        "grid": grid,
        "labels": _labels(grid),
        "projects": selectors.ranking(call),
    }
    return render(request, "reviews/ranking.html", context)


@login_required
def project_detail(request, pk):
    """One proposal's review for officers: assignments, declarations, every review, the score."""
    project = _officer_project(request, pk)
    assignments = project.assignments.select_related("reviewer__user", "reviewer__organisation", "review")
    declarations = {d.reviewer_id: d for d in project.conflict_declarations.all()}
    score = ProjectScore.objects.filter(project=project).first()
    grid = selectors.grid_of(project.call)
    context = {
        "title": project.acronym or project.title,
        "breadcrumb": _call_crumbs(project.call, (project.acronym or project.title, None)),
        "project": project,
        "assignments": [(a, declarations.get(a.reviewer_id)) for a in assignments],
        "score": score,
        "grid": grid,
        "labels": _labels(grid),
        "criteria": _criteria_rows(grid, score),
        "history": audit.history(project),
    }
    return render(request, "reviews/project.html", context)


def _labels(grid) -> dict[str, str]:
    """Criterion code -> its label in the reader's language, in the grid's order."""
    from .forms import localized_label

    if grid is None:
        return {}
    return {c.code: localized_label(c.label) or c.code for c in grid.criteria}


def _criteria_rows(grid, score):
    if grid is None or score is None:
        return []
    from .forms import localized_label

    rows = []
    for criterion in grid.criteria:
        data = score.criteria.get(criterion.code, {})
        rows.append(
            {"label": localized_label(criterion.label) or criterion.code, "code": criterion.code, **data}
        )
    return rows


@login_required
def assign(request, pk):
    """Assign a reviewer by hand: the pool with each reviewer's conflicts, load and match."""
    project = _officer_project(request, pk)
    form = ManualAssignmentForm(request.POST or None, programme_id=project.call.programme_id)
    warnings = []
    if request.method == "POST" and form.is_valid():
        try:
            assignment, warnings = services.assign_manually(
                project, form.cleaned_data["reviewer"], actor=request.user, reason=form.cleaned_data["reason"]
            )
        except TransitionNotAllowed as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(reviewer)s is assigned.") % {"reviewer": assignment.reviewer})
            for warning in warnings:
                messages.warning(request, str(warning))
            return redirect("reviews:project", pk=project.pk)
    context = {
        "title": _("Assign a reviewer"),
        "breadcrumb": _call_crumbs(
            project.call,
            (project.acronym or project.title, reverse("reviews:project", args=[project.pk])),
            (_("Assign a reviewer"), None),
        ),
        "project": project,
        "form": form,
        "pool": selectors.pool_for_project(project),
    }
    return render(request, "reviews/assign.html", context, status=400 if form.errors else 200)


@login_required
def consensus(request, pk):
    """The panel's consensus per criterion and its comment (officers)."""
    project = _officer_project(request, pk)
    if not can(request.user, "reviews.set_consensus", project):
        raise PermissionDenied
    score = ProjectScore.objects.filter(project=project).first()
    grid = selectors.grid_of(project.call)
    if score is None or grid is None:
        messages.warning(request, _("The consensus is set once at least one review has been submitted."))
        return redirect("reviews:project", pk=project.pk)
    form = ConsensusForm(
        request.POST or None,
        grid=grid,
        initial_scores=score.consensus,
        initial={"comment": score.consensus_comment, "version": score.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_consensus(
                project,
                actor=request.user,
                consensus=form.scores(),
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except TransitionNotAllowed as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Consensus recorded."))
            return redirect("reviews:project", pk=project.pk)
    context = {
        "title": _("Consensus — %(project)s") % {"project": project.acronym or project.title},
        "breadcrumb": _call_crumbs(
            project.call,
            (project.acronym or project.title, reverse("reviews:project", args=[project.pk])),
            (_("Consensus"), None),
        ),
        "project": project,
        "form": form,
        "score": score,
        "criteria": _criteria_rows(grid, score),
        "labels": _labels(grid),
        "reviews": selectors.submitted_reviews([project.pk]).get(project.pk, []),
        "cancel_url": reverse("reviews:project", args=[project.pk]),
    }
    return render(request, "reviews/consensus.html", context, status=400 if form.errors else 200)


class ReviewerList(FilteredListView):
    """The programme's reviewer pool (officers)."""

    template_name = "reviews/pool.html"
    partial_template_name = "reviews/_pool_results.html"
    filterset_class = ReviewerFilter

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        if not can(request.user, "reviews.manage_pool"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        from django.db.models import Count, Q

        return (
            restrict(Reviewer.objects.all(), self.request.user, "change")
            .select_related("user", "organisation")
            .annotate(
                n_active=Count("assignments", filter=~Q(assignments__status=Assignment.Status.WITHDRAWN))
            )
            .order_by("user__last_name", "user__username")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Reviewer pool"), breadcrumb=[(_("Review"), reverse("reviews:calls")), (_("Reviewer pool"), None)],
            **kwargs,
        )  # fmt: skip


def _officer_programme(user):
    roles = roles_of(user)
    from poles.instruments.models import Programme

    programmes = (
        Programme.objects.all() if roles.superuser else Programme.objects.filter(pk__in=roles.officer_of)
    )
    programme = programmes.order_by("pk").first()
    if programme is None:
        raise PermissionDenied
    return programme


@login_required
def reviewer_add(request):
    """Add an expert to the pool of the officer's programme."""
    if not can(request.user, "reviews.manage_pool"):
        raise PermissionDenied
    programme = _officer_programme(request.user)
    form = ReviewerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reviewer = services.add_reviewer(programme, actor=request.user, **form.cleaned_data)
        except (ValidationError, TransitionNotAllowed) as exc:
            if isinstance(exc, ValidationError):
                _form_errors(form, exc)
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(name)s joined the reviewer pool.") % {"name": reviewer})
            return redirect("reviews:pool")
    context = {
        "title": _("Add a reviewer"),
        "breadcrumb": [(_("Reviewer pool"), reverse("reviews:pool")), (_("Add a reviewer"), None)],
        "form": form,
        "cancel_url": reverse("reviews:pool"),
    }
    return render(request, "poles/form_page.html", context, status=400 if form.errors else 200)


@login_required
def reviewer_edit(request, pk):
    """Change a pool member's employer, expertise, load limit or activity."""
    reviewer = get_for_change(Reviewer.objects.select_related("user"), request.user, pk=pk)
    initial = {
        "organisation": reviewer.organisation_id,
        "expertise": ", ".join(reviewer.expertise or []),
        "max_load": reviewer.max_load,
        "active": reviewer.active,
        "version": reviewer.version,
    }
    form = ReviewerEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_reviewer(reviewer, actor=request.user, expected_version=version, **data)
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Reviewer updated."))
            return redirect("reviews:pool")
    context = {
        "title": _("Reviewer: %(name)s") % {"name": reviewer},
        "breadcrumb": [(_("Reviewer pool"), reverse("reviews:pool")), (str(reviewer), None)],
        "form": form,
        "cancel_url": reverse("reviews:pool"),
        "history": audit.history(reviewer),
    }
    return render(request, "reviews/reviewer_edit.html", context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- reviewers


@login_required
def mine(request):
    """A reviewer's own assignments: nothing else is listed, withdrawn ones say why."""
    context = {
        "title": _("My reviews"),
        "breadcrumb": [(_("My reviews"), None)],
        "assignments": selectors.my_assignments(request.user),
        "is_reviewer": Reviewer.objects.filter(user=request.user).exists(),
    }
    return render(request, "reviews/mine.html", context)


def _own_assignment(request, pk) -> Assignment:
    """The reviewer's own, not withdrawn, assignment; anything else is 404 (hidden or absent)."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        return Assignment.objects.select_related("project", "project__call", "reviewer__user").get(
            pk=pk,
            reviewer__user=request.user,
            status__in=[Assignment.Status.ASSIGNED, Assignment.Status.SUBMITTED],
        )
    except (Assignment.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


@login_required
def assignment_detail(request, pk):
    """The reviewer's page for one proposal: declaration first, then the proposal and the scoring form."""
    assignment = _own_assignment(request, pk)
    project = assignment.project
    declaration = selectors.declaration_of(assignment)
    readable = selectors.may_read_proposal(assignment)
    grid = selectors.grid_of(project.call)
    review = getattr(assignment, "review", None)
    form = None
    status = 200
    if readable and grid is not None:
        form = ReviewForm(
            request.POST or None,
            grid=grid,
            initial_scores=review.scores if review else {},
            initial={
                "comments": review.comments if review else "",
                "version": review.version if review else None,
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.save_review(
                    assignment,
                    actor=request.user,
                    scores=form.scores(),
                    comments=form.cleaned_data["comments"],
                    submit=bool(request.POST.get("submit")),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleObject as exc:
                form.add_error(None, exc.message)
            except TransitionNotAllowed as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Review submitted. Thank you.") if request.POST.get("submit") else _("Draft saved."),
                )
                return redirect("reviews:assignment", pk=assignment.pk)
        if form.errors:
            status = 400
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "title": project.acronym or project.title,
        "breadcrumb": [(_("My reviews"), reverse("reviews:mine")), (project.acronym or project.title, None)],
        "assignment": assignment,
        "project": project,
        "declaration": declaration,
        "declaration_form": DeclarationForm() if declaration is None else None,
        "readable": readable,
        "form": form,
        "review": review,
        "labels": _labels(grid),
        "submitted": assignment.status == Assignment.Status.SUBMITTED,
        "consortium": project.participations.select_related("organisation").order_by(
            "role", "organisation__name"
        ),
        "details": _proposal_details(project) if readable else None,
    }
    return render(request, "reviews/assignment.html", context, status=status)


def _proposal_details(project: Project) -> dict:
    """What the reviewer reads once declared: budgets per partner and cost type, aid asked, attachments."""
    participations = project.participations.select_related("organisation").prefetch_related(
        "budget_lines", "aid_requests__funder"
    )
    partners = []
    for p in participations:
        lines = {line.get_cost_type_display(): line.amount for line in p.budget_lines.all()}
        partners.append(
            {
                "participation": p,
                "lines": lines,
                "budget": sum(lines.values()),
                "aid": [(r.funder, r.amount) for r in p.aid_requests.all()],
            }
        )
    return {"partners": partners, "attachments": project.attachments.all()}


@login_required
@require_POST
def declare(request, pk):
    """The reviewer signs their declaration (no conflict, or a conflict that withdraws them)."""
    assignment = _own_assignment(request, pk)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        context = {
            "title": assignment.project.acronym or assignment.project.title,
            "breadcrumb": [(_("My reviews"), reverse("reviews:mine")), (assignment.project.acronym, None)],
            "assignment": assignment,
            "project": assignment.project,
            "declaration": None,
            "declaration_form": form,
            "readable": False,
            "consortium": assignment.project.participations.select_related("organisation"),
        }
        return render(request, "reviews/assignment.html", context, status=400)
    conflict = form.cleaned_data["choice"] == "conflict"
    try:
        services.declare(
            assignment, actor=request.user, has_conflict=conflict, statement=form.cleaned_data["statement"]
        )
    except (TransitionNotAllowed, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
        return redirect("reviews:assignment", pk=assignment.pk)
    if conflict:
        messages.info(
            request, _("Your conflict of interest is recorded: this proposal is withdrawn from your list.")
        )
        return redirect("reviews:mine")
    messages.success(request, _("Declaration signed. You can now read and score the proposal."))
    return redirect("reviews:assignment", pk=assignment.pk)
