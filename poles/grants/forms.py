"""Forms of the follow-up: signatures, payments, reports, milestones, outputs, IPR.

Drop-downs only offer what the user may choose (the project's partners, the funders the user
acts for), and forms that change a versioned row carry its `version` (optimistic locking).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.core.forms import PolesForm, PolesModelForm, VersionField
from poles.core.roles import roles_of
from poles.projects.models import BudgetLine

from .models import ConsortiumAgreement, IPDeclaration, Licence, Milestone, Output

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AgreementCreateForm(PolesForm):
    funder = forms.ChoiceField(label=_("Funder"))

    def __init__(self, *args, funders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.funders = {str(f.pk): f for f in funders}
        self.fields["funder"].choices = [(str(f.pk), str(f)) for f in funders]

    def clean_funder(self):
        return self.funders[self.cleaned_data["funder"]]


class SignForm(PolesForm):
    funder_signed_on = forms.DateField(label=_("Signed by the funder on"), widget=DATE)
    beneficiary_signed_on = forms.DateField(label=_("Signed by the beneficiary on"), widget=DATE)
    version = VersionField()

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["funder_signed_on"].initial = today
        self.fields["beneficiary_signed_on"].initial = today
        if agreement is not None:
            self.fields["version"].initial = agreement.version


class ReasonVersionForm(PolesForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


class PaymentForm(PolesForm):
    amount = forms.DecimalField(label=_("Amount paid (EUR)"), max_digits=14, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reference = forms.CharField(label=_("Payment reference"), max_length=80, required=False)
    version = VersionField()

    def __init__(self, *args, instalment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()
        if instalment is not None:
            self.fields["amount"].initial = instalment.remaining
            self.fields["version"].initial = instalment.version


class ReviewForm(PolesForm):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = VersionField()


class ReportForm(PolesForm):
    """The narrative and, for each partner and cost type of its budget, what it spent in the period."""

    narrative = forms.CharField(
        label=_("Narrative"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("Work done in the period, results, difficulties and how they are handled."),
    )
    version = VersionField()

    def __init__(self, *args, report=None, spending=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["narrative"].initial = report.narrative
        self.fields["version"].initial = report.version
        spending = spending or {}
        self.spending_fields = []
        lines = BudgetLine.objects.filter(participation__project=report.project).select_related(
            "participation__organisation"
        )
        budgeted = {(line.participation_id, line.cost_type): line for line in lines}
        for participation in report.project.participations.select_related("organisation").order_by(
            "-role", "id"
        ):
            for cost_type, label in BudgetLine.CostType.choices:
                key = (participation.pk, cost_type)
                if key not in budgeted and key not in spending:
                    continue
                name = f"spent_{participation.pk}_{cost_type}"
                plan = budgeted[key].amount if key in budgeted else Decimal(0)
                self.fields[name] = forms.DecimalField(
                    label=_("%(partner)s — %(cost)s (budget %(plan)s EUR)")
                    % {"partner": participation.organisation, "cost": label, "plan": plan},
                    min_value=0,
                    max_digits=14,
                    decimal_places=2,
                    required=False,
                    initial=spending.get(key),
                )
                self.spending_fields.append((name, key))

    def spending(self) -> dict:
        return {
            key: self.cleaned_data[name]
            for name, key in self.spending_fields
            if self.cleaned_data.get(name) is not None
        }


class _ProjectBound:
    """Model forms bound to one project: partner drop-downs list its consortium only."""

    partner_fields: tuple[str, ...] = ()

    def bind_project(self, project, partners=None):
        self.instance.project = project
        qs = partners if partners is not None else project.participations.select_related("organisation")
        for name in self.partner_fields:
            if name in self.fields:
                self.fields[name].queryset = qs
                self.fields[name].label_from_instance = lambda p: str(p.organisation)


class MilestoneForm(_ProjectBound, PolesModelForm):
    version = VersionField()
    partner_fields = ("participation",)

    class Meta(PolesModelForm.Meta):
        model = Milestone
        fields = ["kind", "title", "participation", "due_on", "status", "achieved_on", "note"]
        widgets = {"due_on": DATE, "achieved_on": DATE, "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bind_project(project)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class OutputForm(_ProjectBound, PolesModelForm):
    version = VersionField()
    partner_fields = ("participation",)

    class Meta(PolesModelForm.Meta):
        model = Output
        fields = [
            "participation", "kind", "achieved_on", "title", "description", "quantity", "doi", "patent_number",
            "licensee", "licence_kind", "evidence_url", "evidence_note",
        ]  # fmt: skip
        widgets = {
            "achieved_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "evidence_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, project=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        partners = project.participations.select_related("organisation")
        roles = roles_of(user)
        is_lead = partners.filter(organisation_id__in=roles.member_of, role="lead").exists()
        if roles.member_of and not is_lead and not roles.is_officer:
            partners = partners.filter(organisation_id__in=roles.member_of)
        self.bind_project(project, partners)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class OutputReviewForm(PolesForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("validate", _("Validate: the evidence holds")), ("reject", _("Reject: send it back"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required to reject)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = VersionField()


class ConsortiumAgreementForm(PolesModelForm):
    version = VersionField()

    class Meta(PolesModelForm.Meta):
        model = ConsortiumAgreement
        fields = ["status", "signed_on", "ownership", "access_rights", "document_reference"]
        widgets = {
            "signed_on": DATE,
            "ownership": forms.Textarea(attrs={"rows": 3}),
            "access_rights": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def validate_unique(self):
        pass  # one per project: the service updates the existing record instead of adding one


class IPDeclarationForm(_ProjectBound, PolesModelForm):
    partner_fields = ("participation",)

    class Meta(PolesModelForm.Meta):
        model = IPDeclaration
        fields = ["participation", "kind", "protection", "title", "description", "reference", "declared_on"]
        widgets = {"declared_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bind_project(project)
        self.fields["declared_on"].initial = timezone.localdate()


class LicenceForm(_ProjectBound, PolesModelForm):
    partner_fields = ("licensor", "licensee_partner")

    class Meta(PolesModelForm.Meta):
        model = Licence
        fields = ["licensor", "licensee_partner", "licensee_name", "ip", "kind", "field_of_use", "signed_on"]
        widgets = {"signed_on": DATE}

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bind_project(project)
        self.fields["ip"].queryset = IPDeclaration.objects.filter(project=project)
