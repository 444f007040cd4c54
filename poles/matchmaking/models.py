"""What partner search keeps beyond the registry: partner profiles and relayed contact requests.

The organisation registry already holds the opt-in (`Organisation.findable`), the competence
keywords and the free-text competences. A partner profile adds what only matters to someone
looking for partners (what the organisation offers, its equipment and platforms, references,
working languages). A contact request is a message the platform relays to an organisation's
contact by e-mail, so that nobody's personal e-mail address is ever shown to a stranger.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from poles.core.fields import localized
from poles.core.models import TimeStamped, Versioned

#: Working languages a partner may declare (ISO 639-1), the languages of most French and EU consortia.
LANGUAGE_CHOICES = [
    ("fr", _("French")),
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pt", _("Portuguese")),
    ("pl", _("Polish")),
]
LANGUAGE_CODES = frozenset(code for code, _label in LANGUAGE_CHOICES)
MESSAGE_MAX_LENGTH = 5000


class PartnerProfile(Versioned):
    """The partner-search side of an organisation's profile, edited by its own members.

    Shown only while the organisation is findable (opted in); texts typed by members are kept in
    French and English when they give both, and fed to the search index either way.
    """

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="partner_profile",
    )
    offer_fr = models.TextField(_("what we bring to a project (French)"), blank=True)
    offer_en = models.TextField(_("what we bring to a project (English)"), blank=True)
    equipment = models.TextField(
        _("equipment and platforms offered"),
        blank=True,
        help_text=_("Test benches, clean rooms, pilot lines, computing platforms… that partners may use."),
    )
    past_projects = models.TextField(
        _("past projects (references)"),
        blank=True,
        help_text=_("Collaborative projects outside poles you want partners to know about, one per line."),
    )
    show_platform_projects = models.BooleanField(
        _("list our public projects known to poles"),
        default=True,
        help_text=_("Funded and EU projects are public; untick to keep them off your partner profile."),
    )
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    looking_for = models.TextField(_("partners we are looking for"), blank=True)

    class Meta:
        verbose_name = _("partner profile")
        verbose_name_plural = _("partner profiles")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def offer(self) -> str:
        return localized(self, "offer")

    def clean(self) -> None:
        if not isinstance(self.languages, list) or any(code not in LANGUAGE_CODES for code in self.languages):
            raise ValidationError({"languages": _("Choose languages from the list.")})
        self.languages = sorted(set(self.languages))

    def search_text(self) -> str:
        """Everything in the profile that describes competences, for the search index."""
        return "\n".join(
            part
            for part in (self.offer_fr, self.offer_en, self.equipment, self.past_projects, self.looking_for)
            if part
        )


class ContactRequest(TimeStamped):
    """A message from a user to an organisation, relayed by e-mail to the organisation's contact.

    The sender never sees the recipient's e-mail address; the recipient sees the sender's name
    and e-mail address because the sender consented to it (`consent`). The recipient consented
    by opting in to partner search. Requests are rate-limited per sender and audited.
    """

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("contact request", "Sent")
        FAILED = "failed", pgettext_lazy("contact request", "Not delivered")

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contact_requests_sent",
    )
    sender_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("recipient organisation"),
        on_delete=models.CASCADE,
        related_name="contact_requests_received",
    )
    subject = models.CharField(_("subject"), max_length=200)
    message = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    consent = models.BooleanField(
        _("I accept that my name and e-mail address be passed on to this organisation"), default=False
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)

    class Meta:
        verbose_name = _("contact request")
        verbose_name_plural = _("contact requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    def clean(self) -> None:
        if not self.consent:
            raise ValidationError(
                {
                    "consent": _(
                        "Your name and e-mail address must be passed on for the organisation to answer."
                    )
                }
            )
