"""`run_import(kind, files)`: the single entry point the command line, the pages and the tests use."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from poles.core import audit, maintenance

from .base import Importer, Rejected, Result, read_table
from .cordis import CordisImporter, CordisOrganisationsImporter, CordisProjectsImporter, H2020Importer
from .package import PackageImporter
from .registry import FiguresImporter, MembershipImporter, OrganisationImporter, OutputImporter

IMPORTERS: dict[str, type[Importer]] = {
    "organisations": OrganisationImporter,
    "memberships": MembershipImporter,
    "figures": FiguresImporter,
    "outputs": OutputImporter,
    "h2020": H2020Importer,
}
KINDS = (*IMPORTERS, "cordis", "datapackage")


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that everything it wrote is rolled back."""


def _parse(importer: Importer, source, name: str, label: str = ""):
    try:
        header, rows = read_table(source, name, [c.name for c in importer.columns])
    except Rejected as exc:
        importer.result.errors.extend(exc.errors)
        return []
    return importer.parse(header, rows, label)


def run_import(kind: str, files: dict[str, Path | bytes], *, names: dict[str, str] | None = None,
               dry_run: bool = False, actor=None, progress=None) -> Result:  # fmt: skip
    """Read, check and (unless rejected or a dry run) apply an import; return its Result.

    `files` maps a role to a path or bytes: `{"file": …}`, or `{"projects": …, "organizations": …}`
    for CORDIS. Nothing is written when any error is found, nor in a dry run.
    """
    names = names or {}
    result = Result(dry_run=dry_run)
    result.progress = progress
    if kind == "cordis":
        importer = CordisImporter(result)
        projects = _parse(
            CordisProjectsImporter(result), files["projects"], names.get("projects", ""), "project.csv"
        )
        organisations = _parse(
            CordisOrganisationsImporter(result),
            files["organizations"],
            names.get("organizations", ""),
            "organization.csv",
        )
        if not result.errors:
            CordisProjectsImporter(result).check(projects)
            CordisOrganisationsImporter(result).check(organisations)

        def apply():
            importer.run_pair(projects, organisations)
    elif kind == "datapackage":
        importer = PackageImporter(result)
        tables = importer.read(files["file"])
        if not result.errors:
            importer.check(tables)

        def apply():
            importer.apply(tables)
    elif kind in IMPORTERS:
        importer = IMPORTERS[kind](result)
        rows = _parse(importer, files["file"], names.get("file", ""))
        if not result.errors:
            importer.check(rows)

        def apply():
            importer.apply(rows)
    else:
        raise ValueError(kind)
    if result.errors:
        result.errors.sort(key=lambda e: (e.line, e.column))
        return result
    try:
        with transaction.atomic():
            apply()
            if result.errors:
                raise _DryRun
            audit.record(
                "opendata.import", actor=actor, object_type="opendata.import", object_id=kind, object_repr=kind,
                after={"created": dict(result.created), "updated": dict(result.updated)},
                reason=str(_("File import")),
            )  # fmt: skip
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    else:
        if sum(result.created.values()) + sum(result.updated.values()) >= maintenance.BULK_ROWS:
            maintenance.refresh_statistics()  # thousands of new rows: let PostgreSQL plan for them now
    result.errors.sort(key=lambda e: (e.line, e.column))
    return result


__all__ = ["KINDS", "Result", "run_import"]
