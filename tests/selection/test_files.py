"""Reading P.csv / E.csv / C.json: valid files become engine data; each kind of mistake is located."""

from __future__ import annotations

import io

import pytest

from poles.selection import cli
from poles.selection.engine import Constraints, Proposal
from poles.selection.files import SelectionInputError, load_inputs, read_constraints, read_proposals

HEADER = "proposal_id,funder,aid,score,sme_aid,cluster\n"
GOOD_P = HEADER + "A,state,600000,15,300000,c1\nA,region,200000,15,100000,c1\nB,state,500000,14,0,\n"
GOOD_E = "funder,envelope\nstate,1000000\nregion,500000\n"


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_valid_files_become_engine_data(tmp_path):
    proposals, envelopes, constraints = load_inputs(
        write(tmp_path, "P.csv", GOOD_P),
        write(tmp_path, "E.csv", GOOD_E),
        write(tmp_path, "C.json", '{"min_sme_share": 0.3, "max_aid_per_cluster": 2500000, "min_score": 10}'),
    )
    assert proposals == [
        Proposal(
            "A", 15.0, {"state": 600000.0, "region": 200000.0}, {"state": 300000.0, "region": 100000.0}, "c1"
        ),
        Proposal("B", 14.0, {"state": 500000.0}, {"state": 0.0}, None),
    ]
    assert envelopes == {"state": 1e6, "region": 5e5}
    assert constraints == Constraints(min_sme_share=0.3, max_aid_per_cluster=2.5e6, min_score=10.0)


def test_semicolons_a_byte_order_mark_and_blank_lines_are_accepted(tmp_path):
    text = "\ufeff" + GOOD_P.replace(",", ";").replace("\nB", "\n\nB")
    proposals, _ = read_proposals(write(tmp_path, "P.csv", text))
    assert [p.id for p in proposals] == ["A", "B"]


def test_empty_constraints_object_and_nulls_mean_no_constraint(tmp_path):
    assert read_constraints(write(tmp_path, "C.json", "{}")) == Constraints()
    assert read_constraints(write(tmp_path, "C.json", '{"min_score": null}')) == Constraints()
    assert (
        read_constraints(write(tmp_path, "C.json", '{"objective": "score_per_euro"}')).objective
        == "score_per_euro"
    )


# (which file is malformed, its text, expected (file, line, column) of the first error, words of the message)
MALFORMED = [
    ("P", "", ("P.csv", 1, None), "empty"),
    ("P", "proposal_id,funder,aid,score,cluster\nA,state,1,2,c\n", ("P.csv", 1, "sme_aid"), "missing column"),
    ("P", HEADER.strip() + ",budget\nA,state,1,2,0,c,9\n", ("P.csv", 1, "budget"), "unknown column"),
    ("P", "proposal_id,funder,aid,aid,score,sme_aid,cluster\n", ("P.csv", 1, "aid"), "twice"),
    ("P", HEADER, ("P.csv", 2, None), "no data rows"),
    ("P", HEADER + "A,state,1,2\n", ("P.csv", 2, "sme_aid"), "expected 6 fields, found 4"),
    ("P", HEADER + "A,state,1,2,0,c\nB,state,1,2,0,c,extra\n", ("P.csv", 3, None), "found 7"),
    ("P", HEADER + ",state,1,2,0,c\n", ("P.csv", 2, "proposal_id"), "proposal id is empty"),
    ("P", HEADER + "A,,1,2,0,c\n", ("P.csv", 2, "funder"), "funder is empty"),
    ("P", HEADER + "A,state,1,2,0,c\nB,state,lots,2,0,c\n", ("P.csv", 3, "aid"), "“lots” is not a number"),
    ("P", HEADER + "A,state,1 000,2,0,c\n", ("P.csv", 2, "aid"), "not a number"),
    ("P", HEADER + "A,state,nan,2,0,c\n", ("P.csv", 2, "aid"), "not a number"),
    ("P", HEADER + "A,state,inf,2,0,c\n", ("P.csv", 2, "aid"), "not a number"),
    ("P", HEADER + "A,state,-5,2,0,c\n", ("P.csv", 2, "aid"), "negative"),
    ("P", HEADER + "A,state,5,2,-1,c\n", ("P.csv", 2, "sme_aid"), "negative"),
    ("P", HEADER + "A,state,5,high,0,c\n", ("P.csv", 2, "score"), "not a number"),
    ("P", HEADER + "A,state,5,2,6,c\n", ("P.csv", 2, "sme_aid"), "SME aid 6 is more than the aid 5"),
    (
        "P",
        HEADER + "A,state,5,2,0,c\nA,region,5,3,0,c\n",
        ("P.csv", 3, "score"),
        "score 3 here but 2 on line 2",
    ),
    (
        "P",
        HEADER + "A,state,5,2,0,c\nA,region,5,2,0,d\n",
        ("P.csv", 3, "cluster"),
        "“d” here but “c” on line 2",
    ),
    (
        "P",
        HEADER + "A,state,5,2,0,c\nB,state,5,2,0,c\nA,state,6,2,0,c\n",
        ("P.csv", 4, "funder"),
        "on line 2",
    ),
    (
        "P",
        HEADER + "A,state,5,2,0,c\nA,eu,5,2,0,c\n",
        ("P.csv", 3, "funder"),
        "“eu” has no envelope in E.csv",
    ),
    ("E", "", ("E.csv", 1, None), "empty"),
    ("E", "funder,amount\nstate,1\n", ("E.csv", 1, "amount"), "unknown column"),
    ("E", "funder,envelope\nstate,much\n", ("E.csv", 2, "envelope"), "not a number"),
    ("E", "funder,envelope\nstate,-1\n", ("E.csv", 2, "envelope"), "negative"),
    (
        "E",
        "funder,envelope\nstate,1\nregion,2\nstate,3\n",
        ("E.csv", 4, "funder"),
        "already has an envelope on line 2",
    ),
    ("E", "funder,envelope\n,1\n", ("E.csv", 2, "funder"), "funder is empty"),
    ("C", '{"min_sme_share": 0.3,\n "min_score": }', ("C.json", 2, "15"), "invalid JSON"),
    ("C", "[0.3]", ("C.json", 1, None), "JSON object"),
    ("C", '{\n "min_sme_share": 0.3,\n "max_aid": 5\n}', ("C.json", 3, "max_aid"), "unknown key “max_aid”"),
    ("C", '{\n "min_sme_share": 30\n}', ("C.json", 2, "min_sme_share"), "between 0 and 1"),
    ("C", '{"min_sme_share": "30%"}', ("C.json", 1, "min_sme_share"), "must be a number"),
    ("C", '{"min_score": true}', ("C.json", 1, "min_score"), "must be a number"),
    ("C", '{"max_aid_per_cluster": -1}', ("C.json", 1, "max_aid_per_cluster"), "0 or more"),
    ("C", '{"objective": "euros"}', ("C.json", 1, "objective"), "score_per_euro"),
    ("C+P", '{"objective": "score_per_euro"}', ("P.csv", 2, "aid"), "asks for no aid"),
]


