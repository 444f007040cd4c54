"""Forms of the selection and decision pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesForm, VersionField

from .models import SelectionItem


class AdjustItemForm(PolesForm):
    """An officer's outcome for one proposal, against the optimiser's proposal, with the reason."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=SelectionItem.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(PolesForm):
    """Confirming a run moves every proposal to its outcome."""

    reason = forms.CharField(label=_("Comment (kept in the audit trail)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class DecisionForm(PolesForm):
    """The eligible cost of a proposed decision; the aid is recomputed from the rate table."""

    eligible_cost = forms.DecimalField(
        label=_("Eligible cost (EUR)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason for the adjustment"), widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()


class DecideForm(PolesForm):
    """Deciding carries the version read, so a decision changed meanwhile is not decided blindly."""

    version = VersionField()
