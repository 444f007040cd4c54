"""Forms of partner search: the search itself, the partner profile, the builder, contact requests.

`PartnerSearchForm` and `ConsortiumForm` validate the page's query string and the API's input
alike (the API passes its data through them), so both faces accept and refuse the same things.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.clusters.models import Cluster
from poles.core.forms import PolesForm, PolesModelForm, VersionField
from poles.organisations.models import Category, Competence, SizeClass
from poles.territories.models import Region

from . import selectors
from .models import LANGUAGE_CHOICES, ContactRequest

MAX_EXTRA_PARTNERS = 3


def _region_choices():
    return [("", "—")] + [(r.code, r.name) for r in Region.objects.filter(kind="current").order_by("name")]


def _cluster_choices():
    active = Cluster.objects.filter(status=Cluster.Status.ACTIVE).order_by("name")
    return [("", "—")] + [(c.slug, c.name) for c in active]


class IdList(forms.CharField):
    """A comma-separated list of organisation ids ("12,40"), as the consortium so far travels."""

    def to_python(self, value):
        text = super().to_python(value)
        items = [item.strip() for item in text.replace(" ", ",").split(",") if item.strip()]
        if any(not item.isdigit() for item in items):
            raise forms.ValidationError(_("Give organisation numbers separated by commas."))
        return [int(item) for item in dict.fromkeys(items)]


class PartnerSearchForm(PolesForm):
    """A need in free text, hard filters, and the consortium so far."""

    q = forms.CharField(
        label=_("Your need"),
        required=False,
        max_length=2000,
        help_text=_("Describe the competences, equipment or role you are looking for, in French or English."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.MultipleChoiceField(
        label=_("Category"), required=False, choices=Category.choices, widget=forms.CheckboxSelectMultiple
    )
    size = forms.MultipleChoiceField(
        label=_("Size class"), required=False, choices=SizeClass.choices, widget=forms.CheckboxSelectMultiple
    )
    region = forms.ChoiceField(label=_("Region"), required=False, choices=_region_choices)
    cluster = forms.ChoiceField(label=_("Member of cluster"), required=False, choices=_cluster_choices)
    consortium = IdList(
        label=_("Consortium so far (organisation numbers)"),
        required=False,
        help_text=_("Partners already in your consortium: suggestions then complement them."),
    )
    k = forms.IntegerField(
        label=_("Number of results"),
        required=False,
        min_value=1,
        max_value=selectors.MAX_RESULTS,
        initial=20,
        widget=forms.HiddenInput,
    )

    def search_kwargs(self) -> dict:
        """The cleaned form as keyword arguments of `selectors.search_partners`."""
        data = self.cleaned_data
        return {
            "need": data["q"],
            "categories": data["category"],
            "sizes": data["size"],
            "regions": [data["region"]] if data["region"] else None,
            "clusters": [data["cluster"]] if data["cluster"] else None,
            "consortium": data["consortium"] or [],
            "k": data["k"] or 20,
        }


class PartnerProfileForm(PolesForm):
    """Opt-in and profile of one organisation, as its members keep them."""

    version = VersionField()
    profile_version = VersionField()
    findable = forms.BooleanField(
        label=_("Findable in partner search"),
        required=False,
        help_text=_(
            "Opt in to appear in partner search and consortium proposals, and to receive contact requests "
            "relayed by the platform (your e-mail address is never shown)."
        ),
    )
    competences = forms.ModelMultipleChoiceField(
        label=_("Competence keywords"),
        required=False,
        queryset=Competence.objects.all(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    competences_text = forms.CharField(
        label=_("Competences (free text, French or English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    offer_fr = forms.CharField(
        label=_("What we bring to a project (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    offer_en = forms.CharField(
        label=_("What we bring to a project (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    equipment = forms.CharField(
        label=_("Equipment and platforms offered"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    past_projects = forms.CharField(
        label=_("Past projects (references outside poles, one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    show_platform_projects = forms.BooleanField(
        label=_("List our public projects known to poles on our partner page"), required=False
    )
    languages = forms.MultipleChoiceField(
        label=_("Working languages"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    looking_for = forms.CharField(
        label=_("Partners we are looking for"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    PROFILE_FIELDS = (
        "offer_fr", "offer_en", "equipment", "past_projects", "show_platform_projects", "languages", "looking_for",
    )  # fmt: skip

    @classmethod
    def initial_for(cls, organisation, profile) -> dict:
        """The form's initial values from the organisation and its profile (if any)."""
        initial = {
            "version": organisation.version,
            "findable": organisation.findable,
            "competences": list(organisation.competences.all()),
            "competences_text": organisation.competences_text,
            "show_platform_projects": True,
        }
        if profile is not None:
            initial["profile_version"] = profile.version
            initial.update({name: getattr(profile, name) for name in cls.PROFILE_FIELDS})
        return initial


class ConsortiumForm(PolesForm):
    """What the builder needs: who leads, which call, the idea, and the lead cluster."""

    lead = forms.ModelChoiceField(label=_("Lead organisation"), queryset=None, empty_label=None)
    call = forms.ModelChoiceField(label=_("Call for projects"), queryset=None, empty_label=None)
    idea = forms.CharField(
        label=_("Project idea"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few sentences on what the project will do: partners are ranked against it."),
    )
    lead_cluster = forms.ModelChoiceField(
        label=_("Lead cluster"),
        required=False,
        queryset=Cluster.objects.filter(status=Cluster.Status.ACTIVE).order_by("name"),
        to_field_name="slug",
        help_text=_("The cluster asked to label the project; its territory counts for the territory rules. "
                    "By default, one of the lead organisation's clusters."),
    )  # fmt: skip
    extra_partners = forms.IntegerField(
        label=_("Additional partners of any kind"),
        required=False,
        min_value=0,
        max_value=MAX_EXTRA_PARTNERS,
        initial=0,
    )

    def __init__(self, *args, user=None, lead_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = (
            lead_queryset if lead_queryset is not None else selectors.lead_organisations(user)
        )
        self.fields["call"].queryset = selectors.open_calls()

    def clean(self):
        data = super().clean()
        lead = data.get("lead")
        if lead is not None and not data.get("lead_cluster"):
            today = timezone.localdate()
            membership = (
                lead.memberships.filter(start__lte=today, cluster__status=Cluster.Status.ACTIVE)
                .exclude(end__lt=today)
                .select_related("cluster")
                .order_by("cluster__name")
                .first()
            )
            data["lead_cluster"] = membership.cluster if membership else None
        data["extra_partners"] = data.get("extra_partners") or 0
        return data


class StartProposalForm(PolesForm):
    """The few words a draft proposal needs before its consortium edits it further."""

    acronym = forms.CharField(label=_("Acronym"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ContactRequestForm(PolesModelForm):
    """A message to an organisation, relayed by the platform."""

    class Meta(PolesModelForm.Meta):
        model = ContactRequest
        fields = ["sender_organisation", "subject", "message", "consent"]
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["sender_organisation"]
        field.queryset = selectors.lead_organisations(user)
        field.required = False
        self.fields["consent"].required = True
