"""Writes on organisations: profile edits, yearly figures (with size classes), contacts."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from poles.core import audit
from poles.core import services as core_services

from . import sizing
from .models import Contact, Organisation, OrganisationLink, YearlyFigures

FIGURE_FIELDS = ["headcount", "turnover", "balance_sheet", "rd_spending", "rd_staff", "patents_filed"]


def create_organisation(*, actor, **values) -> Organisation:
    """Register a new organisation (validated identifiers, audited)."""
    return core_services.create(Organisation, actor=actor, **values)


def update_organisation(
    organisation: Organisation, *, actor, expected_version: int | None = None, **changes
) -> Organisation:
    """Change an organisation's profile, refusing a stale version (optimistic locking)."""
    return core_services.update(organisation, actor=actor, expected_version=expected_version, **changes)


def _figures(row) -> sizing.Figures:
    return sizing.Figures(row.headcount, row.turnover, row.balance_sheet)


def recompute_sizes(organisation: Organisation) -> None:
    """Derive each year's size classes from the figures (with linked and partner enterprises)."""
    rows = list(organisation.figures.order_by("year"))
    if not rows:
        if organisation.size_class:
            Organisation.objects.filter(pk=organisation.pk).update(size_class="")
        return
    links = list(OrganisationLink.objects.filter(organisation=organisation).select_related("other"))
    others = {
        (f.organisation_id, f.year): f
        for f in YearlyFigures.objects.filter(organisation_id__in=[link.other_id for link in links])
    }
    consolidated = {}
    for row in rows:
        stakes = [
            sizing.Stake(_figures(others[(link.other_id, row.year)]), link.share)
            for link in links
            if (link.other_id, row.year) in others
        ]
        consolidated[row.year] = sizing.consolidate(_figures(row), stakes)
    classes = sizing.classify_years(consolidated, Decimal(organisation.public_control))
    changed = []
    for row in rows:
        eu, fr, unified = classes[row.year]
        if (row.size_eu, row.size_fr, row.size_class) != (eu or "", fr or "", unified or ""):
            row.size_eu, row.size_fr, row.size_class = eu or "", fr or "", unified or ""
            changed.append(row)
    YearlyFigures.objects.bulk_update(changed, ["size_eu", "size_fr", "size_class"])
    latest = rows[-1].size_class or ""
    if organisation.size_class != latest:
        Organisation.objects.filter(pk=organisation.pk).update(size_class=latest)
        organisation.size_class = latest


def save_yearly_figures(organisation: Organisation, year: int, *, actor, **values) -> YearlyFigures:
    """Create or replace one year's figures, then re-derive the size classes of every year."""
    with transaction.atomic():
        row = YearlyFigures.objects.filter(organisation=organisation, year=year).first()
        before = audit.snapshot(row, FIGURE_FIELDS) if row else None
        if row is None:
            row = YearlyFigures(organisation=organisation, year=year)
        for name, value in values.items():
            setattr(row, name, value)
        row.full_clean()
        row.save()
        audit.record(
            "organisations.yearlyfigures.save",
            row,
            actor=actor,
            before=before,
            after=audit.snapshot(row, FIGURE_FIELDS),
        )
        recompute_sizes(organisation)
        row.refresh_from_db()
    return row


def add_contact(organisation: Organisation, *, actor, **values) -> Contact:
    return core_services.create(Contact, actor=actor, organisation=organisation, **values)


def erase_contact(contact: Contact, *, actor, reason: str) -> None:
    """Erase a person's data on request: the audit keeps that it happened, not who it was."""
    with transaction.atomic():
        audit.record(
            "organisations.contact.erase",
            actor=actor,
            object_type="organisations.contact",
            object_id=str(contact.pk),
            object_repr="[erased]",
            reason=reason,
        )
        contact.delete()
