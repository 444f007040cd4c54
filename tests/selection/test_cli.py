"""`poles select` on files: JSON schema, readable table, exit codes, and the management command."""

from __future__ import annotations

import io
import json
import os

import pytest
from django.core.management import CommandError, call_command

from poles.selection import cli
from poles.selection.engine import solver_output_to_stderr

P = (
    "proposal_id,funder,aid,score,sme_aid,cluster\n"
    "A,state,600000,15,300000,c1\n"
    "A,region,200000,15,100000,c1\n"
    "B,state,500000,14,0,c2\n"
    "C,state,500000,13,400000,c1\n"
    "D,state,300000,5,0,c2\n"
)
E = "funder,envelope\nstate,1000000\nregion,500000\n"
C = '{"min_sme_share": 0.3, "max_aid_per_cluster": 2500000, "min_score": 10}'


@pytest.fixture
def files(tmp_path):
    for name, text in (("P.csv", P), ("E.csv", E), ("C.json", C)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [
        "--proposals",
        str(tmp_path / "P.csv"),
        "--envelopes",
        str(tmp_path / "E.csv"),
    ], tmp_path / "C.json"


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def test_json_output_has_the_issue_keys_and_the_reasons(files):
    base, constraints = files
    code, out, err = run([*base, "--constraints", str(constraints), "--json", "--time-limit", "5"])
    assert code == 0, err
    data = json.loads(out)
    assert list(data)[:6] == ["selected", "objective", "status", "gap", "greedy_objective", "binding"]
    assert data["selected"] == ["B", "C"]
    assert data["objective"] == 27
    assert data["status"] == "optimal"
    assert data["gap"] == 0
    assert data["greedy_objective"] == 15
    assert data["greedy_selected"] == ["A"]
    assert data["binding"] == [
        {"constraint": "envelope", "funder": "state", "limit": 1e6, "used": 1e6, "slack": 0, "blocked": 1}
    ]
    assert isinstance(data["solve_seconds"], float) and data["source"] == "milp"
    by_id = {e["proposal_id"]: e for e in data["explanations"]}
    assert by_id["A"]["reason"] == "trade_off"
    assert "B, C" in by_id["A"]["message"]
    assert by_id["D"]["reason"] == "below_threshold"
    assert "below the threshold" in by_id["D"]["message"]


def test_without_constraints_everything_above_zero_competes(files):
    base, _ = files
    code, out, _err = run([*base, "--json"])
    assert code == 0
    data = json.loads(out)
    # Without the threshold D (score 5) competes too, but B and C use the whole state envelope.
    assert data["selected"] == ["B", "C"]
    assert {e["proposal_id"]: e["reason"] for e in data["explanations"]}["D"] == "envelope"


def test_readable_table(files):
    base, constraints = files
    code, out, _err = run([*base, "--constraints", str(constraints)])
    assert code == 0
    assert "optimal" in out
    assert "A better combination uses the budget" in out
    assert "envelope state" in out


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--time-limit", "0"], "--time-limit"),
        (["--gap", "2"], "--gap"),
        (["--time-limit", "soon"], "invalid float"),
    ],
)
def test_bad_options_exit_2(files, extra, words):
    base, _ = files
    code, out, err = run([*base, *extra])
    assert (code, out) == (2, "")
    assert words in err


def test_missing_required_option_exits_2(files):
    code, _out, err = run(["--proposals", "P.csv"])
    assert code == 2
    assert "--envelopes" in err


def test_solver_chatter_never_reaches_stdout(files, capfd):
    # HiGHS sometimes prints diagnostics from C++ straight to file descriptor 1.
    with solver_output_to_stderr():
        os.write(1, b"native chatter\n")
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "native chatter\n")
    base, constraints = files
    code = cli.run([*base, "--constraints", str(constraints), "--json"])
    captured = capfd.readouterr()
    assert code == 0
    json.loads(captured.out)


def test_management_command_runs_the_same_code(files):
    base, constraints = files
    out = io.StringIO()
    call_command(
        "select", proposals=base[1], envelopes=base[3], constraints=str(constraints), json=True, stdout=out
    )
    assert json.loads(out.getvalue())["selected"] == ["B", "C"]


def test_management_command_exits_2_on_malformed_input(files, tmp_path):
    base, _ = files
    bad = tmp_path / "bad.json"
    bad.write_text('{"min_sme_share": 3}', encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command(
            "select", proposals=base[1], envelopes=base[3], constraints=str(bad), stdout=io.StringIO()
        )
    assert caught.value.returncode == 2
    assert "bad.json, line 1, column min_sme_share" in str(caught.value)


def test_help_of_the_function_and_of_the_management_command():
    code, out, _err = run(["--help"])
    assert code == 0
    assert "--time-limit" in out and "--constraints" in out
    from poles.selection.management.commands.select import Command

    text = Command().create_parser("poles", "select").format_help()
    assert "maximise the total score" in text and "--gap" in text
