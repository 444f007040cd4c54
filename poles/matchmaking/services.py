"""Writes of partner search: the partner profile and opt-in, contact requests, starting a proposal.

Each function validates, writes inside one transaction, leaves an audit event and marks the search
index of this process stale at commit (other processes notice through the data fingerprint).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from poles.core import audit
from poles.core import services as core_services
from poles.core.permissions import can
from poles.core.roles import roles_of
from poles.organisations.models import Organisation
from poles.projects import services as proposal_services
from poles.projects.models import Participation, Project

from . import indexing
from .composition import LATER
from .consortia import ConsortiumRequest, recheck
from .models import ContactRequest, PartnerProfile
from .selectors import open_calls

logger = logging.getLogger(__name__)

DEFAULT_CONTACT_REQUESTS_PER_DAY = 5
PROFILE_FIELDS = (
    "offer_fr",
    "offer_en",
    "equipment",
    "past_projects",
    "show_platform_projects",
    "languages",
    "looking_for",
)


class RateLimited(Exception):
    """Too many contact requests in the last 24 hours: nothing was sent."""

    def __init__(self, limit: int, retry_after: dt.timedelta):
        self.limit = limit
        self.retry_after = retry_after
        self.message = _(
            "You have sent %(limit)s contact requests in the last 24 hours, the most allowed. "
            "Nothing was sent: try again later."
        ) % {"limit": limit}
        super().__init__(str(self.message))


def contact_requests_per_day() -> int:
    """The per-user daily limit (setting POLES_CONTACT_REQUESTS_PER_DAY, default 5)."""
    return int(getattr(settings, "POLES_CONTACT_REQUESTS_PER_DAY", DEFAULT_CONTACT_REQUESTS_PER_DAY))


def _refresh_index_on_commit() -> None:
    transaction.on_commit(indexing.invalidate)


def update_partner_profile(
    organisation: Organisation,
    *,
    actor,
    expected_version: int | None = None,
    profile_version: int | None = None,
    findable: bool,
    competences: Sequence,
    competences_text: str,
    **profile: object,
) -> PartnerProfile:
    """Save the opt-in, the competences and the partner profile of one organisation, together.

    Both rows are locked optimistically: `expected_version` is the organisation's version the
    user read, `profile_version` the profile's. The change of `findable` (the opt-in itself) is
    in the organisation's audit event, before and after.
    """
    if not can(actor, "matchmaking.change_partner_profile", organisation):
        raise PermissionDenied
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    with transaction.atomic():
        core_services.update(
            organisation,
            actor=actor,
            expected_version=expected_version,
            findable=findable,
            competences=list(competences),
            competences_text=competences_text,
        )
        existing = PartnerProfile.objects.filter(organisation=organisation).first()
        if existing is None:
            saved = core_services.create(PartnerProfile, actor=actor, organisation=organisation, **profile)
        else:
            saved = core_services.update(existing, actor=actor, expected_version=profile_version, **profile)
        _refresh_index_on_commit()
    return saved


def relay_addresses(organisation: Organisation) -> list[str]:
    """Where the platform relays a message: the main contact's e-mail, else another contact's,
    else the e-mail of the users who act for the organisation. Never shown to the sender."""
    contacts = list(
        organisation.contacts.exclude(email="").order_by("-is_main", "id").values_list("email", flat=True)[:1]
    )
    if contacts:
        return contacts
    today = timezone.localdate()
    users = (
        get_user_model()
        .objects.filter(roles__role="member", roles__organisation=organisation, roles__start__lte=today)
        .exclude(roles__end__lt=today)
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def _sender_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _relay(request_id: int) -> None:
    """Send the relayed e-mail (after commit); a failure is recorded on the request, not raised."""
    request = ContactRequest.objects.select_related("sender", "sender_organisation", "recipient").get(
        pk=request_id
    )
    context = {
        "request": request,
        "sender_name": _sender_name(request.sender),
        "sender_email": request.sender.email,
        "site": settings.DEFAULT_FROM_EMAIL,
    }
    bodies = []
    for language in ("fr", "en"):
        with translation.override(language):
            bodies.append(render_to_string("matchmaking/email/contact_request.txt", context))
    try:
        EmailMessage(
            subject=f"[poles] {request.subject}",
            body="\n\n-----\n\n".join(bodies),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=relay_addresses(request.recipient),
            reply_to=[request.sender.email],
        ).send()
    except Exception:
        logger.exception("contact request %s could not be relayed", request_id)
        ContactRequest.objects.filter(pk=request_id).update(status=ContactRequest.Status.FAILED)


def send_contact_request(
    *,
    sender,
    recipient: Organisation,
    subject: str,
    message: str,
    consent: bool,
    sender_organisation: Organisation | None = None,
) -> ContactRequest:
    """Relay a message to an organisation that opted in, within the sender's daily limit.

    Consent both ways: the recipient opted in to partner search (`findable`), and the sender
    accepts that their name and e-mail address be passed on (`consent`). The sender never learns
    the recipient's address. The audit event keeps who wrote to whom and the subject, not the
    message nor any e-mail address (the audit chain cannot be erased, personal data can).
    """
    if not can(sender, "matchmaking.send_contact_request"):
        raise PermissionDenied
    member_of = roles_of(sender).member_of
    errors: dict[str, list] = {}
    if not recipient.findable:
        errors.setdefault("recipient", []).append(_("This organisation is not available in partner search."))
    elif recipient.pk in member_of:
        errors.setdefault("recipient", []).append(
            _("You cannot send a contact request to your own organisation.")
        )
    if sender_organisation is not None and sender_organisation.pk not in member_of:
        errors.setdefault("sender_organisation", []).append(_("You do not act for this organisation."))
    if not sender.email:
        errors.setdefault("consent", []).append(
            _("Your account has no e-mail address: the organisation could not answer you.")
        )
    if not errors and not relay_addresses(recipient):
        errors.setdefault("recipient", []).append(
            _("This organisation cannot be reached through the platform yet: it has no contact.")
        )
    if errors:
        raise ValidationError(errors)
    limit = contact_requests_per_day()
    with transaction.atomic():
        # Lock the sender's row so that two requests sent at once cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=sender.pk).first()
        since = timezone.now() - dt.timedelta(days=1)
        recent = list(
            ContactRequest.objects.filter(sender=sender, created_at__gte=since)
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if len(recent) >= limit:
            raise RateLimited(limit, recent[len(recent) - limit] + dt.timedelta(days=1) - timezone.now())
        request = ContactRequest(
            sender=sender,
            sender_organisation=sender_organisation,
            recipient=recipient,
            subject=" ".join(subject.split()),  # one line: it becomes an e-mail header
            message=message.strip(),
            consent=consent,
        )
        request.full_clean()
        request.save()
        audit.record(
            "matchmaking.contactrequest.send",
            request,
            actor=sender,
            after={
                "recipient": recipient.pk,
                "sender_organisation": sender_organisation.pk if sender_organisation else None,
                "subject": request.subject,
                "consent": True,
            },
        )
        transaction.on_commit(lambda: _relay(request.pk))
    return request


def start_proposal(
    request: ConsortiumRequest,
    members: Mapping[str, str],
    *,
    actor,
    acronym: str,
    title: str,
    summary: str = "",
) -> Project:
    """Create a draft proposal in the call from a chosen consortium (lead + partners by slot).

    The consortium is checked again against the call's rules and must not fail any of those that
    can be checked now. Integration note: this writes the Project and its Participations through
    `core.services` directly; once the calls app provides its own "create a draft proposal with a
    consortium" service, this function should call it instead (same arguments: call, lead,
    partners with their category and size at submission, title, acronym, summary).
    """
    if not can(actor, "matchmaking.build_consortium", request.lead):
        raise PermissionDenied
    if not open_calls().filter(pk=request.call.pk).exists():
        raise ValidationError(_("This call is not open to submissions."))
    proposal = recheck(request, members)
    if not proposal.check.eligible:
        failed = "; ".join(str(r.message) for r in proposal.check.results if r.status == "fail")
        raise ValidationError(
            _("This consortium does not meet the call's rules: %(failures)s") % {"failures": failed}
        )
    call = request.call
    with transaction.atomic():
        lead_seat = next(seat for seat in proposal.seats if seat.is_lead)
        project = proposal_services.create_proposal(
            call,
            Organisation.objects.get(pk=int(lead_seat.org_id)),
            actor=actor,
            acronym=acronym.strip(),
            title=title.strip(),
            summary=summary.strip(),
            lead_cluster=request.lead_cluster,
            clusters=[request.lead_cluster] if request.lead_cluster else [],
        )
        for seat in proposal.seats:
            if seat.is_lead:
                participation = project.participations.get(role=Participation.Role.LEAD)
            else:
                participation = proposal_services.add_partner(
                    project, Organisation.objects.get(pk=int(seat.org_id)), actor=actor
                )
            share = 1 if seat.facts.in_territory else 0
            proposal_services.update_participation(
                participation, actor=actor, territory_share=share, lead_cluster_share=share
            )
        project.refresh_from_db()
        audit.record(
            "matchmaking.consortium.start_proposal",
            project,
            actor=actor,
            after={
                "members": {seat.slot: int(seat.org_id) for seat in proposal.seats},
                "check": [
                    {"rule": r.rule, "status": r.status} for r in proposal.check.results if r.status != LATER
                ],
            },
        )
    return project
