"""An import started from the pages: the uploaded file(s), then the report of the background run."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.models import TimeStamped


class ImportRun(TimeStamped):
    """One upload: checked (dry run) or applied by a background task, its report kept as it was."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations")
        MEMBERSHIPS = "memberships", _("Cluster memberships")
        FIGURES = "figures", _("Yearly figures")
        OUTPUTS = "outputs", _("Outputs of projects")
        CORDIS = "cordis", _("CORDIS projects and organisations")
        H2020 = "h2020", _("Horizon 2020 participations extract")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        CHECKED = "checked", _("Checked, ready to apply")
        APPLIED = "applied", _("Applied")
        REJECTED = "rejected", _("Rejected: nothing was changed")
        FAILED = "failed", _("Failed: nothing was changed")

    kind = models.CharField(_("kind of file"), max_length=16, choices=Kind.choices)
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(_("file"), max_length=255)
    data = models.BinaryField(_("content"), editable=False)
    second_file_name = models.CharField(_("organisations file"), max_length=255, blank=True)
    second_data = models.BinaryField(_("organisations file content"), null=True, blank=True, editable=False)
    result = models.JSONField(_("report"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_run = models.ForeignKey(
        "self",
        verbose_name=_("dry run applied"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.file_name}"
