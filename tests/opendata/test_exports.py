"""Exports of the demo programme validate against the official schemas and hold public data only."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from poles.grants.models import Decision
from poles.opendata import validation
from poles.opendata.exporters import datapackage, giving360, scdl
from poles.projects.models import Project

pytestmark = pytest.mark.django_db


def _export(tmp_path: Path, kind: str) -> Path:
    out = tmp_path / {"360giving": "grants.json", "scdl": "scdl.csv", "datapackage": "package"}[kind]
    call_command("export", kind, "--out", str(out), stdout=open(tmp_path / "log.txt", "w"))  # noqa: SIM115
    return out


def test_360giving_export_is_valid_with_codelists(tmp_path, shared_dir):
    package = json.loads(_export(tmp_path, "360giving").read_text(encoding="utf-8"))
    assert (
        len(package["grants"])
        == Decision.objects.filter(status__in=["decided", "notified"], project__status="funded").count()
        > 0
    )
    assert validation.validate_360giving(package, shared_dir / "standards/360giving") == []
    ids = [g["id"] for g in package["grants"]]
    assert len(ids) == len(set(ids))
    recipients = [g["recipientOrganization"][0]["id"] for g in package["grants"]]
    assert any(r.startswith("FR-RCS-") for r in recipients)


def test_360giving_validator_catches_bad_grants(shared_dir):
    package = giving360.build()
    package["grants"][0]["awardDate"] = "2020-13-01"  # neither a date nor a date-time
    package["grants"][1]["currency"] = "EURO"  # not in the currency codelist
    del package["grants"][2]["fundingOrganization"]
    errors = validation.validate_360giving(package, shared_dir / "standards/360giving")
    assert any("grants/0/awardDate" in e for e in errors)
    assert any("grants/1/currency" in e for e in errors)
    assert any("fundingOrganization" in e for e in errors)


def test_scdl_export_is_valid(tmp_path, shared_dir):
    path = _export(tmp_path, "scdl")
    schema = shared_dir / "standards/scdl-subventions/schema.json"
    assert validation.validate_scdl(path, schema) == []
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and set(rows[0]) == set(scdl.COLUMNS)
    # The validator is not blind: a broken SIRET and a negative rate are reported.
    rows[0]["idBeneficiaire"] = "12345678901234"
    rows[1]["pourcentageSubvention"] = "1.5"
    broken = tmp_path / "broken.csv"
    with broken.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=scdl.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    errors = validation.validate_scdl(broken, schema)
    assert any("idBeneficiaire" in e for e in errors)
    assert any("constraint" in e.lower() for e in errors)


def test_datapackage_validates_with_frictionless_cli(tmp_path):
    directory = _export(tmp_path, "datapackage")
    assert validation.validate_datapackage(directory) == []
    frictionless = Path(sys.executable).with_name("frictionless")
    done = subprocess.run(  # noqa: S603 — fixed arguments
        [str(frictionless), "validate", "datapackage.json"], cwd=directory, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-2000:]
    names = {r["name"] for r in json.loads((directory / "datapackage.json").read_text())["resources"]}
    assert {"organisations", "clusters", "memberships", "calls", "projects", "participations", "decisions",
            "outputs"} <= names  # fmt: skip


def test_datapackage_foreign_keys_are_checked(tmp_path):
    directory = _export(tmp_path, "datapackage")
    with (directory / "participations.csv").open("a", encoding="utf-8") as handle:
        handle.write("999999999,1,partner,company,\n")  # a project that is not in the package
    errors = validation.validate_datapackage(directory)
    assert any("foreign" in e.lower() for e in errors)


def test_exports_hold_no_confidential_data(tmp_path):
    """Proposals, their budgets and proposed aid never leave: only funded and external projects."""
    hidden = Project.objects.exclude(status__in=["funded", "external"])
    assert hidden.exists()
    directory = tmp_path / "package"
    datapackage.write(directory)
    with (directory / "projects.csv").open(encoding="utf-8") as handle:
        exported = {int(r["id"]): r for r in csv.DictReader(handle)}
    assert not set(hidden.values_list("pk", flat=True)) & set(exported)
    programme = [r for r in exported.values() if r["source"] == "programme"]
    assert programme and all(r["total_cost"] == "" for r in programme)
    with (directory / "decisions.csv").open(encoding="utf-8") as handle:
        statuses = {r["status"] for r in csv.DictReader(handle)}
    assert statuses <= {"decided", "notified"}
    text = "".join(p.read_text(encoding="utf-8") for p in directory.glob("*.csv"))
    titles = list(hidden.exclude(title="").values_list("title", flat=True)[:50])
    # Titles of unfunded proposals appear nowhere (unless a public project shares the title).
    public_titles = set(
        Project.objects.filter(status__in=["funded", "external"]).values_list("title", flat=True)
    )
    assert not [t for t in titles if t not in public_titles and t in text]
    assert "eligible_cost" not in text and "budget" not in text
