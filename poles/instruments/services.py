"""Sharing an instrument or practice, and its moderation by programme officers."""

from __future__ import annotations

from django.core.mail import mail_admins
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from poles.core import services as core_services
from poles.core.workflow import Transition, Workflow, perform

from .models import Instrument

MODERATION = Workflow(
    model=Instrument,
    transitions=[
        Transition(
            "publish", ("pending", "rejected"), "published", "instruments.moderate_instrument", _("Publish")
        ),
        Transition(
            "reject",
            ("pending",),
            "rejected",
            "instruments.moderate_instrument",
            _("Reject"),
            needs_reason=True,
        ),
        Transition(
            "unpublish",
            ("published",),
            "pending",
            "instruments.moderate_instrument",
            _("Withdraw"),
            needs_reason=True,
        ),
    ],
)


def share_instrument(*, actor, submitter_email: str = "", **values) -> Instrument:
    """A public submission: saved as awaiting moderation, never published directly."""
    values["status"] = Instrument.Status.PENDING
    submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    instrument = core_services.create(
        Instrument, actor=actor, submitted_by=submitted_by, submitter_email=submitter_email, **values
    )
    transaction.on_commit(
        lambda: mail_admins(
            "New instrument to moderate", f"{instrument.title_en} ({instrument.pk})", fail_silently=True
        )
    )
    return instrument


def moderate(instrument: Instrument, transition: str, *, actor, reason: str = "") -> Instrument:
    """Publish, reject or withdraw a catalogue record (officers only, audited)."""

    def note(obj):
        if reason:
            obj.moderation_note = reason

    return perform(MODERATION, instrument, transition, actor, reason=reason, apply=note)
