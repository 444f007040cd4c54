"""Forms members and officers use to keep an organisation's profile, figures and contacts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesModelForm, VersionField

from .models import Contact, Organisation, YearlyFigures


class OrganisationForm(PolesModelForm):
    version = VersionField()

    class Meta(PolesModelForm.Meta):
        model = Organisation
        fields = [
            "name", "acronym", "category", "siren", "siret", "rnsr", "ror", "vat", "pic",
            "street", "postcode", "commune", "departement", "website", "description",
            "competences_text", "public_control", "findable",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "competences_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class YearlyFiguresForm(PolesModelForm):
    class Meta(PolesModelForm.Meta):
        model = YearlyFigures
        fields = [
            "year",
            "headcount",
            "turnover",
            "balance_sheet",
            "rd_spending",
            "rd_staff",
            "patents_filed",
        ]

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def validate_unique(self):
        # A year that already exists is replaced by save_yearly_figures, not refused.
        pass


class ContactForm(PolesModelForm):
    class Meta(PolesModelForm.Meta):
        model = Contact
        fields = ["first_name", "last_name", "job_title", "email", "phone", "is_main"]
        labels = {"is_main": _("Main contact")}
