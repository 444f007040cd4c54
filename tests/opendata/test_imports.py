"""Imports: every kind of malformed file is rejected with precise errors and changes nothing;
clean files apply atomically, idempotently, whatever their separator, encoding or column order."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from stdnum import luhn

from poles.clusters.models import Cluster, Membership
from poles.grants.models import Output
from poles.opendata.importers import run_import
from poles.organisations.models import Organisation, YearlyFigures
from poles.projects.models import Participation, Project

pytestmark = pytest.mark.django_db


def siren(n: int) -> str:
    base = f"8{n:07d}"
    return base + luhn.calc_check_digit(base)


def snapshot() -> tuple:
    """Row counts and a hash of the registry, to prove that a rejected file changed nothing."""
    digest = hashlib.sha256()
    for row in Organisation.objects.order_by("pk").values_list(
        "pk", "name", "siren", "pic", "category", "version"
    ):
        digest.update(repr(row).encode())
    for row in Membership.objects.order_by("pk").values_list("pk", "start", "end", "kind"):
        digest.update(repr(row).encode())
    for row in YearlyFigures.objects.order_by("pk").values_list("pk", "year", "turnover"):
        digest.update(repr(row).encode())
    counts = tuple(
        m.objects.count() for m in (Organisation, Membership, YearlyFigures, Output, Project, Participation)
    )
    return counts, digest.hexdigest()


@pytest.fixture
def known():
    org = Organisation.objects.exclude(siren="").order_by("pk").first()
    return {"siren": org.siren, "cluster": Cluster.objects.order_by("pk").first().slug}


ORG_HEADER = "name,category,siren,country\n"


def malformed_cases(k):
    """(kind, file bytes, file name, expected line, expected column, words of the message)."""
    good = siren(1)
    return {
        "wrong delimiter": ("organisations", b"name|category|siren\nAcme|company|" + good.encode(), "o.csv", 1, "",
                            "separate them"),
        "missing column": ("organisations", f"name,siren\nAcme,{good}\n".encode(), "o.csv", 1, "category",
                           "is missing"),
        "utf-16 encoding": ("organisations", (ORG_HEADER + f"Acmé,company,{good},FR\n").encode("utf-16"), "o.csv",
                            1, "", "UTF-8"),
        "undecodable bytes": ("organisations", ORG_HEADER.encode() + b"Acme\x81\x8d,company," + good.encode() + b",FR\n",
                              "o.csv", 2, "", "encoding"),
        "invalid SIREN": ("organisations", (ORG_HEADER + "Acme,company,123456789,FR\n").encode(), "o.csv", 2, "siren",
                          "not a valid SIREN"),
        "invalid PIC": ("organisations", b"name,category,pic\nAcme,company,12AB\n", "o.csv", 2, "pic", "valid EU PIC"),
        "duplicate keys": ("organisations", (ORG_HEADER + f"Acme,company,{good},FR\nAcme 2,company,{good},FR\n").encode(),
                           "o.csv", 3, "siren", "Duplicate key"),
        "negative amount": ("figures", f"siren,year,turnover\n{k['siren']},2020,-5000\n".encode(), "f.csv", 2,
                            "turnover", "cannot be negative"),
        "non-numeric amount": ("figures", f"siren,year,turnover\n{k['siren']},2020,12k€\n".encode(), "f.csv", 2,
                               "turnover", "is not a number"),
        "year out of range": ("figures", f"siren,year,turnover\n{k['siren']},1800,1000\n".encode(), "f.csv", 2, "year",
                              "between 1950 and 2100"),
        "unknown organisation": ("figures", f"siren,year\n{good},2020\n".encode(), "f.csv", 2, "siren",
                                 "No organisation has"),
        "end before start": ("memberships", f"cluster,siren,start,end\n{k['cluster']},{k['siren']},2020-05-01,2019-01-01\n"
                             .encode(), "m.csv", 2, "end", "cannot end before it starts"),
        "bad date": ("memberships", f"cluster,siren,start\n{k['cluster']},{k['siren']},31/02/2020\n".encode(), "m.csv",
                     2, "start", "is not a date"),
        "unknown cluster": ("memberships", f"cluster,siren,start\nno-such-cluster,{k['siren']},2020-01-01\n".encode(),
                            "m.csv", 2, "cluster", "No cluster has the code"),
        "empty file": ("organisations", b"", "o.csv", 1, "", "empty"),
        "blank lines only": ("organisations", b"\n\n  \n", "o.csv", 1, "", "empty"),
        "only a header": ("organisations", ORG_HEADER.encode(), "o.csv", 2, "", "no data rows"),
        "formula in a cell": ("organisations", (ORG_HEADER + f'"=HYPERLINK(""http://x"")",company,{good},FR\n').encode(),
                              "o.csv", 2, "name", "Formulas are not accepted"),
        "unknown country": ("organisations", (ORG_HEADER + f"Acme,company,{good},ZZ\n").encode(), "o.csv", 2, "country",
                            "not an ISO 3166 country"),
        "duplicate header": ("organisations", f"name,category,siren,Name\nAcme,company,{good},Bis\n".encode(), "o.csv", 1,
                             "Name", "appears twice"),
        "unknown category": ("organisations", (ORG_HEADER + f"Acme,bank,{good},FR\n").encode(), "o.csv", 2, "category",
                             "is not one of"),
        "required cell empty": ("organisations", (ORG_HEADER + f",company,{good},FR\n").encode(), "o.csv", 2, "name",
                                "required"),
        "ragged row": ("organisations", (ORG_HEADER + f"Acme,company,{good},FR,extra\n").encode(), "o.csv", 2, "",
                       "5 cells where the header has 4"),
        "SIRET of another SIREN": ("organisations", f"name,category,siren,siret\nAcme,company,{good},73282932000074\n"
                                   .encode(), "o.csv", 2, "siret", "must start with"),
        "broken workbook": ("organisations", b"PK\x03\x04not really a zip", "o.xlsx", 0, "", "cannot be opened"),
        "h2020 end before start": ("h2020", b"rcn,role,pic,start_date,end_date\n1,coordinator,999999999,2020-01-01,"
                                   b"2019-01-01\n", "h.csv", 2, "end_date", "before the start date"),
        "h2020 unknown role": ("h2020", b"rcn,role,pic\n1,boss,999999999\n", "h.csv", 2, "role", "not a CORDIS role"),
    }  # fmt: skip


CASES = list(malformed_cases({"siren": "", "cluster": ""}))


@pytest.mark.parametrize("case", CASES)
def test_malformed_file_is_rejected_precisely_and_changes_nothing(case, known):
    kind, data, name, line, column, words = malformed_cases(known)[case]
    before = snapshot()
    result = run_import(kind, {"file": data}, names={"file": name})
    assert result.rejected
    assert any(e.line == line and e.column == column and words in e.text() for e in result.errors), [
        e.as_dict() for e in result.errors
    ]
    assert not result.as_dict()["created"] and not result.as_dict()["updated"]
    assert snapshot() == before


def test_there_are_at_least_twenty_kinds_of_malformed_input():
    assert len(CASES) >= 20


@override_settings(OPENDATA_IMPORT_MAX_BYTES=64)
def test_file_too_large_is_refused_before_reading(tmp_path):
    before = snapshot()
    path = tmp_path / "big.csv"
    path.write_text(ORG_HEADER + "".join(f"Acme {i},company,{siren(i)},FR\n" for i in range(20)))
    result = run_import("organisations", {"file": path})
    assert [e.as_dict()["message"] for e in result.errors] == ["The file is too large: at most 0 MB."]
    assert snapshot() == before


def test_cordis_participation_of_an_unknown_project_rejects_both_files():
    before = snapshot()
    projects = b"id;acronym;title;startDate;endDate\n101;ABC;A project;2020-01-01;2022-12-31\n"
    organisations = (
        b"projectID;organisationID;name;activityType;country;role\n999;999999999;Acme;PRC;DE;coordinator\n"
    )
    result = run_import("cordis", {"projects": projects, "organizations": organisations})
    assert [(e.line, e.column) for e in result.errors] == [(2, "projectID")]
    assert snapshot() == before


def test_errors_are_given_in_french(known):
    from django.utils import translation

    with translation.override("fr"):
        result = run_import("figures", {"file": f"siren,year,turnover\n{known['siren']},2020,-5\n".encode()})
        assert "négatif" in result.errors[0].text()


def test_organisations_import_creates_then_updates_never_duplicates():
    header = "Catégorie;Nom;SIREN;Pays\n"  # another order, French names, semicolons
    data = (header + f"company;Acme Étoile;{siren(2)};FR\nhei_research;Labo;{siren(3)};DE\n").encode("cp1252")
    first = run_import("organisations", {"file": data})
    assert first.as_dict()["created"] == {"organisations": 2}, first.as_dict()
    assert Organisation.objects.get(siren=siren(2)).name == "Acme Étoile"
    again = run_import("organisations", {"file": data})
    assert again.as_dict()["skipped"] == {"organisations": 2} and not again.as_dict()["created"]
    changed = ("\ufeff" + header + f"company;Acme Étoile SA;{siren(2)};FR\n").encode("utf-8")
    third = run_import("organisations", {"file": changed})
    assert third.as_dict()["updated"] == {"organisations": 1}
    assert Organisation.objects.filter(siren=siren(2)).count() == 1
    assert Organisation.objects.get(siren=siren(2)).name == "Acme Étoile SA"


def test_dry_run_counts_without_writing():
    before = snapshot()
    data = (ORG_HEADER + f"Acme,company,{siren(4)},FR\n").encode()
    result = run_import("organisations", {"file": data}, dry_run=True)
    assert result.as_dict()["created"] == {"organisations": 1}
    assert snapshot() == before


def test_xlsx_memberships_and_figures(known, tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Start", "Cluster", "SIREN", "Kind"])
    sheet.append([dt.datetime(2031, 1, 1), known["cluster"], known["siren"], "associate"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import("memberships", {"file": buffer.getvalue()}, names={"file": "m.xlsx"})
    assert result.as_dict()["created"] == {"memberships": 1}, result.as_dict()
    figures = f'siren,year,headcount,turnover,balance_sheet\n{known["siren"]},2031,12,1 500 000,"900000,50"\n'
    result = run_import("figures", {"file": figures.encode()})
    assert result.as_dict()["created"] == {"figures": 1}, result.as_dict()
    row = YearlyFigures.objects.get(organisation__siren=known["siren"], year=2031)
    assert row.turnover == 1_500_000 and row.balance_sheet == 900_000


def test_command_line_json_and_exit_code(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(ORG_HEADER + "Acme,company,123456789,FR\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import", "organisations", str(bad), "--json")
    assert exit_info.value.code == 2
    out = json.loads(capsys.readouterr().out)
    assert out["errors"][0]["line"] == 2 and out["errors"][0]["column"] == "siren"
    assert set(out) >= {"created", "updated", "skipped", "errors"}
    good = tmp_path / "good.csv"
    good.write_text(ORG_HEADER + f"Acme,company,{siren(5)},FR\n")
    call_command("import", "organisations", str(good), "--json", "--dry-run")
    assert json.loads(capsys.readouterr().out)["created"] == {"organisations": 1}
    assert not Organisation.objects.filter(siren=siren(5)).exists()


def test_h2020_extract_sample_is_idempotent(shared_dir, tmp_path):
    import gzip

    with gzip.open(shared_dir / "data/cordis-h2020/h2020.csv.gz", "rt", encoding="utf-8") as handle:
        sample = "".join(next(handle) for _ in range(301))
    path = tmp_path / "h2020.csv"
    path.write_text(sample)
    first = run_import("h2020", {"file": path})
    assert not first.errors and first.created["participations"] == 300
    projects = Project.objects.filter(source="cordis").count()
    second = run_import("h2020", {"file": path})
    assert not second.as_dict()["created"] and second.skipped["participations"] == 300
    assert Project.objects.filter(source="cordis").count() == projects


def test_cordis_sample_with_real_names(shared_dir, tmp_path):
    """The CORDIS sample (JSON as published) written as CORDIS's semicolon CSV files, then imported."""
    import csv

    projects = json.loads((shared_dir / "data/cordis-sample/project.json").read_text(encoding="utf-8"))
    organisations = json.loads(
        (shared_dir / "data/cordis-sample/organization.json").read_text(encoding="utf-8")
    )
    for name, records in (("project.csv", projects), ("organization.csv", organisations)):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(records[0]), delimiter=";", extrasaction="ignore")
            writer.writeheader()
            writer.writerows(records)
    files = {"projects": tmp_path / "project.csv", "organizations": tmp_path / "organization.csv"}
    result = run_import("cordis", files)
    assert not result.errors, result.as_dict()["errors"][:5]
    assert result.created["projects"] == len(projects)
    assert result.skipped["repeated_participations"] == 1
    project = Project.objects.get(source="cordis", external_id=str(projects[0]["id"]))
    assert project.title == projects[0]["title"][:300]
    assert project.participations.count() == len({o["organisationID"] for o in organisations
                                                   if o["projectID"] == projects[0]["id"]})  # fmt: skip
    again = run_import("cordis", files)
    assert not again.as_dict()["created"] and not again.as_dict()["updated"]


def test_bulk_imports_refresh_planner_statistics_small_ones_and_dry_runs_do_not(monkeypatch):
    from poles.core import maintenance

    calls = []
    monkeypatch.setattr(maintenance, "refresh_statistics", lambda: calls.append(1))
    monkeypatch.setattr(maintenance, "BULK_ROWS", 2)
    one = (ORG_HEADER + f"Acme,company,{siren(5)},FR\n").encode()
    two = (ORG_HEADER + f"Beta,company,{siren(6)},FR\nGamma,company,{siren(7)},FR\n").encode()
    run_import("organisations", {"file": one})
    run_import("organisations", {"file": two}, dry_run=True)
    assert calls == []
    run_import("organisations", {"file": two})
    assert calls == [1]
