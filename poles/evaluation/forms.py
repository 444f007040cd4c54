"""The evaluation run configuration form (officers and analysts)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesForm

from . import services


class EvaluationForm(PolesForm):
    """What to evaluate, on which firms and years, against which comparison group."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Optional, to find the run again (e.g. “R&D of members, 2003–2022”)."))  # fmt: skip
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=list(services.OUTCOMES.items()), initial="rd_spending"
    )
    transform = forms.ChoiceField(
        label=_("Scale of the outcome"), choices=list(services.TRANSFORMS.items()), initial="log"
    )
    treatment = forms.ChoiceField(
        label=_("Treatment"), choices=list(services.TREATMENTS.items()), initial="membership",
        help_text=_("A firm is treated from the first year it became a member of one of the programme's clusters, "
                    "or from the year of its first funded project."),
    )  # fmt: skip
    control = forms.ChoiceField(
        label=_("Comparison group"), choices=list(services.CONTROLS.items()), initial="never",
        widget=forms.RadioSelect,
    )  # fmt: skip
    aggregation = forms.ChoiceField(
        label=_("Headline aggregation"), choices=list(services.AGGREGATIONS.items()), initial="simple"
    )
    covariates = forms.MultipleChoiceField(
        label=_("Baseline covariates"), choices=list(services.COVARIATES.items()), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Values in the first year of the panel, before any treatment: comparison firms are weighted to "
                    "resemble the treated ones on them."),
    )  # fmt: skip
    first_year = forms.IntegerField(label=_("First year"), required=False, min_value=1950, max_value=2100)
    last_year = forms.IntegerField(label=_("Last year"), required=False, min_value=1950, max_value=2100)
    se = forms.ChoiceField(
        label=_("Standard errors"), choices=list(services.STANDARD_ERRORS.items()), initial="analytic"
    )
    matching = forms.ChoiceField(
        label=_("Matched difference-in-differences"), choices=list(services.MATCHING.items()), initial="none",
        help_text=_("A 2×2 comparison with matched non-treated firms, as in the INSEE evaluation."),
    )  # fmt: skip
    horizon = forms.IntegerField(label=_("Horizon of the matched comparison (years after treatment)"), initial=0,
                                 min_value=0, max_value=10, required=False)  # fmt: skip

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.options().validate()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return data

    def options(self) -> services.RunOptions:
        data = self.cleaned_data
        return services.RunOptions(
            outcome=data["outcome"], treatment=data["treatment"], control=data["control"],
            aggregation=data["aggregation"], covariates=tuple(data.get("covariates") or ()), transform=data["transform"],
            first_year=data.get("first_year"), last_year=data.get("last_year"), se=data["se"],
            matching=data["matching"], horizon=data.get("horizon") or 0,
        )  # fmt: skip
