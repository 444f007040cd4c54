"""The clusters' ecosystem services: actions, skills, events with registration and B2B meetings,
and the private funding raised by member SMEs.

Actions and published events are public (clusters report on them, and their counts are KPIs of
the performance contracts); registrations, meeting requests and fund-raising details are seen by
the organisations concerned, the cluster's staff and the programme's officers.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from poles.core.fields import localized
from poles.core.models import TimeStamped, Versioned


class Action(Versioned):
    """An ecosystem action run by a cluster: competence management, international development, IPR."""

    class Kind(models.TextChoices):
        COMPETENCE = "competence", _("Competence management")
        INTERNATIONAL = "international", _("International development")
        IPR = "ipr", _("IPR support")

    class Format(models.TextChoices):
        TRAINING = "training", _("Training session")
        SKILLS = "skills", _("Skills workshop")
        MISSION = "mission", _("Business mission abroad")
        PARTNERSHIP = "partnership", _("Partnership with a cluster abroad")
        TRADE_FAIR = "trade_fair", _("Trade fair")
        IPR_AWARENESS = "ipr_awareness", _("IPR awareness session")
        IPR_DIAGNOSIS = "ipr_diagnosis", _("IPR diagnosis for a firm")

    FORMATS = {
        Kind.COMPETENCE: {Format.TRAINING, Format.SKILLS},
        Kind.INTERNATIONAL: {Format.MISSION, Format.PARTNERSHIP, Format.TRADE_FAIR},
        Kind.IPR: {Format.IPR_AWARENESS, Format.IPR_DIAGNOSIS},
    }

    cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, db_index=True)
    format = models.CharField(_("format"), max_length=14, choices=Format.choices)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    start_date = models.DateField(_("start"), db_index=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    country = models.CharField(_("country (ISO code)"), max_length=2, default="FR")
    partner_name = models.CharField(
        _("partner abroad or trade fair"), max_length=200, blank=True,
        help_text=_("The partner cluster abroad, the fair or the host of the mission."),
    )  # fmt: skip
    results_fr = models.TextField(_("results (French)"), blank=True)
    results_en = models.TextField(_("results (English)"), blank=True)
    participants = models.ManyToManyField(
        "organisations.Organisation",
        through="ActionParticipant",
        related_name="ecosystem_actions",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ecosystem action")
        verbose_name_plural = _("ecosystem actions")
        ordering = ["-start_date", "id"]
        indexes = [models.Index(fields=["cluster", "kind", "start_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def results(self) -> str:
        return localized(self, "results")

    def clean(self) -> None:
        errors = {}
        if self.kind and self.format and self.format not in self.FORMATS.get(self.kind, set()):
            errors["format"] = _("This format does not belong to the kind of action chosen.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must not be before the start date.")
        if (
            self.kind == self.Kind.INTERNATIONAL
            and self.country == "FR"
            and self.format == self.Format.MISSION
        ):
            errors["country"] = _("A mission abroad takes place outside France.")
        if errors:
            raise ValidationError(errors)


class ActionParticipant(models.Model):
    """An organisation taking part in an action, and what it got out of it."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("Participant")
        SPEAKER = "speaker", _("Speaker or trainer")
        PARTNER = "partner", _("Partner")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="action_participations",
    )  # fmt: skip
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.PARTICIPANT)
    result = models.CharField(_("result for the organisation"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("action participant")
        verbose_name_plural = _("action participants")
        constraints = [
            models.UniqueConstraint(fields=["action", "organisation"], name="actionparticipant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.action}"


class Skill(TimeStamped):
    """A competence an organisation offers to, or seeks from, its cluster's ecosystem."""

    class Direction(models.TextChoices):
        OFFERED = "offered", _("Offered")
        SOUGHT = "sought", _("Sought")

    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="skills")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="skills",
    )
    direction = models.CharField(_("offered or sought"), max_length=8, choices=Direction.choices)
    label = models.CharField(_("skill"), max_length=160)
    description = models.TextField(_("details"), blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["cluster", "direction", "label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_direction_display()}) — {self.organisation}"


class Event(Versioned):
    """A cluster event with registration and, optionally, a B2B meeting schedule."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In preparation")
        PUBLISHED = "published", _("Open to registration")
        CANCELLED = "cancelled", _("Cancelled")

    cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("cluster"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.ForeignKey(
        Action, verbose_name=_("part of the action"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="events",
    )  # fmt: skip
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places (organisations)"), null=True, blank=True)
    registration_deadline = models.DateField(_("registration deadline"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    b2b = models.BooleanField(_("B2B meetings"), default=False)
    b2b_starts_at = models.DateTimeField(_("first B2B slot at"), null=True, blank=True)
    b2b_slots = models.PositiveSmallIntegerField(
        _("B2B slots"), default=8, validators=[MinValueValidator(1), MaxValueValidator(48)]
    )
    b2b_slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per meeting"), default=20, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    b2b_tables = models.PositiveSmallIntegerField(
        _("meeting tables"), default=10, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The end must not be before the start.")
        if self.b2b and not self.b2b_starts_at:
            errors["b2b_starts_at"] = _("Say when the first B2B meeting starts.")
        if errors:
            raise ValidationError(errors)


class Registration(Versioned):
    """An organisation registered to an event (on the waiting list when the event is full)."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="event_registrations",
    )  # fmt: skip
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.PositiveSmallIntegerField(
        _("attendees"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    wants_b2b = models.BooleanField(_("takes part in B2B meetings"), default=False)
    b2b_profile = models.TextField(_("what we offer and seek"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["event", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "organisation"], name="registration_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.event}"


class MeetingRequest(Versioned):
    """One B2B meeting asked by a registered organisation of another, which accepts or declines."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meeting_requests")
    requester = models.ForeignKey(
        Registration, verbose_name=_("asked by"), on_delete=models.CASCADE, related_name="requests_made"
    )
    target = models.ForeignKey(
        Registration, verbose_name=_("asked of"), on_delete=models.CASCADE, related_name="requests_received"
    )
    message = models.CharField(_("message"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)

    class Meta:
        verbose_name = _("meeting request")
        verbose_name_plural = _("meeting requests")
        ordering = ["event", "id"]
        constraints = [models.UniqueConstraint(fields=["requester", "target"], name="meetingrequest_unique")]

    def __str__(self) -> str:
        return f"{self.requester.organisation} → {self.target.organisation}"


class Meeting(models.Model):
    """A scheduled B2B meeting: a slot and a table for an accepted request."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="meetings")
    request = models.OneToOneField(MeetingRequest, on_delete=models.CASCADE, related_name="meeting")
    slot = models.PositiveSmallIntegerField(_("slot"))
    table = models.PositiveSmallIntegerField(_("table"))
    starts_at = models.DateTimeField(_("starts at"))

    class Meta:
        verbose_name = _("B2B meeting")
        verbose_name_plural = _("B2B meetings")
        ordering = ["event", "slot", "table"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slot", "table"], name="meeting_unique_table")
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%H:%M} T{self.table}: {self.request}"


class FundRaising(Versioned):
    """Private money raised by a firm (typically a member SME): amount, investors, date.

    Validated fund-raisings count in the clusters' "private funding raised by member SMEs" KPI
    and in the leverage figures (private money raised ÷ public aid received).
    """

    class InvestorType(models.TextChoices):
        BUSINESS_ANGELS = "business_angels", _("Business angels")
        VENTURE_CAPITAL = "venture_capital", _("Venture capital")
        CORPORATE = "corporate", _("Corporate investor")
        PRIVATE_EQUITY = "private_equity", _("Private equity")
        CROWDFUNDING = "crowdfunding", _("Crowdfunding")
        FAMILY_OFFICE = "family_office", _("Family office")
        OTHER = "other", _("Other private investor")

    class Stage(models.TextChoices):
        SEED = "seed", _("Seed")
        SERIES_A = "series_a", _("Series A")
        SERIES_B = "series_b", _("Series B")
        LATER = "later", _("Later stage")

    class Status(models.TextChoices):
        DECLARED = "declared", _("Declared, awaiting validation")
        VALIDATED = "validated", _("Validated")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE,
        related_name="fund_raisings",
    )  # fmt: skip
    amount = models.DecimalField(
        _("amount raised (EUR)"), max_digits=14, decimal_places=0, validators=[MinValueValidator(Decimal(1))]
    )
    investor_type = models.CharField(_("main investor type"), max_length=16, choices=InvestorType.choices)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    closed_on = models.DateField(_("closed on"), db_index=True)
    investors = models.CharField(_("investors"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DECLARED, db_index=True
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_note = models.TextField(_("validation note"), blank=True)

    class Meta:
        verbose_name = _("fund-raising")
        verbose_name_plural = _("fund-raisings")
        ordering = ["-closed_on", "id"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount} EUR ({self.closed_on})"
