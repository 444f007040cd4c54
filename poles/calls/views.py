"""Call pages: the public list and call page, and the officers' preparation and management pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
from poles.core.views import FilteredListView
from poles.instruments.models import Programme

from . import selectors, services, textdiff
from .filters import CallFilter
from .forms import (
    CallConfigForm,
    CallCreateForm,
    CallEditForm,
    EnvelopeForm,
    RateFormSet,
    RateRowForm,
    RatesMetaForm,
)
from .models import Call, Funder
from .workflow import CALL


def call_url(call: Call) -> str:
    return reverse("calls:detail", kwargs={"reference": call.reference})


def _crumbs(call: Call | None = None, *more):
    crumbs = [(_("Calls"), reverse("calls:list"))]
    if call is not None:
        crumbs.append((call.title, call_url(call)))
    return [*crumbs, *more]


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields where they exist, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class CallList(FilteredListView):
    template_name = "calls/list.html"
    partial_template_name = "calls/_results.html"
    filterset_class = CallFilter
    download_name = "calls"
    download_columns = (
        (gettext_lazy("reference"), "reference"), (gettext_lazy("title"), "title"), (gettext_lazy("opens at"), "opens_at"),
        (gettext_lazy("labelling deadline"), "labelling_deadline"), (gettext_lazy("submission deadline"), "submission_deadline"),
    )  # fmt: skip
    paginate_by = 20

    def get_base_queryset(self):
        return selectors.list_calls(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Calls for projects"), breadcrumb=[(_("Calls"), None)],
            can_create=can(self.request.user, "calls.add_call"), **kwargs,
        )  # fmt: skip


def call_detail(request, reference):
    call = get_or_404(
        selectors.calls_for(request.user).select_related("programme"), request.user, reference=reference
    )
    manage = can(request.user, "calls.manage_call", call)
    context = {
        "title": call.title,
        "breadcrumb": _crumbs(None, (call.title, None)),
        "call": call,
        "funders": call.call_funders.select_related("funder").order_by("funder__name"),
        "words": selectors.call_in_words(call),
        "versions": selectors.versions(call)[:20],
        "can_manage": manage,
        "can_apply": call.status == Call.Status.OPEN
        and timezone.now() <= call.submission_deadline
        and bool(getattr(request, "user", None) and request.user.is_authenticated),
        "transitions": CALL.available(call, request.user) if manage else [],
        "problems": services.publication_problems(call)
        if manage and call.status == Call.Status.DRAFT
        else [],
        "history": audit.history(call).order_by("-id")[:20] if manage else [],
        "now": timezone.now(),
    }
    return render(request, "calls/detail.html", context)


@login_required
def call_manage(request):
    if not can(request.user, "calls.add_call"):
        raise PermissionDenied
    context = {
        "title": _("Call management"),
        "breadcrumb": [(_("Calls"), reverse("calls:list")), (_("Call management"), None)],
        "calls": selectors.management_list(request.user),
    }
    return render(request, "calls/manage.html", context)


@login_required
def call_create(request):
    if not can(request.user, "calls.add_call"):
        raise PermissionDenied
    form = CallCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        programme = Programme.objects.filter(pk__in=_programmes(request.user)).order_by("pk").first()
        try:
            call = services.create_call(
                programme, actor=request.user, preset=data["preset"], reference=data["reference"],
                number=data["number"], title_fr=data["title_fr"], title_en=data["title_en"],
                description_fr=data["description_fr"], description_en=data["description_en"],
                opens_at=data["opens_at"], labelling_deadline=data["labelling_deadline"],
                submission_deadline=data["submission_deadline"], state_funder=data["state_funder"],
                envelopes={data["state_funder"]: data["envelope"]},
            )  # fmt: skip
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("Call created from the preset. Check its configuration, then publish it.")
            )
            return redirect(call_url(call))
    context = {
        "title": _("New call"),
        "breadcrumb": _crumbs(None, (_("New call"), None)),
        "form": form,
        "cancel_url": reverse("calls:manage"),
    }
    return render(request, "poles/form_page.html", context, status=400 if form.errors else 200)


def _programmes(user):
    from poles.core.roles import roles_of

    roles = roles_of(user)
    return Programme.objects.values("pk") if roles.superuser else roles.officer_of


def _changeable_call(request, reference) -> Call:
    return get_for_change(Call.objects.select_related("programme"), request.user, reference=reference)


@login_required
def call_edit(request, reference):
    call = _changeable_call(request, reference)
    fields = [
        "number",
        "title_fr",
        "title_en",
        "description_fr",
        "description_en",
        "kind",
        "opens_at",
        "labelling_deadline",
        "submission_deadline",
    ]
    initial = {name: getattr(call, name) for name in fields}
    initial["version"] = call.version
    form = CallEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_call(
                call, actor=request.user, expected_version=data["version"], reason=data["reason"],
                **{name: data[name] for name in fields},
            )  # fmt: skip
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Call saved."))
            return redirect(call_url(call))
    context = {
        "title": _("Edit the call"),
        "breadcrumb": _crumbs(call, (_("Edit the call"), None)),
        "form": form,
        "cancel_url": call_url(call),
        "call": call,
    }
    return render(request, "calls/edit.html", context, status=400 if form.errors else 200)


@login_required
def call_config(request, reference):
    call = _changeable_call(request, reference)
    sections = ("rules", "caps", "evaluation", "selection", "instalments")
    initial = {name: getattr(call, name) for name in sections}
    initial["version"] = call.version
    form = CallConfigForm(request.POST or None, initial=initial, call=call)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_call(
                call, actor=request.user, expected_version=data["version"], reason=data["reason"],
                **{name: data[name] for name in sections},
            )  # fmt: skip
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Configuration saved."))
            return redirect(call_url(call))
    context = {
        "title": _("Rules, criteria and selection policy"),
        "breadcrumb": _crumbs(call, (_("Configuration"), None)),
        "form": form,
        "cancel_url": call_url(call),
        "call": call,
        "words": selectors.call_in_words(call),
    }
    return render(request, "calls/config.html", context, status=400 if form.errors else 200)


@login_required
def call_rates(request, reference):
    call = _changeable_call(request, reference)
    names = selectors.funder_names(call)
    codes = sorted(set(names) | {str(r.get("funder")) for r in call.rates if isinstance(r, dict)})
    funders = [(code, names.get(code, code)) for code in codes]
    initial = [RateRowForm.initial_from(row) for row in call.rates if isinstance(row, dict)]
    formset = RateFormSet(
        request.POST or None, initial=initial, form_kwargs={"funders": funders}, prefix="rates"
    )
    meta = RatesMetaForm(request.POST or None, initial={"version": call.version})
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid() and meta.is_valid():
        # Empty extra rows have no data; rows ticked "delete" are dropped.
        rows = [f.row() for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            services.update_call(
                call, actor=request.user, expected_version=meta.cleaned_data["version"], reason=meta.cleaned_data["reason"],
                rates=rows,
            )  # fmt: skip
        except StaleObject as exc:
            problems.append(str(exc.message))
        except ValidationError as exc:
            problems += exc.messages
        else:
            messages.success(request, _("Rate table saved."))
            return redirect(call_url(call))
    context = {
        "title": _("Aid-rate table"),
        "breadcrumb": _crumbs(call, (_("Aid-rate table"), None)),
        "formset": formset,
        "meta": meta,
        "problems": problems,
        "call": call,
    }
    failed = request.method == "POST"
    return render(request, "calls/rates.html", context, status=400 if failed else 200)


@login_required
def call_funders(request, reference):
    call = _changeable_call(request, reference)
    form = EnvelopeForm(request.POST or None, initial={"version": call.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_envelope(
                call, data["funder"], data["envelope"], actor=request.user, expected_version=data["version"],
                reason=data["reason"],
            )  # fmt: skip
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Envelope saved."))
            return redirect(reverse("calls:funders", args=[call.reference]))
    context = {
        "title": _("Funders and envelopes"),
        "breadcrumb": _crumbs(call, (_("Funders and envelopes"), None)),
        "form": form,
        "call": call,
        "funders": call.call_funders.select_related("funder").order_by("funder__name"),
        "cancel_url": call_url(call),
    }
    return render(request, "calls/funders.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def call_funder_remove(request, reference, slug):
    call = _changeable_call(request, reference)
    funder = get_or_404(Funder.objects.all(), request.user, slug=slug)
    try:
        services.remove_funder(call, funder, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Funder removed from the call."))
    return redirect(reverse("calls:funders", args=[call.reference]))


@login_required
@require_POST
def call_transition(request, reference, name):
    call = _changeable_call(request, reference)
    actions = {
        "publish": services.publish_call,
        "close": services.close_call,
    }
    try:
        version = int(request.POST.get("version") or 0) or None
        if name in actions:
            actions[name](call, actor=request.user, expected_version=version)
        elif name in ("start_review", "start_selection", "decide"):
            services.advance_call(
                call,
                name,
                actor=request.user,
                expected_version=version,
                reason=request.POST.get("reason", ""),
            )
        else:
            raise PermissionDenied
    except (TransitionNotAllowed, ValidationError) as exc:
        messages.error(request, str(getattr(exc, "message", "")) or " ".join(exc.messages))
    except StaleObject as exc:
        messages.error(request, exc.message)
    except ValueError:
        messages.error(request, _("Reload the page and try again."))
    else:
        messages.success(
            request,
            _("Done: the call is now “%(status)s”.")
            % {"status": Call.objects.get(pk=call.pk).get_status_display()},
        )
    return redirect(call_url(call))


def call_version(request, reference, number):
    call = get_or_404(selectors.calls_for(request.user), request.user, reference=reference)
    version = get_or_404(call.versions.all(), request.user, number=number)
    previous = call.versions.filter(number__lt=version.number).order_by("-number").first()
    lines = textdiff.diff(
        textdiff.flatten(previous.snapshot) if previous else [], textdiff.flatten(version.snapshot)
    )
    context = {
        "title": _("Version %(number)s of the call") % {"number": version.number},
        "breadcrumb": _crumbs(call, (_("Version %(number)s") % {"number": version.number}, None)),
        "call": call,
        "version": version,
        "previous": previous,
        "lines": lines,
    }
    return render(request, "calls/version.html", context)
