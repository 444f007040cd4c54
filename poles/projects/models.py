"""Projects (proposals until funded), their consortium, budgets, labels and eligibility.

A project is either a proposal to a call of the programme (`source = programme`) or an
external collaborative project taken in from open data (CORDIS, Horizon 2020), which feeds
the collaboration network and partner search but never enters a call's workflow.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from poles.core.models import TimeStamped, Versioned

SHARE = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))]
MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Project(Versioned):
    """A collaborative project: a proposal in a call's workflow, or an external project."""

    class Source(models.TextChoices):
        PROGRAMME = "programme", _("Call of the programme")
        CORDIS = "cordis", _("CORDIS (EU framework programmes)")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("proposal status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("proposal status", "Submitted")
        REVISION = "revision", pgettext_lazy("proposal status", "Revision requested")
        LABELLED = "labelled", pgettext_lazy("proposal status", "Labelled")
        ELIGIBLE = "eligible", pgettext_lazy("proposal status", "Eligible")
        INELIGIBLE = "ineligible", pgettext_lazy("proposal status", "Ineligible")
        UNDER_REVIEW = "under_review", pgettext_lazy("proposal status", "Under review")
        SELECTED = "selected", pgettext_lazy("proposal status", "Selected")
        RESERVE = "reserve", pgettext_lazy("proposal status", "On the reserve list")
        REJECTED = "rejected", pgettext_lazy("proposal status", "Rejected")
        FUNDED = "funded", pgettext_lazy("proposal status", "Funded")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")
        EXTERNAL = "external", pgettext_lazy("proposal status", "External project")

    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.PROGRAMME)
    external_id = models.CharField(_("external identifier"), max_length=40, blank=True, db_index=True)
    programme = models.ForeignKey(
        "instruments.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    call = models.ForeignKey(
        "calls.Call",
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    acronym = models.CharField(_("acronym"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    lead_cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("lead cluster"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="led_projects",
    )  # fmt: skip
    start_date = models.DateField(_("start date"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title_key = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    total_cost = models.DecimalField(_("total cost (EUR)"), default=0, **MONEY)
    # Filled for external projects (EU contribution); for the programme, aid lives in decisions.
    external_funding = models.DecimalField(_("external public funding (EUR)"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["call", "status"]), models.Index(fields=["source", "external_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="project_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.acronym} — {self.title}" if self.acronym else self.title

    @property
    def lead(self) -> Participation | None:
        return next((p for p in self.participations.all() if p.role == Participation.Role.LEAD), None)


class Participation(models.Model):
    """An organisation's part in a project, with its category and size as at submission."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        PARTNER = "partner", _("Partner")

    class CostBasis(models.TextChoices):
        FULL = "full", _("Full cost")
        ADDITIONAL = "additional", _("Additional cost")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
        related_name="participations",
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PARTNER)
    category = models.CharField(_("category at submission"), max_length=30)
    size_class = models.CharField(_("size class at submission"), max_length=10, blank=True)
    public_controlled = models.BooleanField(_("25 % or more held by public bodies"), default=False)
    territory_share = models.DecimalField(
        _("share of work in the labelling clusters' territories"), max_digits=5, decimal_places=4, default=1,
        validators=SHARE,
    )  # fmt: skip
    lead_cluster_share = models.DecimalField(
        _("share of work in the lead cluster's territory"),
        max_digits=5,
        decimal_places=4,
        default=0,
        validators=SHARE,
    )
    in_territory = models.BooleanField(_("established in a labelling cluster's territory"), default=True)
    cost_basis = models.CharField(
        _("cost basis"), max_length=12, choices=CostBasis.choices, default=CostBasis.FULL
    )
    total_cost = models.DecimalField(_("total cost (EUR)"), default=0, **MONEY)
    external_funding = models.DecimalField(_("external funding (EUR)"), null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["project", "-role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="participation_unique")
        ]
        indexes = [models.Index(fields=["organisation", "project"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.project}"

    @property
    def is_sme(self) -> bool:
        return self.size_class in ("micro", "small", "medium") and not self.public_controlled


class BudgetLine(models.Model):
    """One cost type of a partner's budget."""

    class CostType(models.TextChoices):
        STAFF = "staff", _("Staff")
        OVERHEADS = "overheads", _("Overheads")
        EQUIPMENT = "equipment", _("Equipment")
        SUBCONTRACTING = "subcontracting", _("Subcontracting")
        OTHER = "other", _("Other costs")

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="budget_lines")
    cost_type = models.CharField(_("cost type"), max_length=16, choices=CostType.choices)
    amount = models.DecimalField(_("amount (EUR)"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["participation", "cost_type"], name="budgetline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.participation}: {self.get_cost_type_display()} {self.amount}"


class AidRequest(models.Model):
    """The aid a partner asks of one funder of the call."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="aid_requests")
    funder = models.ForeignKey(
        "calls.Funder", verbose_name=_("funder"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount requested (EUR)"), **MONEY)

    class Meta:
        verbose_name = _("aid request")
        verbose_name_plural = _("aid requests")
        constraints = [models.UniqueConstraint(fields=["participation", "funder"], name="aidrequest_unique")]

    def __str__(self) -> str:
        return f"{self.participation} → {self.funder}: {self.amount}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"projects/{instance.project_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(TimeStamped):
    """A PDF attached to a project, stored outside the web root and served after a permission check."""

    class Kind(models.TextChoices):
        TECHNICAL_ANNEX = "technical", _("Technical annex")
        FINANCIAL_ANNEX = "financial", _("Financial annex")
        CONSORTIUM_AGREEMENT = "consortium", _("Consortium agreement")
        LETTER = "letter", _("Letter of support")
        OTHER = "other", _("Other document")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["project", "kind", "created_at"]

    def __str__(self) -> str:
        return self.name


class ProjectRevision(models.Model):
    """A snapshot of a proposal at each submission, so officers and applicants can read the diff."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="projectrevision_unique")]

    def __str__(self) -> str:
        return f"{self.project} r{self.number}"


class LabelRequest(Versioned):
    """A cluster asked to label a proposal, and its answer with an opinion."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting the cluster")
        LABELLED = "labelled", _("Labelled")
        DECLINED = "declined", _("Declined")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="label_requests")
    cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="label_requests"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    opinion = models.TextField(_("opinion"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("labelling request")
        verbose_name_plural = _("labelling requests")
        constraints = [models.UniqueConstraint(fields=["project", "cluster"], name="labelrequest_unique")]

    def __str__(self) -> str:
        return f"{self.project} — {self.cluster}: {self.get_status_display()}"


class EligibilityCheck(models.Model):
    """The eligibility engine's results for a proposal at one moment (kept, never rewritten)."""

    class Verdict(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        WARNINGS = "warnings", _("Eligible subject to warnings")
        INELIGIBLE = "ineligible", _("Ineligible")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="eligibility_checks")
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rules = models.JSONField(_("rules applied"))
    results = models.JSONField(_("results"))
    verdict = models.CharField(_("verdict"), max_length=12, choices=Verdict.choices)

    class Meta:
        verbose_name = _("eligibility check")
        verbose_name_plural = _("eligibility checks")
        ordering = ["project", "-checked_at"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"{self.project}: {self.get_verdict_display()}"


class EligibilityOverride(models.Model):
    """An officer's decision to pass over a warning (never a failure), with the reason."""

    eligibility_check = models.ForeignKey(
        EligibilityCheck, on_delete=models.CASCADE, related_name="overrides"
    )
    rule_index = models.PositiveSmallIntegerField(_("rule"))
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility override")
        verbose_name_plural = _("eligibility overrides")
        constraints = [
            models.UniqueConstraint(
                fields=["eligibility_check", "rule_index"], name="eligibilityoverride_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.eligibility_check} #{self.rule_index}"

    def clean(self) -> None:
        if not self.reason.strip():
            raise ValidationError({"reason": _("Please give a reason.")})
