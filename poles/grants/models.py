"""Co-financing decisions per funder and partner (post-award follow-up is added alongside)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.models import Versioned


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
