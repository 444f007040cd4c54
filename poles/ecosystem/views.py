"""Ecosystem pages: actions, skills, events with registration and B2B meetings, fund-raisings and
the leverage table. Thin views over the services; hidden objects are 404, others' are 403."""

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

from . import selectors, services
from .filters import ActionFilter, EventFilter, FundRaisingFilter, SkillFilter
from .forms import (
    ActionForm,
    EventForm,
    FundRaisingForm,
    MeetingRequestForm,
    ParticipantForm,
    RegistrationForm,
    ReviewForm,
    SkillForm,
    organised_clusters,
)
from .models import Action, Event, FundRaising, MeetingRequest, Registration


def _crumb():
    return (_("Ecosystem"), reverse("ecosystem:home"))


def _errors(form, exc) -> None:
    if isinstance(exc, StaleObject | TransitionNotAllowed):
        form.add_error(None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_page(request, form, title, crumbs, cancel_url, template="poles/form_page.html", **extra):
    context = {"title": title, "breadcrumb": crumbs, "form": form, "cancel_url": cancel_url, **extra}
    return render(request, template, context, status=400 if form.errors else 200)


def home(request):
    now = timezone.now()
    context = {
        "title": _("Cluster ecosystems"),
        "breadcrumb": [(_("Ecosystem"), None)],
        "events": selectors.events_for(request.user)
        .filter(starts_at__gte=now, status="published")
        .order_by("starts_at")[:8],
        "actions": selectors.actions_for(request.user).order_by("-start_date", "-id")[:8],
        "can_organise": organised_clusters(request.user).exists(),
    }
    return render(request, "ecosystem/home.html", context)


# --- Actions -----------------------------------------------------------------------------------


class ActionList(FilteredListView):
    template_name = "ecosystem/action_list.html"
    partial_template_name = "ecosystem/_actions.html"
    filterset_class = ActionFilter
    download_name = "actions"
    download_columns = (
        (gettext_lazy("action"), "title"), (gettext_lazy("cluster"), "cluster.name"), (gettext_lazy("kind"), "get_kind_display"),
        (gettext_lazy("format"), "get_format_display"), (gettext_lazy("start"), "start_date"), (gettext_lazy("country"), "country"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.actions_for(self.request.user).order_by("-start_date", "-id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Ecosystem actions"), breadcrumb=[_crumb(), (_("Actions"), None)], **kwargs
        )


def action_detail(request, pk):
    action = get_or_404(Action.objects.select_related("cluster"), request.user, pk=pk)
    context = {
        "title": action.title,
        "breadcrumb": [_crumb(), (_("Actions"), reverse("ecosystem:actions")), (action.title, None)],
        "action": action,
        "participants": action.participations.select_related("organisation").order_by("organisation__name"),
        "events": action.events.exclude(status="draft"),
        "can_manage": can(request.user, "ecosystem.manage_action", action),
    }
    return render(request, "ecosystem/action.html", context)


@login_required
def action_create(request):
    if not organised_clusters(request.user).exists():
        raise PermissionDenied
    form = ActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "cluster")}
        action = services.create_action(form.cleaned_data["cluster"], actor=request.user, **values)
        messages.success(request, _("Action recorded."))
        return redirect("ecosystem:action_detail", pk=action.pk)
    return _form_page(
        request, form, _("Record an ecosystem action"), [_crumb(), (_("New action"), None)],
        reverse("ecosystem:actions"),
    )  # fmt: skip


