"""Funders and calls for projects, with their rules, rates and envelopes as data."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.fields import localized
from poles.core.models import Versioned
from poles.organisations.validators import validate_siret


class Funder(Versioned):
    """A body that co-finances projects: a State fund, a region, a city, an EU fund, a public bank."""

    class Kind(models.TextChoices):
        STATE_FUND = "state_fund", _("State fund")
        REGION = "region", _("Region")
        DEPARTEMENT = "departement", _("Département")
        CITY = "city", _("Metropolis or city")
        EU_FUND = "eu_fund", _("EU fund")
        PUBLIC_BANK = "public_bank", _("Public bank")

    name = models.CharField(_("name"), max_length=200)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    slug = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The awarding body's SIRET: the SCDL Subventions open-data format identifies it by this number.
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    region = models.ForeignKey(
        "territories.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    departement = models.ForeignKey(
        "territories.Departement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Call(Versioned):
    """A call for collaborative projects: dates, funders and envelopes, and its rules as data.

    `rules`, `rates`, `caps` and `evaluation` hold the shapes the engines read (see
    poles/calls/engine/presets.py); once the call is open, every change is a new CallVersion.
    `selection` holds the selection policy: {"objective": "score"|"score_per_euro",
    "min_sme_share", "max_aid_per_cluster", "min_score"} (all optional).
    `instalments` holds the payment schedule agreements follow: {"advance": 0.3,
    "intermediate": 0.4, "balance": 0.3} (shares of each decision's aid).
    """

    class Kind(models.TextChoices):
        RD_PROJECT = "rd_project", _("Collaborative R&D project")
        PLATFORM = "platform", _("Innovation platform")

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed to submissions")
        REVIEW = "review", _("Under review")
        SELECTION = "selection", _("Selection")
        DECIDED = "decided", _("Decided")

    programme = models.ForeignKey(
        "instruments.Programme", verbose_name=_("programme"), on_delete=models.PROTECT, related_name="calls"
    )
    reference = models.SlugField(_("reference"), max_length=40, unique=True)
    number = models.PositiveSmallIntegerField(_("call number"), null=True, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.RD_PROJECT)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    preset = models.CharField(_("started from preset"), max_length=20, blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    labelling_deadline = models.DateTimeField(_("labelling deadline"))
    submission_deadline = models.DateTimeField(_("submission deadline"))
    rules = models.JSONField(_("eligibility rules"), default=list, blank=True)
    rates = models.JSONField(_("aid-rate table"), default=list, blank=True)
    caps = models.JSONField(_("aid caps"), default=dict, blank=True)
    evaluation = models.JSONField(_("evaluation criteria"), default=dict, blank=True)
    selection = models.JSONField(_("selection policy"), default=dict, blank=True)
    instalments = models.JSONField(_("instalment schedule"), default=dict, blank=True)
    funders = models.ManyToManyField(
        Funder, through="CallFunder", related_name="calls", verbose_name=_("funders")
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.labelling_deadline and self.labelling_deadline < self.opens_at:
            errors["labelling_deadline"] = _("The labelling deadline must not be before the opening.")
        if (
            self.labelling_deadline
            and self.submission_deadline
            and self.submission_deadline < self.labelling_deadline
        ):
            errors["submission_deadline"] = _(
                "The submission deadline must not be before the labelling deadline."
            )
        if errors:
            raise ValidationError(errors)


class CallFunder(models.Model):
    """A funder taking part in a call, with its envelope for the call."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="call_funders")
    funder = models.ForeignKey(
        Funder, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="call_funders"
    )
    envelope = models.DecimalField(
        _("envelope (EUR)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("funder of a call")
        verbose_name_plural = _("funders of a call")
        constraints = [models.UniqueConstraint(fields=["call", "funder"], name="callfunder_unique")]

    def __str__(self) -> str:
        return f"{self.funder} — {self.call}"


class CallVersion(models.Model):
    """A published state of a call: changes after opening make a new version (and an audit event)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    snapshot = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("call version")
        verbose_name_plural = _("call versions")
        ordering = ["call", "number"]
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="callversion_unique")]

    def __str__(self) -> str:
        return f"{self.call} v{self.number}"
