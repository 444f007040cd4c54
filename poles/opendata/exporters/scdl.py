"""SCDL Subventions 2.1.1: the French open-data format for grants awarded by public bodies.

One row per grant decision (funder × beneficiary) of a funded project, grants only (a recoverable
advance is not a subsidy). The format identifies both sides by SIRET: a decision whose funder or
beneficiary has none cannot be published in it and is counted in `skipped` instead.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from poles.grants.models import Agreement, Decision
from poles.opendata import selectors

COLUMNS = [
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
    "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
    "datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention", "dispositifAide",
]  # fmt: skip


@dataclass
class ScdlResult:
    written: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1


def _end(start: dt.date | None, months: int | None) -> dt.date | None:
    if start is None or not months:
        return None
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return dt.date(year, month, 1) - dt.timedelta(days=1)


def rows(result: ScdlResult | None = None):
    """The SCDL rows, as lists of strings in COLUMNS order."""
    result = result if result is not None else ScdlResult()
    decisions = list(
        selectors.public_decisions().filter(form=Decision.Form.GRANT).prefetch_related("instalments")
    )
    agreements = {
        (a.project_id, a.funder_id, a.participation_id): a
        for a in Agreement.objects.filter(project_id__in={d.project_id for d in decisions})
    }
    for d in decisions:
        organisation = d.participation.organisation
        if not d.funder.siret:
            result.skip("funder_without_siret")
            continue
        if not organisation.siret:
            result.skip("beneficiary_without_siret")
            continue
        if d.amount <= 0:
            result.skip("zero_amount")
            continue
        agreement = agreements.get((d.project_id, d.funder_id, d.participation_id)) or agreements.get(
            (d.project_id, d.funder_id, None)
        )
        decided = timezone.localtime(d.decided_at).date() if d.decided_at else None
        signed = agreement.funder_signed_on if agreement and agreement.funder_signed_on else decided
        if signed is None:
            result.skip("no_date")
            continue
        project = d.project
        start = project.start_date or signed
        end = _end(project.start_date, project.duration_months)
        period = f"{start.isoformat()}/{end.isoformat()}" if end and end >= start else start.isoformat()
        reference = (
            agreement.reference
            if agreement
            else f"{project.call.reference if project.call_id else 'poles'}-{project.pk}"
        )
        instalments = len(d.instalments.all())
        result.written += 1
        yield [
            d.funder.name, d.funder.siret, signed.isoformat(), reference, organisation.name, organisation.siret, "",
            f"{project.acronym} — {project.title}"[:256], str(Decimal(d.amount).quantize(Decimal(1))),
            "aide en numéraire", "échelonné" if instalments > 1 else "unique", period, "", "non", "1",
            (project.call.title_fr if project.call_id else "")[:256],
        ]  # fmt: skip


def write(handle: TextIO) -> ScdlResult:
    """Write the CSV (comma-separated, UTF-8, header row) to `handle`."""
    result = ScdlResult()
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows(result):
        writer.writerow(row)
    return result
