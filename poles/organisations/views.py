"""Organisation pages: search, one organisation, and its profile, figures and contacts forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from poles.core import audit
from poles.core.exceptions import StaleObject
from poles.core.permissions import can, get_for_change, get_or_404
from poles.core.views import FilteredListView

from . import selectors, services
from .filters import OrganisationFilter
from .forms import ContactForm, OrganisationForm, YearlyFiguresForm
from .models import Organisation


class OrganisationList(FilteredListView):
    template_name = "organisations/list.html"
    partial_template_name = "organisations/_results.html"
    filterset_class = OrganisationFilter
    download_name = "organisations"
    download_related = ("departement",)
    download_columns = (
        (gettext_lazy("name"), "name"), (gettext_lazy("SIREN"), "siren"), (gettext_lazy("category"), "get_category_display"),
        (gettext_lazy("size class"), "get_size_class_display"), (gettext_lazy("commune"), "commune"), (gettext_lazy("département"), "departement.code"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.organisations_for(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Organisations"), breadcrumb=[(_("Organisations"), None)], **kwargs
        )


def _crumbs(organisation: Organisation, *more):
    return [
        (_("Organisations"), reverse("organisations:list")),
        (organisation.name, organisation_url(organisation)),
        *more,
    ]


def organisation_detail(request, pk):
    organisation = get_or_404(selectors.organisations_for(request.user), request.user, pk=pk)
    memberships = organisation.memberships.select_related("cluster").order_by("-start")
    context = {
        "title": organisation.name,
        "breadcrumb": _crumbs(organisation)[:-1] + [(organisation.name, None)],
        "organisation": organisation,
        "memberships": memberships,
        "figures": selectors.figures_for(request.user, organisation),
        "contacts": selectors.contacts_for(request.user, organisation),
        "can_change": can(request.user, "organisations.change_organisation", organisation),
        "today": timezone.localdate(),
    }
    return render(request, "organisations/detail.html", context)


@login_required
def organisation_edit(request, pk):
    organisation = get_for_change(Organisation.objects.all(), request.user, pk=pk)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=organisation.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.update_organisation(
                organisation, actor=request.user, expected_version=form.cleaned_data["version"], **changes
            )
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect(organisation_url(organisation))
    context = {
        "title": _("Edit the profile"),
        "breadcrumb": _crumbs(organisation, (_("Edit the profile"), None)),
        "form": form,
        "cancel_url": organisation_url(organisation),
        "history": audit.history(organisation).order_by("-id")[:20],
    }
    return render(request, "organisations/form.html", context, status=400 if form.errors else 200)


@login_required
def figures_add(request, pk):
    organisation = get_for_change(Organisation.objects.all(), request.user, pk=pk)
    form = YearlyFiguresForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "year"}
        services.save_yearly_figures(organisation, form.cleaned_data["year"], actor=request.user, **values)
        messages.success(request, _("Figures saved; size classes recomputed."))
        return redirect(organisation_url(organisation))
    context = {
        "title": _("Yearly figures"),
        "breadcrumb": _crumbs(organisation, (_("Yearly figures"), None)),
        "form": form,
        "cancel_url": organisation_url(organisation),
    }
    return render(request, "organisations/form.html", context, status=400 if form.errors else 200)


@login_required
def contact_add(request, pk):
    organisation = get_for_change(Organisation.objects.all(), request.user, pk=pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_contact(organisation, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Contact added."))
        return redirect(organisation_url(organisation))
    context = {
        "title": _("Add a contact"),
        "breadcrumb": _crumbs(organisation, (_("Add a contact"), None)),
        "form": form,
        "cancel_url": organisation_url(organisation),
    }
    return render(request, "organisations/form.html", context, status=400 if form.errors else 200)


def organisation_url(organisation: Organisation) -> str:
    return reverse("organisations:detail", kwargs={"pk": organisation.pk})