def _files(tmp_path, which: str, text: str):
    p_text = GOOD_P
    c_text = '{"min_score": 1}'
    if which == "P":
        p_text = text
    if which == "C+P":
        p_text = HEADER + "A,state,0,2,0,c\n"
    e_text = text if which == "E" else GOOD_E
    if which.startswith("C"):
        c_text = text
    return (
        write(tmp_path, "P.csv", p_text),
        write(tmp_path, "E.csv", e_text),
        write(tmp_path, "C.json", c_text),
    )


@pytest.mark.parametrize(("which", "text", "where", "words"), MALFORMED)
def test_each_mistake_is_located_by_file_line_and_column(tmp_path, which, text, where, words):
    paths = _files(tmp_path, which, text)
    with pytest.raises(SelectionInputError) as caught:
        load_inputs(*paths)
    first = caught.value.errors[0]
    assert (first.file, first.line, first.column) == where
    assert words in str(first.message)

    out, err = io.StringIO(), io.StringIO()
    code = cli.run(
        ["--proposals", str(paths[0]), "--envelopes", str(paths[1]), "--constraints", str(paths[2])], out, err
    )
    assert code == 2
    assert out.getvalue() == ""
    location = f"{where[0]}, line {where[1]}" + (f", column {where[2]}" if where[2] else "")
    assert location in err.getvalue()


def test_every_mistake_of_every_file_is_reported_at_once(tmp_path):
    p = write(tmp_path, "P.csv", HEADER + "A,state,x,2,0,c\nB,state,1,y,0,c\n")
    e = write(tmp_path, "E.csv", "funder,envelope\nstate,-3\n")
    c = write(tmp_path, "C.json", '{"min_sme_share": 2}')
    with pytest.raises(SelectionInputError) as caught:
        load_inputs(p, e, c)
    located = [(x.file, x.line, x.column) for x in caught.value.errors]
    assert located == [
        ("P.csv", 2, "aid"),
        ("P.csv", 3, "score"),
        ("E.csv", 2, "envelope"),
        ("C.json", 1, "min_sme_share"),
    ]


def test_a_missing_or_non_utf8_file(tmp_path):
    e = write(tmp_path, "E.csv", GOOD_E)
    with pytest.raises(SelectionInputError, match="file not found"):
        load_inputs(tmp_path / "nope.csv", e)
    latin = tmp_path / "P.csv"
    latin.write_bytes((HEADER + "Pôle,state,1,2,0,c\n").encode("latin-1"))
    with pytest.raises(SelectionInputError, match="not UTF-8"):
        load_inputs(latin, e)


def test_a_wrong_delimiter_does_not_flood_the_report(tmp_path):
    rows = "".join(f"P{i}\tstate\t1\t2\t0\tc\n" for i in range(200))
    p = write(tmp_path, "P.csv", HEADER + rows)
    with pytest.raises(SelectionInputError) as caught:
        load_inputs(p, write(tmp_path, "E.csv", GOOD_E))
    assert len(caught.value.errors) == 50
