"""Partner-search pages: search with reasons, partner pages, profile and opt-in, the consortium
builder with its check and swaps, contact requests. Thin: forms validate, selectors read,
services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from poles.core import audit
from poles.core.exceptions import StaleObject
from poles.core.permissions import VIEW, can, get_for_change, get_or_404
from poles.core.roles import roles_of
from poles.organisations.models import Organisation
from poles.projects.models import Project

from . import consortia, selectors, services
from .composition import InvalidCallRules, slot_label
from .forms import (
    ConsortiumForm,
    ContactRequestForm,
    PartnerProfileForm,
    PartnerSearchForm,
    StartProposalForm,
)
from .models import PartnerProfile

MEMBER_PREFIX = "m_"


def _search_crumbs(*more):
    return [(_("Partner search"), reverse("matchmaking:search")), *more]


def _without(query: QueryDict, *names: str) -> str:
    query = query.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
def search(request):
    """Describe a need, filter, read ranked partners and why each one is suggested."""
    form = PartnerSearchForm(request.GET or None)
    outcome = None
    if form.is_bound and form.is_valid():
        outcome = selectors.search_partners(request.user, **form.search_kwargs())
    consortium = form.cleaned_data.get("consortium", []) if form.is_bound and form.is_valid() else []
    context = {
        "title": _("Partner search"),
        "breadcrumb": [(_("Partner search"), None)],
        "form": form,
        "outcome": outcome,
        # Only organisations one may see in partner search are named back (the findable ones, one's own).
        "consortium": Organisation.objects.filter(pk__in=consortium)
        .filter(Q(findable=True) | Q(pk__in=roles_of(request.user).member_of))
        .order_by("name"),
        "consortium_ids": ",".join(str(pk) for pk in consortium),
        "querystring": _without(request.GET, "consortium"),
        "own_organisations": selectors.lead_organisations(request.user),
    }
    if request.htmx:  # htmx swaps only 2xx answers: the fragment itself shows the errors
        return render(request, "matchmaking/_search_results.html", context)
    return render(
        request, "matchmaking/search.html", context, status=400 if form.is_bound and form.errors else 200
    )


@login_required
def partner(request, pk):
    """A findable organisation's partner page (404 otherwise, except for its own members)."""
    context = selectors.partner_page(request.user, pk)
    organisation = context["organisation"]
    context.update(
        title=organisation.name,
        breadcrumb=_search_crumbs((organisation.name, None)),
        can_change=can(request.user, "matchmaking.change_partner_profile", organisation),
    )
    return render(request, "matchmaking/partner.html", context)


@login_required
def profile_edit(request, pk):
    """Members keep their organisation's opt-in, competences and partner profile."""
    organisation = get_for_change(Organisation.objects.all(), request.user, pk=pk)
    if not can(request.user, "matchmaking.change_partner_profile", organisation):
        raise PermissionDenied
    profile = PartnerProfile.objects.filter(organisation=organisation).first()
    form = PartnerProfileForm(
        request.POST or None, initial=PartnerProfileForm.initial_for(organisation, profile)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_partner_profile(
                organisation,
                actor=request.user,
                expected_version=data["version"],
                profile_version=data["profile_version"],
                findable=data["findable"],
                competences=data["competences"],
                competences_text=data["competences_text"],
                **{name: data[name] for name in PartnerProfileForm.PROFILE_FIELDS},
            )
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Partner profile saved."))
            return redirect("matchmaking:partner", pk=organisation.pk)
    context = {
        "title": _("Partner profile and opt-in"),
        "breadcrumb": _search_crumbs(
            (organisation.name, reverse("matchmaking:partner", args=[organisation.pk])), (_("Edit"), None)
        ),
        "form": form,
        "organisation": organisation,
        "cancel_url": reverse("matchmaking:partner", args=[organisation.pk]),
        "history": audit.history(organisation).order_by("-id")[:10],
    }
    return render(request, "matchmaking/profile_form.html", context, status=400 if form.errors else 200)


@login_required
def contact(request, pk):
    """Write to a findable organisation; the platform relays the message by e-mail."""
    recipient = selectors.findable_organisation(pk)
    form = ContactRequestForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.send_contact_request(
                sender=request.user,
                recipient=recipient,
                subject=data["subject"],
                message=data["message"],
                consent=data["consent"],
                sender_organisation=data["sender_organisation"],
            )
        except services.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Your message was sent to %(org)s. They will answer you by e-mail.")
                % {"org": recipient.name},
            )
            return redirect("matchmaking:contact_requests")
    context = {
        "title": _("Contact %(org)s") % {"org": recipient.name},
        "breadcrumb": _search_crumbs(
            (recipient.name, reverse("matchmaking:partner", args=[recipient.pk])), (_("Contact"), None)
        ),
        "form": form,
        "recipient": recipient,
        "cancel_url": reverse("matchmaking:partner", args=[recipient.pk]),
        "limit": services.contact_requests_per_day(),
    }
    if form.errors and status == 200:
        status = 400
    return render(request, "matchmaking/contact_form.html", context, status=status)


