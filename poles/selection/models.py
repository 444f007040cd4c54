"""Selection runs: the optimiser's proposal for a call, its explanations, and the officers' choice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.models import TimeStamped


class SelectionRun(TimeStamped):
    """One run of the selection engine on a call (inputs, result, greedy comparison), kept as is."""

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="selection_runs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    parameters = models.JSONField(_("parameters"))
    inputs_fingerprint = models.CharField(_("inputs fingerprint"), max_length=71)
    status = models.CharField(_("solver status"), max_length=20)
    objective = models.FloatField(_("objective"))
    bound = models.FloatField(_("proven bound"), null=True)
    gap = models.FloatField(_("gap"))
    greedy_objective = models.FloatField(_("greedy objective"))
    solve_seconds = models.FloatField(_("solve time (s)"))
    binding = models.JSONField(_("binding constraints"), default=list)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        ordering = ["call", "-created_at"]
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.call} — {self.created_at:%Y-%m-%d %H:%M}"


class SelectionItem(models.Model):
    """A proposal in a run: in or out, why (the binding constraint), and the officers' final word."""

    class Outcome(models.TextChoices):
        SELECTED = "selected", _("Selected")
        RESERVE = "reserve", _("Reserve list")
        REJECTED = "rejected", _("Rejected")

    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="selection_items")
    proposed = models.BooleanField(_("selected by the optimiser"))
    greedy = models.BooleanField(_("selected by rank order"))
    reason = models.CharField(_("reason"), max_length=20)
    details = models.JSONField(_("details"), default=dict)
    rank = models.PositiveIntegerField(_("rank"), null=True)
    outcome = models.CharField(_("final outcome"), max_length=10, choices=Outcome.choices, blank=True)
    adjusted = models.BooleanField(_("adjusted by an officer"), default=False)
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True)

    class Meta:
        verbose_name = _("selection item")
        verbose_name_plural = _("selection items")
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "project"], name="selectionitem_unique")]

    def __str__(self) -> str:
        return f"{self.run}: {self.project}"
