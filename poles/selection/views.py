"""Selection and decision pages: runs with their reasons, adjustments, confirmation, decisions, letters."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from poles.calls.models import Call, Funder
from poles.core import audit
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import VIEW, can, get_for_change, get_or_404
from poles.core.roles import roles_of
from poles.grants.models import Decision
from poles.projects.models import Participation

from . import decisions as decision_services
from . import selectors, services
from .forms import AdjustItemForm, ConfirmForm, DecideForm, DecisionForm
from .models import SelectionItem, SelectionRun


def _message_of(exc) -> str:
    if isinstance(exc, TransitionNotAllowed):
        return str(exc.message)
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _readable_call(request, pk) -> Call:
    call = get_object_or_404(Call, pk=pk)
    if not can(request.user, "selection.view", call):
        raise PermissionDenied
    return call


def _crumbs(call: Call | None, *tail):
    out = [(_("Selection and decisions"), reverse("selection:index"))]
    if call is not None:
        out.append((call.title, reverse("selection:call", args=[call.pk])))
    return [*out, *tail]


@login_required
def index(request):
    """The calls whose selection and decisions the user follows."""
    roles = roles_of(request.user)
    if not (roles.superuser or roles.reads_programme or roles.funder_of):
        raise PermissionDenied
    context = {
        "title": _("Selection and decisions"),
        "breadcrumb": [(_("Selection and decisions"), None)],
        "calls": selectors.calls_for(request.user),
    }
    return render(request, "selection/index.html", context)


@login_required
def call_detail(request, pk):
    """A call's selection runs, the latest one's summary, and the way to decisions."""
    call = _readable_call(request, pk)
    runs = (
        SelectionRun.objects.filter(call=call)
        .select_related("created_by", "confirmed_by")
        .order_by("-created_at", "-pk")
    )
    context = {
        "title": _("Selection — %(call)s") % {"call": call.title},
        "breadcrumb": _crumbs(None, (call.title, None)),
        "call": call,
        "runs": runs,
        "latest": runs.first(),
        "can_run": can(request.user, "selection.run", call),
        "envelopes": call.call_funders.select_related("funder").order_by("funder__name"),
        "policy": services.constraints_of(call),
    }
    return render(request, "selection/call.html", context)


@login_required
@require_POST
def run(request, pk):
    """Run the selection engine on the call (officers)."""
    call = get_object_or_404(Call, pk=pk)
    if not can(request.user, "selection.run", call):
        raise PermissionDenied
    try:
        selection = services.run_selection(call, actor=request.user)
    except (TransitionNotAllowed, ValidationError) as exc:
        messages.error(request, _message_of(exc))
        return redirect("selection:call", pk=call.pk)
    messages.success(request, _("Selection computed: review the proposals in and out, then confirm."))
    return redirect("selection:run_detail", pk=selection.pk)


@login_required
def run_detail(request, pk):
    """For each proposal: in or out, and why (the binding limit, the greedy comparison, the gap)."""
    selection = get_or_404(
        SelectionRun.objects.select_related("call", "created_by", "confirmed_by"), request.user, VIEW, pk=pk
    )
    call = selection.call
    rows = selectors.run_items(selection)
    latest = services.latest_run(call)
    context = {
        "title": _("Selection run of %(date)s")
        % {"date": formats.date_format(timezone.localtime(selection.created_at), "SHORT_DATETIME_FORMAT")},
        "breadcrumb": _crumbs(call, (_("Run"), None)),
        "run": selection,
        "call": call,
        "rows": rows,
        "usage": selectors.usage_rows(selection),
        "n_selected": sum(1 for r in rows if r["item"].outcome == SelectionItem.Outcome.SELECTED),
        "n_proposed": sum(1 for r in rows if r["item"].proposed),
        "n_greedy": sum(1 for r in rows if r["item"].greedy),
        "gain": selection.objective - selection.greedy_objective,
        "can_adjust": can(request.user, "selection.adjust", selection) and latest == selection,
        "can_confirm": can(request.user, "selection.confirm", selection)
        and latest == selection
        and not selection.confirmed_at,
        "overruns": services.envelope_overruns(selection),
        "confirm_form": ConfirmForm(),
        "history": audit.history(selection),
    }
    return render(request, "selection/run.html", context)


@login_required
def item_adjust(request, pk):
    """Select, reserve or reject one proposal against the optimiser's proposal, with a reason."""
    item = get_for_change(SelectionItem.objects.select_related("run__call", "project"), request.user, pk=pk)
    form = AdjustItemForm(
        request.POST or None, initial={"outcome": item.outcome, "reason": item.adjustment_reason}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.adjust(item, actor=request.user, **form.cleaned_data)
        except (TransitionNotAllowed, ValidationError) as exc:
            form.add_error(None, _message_of(exc))
        else:
            messages.success(request, _("Outcome recorded."))
            return redirect("selection:run_detail", pk=item.run_id)
    funders = dict(Funder.objects.filter(call_funders__call=item.run.call).values_list("slug", "name"))
    context = {
        "title": _("Outcome of %(project)s") % {"project": item.project.acronym},
        "breadcrumb": _crumbs(
            item.run.call,
            (_("Run"), reverse("selection:run_detail", args=[item.run_id])),
            (item.project.acronym, None),
        ),  # fmt: skip
        "form": form,
        "item": item,
        "why": selectors.describe(item, funders, {}),
        "cancel_url": reverse("selection:run_detail", args=[item.run_id]),
        "history": audit.history(item),
    }
    return render(request, "selection/item_adjust.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def confirm(request, pk):
    """Confirm the run: proposals move to their outcomes, decisions are computed."""
    selection = get_for_change(SelectionRun.objects.select_related("call"), request.user, pk=pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        outcome = services.confirm(selection, actor=request.user, reason=form.cleaned_data.get("reason", ""))
    except (TransitionNotAllowed, ValidationError) as exc:
        messages.error(request, _message_of(exc))
        return redirect("selection:run_detail", pk=selection.pk)
    messages.success(
        request,
        _("Selection confirmed: %(moved)s proposals moved, %(decisions)s decisions proposed to the funders.")
        % {"moved": outcome.moved, "decisions": outcome.decisions},
    )
    for error in outcome.errors:
        messages.warning(request, str(error))
    return redirect("selection:decisions", pk=selection.call_id)


@login_required
def decisions(request, pk):
    """A call's decisions per funder and partner, and the per-funder reconciliation with the selection."""
    call = _readable_call(request, pk)
    rows = selectors.decisions_for(request.user, call)
    roles = roles_of(request.user)
    context = {
        "title": _("Decisions — %(call)s") % {"call": call.title},
        "breadcrumb": _crumbs(call, (_("Decisions"), None)),
        "call": call,
        "rows": rows,
        "own_funders": roles.funder_of,
        "reconciliation": decision_services.reconciliation(call),
        "can_compute": can(request.user, "selection.compute_decisions", call),
    }
    return render(request, "selection/decisions.html", context)


@login_required
@require_POST
def compute(request, pk):
    """Compute the decisions of selected projects that have none (after fixing a rate table, say)."""
    call = get_object_or_404(Call, pk=pk)
    if not can(request.user, "selection.compute_decisions", call):
        raise PermissionDenied
    outcome = decision_services.compute(call, actor=request.user)
    messages.success(request, _("%(n)s decisions computed.") % {"n": len(outcome.created)})
    for error in outcome.errors:
        messages.warning(request, str(error))
    return redirect("selection:decisions", pk=call.pk)


@login_required
def decision_detail(request, pk):
    """One decision: how the aid is computed; its funder (or an officer) adjusts the eligible cost,
    its funder decides. A stale form shows who changed what, and keeps what the user typed."""
    decision = get_or_404(
        Decision.objects.select_related("funder", "project__call", "participation__organisation"),
        request.user,
        VIEW,
        pk=pk,
    )
    can_adjust = (
        can(request.user, "selection.adjust_decision", decision)
        and decision.status == Decision.Status.PROPOSED
    )
    can_decide = (
        can(request.user, "selection.decide", decision) and decision.status == Decision.Status.PROPOSED
    )
    form = DecisionForm(
        request.POST if request.method == "POST" and "adjust" in request.POST else None,
        initial={"eligible_cost": decision.eligible_cost, "version": decision.version},
    )
    decide_form = DecideForm(
        request.POST if request.method == "POST" and "decide" in request.POST else None,
        initial={"version": decision.version},
    )
    status = 200
    if request.method == "POST":
        if "adjust" in request.POST:
            if not can_adjust:
                raise PermissionDenied
            if form.is_valid():
                try:
                    decision_services.adjust(
                        decision,
                        actor=request.user,
                        eligible_cost=form.cleaned_data["eligible_cost"],
                        reason=form.cleaned_data["reason"],
                        expected_version=form.cleaned_data["version"],
                    )
                except StaleObject as exc:
                    form.add_error(None, exc.message)
                except (TransitionNotAllowed, ValidationError) as exc:
                    form.add_error(None, _message_of(exc))
                else:
                    messages.success(request, _("Eligible cost changed; the aid is recomputed."))
                    return redirect("selection:decision", pk=decision.pk)
        elif "decide" in request.POST:
            if not can_decide:
                raise PermissionDenied
            if decide_form.is_valid():
                try:
                    decision_services.decide(
                        decision, actor=request.user, expected_version=decide_form.cleaned_data["version"]
                    )
                except StaleObject as exc:
                    decide_form.add_error(None, exc.message)
                except TransitionNotAllowed as exc:
                    decide_form.add_error(None, _message_of(exc))
                else:
                    messages.success(request, _("Decision taken; the partner is notified."))
                    return redirect("selection:letter", pk=decision.participation_id)
        status = 400
    if status == 400:
        decision.refresh_from_db()
    context = {
        "title": _("Decision: %(funder)s → %(partner)s")
        % {"funder": decision.funder, "partner": decision.participation.organisation},
        "breadcrumb": _crumbs(
            decision.project.call,
            (_("Decisions"), reverse("selection:decisions", args=[decision.project.call_id])),
            (str(decision.participation.organisation), None),
        ),  # fmt: skip
        "decision": decision,
        "explanation": decision_services.explain(decision),
        "budget": sum(line.amount for line in decision.participation.budget_lines.all()),
        "requested": decision.participation.aid_requests.filter(funder=decision.funder).first(),
        "form": form if can_adjust else None,
        "decide_form": decide_form if can_decide else None,
        "history": audit.history(decision),
    }
    return render(request, "selection/decision.html", context, status=status)


@login_required
def letters(request):
    """The decision letters the user may read (a member: its organisations')."""
    context = {
        "title": _("Decision letters"),
        "breadcrumb": [(_("Decision letters"), None)],
        "participations": selectors.letters_for(request.user),
    }
    return render(request, "selection/letters.html", context)


def _letter_participation(request, pk) -> Participation:
    participation = (
        Participation.objects.select_related("organisation", "project__call").filter(pk=pk).first()
    )
    if participation is None or not can(request.user, "selection.view_letter", participation):
        raise Http404
    if not participation.decisions.filter(status__in=decision_services.DECIDED).exists():
        raise Http404
    return participation


@login_required
def letter(request, pk):
    """A partner's decision letter (HTML); the PDF comes from the same letter template."""
    participation = _letter_participation(request, pk)
    context = {
        **decision_services.letter_context(participation),
        "title": _("Decision letter — %(partner)s") % {"partner": participation.organisation},
        "breadcrumb": [
            (_("Decision letters"), reverse("selection:letters")),
            (str(participation.organisation), None),
        ],
    }
    return render(request, "selection/decision_letter.html", context)


@login_required
def letter_pdf(request, pk):
    """The same letter as a PDF to download."""
    participation = _letter_participation(request, pk)
    pdf = decision_services.letter_pdf(participation)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="decision-{participation.project_id}-{participation.organisation_id}.pdf"'
    )
    return response
