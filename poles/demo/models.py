"""A record of each demo load: scale, seed, and the planted truth the evaluation can be checked against."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoDataset(models.Model):
    """The synthetic programme loaded by `poles demo`, with its parameters and planted effects."""

    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    scale = models.CharField(_("scale"), max_length=20)
    seed = models.PositiveIntegerField(_("seed"))
    seconds = models.FloatField(_("generation time (s)"))
    counts = models.JSONField(_("rows created"), default=dict)
    truth = models.JSONField(_("planted effects"), default=dict)

    class Meta:
        verbose_name = _("demo data set")
        verbose_name_plural = _("demo data sets")

    def __str__(self) -> str:
        return f"{self.scale} (seed {self.seed})"
