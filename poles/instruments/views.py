"""The instrument catalogue: browse, read, share, moderate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from poles.core.exceptions import TransitionNotAllowed
from poles.core.permissions import can, get_or_404
from poles.core.views import FilteredListView

from . import selectors, services
from .filters import InstrumentFilter
from .forms import ShareInstrumentForm
from .models import Instrument


class InstrumentList(FilteredListView):
    template_name = "instruments/list.html"
    partial_template_name = "instruments/_results.html"
    filterset_class = InstrumentFilter
    download_name = "instruments"
    download_columns = (
        (gettext_lazy("title"), "title"), (gettext_lazy("aim"), "aim"), (gettext_lazy("kind"), "get_kind_display"),
        (gettext_lazy("country"), "country"), (gettext_lazy("contact organisation"), "contact_organisation"),
    )  # fmt: skip

    def get_base_queryset(self):
        return selectors.instruments_for(self.request.user).filter(status=Instrument.Status.PUBLISHED)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Policy instruments and practices"),
            breadcrumb=[(_("Policy catalogue"), None)],
            can_moderate=can(self.request.user, "instruments.moderate_instrument"),
            **kwargs,
        )


def instrument_detail(request, pk):
    instrument = get_or_404(
        selectors.instruments_for(request.user).prefetch_related("linked_practices", "programmes"),
        request.user,
        pk=pk,
    )
    context = {
        "title": instrument.title,
        "breadcrumb": [(_("Policy catalogue"), reverse("instruments:list")), (instrument.title, None)],
        "instrument": instrument,
        "linked": instrument.linked_practices.filter(status=Instrument.Status.PUBLISHED),
        "transitions": services.MODERATION.available(instrument, request.user),
    }
    return render(request, "instruments/detail.html", context)


def instrument_share(request):
    form = ShareInstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        email = data.pop("submitter_email")
        services.share_instrument(actor=request.user, submitter_email=email, **data)
        messages.success(
            request, _("Thank you. Your record will be published once a programme officer has checked it.")
        )
        return redirect("instruments:list")
    context = {
        "title": _("Share an instrument or practice"),
        "breadcrumb": [(_("Policy catalogue"), reverse("instruments:list")), (_("Share"), None)],
        "form": form,
        "cancel_url": reverse("instruments:list"),
    }
    return render(request, "instruments/share.html", context, status=400 if form.errors else 200)


@login_required
def moderation(request):
    if not can(request.user, "instruments.moderate_instrument"):
        raise PermissionDenied
    context = {
        "title": _("Records awaiting moderation"),
        "breadcrumb": [(_("Policy catalogue"), reverse("instruments:list")), (_("Moderation"), None)],
        "queue": selectors.moderation_queue(request.user),
    }
    return render(request, "instruments/moderation.html", context)


@login_required
@require_POST
def moderate(request, pk, transition):
    instrument = get_or_404(Instrument.objects.all(), request.user, pk=pk)
    try:
        services.moderate(instrument, transition, actor=request.user, reason=request.POST.get("reason", ""))
    except (TransitionNotAllowed, KeyError) as exc:
        messages.error(request, getattr(exc, "message", _("Unknown action.")))
    else:
        messages.success(request, _("Done."))
    return redirect("instruments:moderation")
