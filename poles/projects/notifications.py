"""E-mails about a proposal's progress, each in its recipient's language, sent after the commit.

Kinds: "submitted" (receipt to the applicant), "labelling_requested" (to the staff of each cluster
asked), "revision_requested", "label_decision" and "eligibility_verdict" (to the applicant).
The applicant is every user holding the member role of the lead organisation, plus the user who
created the proposal. Services call `queue()` inside their transaction: nothing is sent if the
change is rolled back, and a failing mail server never undoes a recorded decision.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .models import Participation, Project

logger = logging.getLogger(__name__)
KINDS = ("submitted", "labelling_requested", "revision_requested", "label_decision", "eligibility_verdict")


def language_of(user) -> str:
    """The recipient's language: their own preference when the accounts record one, else French."""
    wanted = (getattr(user, "language", "") or "").lower()[:2]
    codes = [code for code, _name in settings.LANGUAGES]
    return wanted if wanted in codes else settings.LANGUAGE_CODE


def _active_role(role: str, **scope) -> Q:
    today = timezone.localdate()
    return Q(roles__role=role, roles__start__lte=today, **{f"roles__{k}": v for k, v in scope.items()}) & (
        Q(roles__end__isnull=True) | Q(roles__end__gte=today)
    )


def applicant_users(project: Project) -> list:
    """The lead organisation's members and the proposal's creator, with an e-mail address."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    lead = project.participations.filter(role=Participation.Role.LEAD).values_list(
        "organisation_id", flat=True
    )
    condition = _active_role("member", organisation_id__in=list(lead))
    if project.created_by_id:
        condition |= Q(pk=project.created_by_id)
    return list(user_model.objects.filter(condition).exclude(email="").distinct().order_by("pk"))


def cluster_staff(cluster_ids: Iterable[int]) -> list:
    """The staff of the given clusters, with an e-mail address."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    condition = _active_role("cluster", cluster_id__in=list(cluster_ids))
    return list(user_model.objects.filter(condition).exclude(email="").distinct().order_by("pk"))


def _link(project: Project, language: str) -> str:
    with translation.override(language):
        path = reverse("projects:detail", args=[project.pk])
    return getattr(settings, "POLES_SITE_URL", "").rstrip("/") + path


def compose(kind: str, project: Project, language: str, **extra) -> EmailMessage:
    """The e-mail of `kind` about `project`, written in `language` (no recipient yet)."""
    if kind not in KINDS:
        raise ValueError(kind)
    with translation.override(language):
        context = {"project": project, "call": project.call, "link": _link(project, language), **extra}
        subject = " ".join(render_to_string(f"projects/email/{kind}_subject.txt", context).split())
        body = render_to_string(f"projects/email/{kind}_body.txt", context)
    return EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL)


def send(kind: str, project_id: int, recipients: str = "applicant", **extra) -> int:
    """Send now, one e-mail per recipient in their language; returns how many were sent."""
    project = Project.objects.select_related("call", "lead_cluster").get(pk=project_id)
    if recipients == "applicant":
        users = applicant_users(project)
    else:
        cluster_ids = extra.pop("cluster_ids", [])
        users = cluster_staff(cluster_ids)
    sent = 0
    for user in users:
        message = compose(kind, project, language_of(user), **extra)
        message.to = [user.email]
        try:
            sent += message.send()
        except OSError:  # a mail server outage must not break the page that recorded the change
            logger.exception("could not send %s about project %s to user %s", kind, project_id, user.pk)
    return sent


def queue(kind: str, project: Project, recipients: str = "applicant", **extra) -> None:
    """Send after the surrounding transaction commits (nothing if it rolls back)."""
    extra = {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in extra.items()}
    transaction.on_commit(lambda: send(kind, project.pk, recipients, **extra))
