"""`poles evaluate did` on analysts' files: the JSON contract, and exit code 2 with a named problem for bad input."""

import io
import json

import pandas as pd
import pytest
from django.core.management import call_command

from poles.evaluation.cli import run

from .conftest import csv_file

ARGS = ["--unit", "countyreal", "--time", "year", "--outcome", "lemp", "--first-treated", "first.treat"]
KEYS = {"att", "se", "ci_low", "ci_high", "n_units", "n_obs", "estimates"}


def cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def mpdta_csv(mpdta, tmp_path_factory):
    return csv_file(tmp_path_factory.mktemp("cli"), mpdta, "mpdta.csv")


def test_did_json_has_the_contract_keys_and_the_published_simple_att(mpdta_csv):
    code, out, err = cli("did", "--panel", mpdta_csv, *ARGS, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == KEYS
    assert data["att"] == pytest.approx(-0.0400, abs=5e-5)
    assert data["ci_low"] < data["att"] < data["ci_high"]
    assert (data["n_units"], data["n_obs"], data["estimates"]) == (500, 2500, [])


@pytest.mark.parametrize(
    ("aggregate", "key", "values"),
    [
        ("group", "group", [2004, 2006, 2007]),
        ("dynamic", "event_time", [-3, -2, -1, 0, 1, 2, 3]),
        ("calendar", "period", [2004, 2005, 2006, 2007]),
    ],
)
def test_did_estimates_hold_the_chosen_aggregation(mpdta_csv, aggregate, key, values):
    code, out, _err = cli("did", "--panel", mpdta_csv, *ARGS, "--aggregate", aggregate, "--json")
    assert code == 0
    estimates = json.loads(out)["estimates"]
    assert [e[key] for e in estimates] == values
    assert all(e["ci_low"] <= e["att"] <= e["ci_high"] for e in estimates)


def test_did_with_covariates_notyet_control_and_bootstrap_is_repeatable(mpdta_csv):
    argv = [
        "did",
        "--panel",
        mpdta_csv,
        *ARGS,
        "--covariates",
        "lpop",
        "--control",
        "notyet",
        "--se",
        "bootstrap",
        "--biters",
        "200",
        "--seed",
        "7",
        "--json",
    ]
    first, second = cli(*argv), cli(*argv)
    assert first[0] == 0 and first[1] == second[1]
    assert json.loads(first[1])["att"] == pytest.approx(-0.0404, abs=5e-3)


def test_did_human_output_in_french_and_english(mpdta_csv):
    code, out, _ = cli("did", "--panel", mpdta_csv, *ARGS, "--lang", "fr")
    assert code == 0 and "-0,040" in out and "Limites" in out and "tendances parallèles" in out
    code, out, _ = cli("did", "--panel", mpdta_csv, *ARGS, "--lang", "en")
    assert code == 0 and "-0.040" in out and "Limits" in out and "parallel trends" in out


def test_did_report_file_is_the_storable_run(mpdta_csv, tmp_path):
    report = tmp_path / "run.json"
    code, out, _ = cli("did", "--panel", mpdta_csv, *ARGS, "--report", str(report), "--json")
    assert code == 0
    stored = json.loads(report.read_text(encoding="utf-8"))
    assert stored["data_fingerprint"].startswith("sha256:")
    assert stored["results"]["staggered"]["simple"]["att"] == json.loads(out)["att"]
    assert {"fr", "en"} == set(stored["summary"])


def bad(tmp_path, frame, *extra, lang="en"):
    path = csv_file(tmp_path, frame)
    code, out, err = cli("did", "--panel", path, *ARGS, *extra, "--lang", lang, "--json")
    assert code == 2, (out, err)
    assert out == "" and "Traceback" not in err and err.count("\n") == 1
    return err


def test_bad_panel_missing_column(tmp_path, mpdta):
    err = bad(tmp_path, mpdta.drop(columns="lemp"))
    assert "[missing_column]" in err and "'lemp'" in err


def test_bad_panel_duplicate_unit_year(tmp_path, mpdta):
    err = bad(tmp_path, pd.concat([mpdta, mpdta.iloc[[10]]]))
    assert "[duplicate_rows]" in err and "duplicate unit-year" in err


def test_bad_panel_treatment_before_the_panel_starts(tmp_path, mpdta):
    frame = mpdta.copy()
    frame.loc[frame["countyreal"] == frame["countyreal"].iloc[0], "first.treat"] = 2001
    err = bad(tmp_path, frame)
    assert "[treatment_before_panel]" in err and "before the panel starts" in err


def test_bad_panel_no_never_treated_with_never_control(tmp_path, mpdta):
    frame = mpdta[mpdta["first.treat"] > 0]
    err = bad(tmp_path, frame, "--control", "never")
    assert "[no_never_treated]" in err and "never-treated" in err


def test_bad_panel_non_numeric_outcome_in_french(tmp_path, mpdta):
    frame = mpdta.astype({"lemp": object})
    frame.loc[3, "lemp"] = "n.c."
    err = bad(tmp_path, frame, lang="fr")
    assert "[non_numeric_column]" in err and "« lemp » doit être numérique" in err and "n.c." in err


def test_unreadable_files(tmp_path, mpdta):
    for argv, code_name in [
        (["--panel", str(tmp_path / "nope.csv")], "file_not_found"),
        (["--panel", str(tmp_path)], "file_unreadable"),
    ]:
        code, _out, err = cli("did", *argv, *ARGS[0:0], *ARGS, "--lang", "en")
        assert code == 2 and f"[{code_name}]" in err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, _out, err = cli("did", "--panel", str(empty), *ARGS)
    assert code == 2 and "[file_empty]" in err
    latin = tmp_path / "latin.csv"
    mpdta.rename(columns={"lpop": "popé"}).to_csv(latin, index=False, encoding="cp1252")
    code, _out, err = cli("did", "--panel", str(latin), *ARGS)
    assert code == 2 and "[file_encoding]" in err and "cp1252" in err
    code, out, _err = cli("did", "--panel", str(latin), *ARGS, "--encoding", "cp1252", "--json")
    assert code == 0 and json.loads(out)["n_units"] == 500


def test_french_excel_csv_with_semicolons_and_decimal_commas(tmp_path, mpdta):
    path = csv_file(tmp_path, mpdta, sep=";", decimal=",")
    code, out, err = cli("did", "--panel", path, *ARGS, "--json")
    assert code == 0, err
    assert json.loads(out)["att"] == pytest.approx(-0.0400, abs=5e-5)


def test_usage_errors_exit_2_without_traceback(mpdta_csv):
    code, _out, err = cli("did", "--panel", mpdta_csv, "--unit", "countyreal")
    assert code == 2 and "required" in err and "Traceback" not in err
    code, _out, err = cli("did", "--panel", mpdta_csv, *ARGS, "--aggregate", "weekly")
    assert code == 2 and "invalid choice" in err
    code, _out, err = cli("did", "--panel", mpdta_csv, *ARGS, "--alpha", "1.5")
    assert code == 2 and "[bad_alpha]" in err


def test_event_study_and_matched_subcommands(mpdta_csv):
    code, out, _ = cli("event-study", "--panel", mpdta_csv, *ARGS, "--json")
    assert code == 0 and json.loads(out)["static"]["coef"] < 0
    code, out, _ = cli(
        "matched", "--panel", mpdta_csv, *ARGS, "--covariates", "lpop", "--horizon", "1", "--json"
    )
    data = json.loads(out)
    assert code == 0 and data["matching"] == "propensity" and len(data["balance"]) == 3


def test_management_command_wraps_the_cli(mpdta_csv, capsys):
    call_command("evaluate", "did", "--panel", mpdta_csv, *ARGS, "--json")
    assert json.loads(capsys.readouterr().out)["n_units"] == 500
    with pytest.raises(SystemExit) as exit_:
        call_command("evaluate", "did", "--panel", "/nonexistent.csv", *ARGS)
    assert exit_.value.code == 2


def test_poles_entry_point_runs_evaluate(mpdta_csv, capsys):
    from poles.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["evaluate", "did", "--panel", mpdta_csv, *ARGS, "--lang", "en", "--json"])
    assert exit_.value.code == 0
    assert json.loads(capsys.readouterr().out)["att"] == pytest.approx(-0.0400, abs=5e-5)


def test_json_stays_pure_and_notes_go_to_stderr(tmp_path, mpdta):
    frame = mpdta.copy()
    frame.loc[0, "lemp"] = None
    path = csv_file(tmp_path, frame)
    code, out, err = cli("did", "--panel", path, *ARGS, "--lang", "en", "--json")
    assert code == 0
    assert json.loads(out)["n_units"] == 499
    assert "note [dropped_missing_rows]" in err and "note [dropped_unbalanced_units]" in err
    code, out, _err = cli("did", "--panel", path, *ARGS, "--lang", "fr")
    assert "1 unité(s) non observée(s) chaque année de 2003 à 2007 ont été écartées" in out
