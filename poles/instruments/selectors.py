"""Reading the catalogue."""

from django.db.models import Q, QuerySet

from poles.core.permissions import VIEW, restrict

from .models import Instrument


def instruments_for(user) -> QuerySet[Instrument]:
    return restrict(Instrument.objects.all(), user, VIEW).prefetch_related("keywords", "target_groups")


def search(queryset: QuerySet[Instrument], text: str) -> QuerySet[Instrument]:
    for word in text.split():
        queryset = queryset.filter(
            Q(title_fr__icontains=word) | Q(title_en__icontains=word) | Q(overview_fr__icontains=word)
            | Q(overview_en__icontains=word) | Q(contact_organisation__icontains=word)
        )  # fmt: skip
    return queryset


def moderation_queue(user) -> QuerySet[Instrument]:
    return instruments_for(user).filter(status=Instrument.Status.PENDING).order_by("created_at")
