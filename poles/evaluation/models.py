"""Stored impact-evaluation runs: what was asked, on which data, with which code, and what came out.

An officer reading an estimate months later must be able to tell exactly how it was obtained and to
re-run it: every run keeps its parameters, the fingerprint of the panel it was computed on, the versions
of the code and libraries, the full results (estimates, diagnostics, comparisons) and the plain-language
summaries in French and English, plus its status, error, author and duration.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.fields import localized
from poles.core.models import TimeStamped


class EvaluationRun(TimeStamped):
    """One impact evaluation on the platform's firm panel, run as a background task and kept as is."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(
        "instruments.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="evaluation_runs",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    parameters = models.JSONField(_("parameters"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    data_fingerprint = models.CharField(_("data fingerprint"), max_length=80, blank=True)
    code_version = models.JSONField(_("code version"), default=dict, blank=True)
    results = models.JSONField(_("results"), null=True, blank=True)
    summary_fr = models.TextField(_("summary (French)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    error = models.JSONField(_("error"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rerun_of = models.ForeignKey(
        "self",
        verbose_name=_("re-run of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reruns",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration = models.FloatField(_("duration (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title or _("Evaluation run %(number)s") % {"number": self.pk}

    @property
    def summary(self) -> str:
        """The plain-language summary in the reader's language."""
        return localized(self, "summary")

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
