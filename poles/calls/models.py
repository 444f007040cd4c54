"""Funders (more of the calls domain is added by the calls workflow)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.models import Versioned


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
