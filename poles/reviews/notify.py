"""E-mails about the review, the selection and the decisions, sent after the transaction commits.

Users have no stored language preference, so every message carries French first and English
below: the same text, in both languages, from the same translatable templates. Mail is queued
with `transaction.on_commit`, so a refused or rolled-back change never sends anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def _render(subject, template: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        return str(subject), render_to_string(template, context)


def send(recipients: Iterable, subject, template: str, context: dict[str, Any]) -> None:
    """Queue one bilingual e-mail per recipient (users or addresses) after the current transaction."""
    addresses = sorted(
        {
            (r.email if hasattr(r, "email") else str(r)).strip()
            for r in recipients
            if (r.email if hasattr(r, "email") else r)
        }
    )
    if not addresses:
        return
    subject_fr, body_fr = _render(subject, template, context, "fr")
    subject_en, body_en = _render(subject, template, context, "en")
    subject_line = subject_fr if subject_fr == subject_en else f"{subject_fr} / {subject_en}"
    body = f"{body_fr.strip()}\n\n-- English --\n\n{body_en.strip()}\n"

    def deliver() -> None:
        for address in addresses:
            EmailMessage(subject_line, body, settings.DEFAULT_FROM_EMAIL, [address]).send(fail_silently=True)

    transaction.on_commit(deliver)


def members_of(organisation_ids: Iterable[int]):
    """Users holding the member role for these organisations today (their applicants)."""
    from django.db.models import Q
    from django.utils import timezone

    today = timezone.localdate()
    return (
        get_user_model()
        .objects.filter(
            roles__role="member",
            roles__organisation_id__in=list(organisation_ids),
            roles__start__lte=today,
        )
        .filter(Q(roles__end__isnull=True) | Q(roles__end__gte=today))
        .exclude(email="")
        .distinct()
    )


def consortium_of(project):
    """The people to tell about a proposal: its creator and the members of its organisations."""
    users = list(members_of(project.participations.values_list("organisation_id", flat=True)))
    if project.created_by_id and project.created_by.email:
        users.append(project.created_by)
    return users


def officers_of(programme_id: int):
    """The programme's officers today."""
    from django.db.models import Q
    from django.utils import timezone

    today = timezone.localdate()
    return (
        get_user_model()
        .objects.filter(roles__role="officer", roles__programme_id=programme_id, roles__start__lte=today)
        .filter(Q(roles__end__isnull=True) | Q(roles__end__gte=today))
        .exclude(email="")
        .distinct()
    )
