"""Forms of the review: the pool, manual assignment, the declaration, scoring and consensus."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.utils import dsfr_input_class_attr

from poles.calls.engine.criteria import EvaluationGrid
from poles.core.fields import localized
from poles.core.forms import PolesForm, VersionField
from poles.organisations.models import Organisation

from .models import Reviewer

ORGANISATION_FIELD = {
    "label": _("Employer (organisation identifier)"),
    "queryset": Organisation.objects.all(),
    "widget": forms.NumberInput,
    "required": False,
    "help_text": _(
        "The organisation's identifier in poles (shown on its page); empty for an independent expert."
    ),
    "error_messages": {"invalid_choice": _("No organisation has this identifier.")},
}


class ReviewerForm(PolesForm):
    """An expert joining the pool: their account (existing or new) and what they review."""

    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    organisation = forms.ModelChoiceField(**ORGANISATION_FIELD)
    expertise = forms.CharField(
        label=_("Expertise keywords"),
        help_text=_("Separated by commas, e.g. energy storage, batteries, power electronics."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    max_load = forms.IntegerField(label=_("Maximum proposals per call"), min_value=1, max_value=50, initial=8)


class ReviewerEditForm(PolesForm):
    """A pool member's employer, expertise, load limit and activity."""

    organisation = forms.ModelChoiceField(**ORGANISATION_FIELD)
    expertise = forms.CharField(
        label=_("Expertise keywords"),
        help_text=_("Separated by commas."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    max_load = forms.IntegerField(label=_("Maximum proposals per call"), min_value=1, max_value=50)
    active = forms.BooleanField(label=_("Active (may receive new proposals)"), required=False)
    version = VersionField()


class ManualAssignmentForm(PolesForm):
    """An officer's choice of a reviewer, with the reason the audit trail keeps."""

    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=Reviewer.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programme_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            Reviewer.objects.filter(programme_id=programme_id, active=True)
            .select_related("user")
            .order_by("user__last_name", "user__username")
        )


class AutoAssignForm(PolesForm):
    """How many reviewers each proposal of the call should get."""

    per_proposal = forms.IntegerField(label=_("Reviewers per proposal"), min_value=1, max_value=10, initial=3)


class DeclarationForm(PolesForm):
    """The reviewer's signed statement, given before the proposal is shown to them."""

    CHOICES = [
        ("none", _("I have no conflict of interest with this proposal or its consortium.")),
        ("conflict", _("I have a conflict of interest with this proposal or its consortium.")),
    ]
    choice = forms.ChoiceField(label=_("My declaration"), choices=CHOICES, widget=forms.RadioSelect)
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you declare a conflict: say what it is."),
    )
    signed = forms.BooleanField(label=_("I sign this declaration on my honour."))

    def clean(self):
        data = super().clean()
        if data.get("choice") == "conflict" and not (data.get("statement") or "").strip():
            self.add_error("statement", _("Please say what the conflict of interest is."))
        return data


class CriteriaForm(PolesForm):
    """One score (or "not applicable") per criterion of the call's grid, built from the grid."""

    def __init__(self, *args, grid: EvaluationGrid, initial_scores=None, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.grid = grid
        initial_scores = initial_scores or {}
        for criterion in grid.criteria:
            label = localized_label(criterion.label) or criterion.code
            stored = initial_scores.get(criterion.code, "")
            self.fields[f"score_{criterion.code}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal(0),
                max_value=grid.scale_max,
                decimal_places=2,
                initial=stored if stored not in (None, "") else None,
                help_text=self.score_help(criterion),
                widget=forms.NumberInput(attrs={"step": "0.5"}),
            )
            self.fields[f"na_{criterion.code}"] = forms.BooleanField(
                label=_("Not applicable"),
                required=False,
                initial=criterion.code in initial_scores and stored is None,
            )
        self.required_scores = required
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def score_help(self, criterion) -> str:
        figures = {"max": _number(self.grid.scale_max), "weight": _number(criterion.weight)}
        parts = [str(_("From 0 to %(max)s, weight %(weight)s") % figures)]
        if criterion.threshold is not None:
            parts.append(str(_("threshold %(threshold)s") % {"threshold": _number(criterion.threshold)}))
        return ", ".join(parts) + "."

    def criterion_fields(self):
        """(score field, not-applicable field) per criterion, for the template's table."""
        return [(self[f"score_{c.code}"], self[f"na_{c.code}"]) for c in self.grid.criteria]

    def scores(self) -> dict:
        """The cleaned values as the service takes them: number, None (not applicable) or absent."""
        out = {}
        for criterion in self.grid.criteria:
            if self.cleaned_data.get(f"na_{criterion.code}"):
                out[criterion.code] = None
            elif self.cleaned_data.get(f"score_{criterion.code}") is not None:
                out[criterion.code] = self.cleaned_data[f"score_{criterion.code}"]
        return out

    def clean(self):
        data = super().clean()
        for criterion in self.grid.criteria:
            score, na = data.get(f"score_{criterion.code}"), data.get(f"na_{criterion.code}")
            if score is not None and na:
                self.add_error(
                    f"score_{criterion.code}", _('Give a score or tick "not applicable", not both.')
                )
        return data


class ReviewForm(CriteriaForm):
    """The reviewer's scores and comments; "submit" makes them final."""

    comments = forms.CharField(label=_("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    version = VersionField()

    def clean(self):
        data = super().clean()
        if self.data.get("submit"):
            for criterion in self.grid.criteria:
                if data.get(f"score_{criterion.code}") is None and not data.get(f"na_{criterion.code}"):
                    self.add_error(f"score_{criterion.code}", _('Give a score or "not applicable".'))
        return data


class ConsensusForm(CriteriaForm):
    """The panel's agreed score per criterion; a blank criterion keeps the reviewers' mean."""

    comment = forms.CharField(
        label=_("Consensus comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = VersionField()


def _number(value: Decimal) -> str:
    """A grid figure (0.30, 2.5) in the reader's number format, without trailing zeros."""
    from django.utils import formats

    value = value.normalize()
    return formats.number_format(value, decimal_pos=max(0, -value.as_tuple().exponent), use_l10n=True)


def localized_label(label) -> str:
    """A criterion's label in the reader's language (labels are typed by officers in both)."""

    class _Label:
        pass

    holder = _Label()
    holder.label_fr = (label or {}).get("fr", "")
    holder.label_en = (label or {}).get("en", "")
    return localized(holder, "label")
