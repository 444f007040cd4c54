"""Expert review: the reviewer pool, conflicts of interest, assignments, scores and rankings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.models import TimeStamped, Versioned


class Reviewer(Versioned):
    """An expert of a programme's pool, with the organisation they work for and their expertise.

    Versioned so that two officers editing the same expert's record cannot overwrite each other.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer")
    programme = models.ForeignKey("instruments.Programme", on_delete=models.PROTECT, related_name="reviewers")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("employer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="reviewers",
    )  # fmt: skip
    expertise = models.JSONField(_("expertise keywords"), default=list, blank=True)
    max_load = models.PositiveSmallIntegerField(_("maximum proposals per call"), default=8)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("reviewer")
        verbose_name_plural = _("reviewers")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class ConflictDeclaration(TimeStamped):
    """The reviewer's signed statement about one proposal: a conflict declared, or none."""

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="declarations")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    has_conflict = models.BooleanField(_("I have a conflict of interest"))
    statement = models.TextField(_("statement"), blank=True)
    signed_at = models.DateTimeField(_("signed at"))

    class Meta:
        verbose_name = _("conflict-of-interest declaration")
        verbose_name_plural = _("conflict-of-interest declarations")
        constraints = [models.UniqueConstraint(fields=["reviewer", "project"], name="declaration_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} — {self.project}"


class Assignment(Versioned):
    """A proposal given to a reviewer, automatically or by an officer's audited choice."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        SUBMITTED = "submitted", _("Review submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn (conflict declared)")

    reviewer = models.ForeignKey(Reviewer, on_delete=models.CASCADE, related_name="assignments")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED, db_index=True
    )
    manual = models.BooleanField(_("assigned by hand"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    match_score = models.FloatField(_("expertise match"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["reviewer", "project"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} — {self.project}"


class Review(Versioned):
    """A reviewer's scores per criterion (None = not applicable) and comments."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    scores = models.JSONField(_("scores"), default=dict)
    comments = models.TextField(_("comments"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment}"


class ProjectScore(Versioned):
    """A proposal's aggregated score: criterion means, consensus where given, overall and threshold."""

    project = models.OneToOneField("projects.Project", on_delete=models.CASCADE, related_name="score")
    criteria = models.JSONField(_("score per criterion"), default=dict)
    consensus = models.JSONField(_("consensus scores"), default=dict, blank=True)
    consensus_comment = models.TextField(_("consensus comment"), blank=True)
    overall = models.DecimalField(_("overall score"), max_digits=6, decimal_places=3, null=True, blank=True)
    passed = models.BooleanField(_("above the thresholds"), default=False)
    reasons = models.JSONField(_("threshold reasons"), default=list, blank=True)
    position = models.PositiveIntegerField(_("rank in the call"), null=True, blank=True)
    ex_aequo = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.project}: {self.overall}"
