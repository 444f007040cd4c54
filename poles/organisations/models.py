"""Organisations of the programme: firms, labs, universities, training centres, authorities."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poles.core.models import TimeStamped, Versioned

from . import validators


class Category(models.TextChoices):
    """The target groups of the policy-instrument questionnaire, used as organisation categories."""

    COMPANY = "company", _("Company")
    NTBF = "ntbf", _("New technology-based firm / knowledge-intensive service firm")
    BUSINESS_ORG = "business_org", _("Business organisation (chamber of commerce, …)")
    CONSULTANCY = "consultancy", _("Consultancy or private service provider (non-profit)")
    HEI = "hei", _("Higher-education institution (education function)")
    HEI_RESEARCH = "hei_research", _("Higher-education research unit or centre")
    NONPROFIT_RESEARCH = "nonprofit_research", _("Other non-profit research organisation")
    PUBLIC_RESEARCH = "public_research", _("Public research organisation")
    TRAINING = "training", _("Training centre")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")


COMPANY_CATEGORIES = frozenset({Category.COMPANY, Category.NTBF})
RESEARCH_CATEGORIES = frozenset(
    {Category.HEI_RESEARCH, Category.NONPROFIT_RESEARCH, Category.PUBLIC_RESEARCH}
)
TRAINING_CATEGORIES = frozenset({Category.HEI, Category.TRAINING})


class SizeClass(models.TextChoices):
    """The unified size class used by calls and rate tables (EU SME classes, then ETI, then large)."""

    MICRO = "micro", _("Micro-enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium-sized enterprise")
    MID = "mid", _("Mid-size company (ETI)")
    LARGE = "large", _("Large company")


class EuSize(models.TextChoices):
    MICRO = "micro", _("micro")
    SMALL = "small", _("small")
    MEDIUM = "medium", _("medium")
    LARGE = "large", _("large (not an SME)")


class FrSize(models.TextChoices):
    MICRO = "micro", _("micro-entreprise")
    PME = "pme", _("PME")
    ETI = "eti", _("ETI")
    GE = "ge", _("grande entreprise")


class Competence(models.Model):
    """A keyword of expertise (e.g. “power electronics”), in French and English."""

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["label_fr"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "fr").startswith("en") else self.label_fr


class Organisation(Versioned):
    """A legal entity taking part in the programme, with its identifiers and location."""

    name = models.CharField(_("name"), max_length=255, db_index=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices, db_index=True)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validators.validate_siren], db_index=True
    )
    siret = models.CharField(
        _("SIRET (head office)"), max_length=14, blank=True, validators=[validators.validate_siret]
    )
    rnsr = models.CharField(_("RNSR"), max_length=10, blank=True, validators=[validators.validate_rnsr])
    ror = models.CharField(_("ROR id"), max_length=9, blank=True, validators=[validators.validate_ror])
    vat = models.CharField(_("VAT number"), max_length=20, blank=True, validators=[validators.validate_vat])
    pic = models.CharField(_("EU PIC"), max_length=9, blank=True, validators=[validators.validate_pic])
    street = models.CharField(_("street address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    commune = models.CharField(_("commune"), max_length=120, blank=True)
    departement = models.ForeignKey(
        "territories.Departement",
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    country = models.CharField(_("country (ISO code)"), max_length=2, default="FR")
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    competences = models.ManyToManyField(
        Competence, verbose_name=_("competences"), blank=True, related_name="organisations"
    )
    competences_text = models.TextField(_("competences (free text)"), blank=True)
    public_control = models.DecimalField(
        _("share held by public bodies (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("25 % or more held by public bodies means the firm is not an SME."),
    )
    findable = models.BooleanField(
        _("findable in partner search"), default=False, help_text=_("Opt in to appear in partner search.")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    size_class = models.CharField(
        _("current size class"),
        max_length=10,
        choices=SizeClass.choices,
        blank=True,
        db_index=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="organisation_unique_siren"
            ),
            models.UniqueConstraint(fields=["pic"], condition=~Q(pic=""), name="organisation_unique_pic"),
        ]
        indexes = [models.Index(fields=["category", "size_class"])]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self):
        return self.departement.region if self.departement_id else None

    @property
    def is_company(self) -> bool:
        return self.category in COMPANY_CATEGORIES

    def clean(self) -> None:
        self.siren = validators.compact_siren(self.siren) if self.siren else ""
        self.siret = validators.compact_siret(self.siret) if self.siret else ""
        if self.siren and self.siret and not self.siret.startswith(self.siren):
            raise ValidationError({"siret": _("The SIRET must start with the organisation's SIREN.")})
        if self.siret and not self.siren:
            self.siren = self.siret[:9]


class OrganisationLink(TimeStamped):
    """A shareholding between two enterprises: linked (> 50 %) or partner (25–50 %) for the SME test."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="stakes"
    )
    other = models.ForeignKey(
        Organisation, verbose_name=_("other enterprise"), on_delete=models.CASCADE, related_name="+"
    )
    share = models.DecimalField(
        _("share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("link between enterprises")
        verbose_name_plural = _("links between enterprises")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "other"], name="organisationlink_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.other} ({self.share} %)"

    def clean(self) -> None:
        if self.organisation_id and self.organisation_id == self.other_id:
            raise ValidationError({"other": _("An organisation cannot hold a share of itself.")})


class YearlyFigures(TimeStamped):
    """One year's figures of an organisation, and the size class derived from them."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="figures"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    headcount = models.DecimalField(
        _("headcount (annual work units)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    turnover = models.DecimalField(
        _("turnover (EUR)"),
        max_digits=16,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    balance_sheet = models.DecimalField(
        _("balance-sheet total (EUR)"),
        max_digits=16,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    rd_spending = models.DecimalField(
        _("R&D spending (EUR)"),
        max_digits=16,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    rd_staff = models.DecimalField(
        _("R&D staff (FTE)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    patents_filed = models.PositiveIntegerField(_("patents filed"), null=True, blank=True)
    size_eu = models.CharField(
        _("EU size class"), max_length=10, choices=EuSize.choices, blank=True, editable=False
    )
    size_fr = models.CharField(
        _("French category"), max_length=10, choices=FrSize.choices, blank=True, editable=False
    )
    size_class = models.CharField(
        _("size class"), max_length=10, choices=SizeClass.choices, blank=True, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")
        ordering = ["organisation", "year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="yearlyfigures_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class Contact(TimeStamped):
    """A person to reach at an organisation. Personal data: shown only to the organisation,
    its clusters' staff and programme officers; exportable and erasable on request."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_main = models.BooleanField(_("main contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation", "-is_main", "last_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
