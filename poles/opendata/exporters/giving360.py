"""360Giving Data Standard 1.4: a JSON data package of the grants decided for funded projects.

One grant per funder × beneficiary, grouped by project through the grant id
(`360G-poles-<project>-<funder>-<organisation>`) and `relatedActivity`. Recipients carry the
French company register prefix of org-id.guide (`FR-RCS-<SIREN>`) where the SIREN is known; other
organisations (labs without SIREN, foreign partners) get a publisher-scoped id (`XI-POLES-<id>`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from poles.opendata import selectors

PREFIX = "360G-poles"
VERSION = "1.4"


def organisation_id(organisation) -> str:
    if organisation.siren:
        return f"FR-RCS-{organisation.siren}"
    if organisation.pic:
        return f"XI-PIC-{organisation.pic}"
    return f"XI-POLES-org-{organisation.pk}"


def funder_id(funder) -> str:
    return f"FR-RCS-{funder.siret[:9]}" if funder.siret else f"XI-POLES-funder-{funder.slug}"


def _end(start: dt.date | None, months: int | None) -> dt.date | None:
    from .scdl import _end as end_of

    return end_of(start, months)


def grant(decision) -> dict[str, Any]:
    project, funder = decision.project, decision.funder
    organisation = decision.participation.organisation
    decided = decision.decided_at or project.updated_at
    recipient: dict[str, Any] = {
        "id": organisation_id(organisation),
        "name": organisation.name,
        "addressCountry": organisation.country or "FR",
    }
    if organisation.siren:
        recipient["companyNumber"] = organisation.siren
    if organisation.postcode:
        recipient["postalCode"] = organisation.postcode
    if organisation.commune:
        recipient["addressLocality"] = organisation.commune
    if organisation.departement_id:
        recipient["location"] = [
            {
                "name": organisation.departement.name,
                "countryCode": "FR",
                "geoCode": organisation.departement.code,
                "description": "département (INSEE)",
            }
        ]
    item: dict[str, Any] = {
        "id": f"{PREFIX}-{project.pk}-{funder.slug}-{organisation.pk}",
        "title": f"{project.acronym} — {project.title}"[:300],
        "description": project.summary or project.title,
        "currency": "EUR",
        "amountAwarded": int(decision.amount),
        "awardDate": timezone.localtime(decided).date().isoformat(),
        "recipientOrganization": [recipient],
        "fundingOrganization": [{"id": funder_id(funder), "name": funder.name}],
        "relatedActivity": [f"{PREFIX}-project-{project.pk}"],
        "dateModified": timezone.localtime(decision.updated_at).isoformat(timespec="seconds"),
        "dataSource": getattr(settings, "POLES_PUBLIC_URL", "") or "https://poles.example.org/",
    }
    if project.call_id:
        item["grantProgramme"] = [{"code": project.call.reference, "title": project.call.title_fr}]
    if project.start_date:
        planned: dict[str, Any] = {"startDate": project.start_date.isoformat()}
        end = _end(project.start_date, project.duration_months)
        if end:
            planned["endDate"] = end.isoformat()
        if project.duration_months:
            planned["duration"] = project.duration_months
        item["plannedDates"] = [planned]
    if project.lead_cluster_id:
        item["classifications"] = [
            {
                "vocabulary": "poles-cluster",
                "code": project.lead_cluster.slug,
                "title": project.lead_cluster.name,
            }
        ]
    if organisation.departement_id:
        item["beneficiaryLocation"] = [
            {
                "name": organisation.departement.name,
                "countryCode": "FR",
                "geoCode": organisation.departement.code,
            }
        ]
    return item


def build() -> dict[str, Any]:
    """The package: `{"grants": [...], "version": "1.4", ...}`."""
    decisions = selectors.public_decisions().select_related(
        "project__lead_cluster", "participation__organisation__departement"
    )
    now = timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds")
    return {
        "version": VERSION,
        "title": "poles — grants of the programme",
        "issued": now,
        "modified": now,
        "identifier": PREFIX,
        "publisher": {"name": "poles", "identifier": "XI-POLES"},
        "license": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "grants": [grant(d) for d in decisions],
    }
