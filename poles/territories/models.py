"""Regions (current and former) and départements, with INSEE codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A French region: current (since 2016) or former (1982–2015, such as Rhône-Alpes)."""

    class Kind(models.TextChoices):
        CURRENT = "current", _("current region (since 2016)")
        FORMER = "former", _("former region (before 2016)")

    code = models.CharField(_("INSEE code"), max_length=3)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        limit_choices_to={"kind": "current"},
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="region_unique_code_per_kind")]

    def __str__(self) -> str:
        if self.kind == self.Kind.FORMER:
            return _("%(name)s (former region)") % {"name": self.name}
        return self.name


class Departement(models.Model):
    """A département, in its current region and in the region it belonged to before 2016."""

    code = models.CharField(_("INSEE code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="departements"
    )
    former_region = models.ForeignKey(
        Region,
        verbose_name=_("former region"),
        on_delete=models.PROTECT,
        related_name="former_departements",
    )

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
