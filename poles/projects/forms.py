"""Forms applicants, cluster staff and officers use on proposals."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from poles.clusters.models import Cluster
from poles.core.forms import PolesForm, VersionField
from poles.organisations.models import Organisation

from .attachments import MAX_BYTES
from .models import Attachment, BudgetLine, LabelRequest, Participation, Project


def active_clusters():
    return Cluster.objects.filter(status=Cluster.Status.ACTIVE).order_by("name")


class KeywordsField(forms.CharField):
    """Keywords typed separated by commas, kept as a list."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value)
        return [part.strip() for part in text.split(",") if part.strip()]


class ProposalForm(PolesForm):
    """What the applicant says about the project, and which clusters it asks to label it."""

    acronym = forms.CharField(label=_("Acronym"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    keywords = KeywordsField(label=_("Keywords"), required=False, help_text=_("Separated by commas."))
    lead_cluster = forms.ModelChoiceField(
        label=_("Lead cluster"),
        queryset=Cluster.objects.none(),
        help_text=_("It is always asked to label the proposal."),
    )
    clusters = forms.ModelMultipleChoiceField(
        label=_("Other clusters asked to label it (co-labelling)"), queryset=Cluster.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    start_date = forms.DateField(
        label=_("Planned start"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    duration_months = forms.IntegerField(
        label=_("Duration (months)"), required=False, min_value=1, max_value=120
    )
    version = VersionField()

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_cluster"].queryset = active_clusters()
        self.fields["clusters"].queryset = active_clusters()
        if organisations is not None:
            self.fields["organisation"] = forms.ModelChoiceField(
                label=_("Lead organisation"), queryset=organisations, initial=organisations.first()
            )
            self.order_fields(["organisation"])

    @staticmethod
    def initial_from(project: Project) -> dict:
        lead = project.lead_cluster_id
        return {
            "acronym": project.acronym, "title": project.title, "summary": project.summary,
            "keywords": project.keywords, "lead_cluster": lead,
            "clusters": [r.cluster_id for r in project.label_requests.all() if r.cluster_id != lead],
            "start_date": project.start_date, "duration_months": project.duration_months, "version": project.version,
        }  # fmt: skip


class PartnerSearchForm(PolesForm):
    q = forms.CharField(label=_("Name, acronym or SIREN"), min_length=2, max_length=100)


def search_organisations(query: str, exclude) -> list[Organisation]:
    """Up to 20 organisations matching a name, acronym or SIREN, not already in the consortium."""
    from django.db.models import Q

    condition = Q(name__icontains=query) | Q(acronym__icontains=query)
    if query.replace(" ", "").isdigit():
        condition |= Q(siren=query.replace(" ", ""))
    return list(
        Organisation.objects.filter(condition)
        .exclude(pk__in=exclude)
        .select_related("departement")
        .order_by("name")[:20]
    )


class ParticipationForm(PolesForm):
    """A partner's budget per cost type, aid asked per funder, shares of work and cost basis."""

    territory_share = forms.DecimalField(
        label=_("Share of its work in the labelling clusters' territories (%)"), min_value=0, max_value=100,
        decimal_places=2, max_digits=5,
    )  # fmt: skip
    lead_cluster_share = forms.DecimalField(
        label=_("Share of its work in the lead cluster's territory (%)"), min_value=0, max_value=100,
        decimal_places=2, max_digits=5,
    )  # fmt: skip
    cost_basis = forms.ChoiceField(
        label=_("Cost basis (research bodies)"), choices=Participation.CostBasis.choices,
        help_text=_("Research bodies are funded on their full cost or on their additional cost."),
    )  # fmt: skip
    version = VersionField()

    def __init__(self, *args, funders=(), **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in BudgetLine.CostType.choices:
            self.fields[f"budget_{value}"] = forms.DecimalField(
                label=_("Budget: %(type)s (EUR)") % {"type": label}, required=False, min_value=0,
                max_digits=14, decimal_places=2,
            )  # fmt: skip
        self.funders = list(funders)
        for funder in self.funders:
            self.fields[f"aid_{funder.slug}"] = forms.DecimalField(
                label=_("Aid asked from %(funder)s (EUR)") % {"funder": funder.name}, required=False, min_value=0,
                max_digits=14, decimal_places=2,
            )  # fmt: skip

    @staticmethod
    def initial_from(participation: Participation, version: int) -> dict:
        initial = {
            "territory_share": participation.territory_share * 100,
            "lead_cluster_share": participation.lead_cluster_share * 100,
            "cost_basis": participation.cost_basis, "version": version,
        }  # fmt: skip
        for line in participation.budget_lines.all():
            initial[f"budget_{line.cost_type}"] = line.amount
        for request in participation.aid_requests.select_related("funder"):
            initial[f"aid_{request.funder.slug}"] = request.amount
        return initial

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "budget": {
                value: data.get(f"budget_{value}") or Decimal(0) for value in BudgetLine.CostType.values
            },
            "aid": {funder: data.get(f"aid_{funder.slug}") or Decimal(0) for funder in self.funders},
            "territory_share": data["territory_share"] / 100,
            "lead_cluster_share": data["lead_cluster_share"] / 100,
            "cost_basis": data["cost_basis"],
        }


class AttachmentForm(PolesForm):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("PDF file"), help_text=_("PDF only, %(max)s MB at most.") % {"max": MAX_BYTES // 1048576},
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )  # fmt: skip
    version = VersionField()


class RequiredReasonForm(PolesForm):
    """A reason the audit trail keeps and the applicant or officers read."""

    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}))
    version = VersionField()


class LabelAnswerForm(PolesForm):
    decision = forms.ChoiceField(
        label=_("Decision"), widget=forms.RadioSelect,
        choices=[(LabelRequest.Status.LABELLED, _("Label the proposal")), (LabelRequest.Status.DECLINED, _("Decline"))],
    )  # fmt: skip
    opinion = forms.CharField(
        label=_("Opinion of the cluster"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The applicant and the programme's officers read it."),
    )  # fmt: skip
    version = VersionField()


class OverrideForm(PolesForm):
    reason = forms.CharField(
        label=_("Why this warning can be passed over"), widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclareForm(PolesForm):
    reason = forms.CharField(
        label=_("Reason (kept in the history, sent to the applicant)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()
