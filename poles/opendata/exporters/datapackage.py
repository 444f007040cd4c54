"""A Frictionless data package of the programme's public tables (one CSV per table plus
`datapackage.json`), which `frictionless validate` accepts and `poles import datapackage` reads back.

Rows are keyed by identifiers that survive a move to another database: internal ids for
organisations, memberships, projects and outputs (the package is self-contained, its foreign keys
point inside it), slugs and references for funders, clusters and calls.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from poles.opendata import selectors
from poles.projects.models import Project


@dataclass(frozen=True)
class Table:
    """One resource: its columns as (name, frictionless type), keys and rows."""

    name: str
    fields: tuple[tuple[str, str], ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...]  # (column, resource, column there)
    rows: Callable[[], Iterable[tuple]]
    required: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [name for name, _type in self.fields]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _organisations():
    for o in selectors.public_organisations():
        yield (
            o.pk, o.name, o.acronym, o.category, o.siren, o.siret, o.pic, o.rnsr, o.ror, o.vat, o.street,
            o.postcode, o.commune, o.departement.code if o.departement_id else "", o.country, o.website,
        )  # fmt: skip


def _funders():
    for f in selectors.public_funders():
        yield f.slug, f.name, f.acronym, f.kind, f.siret


def _programmes():
    for p in selectors.public_programmes():
        yield p.slug, p.name_fr, p.name_en, p.authority, p.authority_kind, p.start_year


def _clusters():
    for c in selectors.public_clusters():
        yield (
            c.slug, c.programme.slug, c.name, c.acronym, c.category, c.status, c.city,
            c.departement.code if c.departement_id else "", c.labelled_on, c.website,
        )  # fmt: skip


def _memberships():
    for m in selectors.public_memberships():
        yield m.pk, m.cluster.slug, m.organisation_id, m.kind, m.start, m.end


def _calls():
    for c in selectors.public_calls():
        yield (
            c.reference, c.programme.slug, c.title_fr, c.title_en, c.kind, c.status, c.opens_at,
            c.labelling_deadline, c.submission_deadline,
        )  # fmt: skip


def _projects():
    for p in selectors.public_projects():
        external = p.source != Project.Source.PROGRAMME
        yield (
            p.pk, p.source, p.external_id, p.call.reference if p.call_id else "", p.acronym, p.title, p.status,
            p.start_date, p.duration_months, p.lead_cluster.slug if p.lead_cluster_id else "",
            # A programme project's cost is its consortium's budget: confidential. CORDIS publishes it.
            p.total_cost if external else None, p.external_funding if external else None,
        )  # fmt: skip


def _participations():
    for p in selectors.public_participations():
        external = p.project.source != Project.Source.PROGRAMME
        yield p.project_id, p.organisation_id, p.role, p.category, p.external_funding if external else None


def _decisions():
    for d in selectors.public_decisions():
        decided = timezone.localtime(d.decided_at).date() if d.decided_at else None
        yield (
            d.project_id,
            d.participation.organisation_id,
            d.funder.slug,
            d.amount,
            d.form,
            d.status,
            decided,
        )


def _outputs():
    for o in selectors.public_outputs():
        yield (
            o.pk, o.project_id, o.participation.organisation_id, o.kind, o.achieved_on, o.title, o.doi,
            o.patent_number, o.quantity,
        )  # fmt: skip


S, INT, N, D, T = "string", "integer", "number", "date", "datetime"
TABLES: tuple[Table, ...] = (
    Table("funders", (("slug", S), ("name", S), ("acronym", S), ("kind", S), ("siret", S)),
          ("slug",), (), _funders, ("name", "kind")),
    Table("organisations", (
        ("id", INT), ("name", S), ("acronym", S), ("category", S), ("siren", S), ("siret", S), ("pic", S),
        ("rnsr", S), ("ror", S), ("vat", S), ("street", S), ("postcode", S), ("commune", S),
        ("departement", S), ("country", S), ("website", S),
    ), ("id",), (), _organisations, ("name", "category", "country")),
    Table("programmes", (
        ("slug", S), ("name_fr", S), ("name_en", S), ("authority", S), ("authority_kind", S), ("start_year", INT),
    ), ("slug",), (), _programmes, ("name_fr", "name_en", "authority", "authority_kind", "start_year")),
    Table("clusters", (
        ("slug", S), ("programme", S), ("name", S), ("acronym", S), ("category", S), ("status", S), ("city", S),
        ("departement", S), ("labelled_on", D), ("website", S),
    ), ("slug",), (("programme", "programmes", "slug"),), _clusters, ("programme", "name", "labelled_on")),
    Table("memberships", (
        ("id", INT), ("cluster", S), ("organisation", INT), ("kind", S), ("start", D), ("end", D),
    ), ("id",), (("cluster", "clusters", "slug"), ("organisation", "organisations", "id")), _memberships,
        ("cluster", "organisation", "start")),
    Table("calls", (
        ("reference", S), ("programme", S), ("title_fr", S), ("title_en", S), ("kind", S), ("status", S),
        ("opens_at", T), ("labelling_deadline", T), ("submission_deadline", T),
    ), ("reference",), (("programme", "programmes", "slug"),), _calls,
        ("programme", "title_fr", "opens_at", "labelling_deadline", "submission_deadline")),
    Table("projects", (
        ("id", INT), ("source", S), ("external_id", S), ("call", S), ("acronym", S), ("title", S),
        ("status", S), ("start_date", D), ("duration_months", INT), ("lead_cluster", S), ("total_cost", N),
        ("external_funding", N),
    ), ("id",), (("call", "calls", "reference"), ("lead_cluster", "clusters", "slug")), _projects,
        ("source", "title", "status")),
    Table("participations", (
        ("project", INT), ("organisation", INT), ("role", S), ("category", S), ("external_funding", N),
    ), ("project", "organisation"), (("project", "projects", "id"), ("organisation", "organisations", "id")),
        _participations, ("project", "organisation", "role")),
    Table("decisions", (
        ("project", INT), ("organisation", INT), ("funder", S), ("amount", N), ("form", S), ("status", S),
        ("decided_on", D),
    ), ("project", "organisation", "funder"), (
        ("project", "projects", "id"), ("organisation", "organisations", "id"), ("funder", "funders", "slug"),
    ), _decisions, ("project", "organisation", "funder", "amount")),
    Table("outputs", (
        ("id", INT), ("project", INT), ("organisation", INT), ("kind", S), ("achieved_on", D), ("title", S),
        ("doi", S), ("patent_number", S), ("quantity", N),
    ), ("id",), (("project", "projects", "id"), ("organisation", "organisations", "id")), _outputs,
        ("project", "organisation", "kind", "achieved_on", "title")),
)  # fmt: skip


def descriptor(tables: Iterable[Table] = TABLES) -> dict[str, Any]:
    """The `datapackage.json` descriptor (Frictionless Data Package v1, Table Schema with keys)."""
    resources = []
    for table in tables:
        schema: dict[str, Any] = {
            "fields": [
                {
                    "name": name,
                    "type": kind,
                    **({"constraints": {"required": True}} if name in table.required else {}),
                }
                for name, kind in table.fields
            ],
            "primaryKey": list(table.primary_key),
            "missingValues": [""],
        }
        if table.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": resource, "fields": target}}
                for column, resource, target in table.foreign_keys
            ]
        resources.append(
            {
                "name": table.name,
                "path": f"{table.name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema,
            }
        )
    return {
        "name": "poles-open-data",
        "title": "poles — public data of the programme",
        "profile": "tabular-data-package",
        "licenses": [{"name": "etalab-2.0", "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
                      "title": "Licence Ouverte / Open Licence 2.0"}],
        "created": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": resources,
    }  # fmt: skip


def write(directory: Path) -> dict[str, int]:
    """Write the package into `directory` (created if needed); return the row count per table."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in TABLES:
        with (directory / f"{table.name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.columns)
            n = 0
            for row in table.rows():
                writer.writerow([_cell(v) for v in row])
                n += 1
        counts[table.name] = n
    (directory / "datapackage.json").write_text(
        json.dumps(descriptor(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return counts