@login_required
def contact_requests(request):
    """The requests the user sent, and those their organisations received."""
    visible = selectors.contact_requests_for(request.user)
    context = {
        "title": _("Contact requests"),
        "breadcrumb": _search_crumbs((_("Contact requests"), None)),
        "sent": visible.filter(sender=request.user)[:100],
        "received": visible.exclude(sender=request.user)[:100],
    }
    return render(request, "matchmaking/contact_requests.html", context)


def _builder_form(request, data: QueryDict | None) -> ConsortiumForm:
    return ConsortiumForm(data, user=request.user)


def _consortium_request(form: ConsortiumForm) -> consortia.ConsortiumRequest:
    data = form.cleaned_data
    return consortia.ConsortiumRequest(
        call=data["call"],
        lead=data["lead"],
        idea=data["idea"],
        lead_cluster=data["lead_cluster"],
        extra_partners=data["extra_partners"],
    )


def _members(query: QueryDict) -> dict[str, str]:
    return {key[len(MEMBER_PREFIX) :]: value for key, value in query.items() if key.startswith(MEMBER_PREFIX)}


def _base_query(form: ConsortiumForm) -> dict[str, str]:
    data = form.cleaned_data
    query = {
        "lead": data["lead"].pk,
        "call": data["call"].pk,
        "idea": data["idea"],
        "extra_partners": data["extra_partners"],
    }
    if data["lead_cluster"]:
        query["lead_cluster"] = data["lead_cluster"].slug
    return query


def _require_lead(request):
    if not selectors.lead_organisations(request.user).exists():
        raise PermissionDenied


def _card_context(form, proposal, number) -> dict:
    base = _base_query(form)
    members = {f"{MEMBER_PREFIX}{slot}": org for slot, org in proposal.members.items() if slot != "lead"}
    query = QueryDict(mutable=True)
    query.update({**base, **members})
    return {
        "proposal": proposal,
        "number": number,
        "base_query": base,
        "query": query.urlencode(),
    }


@login_required
def builder(request):
    """From a lead, an idea and an open call to ranked consortia with the call's rules checked."""
    _require_lead(request)
    form = _builder_form(request, request.GET or None)
    outcome, error = None, None
    cards = []
    if form.is_bound and form.is_valid():
        try:
            outcome = consortia.propose(_consortium_request(form))
        except InvalidCallRules:
            error = _("The rules of this call cannot be checked: please tell the programme officers.")
        else:
            cards = [_card_context(form, p, i + 1) for i, p in enumerate(outcome.proposals)]
    context = {
        "title": _("Build a consortium"),
        "breadcrumb": _search_crumbs((_("Build a consortium"), None)),
        "form": form,
        "outcome": outcome,
        "cards": cards,
        "error": error,
        "any_eligible": any(c["proposal"].check.eligible for c in cards),
        "slot_labels": {s.name: slot_label(s.name) for s in outcome.slots} if outcome else {},
        "lead_cluster": form.cleaned_data.get("lead_cluster") if outcome else None,
    }
    return render(
        request, "matchmaking/builder.html", context, status=400 if form.is_bound and form.errors else 200
    )


