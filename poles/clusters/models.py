"""Clusters, their label history, ratings, governance, memberships and performance contracts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.fields import localized
from poles.core.models import TimeStamped, Versioned


class SpecialisationField(models.Model):
    """A scientific and technological field a cluster specialises in."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=150)
    label_en = models.CharField(_("label (English)"), max_length=150)

    class Meta:
        verbose_name = _("specialisation field")
        verbose_name_plural = _("specialisation fields")
        ordering = ["label_fr"]

    def __str__(self) -> str:
        return localized(self, "label")


class LabelPhase(models.Model):
    """A phase of the programme (phase 1: 2006–2008 …) over which clusters hold a label."""

    programme = models.ForeignKey(
        "instruments.Programme", verbose_name=_("programme"), on_delete=models.CASCADE, related_name="phases"
    )
    number = models.PositiveSmallIntegerField(
        _("phase"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("label phase")
        verbose_name_plural = _("label phases")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="labelphase_unique_number")
        ]

    def __str__(self) -> str:
        return _("Phase %(number)s (%(start)s–%(end)s)") % {
            "number": self.number,
            "start": self.start.year,
            "end": self.end.year,
        }

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date must not be before the start date.")})


class Cluster(Versioned):
    """A labelled cluster (pôle de compétitivité) gathering firms, labs and training bodies."""

    class Category(models.TextChoices):
        WORLD_CLASS = "world_class", _("World-class cluster")
        WORLD_VOCATION = "world_vocation", _("Cluster with a world vocation")
        NATIONAL = "national", _("National cluster")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Labelled")
        DELABELLED = "delabelled", _("Delabelled")
        MERGED = "merged", _("Merged into another cluster")

    programme = models.ForeignKey(
        "instruments.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="clusters",
    )
    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=60, blank=True)
    slug = models.SlugField(_("code"), max_length=80, unique=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    website = models.URLField(_("website"), blank=True)
    city = models.CharField(_("head-office city"), max_length=120, blank=True)
    departement = models.ForeignKey(
        "territories.Departement",
        verbose_name=_("head-office département"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    regions = models.ManyToManyField(
        "territories.Region", verbose_name=_("regions"), related_name="clusters", blank=True
    )
    fields = models.ManyToManyField(
        SpecialisationField, verbose_name=_("specialisation fields"), related_name="clusters"
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.NATIONAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    labelled_on = models.DateField(_("first labelled on"))
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return localized(self, "description")


class ClusterLabel(models.Model):
    """The label decision for a cluster in one phase: labelled, on probation, or not renewed."""

    class Decision(models.TextChoices):
        LABELLED = "labelled", _("Labelled")
        PROBATION = "probation", _("Labelled on probation")
        NOT_RENEWED = "not_renewed", _("Not renewed")

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="labels"
    )
    phase = models.ForeignKey(
        LabelPhase, verbose_name=_("phase"), on_delete=models.PROTECT, related_name="labels"
    )
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    decided_on = models.DateField(_("decided on"))

    class Meta:
        verbose_name = _("label decision")
        verbose_name_plural = _("label decisions")
        ordering = ["cluster", "phase__number"]
        constraints = [models.UniqueConstraint(fields=["cluster", "phase"], name="clusterlabel_unique_phase")]

    def __str__(self) -> str:
        return f"{self.cluster} — {self.phase}: {self.get_decision_display()}"


class ClusterRating(models.Model):
    """A rating given by an official evaluation (e.g. 2012: very performant / performant / less)."""

    class Rating(models.TextChoices):
        VERY_PERFORMANT = "very_performant", _("Very performant")
        PERFORMANT = "performant", _("Performant")
        LESS_PERFORMANT = "less_performant", _("Less performant")
        OBJECTIVES_REACHED = "reached", _("Objectives reached")
        PARTLY_REACHED = "partly", _("Objectives partly reached")
        TO_RECONFIGURE = "reconfigure", _("To be reconfigured")

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="ratings"
    )
    evaluation = models.CharField(_("evaluation"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices, db_index=True)
    text_fr = models.TextField(_("evaluation text (French)"), blank=True)
    text_en = models.TextField(_("evaluation text (English)"), blank=True)
    rated_on = models.DateField(_("rated on"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["cluster", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "year", "evaluation"], name="clusterrating_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cluster} {self.year}: {self.get_rating_display()}"

    @property
    def text(self) -> str:
        return localized(self, "text")


class GovernanceBody(models.Model):
    """A governing body of a cluster (board, bureau, strategy committee)."""

    class Kind(models.TextChoices):
        BOARD = "board", _("Board of directors")
        BUREAU = "bureau", _("Bureau")
        GENERAL_ASSEMBLY = "assembly", _("General assembly")
        STRATEGY = "strategy", _("Strategy committee")

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="bodies"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        ordering = ["cluster", "kind"]

    def __str__(self) -> str:
        return self.name or f"{self.get_kind_display()} — {self.cluster}"


class GovernanceSeat(models.Model):
    """An organisation's seat in a governance body (used by reviewers' conflict-of-interest checks)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        TREASURER = "treasurer", _("Treasurer")
        MEMBER = "member", _("Member")

    body = models.ForeignKey(
        GovernanceBody, verbose_name=_("body"), on_delete=models.CASCADE, related_name="seats"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="seats",
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("governance seat")
        verbose_name_plural = _("governance seats")

    def __str__(self) -> str:
        return f"{self.organisation} — {self.body}"


class Membership(Versioned):
    """An organisation's membership of a cluster over a period (end empty while it lasts)."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        FOUNDING = "founding", _("Founding member")
        ASSOCIATE = "associate", _("Associate member")

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.MEMBER)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["cluster", "organisation", "start"]
        indexes = [
            models.Index(fields=["organisation", "start"]),
            models.Index(fields=["cluster", "start", "end"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="membership_end_after_start",
                violation_error_message=_("A membership cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.cluster}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("A membership cannot end before it starts.")})
        if self.cluster_id and self.organisation_id and self.start:
            overlapping = Membership.objects.filter(
                cluster_id=self.cluster_id, organisation_id=self.organisation_id
            )
            if self.pk:
                overlapping = overlapping.exclude(pk=self.pk)
            if self.end:
                overlapping = overlapping.filter(start__lte=self.end)
            overlapping = overlapping.filter(models.Q(end__isnull=True) | models.Q(end__gte=self.start))
            if overlapping.exists():
                raise ValidationError(
                    {"start": _("This organisation is already a member of this cluster during this period.")}
                )


class PerformanceContract(Versioned):
    """The contract binding the State, local authorities and partners to a cluster's priorities."""

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="contracts"
    )
    phase = models.ForeignKey(
        LabelPhase, verbose_name=_("phase"), null=True, blank=True, on_delete=models.SET_NULL
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    priorities_fr = models.TextField(_("priorities (French)"))
    priorities_en = models.TextField(_("priorities (English)"))

    class Meta:
        verbose_name = _("performance contract")
        verbose_name_plural = _("performance contracts")
        ordering = ["cluster", "start_year"]

    def __str__(self) -> str:
        return _("Performance contract %(start)s–%(end)s — %(cluster)s") % {
            "start": self.start_year,
            "end": self.end_year,
            "cluster": self.cluster,
        }

    @property
    def priorities(self) -> str:
        return localized(self, "priorities")

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year must not be before the first year.")})


class ContractParty(models.Model):
    """A signatory of a performance contract."""

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        UNIVERSITY = "university", _("University")
        LAB = "lab", _("Research lab")
        TRAINING = "training", _("Training centre")
        ENTERPRISE = "enterprise", _("Enterprise")

    contract = models.ForeignKey(PerformanceContract, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("contract party")
        verbose_name_plural = _("contract parties")
        ordering = ["contract", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class Kpi(models.Model):
    """An indicator a contract sets targets on; `source` names the computation when poles derives it."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    source = models.CharField(_("computed from"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return localized(self, "label")


class KpiTarget(TimeStamped):
    """The target of one indicator for one year of a contract."""

    contract = models.ForeignKey(PerformanceContract, on_delete=models.CASCADE, related_name="targets")
    kpi = models.ForeignKey(Kpi, verbose_name=_("indicator"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["contract", "kpi", "year"]
        constraints = [models.UniqueConstraint(fields=["contract", "kpi", "year"], name="kpitarget_unique")]

    def __str__(self) -> str:
        return f"{self.kpi} {self.year}: {self.target}"

    def clean(self) -> None:
        contract = self.contract if self.contract_id else None
        if contract and self.year and not (contract.start_year <= self.year <= contract.end_year):
            raise ValidationError({"year": _("The year must fall within the contract's period.")})


class ClusterReport(Versioned):
    """A cluster's yearly report on its performance contract: its narrative and the values it reports.

    Indicator actuals are computed from platform data (clusters/kpis.py) each time the report is
    shown; only indicators poles cannot compute (a Kpi without `source`) are typed in, as
    ReportedValue rows. Submitting freezes the computed figures in `snapshot` for the record.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being written")
        SUBMITTED = "submitted", _("Submitted")

    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    narrative_fr = models.TextField(_("highlights of the year (French)"), blank=True)
    narrative_en = models.TextField(_("highlights of the year (English)"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    snapshot = models.JSONField(_("figures as submitted"), default=dict, blank=True)

    class Meta:
        verbose_name = _("cluster report")
        verbose_name_plural = _("cluster reports")
        ordering = ["cluster", "-year"]
        constraints = [models.UniqueConstraint(fields=["cluster", "year"], name="clusterreport_unique")]

    def __str__(self) -> str:
        return _("%(cluster)s — report %(year)s") % {"cluster": self.cluster, "year": self.year}

    @property
    def narrative(self) -> str:
        return localized(self, "narrative")


class ReportedValue(models.Model):
    """The value a cluster reports for an indicator poles cannot compute from its data."""

    report = models.ForeignKey(ClusterReport, on_delete=models.CASCADE, related_name="reported_values")
    kpi = models.ForeignKey(Kpi, verbose_name=_("indicator"), on_delete=models.PROTECT)
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        constraints = [models.UniqueConstraint(fields=["report", "kpi"], name="reportedvalue_unique")]

    def __str__(self) -> str:
        return f"{self.report}: {self.kpi} = {self.value}"
