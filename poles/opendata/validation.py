"""Validation of the exports against the official schemas, offline (tests and `poles export --check`).

- 360Giving: JSON Schema 2020-12 with the local grant schema registered under the web address the
  package schema refers to, a date-time format checker (without it a plain date matches both
  branches of the standard's `oneOf` dates), and the codelists, which the schema does not enforce;
- SCDL Subventions and the data package: frictionless, plus the SCDL custom checks (SIRET).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

GRANT_URLS = (
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
    "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
)


def _format_checker():
    from jsonschema import FormatChecker

    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_datetime(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if "T" not in value.upper():
            raise ValueError("not a date-time")
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    return checker


def _codelist(directory: Path, name: str) -> set[str]:
    with (directory / f"{name}.csv").open(encoding="utf-8") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


def _message(error) -> str:
    """`path: message`, with a `oneOf` failure explained by its closest branch, not the whole object."""
    from jsonschema.exceptions import best_match

    where = "/".join(str(p) for p in error.absolute_path)
    if error.context:
        error = best_match(error.context)
        where = "/".join(str(p) for p in error.absolute_path) or where
    return f"{where}: {error.message[:300]}"


def validate_360giving(package: dict[str, Any], directory: Path) -> list[str]:
    """Schema and codelist errors of a 360Giving package (empty when valid)."""
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    directory = Path(directory)
    grant_schema = json.loads((directory / "360-giving-schema.json").read_text(encoding="utf-8"))
    package_schema = json.loads((directory / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    # The files name their dialect "http://…/draft/2020-12/schema", which `referencing` does not
    # recognise by itself: say it.
    resource = DRAFT202012.create_resource(grant_schema)
    registry = Registry().with_resources([(url, resource) for url in GRANT_URLS])
    validator = Draft202012Validator(package_schema, registry=registry, format_checker=_format_checker())
    errors = [_message(error) for error in validator.iter_errors(package)]
    countries, currencies = _codelist(directory, "countryCode"), _codelist(directory, "currency")
    geo_types, scopes = _codelist(directory, "geoCodeType"), _codelist(directory, "locationScope")
    regrant = _codelist(directory, "regrantType")
    for index, grant in enumerate(package.get("grants", [])):
        where = f"grants/{index}"
        if grant.get("currency") not in currencies:
            errors.append(f"{where}/currency: {grant.get('currency')!r} is not in the currency codelist")
        for org in grant.get("recipientOrganization", []) + grant.get("fundingOrganization", []):
            if "addressCountry" in org and org["addressCountry"] not in countries:
                errors.append(
                    f"{where}: addressCountry {org['addressCountry']!r} is not in the country codelist"
                )
            for location in org.get("location", []):
                if location.get("countryCode") and location["countryCode"] not in countries:
                    errors.append(f"{where}: countryCode {location['countryCode']!r} not in the codelist")
        for location in grant.get("beneficiaryLocation", []):
            if location.get("countryCode") and location["countryCode"] not in countries:
                errors.append(f"{where}: countryCode {location['countryCode']!r} not in the codelist")
            if location.get("geoCodeType") and location["geoCodeType"] not in geo_types:
                errors.append(f"{where}: geoCodeType {location['geoCodeType']!r} not in the codelist")
        if grant.get("locationScope") and grant["locationScope"] not in scopes:
            errors.append(f"{where}: locationScope {grant['locationScope']!r} not in the codelist")
        if grant.get("regrantType") and grant["regrantType"] not in regrant:
            errors.append(f"{where}: regrantType {grant['regrantType']!r} not in the codelist")
    return errors


def _report_errors(report) -> list[str]:
    return [
        f"{task.name}: {error.title} — {error.message}" for task in report.tasks for error in task.errors
    ] + [f"{error.title} — {error.message}" for error in report.errors]


def validate_scdl(path: Path, schema_path: Path) -> list[str]:
    """Frictionless errors of an SCDL CSV, plus the schema's custom checks (SIRET of both sides)."""
    from frictionless import Resource, Schema
    from stdnum.fr import siret

    schema = Schema.from_descriptor(json.loads(Path(schema_path).read_text(encoding="utf-8")))
    path = Path(path)
    report = Resource(path=path.name, basepath=str(path.parent), schema=schema).validate()
    errors = [] if report.valid else _report_errors(report)
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            for column in ("idAttribuant", "idBeneficiaire"):
                if row.get(column) and not siret.is_valid(row[column]):
                    errors.append(f"line {line}: {column} {row[column]!r} is not a valid SIRET")
            if not row.get("idBeneficiaire") and not row.get("rnaBeneficiaire"):
                errors.append(f"line {line}: idBeneficiaire or rnaBeneficiaire is required")
    return errors


def validate_datapackage(directory: Path) -> list[str]:
    """Frictionless errors of a data package folder (schemas, types, primary and foreign keys)."""
    from frictionless import Package

    report = Package(str(Path(directory) / "datapackage.json")).validate()
    return [] if report.valid else _report_errors(report)