def _recheck(request):
    form = _builder_form(request, request.GET)
    if not form.is_valid():
        return form, None, None
    try:
        proposal = consortia.recheck(_consortium_request(form), _members(request.GET))
    except ValidationError as exc:
        return form, None, exc.messages
    except InvalidCallRules:
        return (
            form,
            None,
            [_("The rules of this call cannot be checked: please tell the programme officers.")],
        )
    return form, proposal, None


@login_required
def consortium_check(request):
    """One consortium after a swap, checked again (a fragment for htmx, a page otherwise)."""
    _require_lead(request)
    form, proposal, errors = _recheck(request)
    context = {
        "title": _("Check a consortium"),
        "breadcrumb": _search_crumbs(
            (_("Build a consortium"), reverse("matchmaking:builder") + "?" + request.GET.urlencode()),
            (_("Check a consortium"), None),
        ),
        "form": form,
        "errors": errors or [message for messages_ in form.errors.values() for message in messages_],
    }
    if proposal is None:
        if request.htmx:  # htmx swaps only 2xx answers: the fragment itself shows the errors
            return render(request, "matchmaking/_consortium_errors.html", context)
        return render(request, "matchmaking/consortium_check.html", context, status=400)
    number = request.GET.get("number", "1")
    context.update(_card_context(form, proposal, int(number) if number.isdigit() else 1))
    template = "matchmaking/_consortium.html" if request.htmx else "matchmaking/consortium_check.html"
    return render(request, template, context)


@login_required
def start_proposal(request):
    """Name the project and start a draft proposal in the call from the chosen consortium."""
    _require_lead(request)
    form, proposal, errors = _recheck(request)
    if proposal is None:
        context = {
            "title": _("Start a draft proposal"),
            "breadcrumb": _search_crumbs((_("Start a draft proposal"), None)),
            "form": form,
            "errors": errors or [message for messages_ in form.errors.values() for message in messages_],
        }
        return render(request, "matchmaking/consortium_check.html", context, status=400)
    idea = form.cleaned_data["idea"]
    details = StartProposalForm(
        request.POST or None, initial={"summary": idea, "title": idea[:300].split("\n")[0]}
    )
    if request.method == "POST" and details.is_valid():
        try:
            project = services.start_proposal(
                _consortium_request(form), _members(request.GET), actor=request.user, **details.cleaned_data
            )
        except ValidationError as exc:
            details.add_error(None, exc)
        else:
            messages.success(request, _("Draft proposal started. Invite your partners before you submit it."))
            return redirect("matchmaking:proposal_started", pk=project.pk)
    context = {
        "title": _("Start a draft proposal"),
        "breadcrumb": _search_crumbs(
            (_("Build a consortium"), reverse("matchmaking:builder") + "?" + request.GET.urlencode()),
            (_("Start a draft proposal"), None),
        ),
        "form": details,
        "call": form.cleaned_data["call"],
        "cancel_url": reverse("matchmaking:builder") + "?" + request.GET.urlencode(),
        **_card_context(form, proposal, 1),
    }
    return render(request, "matchmaking/start_proposal.html", context, status=400 if details.errors else 200)


@login_required
def proposal_started(request, pk):
    """The draft just started: its call, consortium and what to do next.

    Integration note: once the calls app has a proposal page, redirect there instead.
    """
    project = get_or_404(Project.objects.select_related("call", "lead_cluster"), request.user, VIEW, pk=pk)
    context = {
        "title": project.title,
        "breadcrumb": _search_crumbs((project.acronym, None)),
        "project": project,
        "participations": project.participations.select_related("organisation").order_by(
            "-role", "organisation__name"
        ),
    }
    return render(request, "matchmaking/proposal_started.html", context)
