"""The public form to share an instrument or practice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesModelForm

from .models import Instrument, TargetGroup


class ShareInstrumentForm(PolesModelForm):
    target_groups = forms.ModelMultipleChoiceField(
        label=_("Target groups"),
        queryset=TargetGroup.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("“%(value)s” is not one of the target groups of the questionnaire.")
        },
    )
    submitter_email = forms.EmailField(
        label=_("Your e-mail"), help_text=_("Used only to tell you whether the record is published.")
    )

    class Meta(PolesModelForm.Meta):
        model = Instrument
        fields = [
            "kind", "title_fr", "title_en", "country", "contact_person", "contact_organisation", "contact_email",
            "keywords", "target_groups", "aim_fr", "aim_en", "overview_fr", "overview_en", "created_on", "active",
            "outputs_quantitative_fr", "outputs_quantitative_en", "outputs_qualitative_fr", "outputs_qualitative_en",
            "max_cofinancing_rate", "linked_practices",
        ]  # fmt: skip
        widgets = {
            "keywords": forms.CheckboxSelectMultiple,
            "created_on": forms.DateInput(attrs={"type": "date"}),
            "linked_practices": forms.SelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["linked_practices"].queryset = Instrument.objects.filter(
            status=Instrument.Status.PUBLISHED, kind=Instrument.Kind.PRACTICE
        )
        for name in ("aim_fr", "aim_en", "overview_fr", "overview_en"):
            self.fields[name].widget.attrs["rows"] = 4
