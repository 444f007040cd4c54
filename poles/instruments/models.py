"""The catalogue of policy instruments and knowledge-transfer practices, and the programmes.

An authority describes an instrument (or a practice) with the fields of the questionnaire that
authorities use to share them; a programme run on poles is linked to the instrument it
implements, so the catalogue record points to the data that measures it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.fields import localized
from poles.core.models import Versioned


class TargetGroup(models.Model):
    """A target group of the questionnaire (same codes as organisation categories)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["position"]

    def __str__(self) -> str:
        return localized(self, "label")


class PolicyKeyword(models.Model):
    """A keyword or priority of the questionnaire (e.g. knowledge transfer, cluster policy)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=300)
    label_en = models.CharField(_("label (English)"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("keyword")
        verbose_name_plural = _("keywords")
        ordering = ["position"]

    def __str__(self) -> str:
        return localized(self, "label")


class Instrument(Versioned):
    """A shared policy instrument or knowledge-transfer practice, in French and English."""

    class Kind(models.TextChoices):
        INSTRUMENT = "instrument", _("Policy instrument / policy")
        PRACTICE = "practice", _("Knowledge-transfer practice")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    country = models.CharField(_("country (ISO code)"), max_length=2, default="FR")
    contact_person = models.CharField(_("contact person"), max_length=200)
    contact_organisation = models.CharField(_("contact organisation"), max_length=300)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    keywords = models.ManyToManyField(PolicyKeyword, verbose_name=_("keywords / priorities"), blank=True)
    target_groups = models.ManyToManyField(TargetGroup, verbose_name=_("target groups"))
    aim_fr = models.TextField(_("aim / objective (French)"))
    aim_en = models.TextField(_("aim / objective (English)"))
    overview_fr = models.TextField(_("overview (French)"))
    overview_en = models.TextField(_("overview (English)"))
    created_on = models.DateField(_("date of creation"))
    active = models.BooleanField(_("still active"), default=True)
    outputs_quantitative_fr = models.TextField(_("main outputs, quantitative (French)"), blank=True)
    outputs_quantitative_en = models.TextField(_("main outputs, quantitative (English)"), blank=True)
    outputs_qualitative_fr = models.TextField(_("main outputs, qualitative (French)"), blank=True)
    outputs_qualitative_en = models.TextField(_("main outputs, qualitative (English)"), blank=True)
    max_cofinancing_rate = models.DecimalField(
        _("maximum co-financing rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    linked_practices = models.ManyToManyField(
        "self", verbose_name=_("linked knowledge-transfer practices"), blank=True, symmetrical=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitter_email = models.EmailField(_("submitter e-mail"), blank=True)
    moderation_note = models.TextField(_("moderation note"), blank=True)

    class Meta:
        verbose_name = _("policy instrument or practice")
        verbose_name_plural = _("policy instruments and practices")
        ordering = ["title_fr"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def aim(self) -> str:
        return localized(self, "aim")

    @property
    def overview(self) -> str:
        return localized(self, "overview")

    @property
    def outputs_quantitative(self) -> str:
        return localized(self, "outputs_quantitative")

    @property
    def outputs_qualitative(self) -> str:
        return localized(self, "outputs_qualitative")


class Programme(Versioned):
    """A programme run on poles by an authority (State, region, city), implementing an instrument."""

    class AuthorityKind(models.TextChoices):
        STATE = "state", _("State")
        REGION = "region", _("Region")
        DEPARTEMENT = "departement", _("Département")
        CITY = "city", _("Metropolis or city")
        EU = "eu", _("European Union")

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    authority = models.CharField(_("authority"), max_length=200)
    authority_kind = models.CharField(_("kind of authority"), max_length=12, choices=AuthorityKind.choices)
    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="programmes",
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["start_year", "slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")