@login_required
def action_edit(request, pk):
    action = get_for_change(Action.objects.select_related("cluster"), request.user, pk=pk)
    form = ActionForm(request.POST or None, instance=Action.objects.get(pk=action.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "cluster")}
        try:
            services.update_action(
                action, actor=request.user, expected_version=form.cleaned_data["version"], **values
            )
        except (StaleObject, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Action saved."))
            return redirect("ecosystem:action_detail", pk=action.pk)
    return _form_page(
        request, form, _("Edit the action"), [_crumb(), (action.title, None)],
        reverse("ecosystem:action_detail", args=[action.pk]), template="ecosystem/form_history.html",
        history=audit.history(action).order_by("-id")[:20],
    )  # fmt: skip


@login_required
def participant_add(request, pk):
    action = get_for_change(Action.objects.select_related("cluster"), request.user, pk=pk)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_participant(
                action, data["organisation"], actor=request.user, role=data["role"], result=data["result"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Participant added."))
            return redirect("ecosystem:action_detail", pk=action.pk)
    return _form_page(
        request, form, _("Add a participant"), [_crumb(), (action.title, None)],
        reverse("ecosystem:action_detail", args=[action.pk]),
    )  # fmt: skip


# --- Skills ------------------------------------------------------------------------------------


class SkillList(FilteredListView):
    template_name = "ecosystem/skill_list.html"
    partial_template_name = "ecosystem/_skills.html"
    filterset_class = SkillFilter
    download_name = "skills"
    download_columns = (
        (gettext_lazy("skill"), "label"), (gettext_lazy("description"), "description"),
        (gettext_lazy("offered or sought"), "get_direction_display"), (gettext_lazy("organisation"), "organisation.name"),
        (gettext_lazy("cluster"), "cluster.name"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.skills_for(self.request.user).order_by("cluster__name", "direction", "label", "pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Skills offered and sought"), breadcrumb=[_crumb(), (_("Skills"), None)], **kwargs
        )


@login_required
def skill_add(request):
    roles = roles_of(request.user)
    if not (roles.member_of or roles.is_officer or roles.cluster_of):
        raise PermissionDenied
    form = SkillForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        services.add_skill(data.pop("cluster"), data.pop("organisation"), actor=request.user, **data)
        messages.success(request, _("Skill recorded."))
        return redirect("ecosystem:skills")
    return _form_page(
        request, form, _("Offer or seek a skill"), [_crumb(), (_("Skills"), reverse("ecosystem:skills"))],
        reverse("ecosystem:skills"),
    )  # fmt: skip


# --- Events ------------------------------------------------------------------------------------


class EventList(FilteredListView):
    template_name = "ecosystem/event_list.html"
    partial_template_name = "ecosystem/_events.html"
    filterset_class = EventFilter
    download_name = "events"
    download_columns = (
        (gettext_lazy("event"), "title"), (gettext_lazy("B2B meetings"), lambda e: _("yes") if e.b2b else _("no")),
        (gettext_lazy("cluster"), "cluster.name"), (gettext_lazy("starts at"), "starts_at"),
        (gettext_lazy("registered"), "n_registered"), (gettext_lazy("places (organisations)"), "capacity"),
        (gettext_lazy("status"), "get_status_display"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.events_for(self.request.user).order_by("-starts_at", "-id")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Events"), breadcrumb=[_crumb(), (_("Events"), None)], **kwargs
        )


def event_detail(request, pk):
    event = get_or_404(Event.objects.select_related("cluster", "action"), request.user, pk=pk)
    user = request.user
    roles = roles_of(user)
    mine = list(
        event.registrations.filter(organisation_id__in=roles.member_of).select_related("organisation")
    )
    registered_b2b = [r for r in mine if r.status == "registered" and r.wants_b2b]
    organiser = can(user, "ecosystem.manage_event", event)
    context = {
        "title": event.title,
        "breadcrumb": [_crumb(), (_("Events"), reverse("ecosystem:events")), (event.title, None)],
        "event": event,
        "mine": mine,
        "organiser": organiser,
        "registered_count": event.registrations.filter(status="registered").count(),
        "registrations": selectors.registrations_for(user, event) if organiser else [],
        "directory": selectors.b2b_directory(event) if (registered_b2b or organiser) and event.b2b else [],
        "requests": selectors.requests_for(user, event),
        "meetings": selectors.meetings_for(user, event),
        "can_register": event.status == "published"
        and event.starts_at > timezone.now()
        and can(user, "ecosystem.register", event),
        "can_request": bool(registered_b2b) and event.b2b,
        "member_of": roles.member_of,
    }
    return render(request, "ecosystem/event.html", context)


@login_required
def event_create(request):
    if not organised_clusters(request.user).exists():
        raise PermissionDenied
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "cluster")}
        try:
            event = services.create_event(form.cleaned_data["cluster"], actor=request.user, **values)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Event created; publish it to open registration."))
            return redirect("ecosystem:event_detail", pk=event.pk)
    return _form_page(
        request, form, _("Create an event"), [_crumb(), (_("New event"), None)], reverse("ecosystem:events")
    )


@login_required
def event_edit(request, pk):
    event = get_for_change(Event.objects.select_related("cluster"), request.user, pk=pk)
    form = EventForm(request.POST or None, instance=Event.objects.get(pk=event.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "cluster")}
        try:
            services.update_event(
                event, actor=request.user, expected_version=form.cleaned_data["version"], **values
            )
        except (StaleObject, ValidationError) as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Event saved."))
            return redirect("ecosystem:event_detail", pk=event.pk)
    return _form_page(
        request, form, _("Edit the event"), [_crumb(), (event.title, None)],
        reverse("ecosystem:event_detail", args=[event.pk]), template="ecosystem/form_history.html",
        history=audit.history(event).order_by("-id")[:20],
    )  # fmt: skip


@login_required
@require_POST
def event_publish(request, pk):
    event = get_for_change(Event.objects.all(), request.user, pk=pk)
    try:
        services.publish_event(event, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Event published: registration is open."))
    return redirect("ecosystem:event_detail", pk=event.pk)


@login_required
def event_register(request, pk):
    event = get_or_404(Event.objects.select_related("cluster"), request.user, pk=pk)
    if not can(request.user, "ecosystem.register", event):
        raise PermissionDenied
    form = RegistrationForm(request.POST or None, event=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = services.register(
                event, data["organisation"], actor=request.user, attendees=data["attendees"],
                wants_b2b=data.get("wants_b2b", False), b2b_profile=data.get("b2b_profile", ""),
            )  # fmt: skip
        except (TransitionNotAllowed, ValidationError) as exc:
            _errors(form, exc)
        else:
            if registration.status == Registration.Status.WAITING:
                messages.warning(request, _("The event is full: you are on the waiting list."))
            else:
                messages.success(request, _("Registration recorded."))
            return redirect("ecosystem:event_detail", pk=event.pk)
    return _form_page(
        request, form, _("Register to %(event)s") % {"event": event.title}, [_crumb(), (event.title, None)],
        reverse("ecosystem:event_detail", args=[event.pk]),
    )  # fmt: skip


@login_required
@require_POST
def registration_cancel(request, pk):
    registration = get_for_change(Registration.objects.select_related("event"), request.user, pk=pk)
    try:
        services.cancel_registration(registration, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Registration cancelled."))
    return redirect("ecosystem:event_detail", pk=registration.event_id)


@login_required
def meeting_request(request, pk):
    event = get_or_404(Event.objects.all(), request.user, pk=pk)
    form = MeetingRequestForm(request.POST or None, event=event, user=request.user)
    if not form.fields["requester"].queryset.exists():
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_meeting(
                data["requester"], data["target"], actor=request.user, message=data["message"]
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Meeting requested."))
            return redirect("ecosystem:event_detail", pk=event.pk)
    return _form_page(
        request, form, _("Ask for a B2B meeting"), [_crumb(), (event.title, None)],
        reverse("ecosystem:event_detail", args=[event.pk]),
    )  # fmt: skip


@login_required
@require_POST
def meeting_answer(request, pk):
    meeting_request = get_for_change(MeetingRequest.objects.select_related("target"), request.user, pk=pk)
    try:
        services.answer_meeting(
            meeting_request, actor=request.user, accept=request.POST.get("answer") == "accept"
        )
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    return redirect("ecosystem:event_detail", pk=meeting_request.event_id)


@login_required
@require_POST
def event_schedule(request, pk):
    event = get_for_change(Event.objects.all(), request.user, pk=pk)
    try:
        meetings, left = services.build_schedule(event, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Schedule built: %(n)s meetings.") % {"n": len(meetings)})
        if left:
            messages.warning(
                request, _("%(n)s accepted meetings did not fit: add slots or tables.") % {"n": len(left)}
            )
    return redirect("ecosystem:event_detail", pk=event.pk)


# --- Fund-raising and leverage -----------------------------------------------------------------


class FundRaisingList(LoginRequiredMixin, FilteredListView):
    template_name = "ecosystem/fundraising_list.html"
    partial_template_name = "ecosystem/_fundraisings.html"
    filterset_class = FundRaisingFilter
    download_name = "fundraisings"
    download_columns = (
        (gettext_lazy("organisation"), "organisation.name"), (gettext_lazy("amount"), "amount"),
        (gettext_lazy("investor type"), "get_investor_type_display"), (gettext_lazy("closed on"), "closed_on"),
        (gettext_lazy("status"), "get_status_display"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.fundraisings_for(self.request.user).order_by("-closed_on", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            title=_("Private funding raised"), breadcrumb=[_crumb(), (_("Fund-raising"), None)], **kwargs
        )
        context["can_declare"] = can(self.request.user, "ecosystem.declare_fundraising")
        return context


@login_required
def fundraising_add(request):
    if not can(request.user, "ecosystem.declare_fundraising"):
        raise PermissionDenied
    form = FundRaisingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.declare_fundraising(data.pop("organisation"), actor=request.user, **data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Fund-raising declared; the cluster will validate it."))
            return redirect("ecosystem:fundraisings")
    return _form_page(
        request, form, _("Declare a fund-raising"), [_crumb(), (_("Fund-raising"), reverse("ecosystem:fundraisings"))],
        reverse("ecosystem:fundraisings"),
    )  # fmt: skip


@login_required
def fundraising_review(request, pk):
    fundraising = get_for_change(FundRaising.objects.select_related("organisation"), request.user, pk=pk)
    if not can(request.user, "ecosystem.validate_fundraising", fundraising):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "validate":
                services.validate_fundraising(fundraising, actor=request.user, note=data["note"])
            else:
                services.reject_fundraising(fundraising, actor=request.user, reason=data["note"])
        except TransitionNotAllowed as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("ecosystem:fundraisings")
    return _form_page(
        request, form, _("Validate a fund-raising"), [_crumb(), (str(fundraising), None)],
        reverse("ecosystem:fundraisings"), template="ecosystem/fundraising_review.html", fundraising=fundraising,
    )  # fmt: skip


def leverage(request):
    today = timezone.localdate()
    try:
        first = int(request.GET.get("from", today.year - 5))
        last = int(request.GET.get("to", today.year))
    except ValueError:
        first, last = today.year - 5, today.year
    first, last = max(2000, min(first, last)), min(max(first, last), today.year + 1)
    rows, total = selectors.leverage_table(first, last)
    context = {
        "title": _("Private funding leveraged by member SMEs"),
        "breadcrumb": [_crumb(), (_("Leverage"), None)],
        "rows": rows,
        "total": total,
        "first": first,
        "last": last,
        "years": list(range(2005, today.year + 1)),
    }
    return render(request, "ecosystem/leverage.html", context)
