"""Co-financing decisions per funder and partner, and the post-award follow-up built on them.

Decision (issue 3) is the funder's aid to one partner. Below it (issue 4): the agreements that
carry each decision's instalment schedule, the payments, the consortium's progress and final
reports (milestones, spending against the budget), the typed outputs, and the IPR records.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.models import TimeStamped, Versioned
from poles.projects.models import BudgetLine

BudgetCostType = BudgetLine.CostType


class Decision(Versioned):
    """A funder's aid to one partner of a selected project: eligible cost × rate, capped, in euros."""

    class Form(models.TextChoices):
        GRANT = "grant", _("Grant")
        ADVANCE = "advance", _("Recoverable advance")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        DECIDED = "decided", _("Decided")
        NOTIFIED = "notified", _("Notified")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="decisions")
    participation = models.ForeignKey(
        "projects.Participation", on_delete=models.PROTECT, related_name="decisions"
    )
    funder = models.ForeignKey(
        "calls.Funder", verbose_name=_("funder"), on_delete=models.PROTECT, related_name="decisions"
    )
    eligible_cost = models.DecimalField(
        _("eligible cost (EUR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    rate = models.DecimalField(
        _("aid rate"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    amount = models.DecimalField(
        _("aid (EUR)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(Decimal(0))]
    )
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.GRANT)
    capped_by = models.CharField(_("capped by"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED, db_index=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notified_at = models.DateTimeField(_("letter sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["project", "funder", "participation"]
        constraints = [models.UniqueConstraint(fields=["participation", "funder"], name="decision_unique")]
        indexes = [models.Index(fields=["funder", "status"])]

    def __str__(self) -> str:
        return f"{self.funder} → {self.participation}: {self.amount} EUR"


# ---------------------------------------------------------------------------------------------
# Post-award follow-up: agreements, instalments, payments, reports, outputs, IPR (issue 4)
# ---------------------------------------------------------------------------------------------

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}
EUROS = {"max_digits": 14, "decimal_places": 0, "validators": [MinValueValidator(Decimal(0))]}


class Agreement(Versioned):
    """The grant agreement a funder signs for its decisions on one project.

    A funder signs either once for the consortium (all its decisions on the project) or once per
    partner (`participation` set), as the call says (`call.instalments["per_partner"]`). The
    agreement carries the instalment schedule of each decision it covers; `amount` is the sum of
    those decisions when the agreement was made, so that payments always reconcile with them.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting signature")
        SIGNED = "signed", _("Signed")
        CLOSED = "closed", _("Closed (fully paid)")
        TERMINATED = "terminated", _("Terminated")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="agreements"
    )
    funder = models.ForeignKey(
        "calls.Funder", verbose_name=_("funder"), on_delete=models.PROTECT, related_name="agreements"
    )
    participation = models.ForeignKey(
        "projects.Participation", verbose_name=_("partner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="agreements", help_text=_("Set when the funder signs with each partner separately."),
    )  # fmt: skip
    reference = models.CharField(_("reference"), max_length=80, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    amount = models.DecimalField(_("aid covered (EUR)"), **EUROS)
    funder_signed_on = models.DateField(_("signed by the funder on"), null=True, blank=True)
    beneficiary_signed_on = models.DateField(_("signed by the beneficiary on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["project_id", "funder_id", "id"]
        indexes = [models.Index(fields=["funder", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def signed(self) -> bool:
        return self.status in (self.Status.SIGNED, self.Status.CLOSED)


class Instalment(Versioned):
    """One payment tranche of one decision: advance, intermediate or balance, with its condition.

    The schedule comes from the call (`call.instalments`): each decision's aid is split into
    whole-euro amounts that add up exactly to the decision. An instalment is `payable` only once
    its condition holds (agreement signed; the n-th progress report approved; the final report
    approved) and `paid` when payments reach its amount.
    """

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advance")
        INTERMEDIATE = "intermediate", _("Intermediate payment")
        BALANCE = "balance", _("Balance")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Not yet payable")
        PAYABLE = "payable", _("Payable")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="instalments")
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="instalments"
    )
    number = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    progress_reports_needed = models.PositiveSmallIntegerField(
        _("approved progress reports needed"), default=0
    )
    share = models.DecimalField(
        _("share of the aid"), max_digits=5, decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )  # fmt: skip
    amount = models.DecimalField(_("amount (EUR)"), **EUROS)
    paid = models.DecimalField(_("paid (EUR)"), default=0, **MONEY)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    payable_since = models.DateField(_("payable since"), null=True, blank=True)
    paid_on = models.DateField(_("fully paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["agreement_id", "decision_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="instalment_unique_number"),
            models.CheckConstraint(condition=models.Q(paid__lte=models.F("amount")), name="instalment_paid_le_amount"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.agreement} — {self.get_kind_display()} {self.number}: {self.amount} EUR"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.paid


class Payment(TimeStamped):
    """Money actually paid against an instalment (never edited; a correction is a new audited row)."""

    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=80, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["instalment_id", "paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.instalment}: {self.amount} EUR on {self.paid_on}"


class ProgressReport(Versioned):
    """A progress or final report of a funded project, written by the consortium, reviewed by a funder.

    Reports are scheduled when the project's first agreement is made (one a year, at least one per
    intermediate instalment, and a final report after the end). One report serves every funder of
    the project: approving it is what makes the intermediate (or balance) instalments payable.
    """

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress report")
        FINAL = "final", _("Final report")

    class Status(models.TextChoices):
        DRAFT = "draft", _("To be written")
        SUBMITTED = "submitted", _("Submitted, awaiting review")
        RETURNED = "returned", _("Sent back for changes")
        APPROVED = "approved", _("Approved")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    narrative = models.TextField(_("narrative"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    snapshot = models.JSONField(_("milestones and spending as submitted"), default=dict, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["project_id", "due_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "number"], name="progressreport_unique")
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.FINAL:
            return _("Final report — %(project)s") % {"project": self.project.acronym}
        return _("Progress report %(number)s — %(project)s") % {
            "number": self.number,
            "project": self.project.acronym,
        }

    def is_late(self, today) -> bool:
        """Due and still not submitted (or sent back and not resubmitted)."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED) and self.due_on < today


class Milestone(Versioned):
    """A milestone or deliverable of a funded project, with its due date and where it stands."""

    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("Milestone")
        DELIVERABLE = "deliverable", _("Deliverable")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACHIEVED = "achieved", _("Achieved")
        DELAYED = "delayed", _("Delayed")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones"
    )
    participation = models.ForeignKey(
        "projects.Participation", verbose_name=_("responsible partner"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="milestones",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MILESTONE)
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("milestone or deliverable")
        verbose_name_plural = _("milestones and deliverables")
        ordering = ["project_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.status == self.Status.ACHIEVED and not self.achieved_on:
            raise ValidationError({"achieved_on": _("Say when it was achieved.")})
        if self.participation_id and self.project_id and self.participation.project_id != self.project_id:
            raise ValidationError({"participation": _("This organisation is not a partner of the project.")})


class SpendingLine(models.Model):
    """What one partner spent on one cost type during a report's period (compared with its budget)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="spending")
    participation = models.ForeignKey(
        "projects.Participation", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="spending"
    )
    cost_type = models.CharField(_("cost type"), max_length=16, choices=BudgetCostType.choices)
    amount = models.DecimalField(_("spent in the period (EUR)"), **MONEY)

    class Meta:
        verbose_name = _("spending line")
        verbose_name_plural = _("spending lines")
        ordering = ["report_id", "participation_id", "cost_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "participation", "cost_type"], name="spendingline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report}: {self.participation} {self.get_cost_type_display()} {self.amount}"


# Crossref's recommended pattern for modern DOIs (it matches 74.4 M of their 74.9 M DOIs).
DOI_PATTERN = r"^10\.\d{4,9}/[-._;()/:A-Za-z0-9]+$"


class Output(Versioned):
    """A result of a funded project, typed, dated, attached to a partner, with evidence.

    Outputs feed the policy's evaluation (jobs, patents, publications, products, licences,
    spin-offs, follow-up projects, private funding); a funder or an officer validates each one.
    Validated outputs are public; the others are seen by the project's stakeholders only.
    """

    class Kind(models.TextChoices):
        JOBS = "jobs", _("Jobs created (FTE)")
        PATENT_FILED = "patent_filed", _("Patent filed")
        PATENT_GRANTED = "patent_granted", _("Patent granted")
        PUBLICATION = "publication", _("Publication")
        PRODUCT = "product", _("Product or service launched")
        LICENCE = "licence", _("Licence granted")
        SPIN_OFF = "spin_off", _("Spin-off created")
        FOLLOW_UP = "follow_up", _("Follow-up project")
        PRIVATE_FUNDING = "private_funding", _("Private funding raised")

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared, awaiting validation")
        VALIDATED = "validated", _("Validated")
        REJECTED = "rejected", _("Rejected")

    class LicenceKind(models.TextChoices):
        EXCLUSIVE = "exclusive", _("Exclusive")
        NON_EXCLUSIVE = "non_exclusive", _("Non-exclusive")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="outputs"
    )
    participation = models.ForeignKey(
        "projects.Participation", verbose_name=_("partner"), on_delete=models.CASCADE, related_name="outputs"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    achieved_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    quantity = models.DecimalField(
        _("quantity (FTE or EUR)"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Full-time equivalents for jobs; euros for private funding."),
    )  # fmt: skip
    doi = models.CharField(
        _("DOI"), max_length=200, blank=True,
        validators=[RegexValidator(DOI_PATTERN, _("Enter a DOI such as 10.1234/abc.5678 (without https://doi.org/)."))],
    )  # fmt: skip
    patent_number = models.CharField(_("patent or application number"), max_length=60, blank=True)
    licensee = models.CharField(_("licensee"), max_length=200, blank=True)
    licence_kind = models.CharField(_("licence kind"), max_length=14, choices=LicenceKind.choices, blank=True)
    evidence_url = models.URLField(_("evidence (link)"), blank=True)
    evidence_note = models.TextField(_("evidence (note)"), blank=True)
    status = models.CharField(
        _("validation status"), max_length=10, choices=Status.choices, default=Status.DECLARED, db_index=True
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    review_note = models.TextField(_("validation note"), blank=True)

    class Meta:
        verbose_name = _("output")
        verbose_name_plural = _("outputs")
        ordering = ["-achieved_on", "id"]
        indexes = [models.Index(fields=["project", "kind"]), models.Index(fields=["kind", "achieved_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def clean(self) -> None:
        errors = {}
        kind = self.kind
        if kind in (self.Kind.JOBS, self.Kind.PRIVATE_FUNDING) and not self.quantity:
            errors["quantity"] = (
                _("Give the jobs created in full-time equivalents.")
                if kind == self.Kind.JOBS
                else _("Give the amount raised in euros.")
            )
        if kind == self.Kind.PUBLICATION and not self.doi:
            errors["doi"] = _("A publication needs its DOI.")
        if kind in (self.Kind.PATENT_FILED, self.Kind.PATENT_GRANTED) and not self.patent_number:
            errors["patent_number"] = _("A patent needs its application or publication number.")
        if kind == self.Kind.LICENCE:
            if not self.licensee:
                errors["licensee"] = _("A licence needs its licensee.")
            if not self.licence_kind:
                errors["licence_kind"] = _("Say whether the licence is exclusive.")
        if not self.evidence_url and not self.evidence_note.strip():
            errors["evidence_note"] = _(
                "Give evidence: a link, or a note saying where the proof can be checked."
            )
        if self.participation_id and self.project_id and self.participation.project_id != self.project_id:
            errors["participation"] = _("This organisation is not a partner of the project.")
        if errors:
            raise ValidationError(errors)


class ConsortiumAgreement(Versioned):
    """The consortium agreement of a funded project: who owns what, access rights, signature."""

    class Status(models.TextChoices):
        NEGOTIATING = "negotiating", _("Under negotiation")
        SIGNED = "signed", _("Signed")

    project = models.OneToOneField(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE,
        related_name="consortium_agreement",
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEGOTIATING)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    ownership = models.TextField(
        _("ownership of results"), blank=True,
        help_text=_("Who owns the foreground (results), joint ownership rules."),
    )  # fmt: skip
    access_rights = models.TextField(_("access rights"), blank=True)
    document_reference = models.CharField(_("document reference"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("consortium agreement")
        verbose_name_plural = _("consortium agreements")

    def __str__(self) -> str:
        return _("Consortium agreement — %(project)s") % {"project": self.project.acronym}

    def clean(self) -> None:
        if self.status == self.Status.SIGNED and not self.signed_on:
            raise ValidationError({"signed_on": _("Say when it was signed.")})


class IPDeclaration(Versioned):
    """Intellectual property a partner brings (background) or creates in the project (foreground)."""

    class Kind(models.TextChoices):
        BACKGROUND = "background", _("Background (brought into the project)")
        FOREGROUND = "foreground", _("Foreground (created in the project)")

    class Protection(models.TextChoices):
        PATENT = "patent", _("Patent")
        SOFTWARE = "software", _("Software")
        KNOW_HOW = "know_how", _("Know-how")
        DESIGN = "design", _("Design or model")
        COPYRIGHT = "copyright", _("Copyright")
        OTHER = "other", _("Other")

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="ip_declarations",
    )
    participation = models.ForeignKey(
        "projects.Participation", verbose_name=_("owner"), on_delete=models.CASCADE,
        related_name="ip_declarations",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    protection = models.CharField(_("protection"), max_length=12, choices=Protection.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reference = models.CharField(_("reference (patent number…)"), max_length=80, blank=True)
    declared_on = models.DateField(_("declared on"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("IP declaration")
        verbose_name_plural = _("IP declarations")
        ordering = ["project_id", "kind", "participation_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def clean(self) -> None:
        if self.participation_id and self.project_id and self.participation.project_id != self.project_id:
            raise ValidationError({"participation": _("This organisation is not a partner of the project.")})


class Licence(Versioned):
    """A licence on project IP, granted by a partner to another partner or to a third party."""

    class Kind(models.TextChoices):
        EXCLUSIVE = "exclusive", _("Exclusive")
        NON_EXCLUSIVE = "non_exclusive", _("Non-exclusive")
        CROSS = "cross", _("Cross-licence")

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="licences"
    )
    licensor = models.ForeignKey(
        "projects.Participation",
        verbose_name=_("licensor"),
        on_delete=models.CASCADE,
        related_name="licences_granted",
    )
    licensee_partner = models.ForeignKey(
        "projects.Participation", verbose_name=_("licensee (partner)"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="licences_received",
    )  # fmt: skip
    licensee_name = models.CharField(_("licensee (third party)"), max_length=200, blank=True)
    ip = models.ForeignKey(
        IPDeclaration, verbose_name=_("licensed IP"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="licences",
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    field_of_use = models.CharField(_("field of use"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"))

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["project_id", "signed_on", "id"]

    def __str__(self) -> str:
        return f"{self.licensor.organisation} → {self.licensee}"

    @property
    def licensee(self) -> str:
        return str(self.licensee_partner.organisation) if self.licensee_partner_id else self.licensee_name

    @property
    def to_third_party(self) -> bool:
        return self.licensee_partner_id is None

    def clean(self) -> None:
        errors = {}
        if bool(self.licensee_partner_id) == bool(self.licensee_name.strip()):
            errors["licensee_name"] = _("Name either a partner of the project or a third party as licensee.")
        if self.licensee_partner_id and self.licensee_partner_id == self.licensor_id:
            errors["licensee_partner"] = _("A partner cannot license to itself.")
        for name in ("licensor", "licensee_partner"):
            part = getattr(self, name) if getattr(self, f"{name}_id") else None
            if part is not None and self.project_id and part.project_id != self.project_id:
                errors[name] = _("This organisation is not a partner of the project.")
        if self.ip_id and self.project_id and self.ip.project_id != self.project_id:
            errors["ip"] = _("This IP was declared in another project.")
        if errors:
            raise ValidationError(errors)


class FollowupNotice(models.Model):
    """One e-mail sent by `poles followup notify`, kept so that running the command again resends nothing."""

    key = models.CharField(max_length=120, unique=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up notice")
        verbose_name_plural = _("follow-up notices")

    def __str__(self) -> str:
        return self.key
