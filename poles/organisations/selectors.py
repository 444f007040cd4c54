"""Reading organisations: search, counts, one organisation's page."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from poles.core.permissions import VIEW, restrict

from .models import Contact, Organisation, YearlyFigures


def organisations_for(user) -> QuerySet[Organisation]:
    return restrict(Organisation.objects.all(), user, VIEW).select_related("departement__region")


def search(queryset: QuerySet[Organisation], text: str) -> QuerySet[Organisation]:
    """Name, acronym, identifiers or competences containing every word of `text`."""
    for word in text.split():
        queryset = queryset.filter(
            Q(name__icontains=word)
            | Q(acronym__icontains=word)
            | Q(siren=word)
            | Q(commune__icontains=word)
            | Q(competences_text__icontains=word)
        )
    return queryset


def contacts_for(user, organisation: Organisation) -> QuerySet[Contact]:
    return restrict(Contact.objects.filter(organisation=organisation), user, VIEW)


def figures_for(user, organisation: Organisation) -> QuerySet[YearlyFigures]:
    return restrict(YearlyFigures.objects.filter(organisation=organisation), user, VIEW).order_by("year")


def counts_by_category_and_size(queryset: QuerySet[Organisation]) -> list[dict]:
    return list(
        queryset.values("category", "size_class").annotate(n=Count("id")).order_by("category", "size_class")
    )
