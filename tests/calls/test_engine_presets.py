"""Presets and evaluation grids: the FUI figures as data, and the validation officers rely on."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from poles.calls.engine.criteria import parse_evaluation, validate_evaluation
from poles.calls.engine.presets import (
    CALL_KINDS,
    FUI_25,
    FUI_CLASSIC,
    PRESETS,
    get_preset,
    validate_call_config,
)


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_presets_are_valid_and_json_storable(code):
    preset = get_preset(code)
    assert validate_call_config(preset) == {}
    assert json.loads(json.dumps(preset)) == preset
    assert preset["kind"] in CALL_KINDS


def test_get_preset_returns_a_copy():
    copy = get_preset("fui_25")
    copy["rules"].clear()
    copy["evaluation"]["criteria"][0]["weight"] = "9"
    assert FUI_25["rules"] and FUI_25["evaluation"]["criteria"][0]["weight"] == "0.30"


def _rule(preset, code):
    return [r for r in preset["rules"] if r["rule"] == code]


def test_policy_figures_are_encoded():
    # Classic: "most of the R&D" in the labelling clusters' territories; FUI 25: at least 50 % and 25 % in
    # the lead cluster's territory.
    assert _rule(FUI_CLASSIC, "territory_share")[0]["params"] == {"min": "0.5", "strict": True}
    assert _rule(FUI_CLASSIC, "lead_cluster_share") == []
    assert _rule(FUI_25, "territory_share")[0]["params"] == {"min": "0.5", "strict": False}
    assert _rule(FUI_25, "lead_cluster_share")[0]["params"]["min"] == "0.25"
    for preset in (FUI_CLASSIC, FUI_25):
        assert _rule(preset, "min_companies")[0]["params"]["min"] == 2
        assert _rule(preset, "min_research_bodies")[0]["params"]["min"] == 1
        assert _rule(preset, "budget_bounds")[0] == {
            "rule": "budget_bounds",
            "params": {"min": "750000", "max": "5000000"},
            "severity": "warning",
        }


def test_call_config_problems_are_grouped_by_section():
    config = get_preset("fui_classic")
    config["kind"] = "loan"
    config["rules"].append({"rule": "nope"})
    config["rates"].append({"funder": "state", "rate": "2"})
    config["caps"] = {"state": {"per_partner": "-1"}}
    config["evaluation"]["criteria"][0]["weight"] = "0"
    problems = validate_call_config(config)
    assert sorted(problems) == ["caps", "evaluation", "kind", "rates", "rules"]
    assert "Le type d'appel doit être" in problems["kind"][0].render("fr")


def test_parse_evaluation():
    grid, errors = parse_evaluation(FUI_25["evaluation"])
    assert errors == []
    assert [c.code for c in grid.criteria] == [
        "scientific_excellence",
        "economic_impact",
        "consortium_quality",
        "territorial_anchoring",
    ]
    assert sum(c.weight for c in grid.criteria) == Decimal(1)
    assert grid.overall_threshold == Decimal(3) and grid.scale_max == Decimal(5)
    assert grid.criteria[0].label["fr"].startswith("Excellence")


def _grid(**changes):
    grid = {
        "scale_max": 5,
        "overall_threshold": "3",
        "criteria": [{"code": "a", "label": {"fr": "A", "en": "A"}, "weight": 1, "threshold": 2}],
    }
    grid.update(changes)
    return grid


def _criterion(**changes):
    criterion = {"code": "a", "label": {"fr": "A", "en": "A"}, "weight": 1, "threshold": 2}
    criterion.update(changes)
    return _grid(criteria=[criterion])


@pytest.mark.parametrize(
    ("data", "en_words", "fr_words"),
    [
        ([], "must be an object", "doit être un objet"),
        (_grid(criteria=[]), "at least one criterion", "au moins un critère"),
        (_grid(scale_max=0), "maximum score must be a positive", "note maximale doit être un nombre positif"),
        (_grid(overall_threshold="6"), "overall threshold must lie", "seuil global doit être compris"),
        (_grid(colour=1), "unknown keys: colour", "clés inconnues : colour"),
        (_criterion(code="Bad code"), "lower-case letters", "minuscules"),
        (
            _criterion(label={"fr": "A"}),
            "label in French and in English",
            "libellé en français et en anglais",
        ),
        (_criterion(weight=-1), "weight must be a positive", "poids doit être un nombre positif"),
        (_criterion(weight=True), "weight must be a positive", "poids doit être un nombre positif"),
        (_criterion(threshold=7), "threshold must lie between", "seuil doit être compris"),
        (
            _grid(criteria=[_criterion()["criteria"][0]] * 2),
            'code "a" is used twice',
            "« a » est utilisé deux fois",
        ),
        (_grid(criteria=["a"]), "is not an object", "n'est pas un objet"),
    ],
)
def test_invalid_evaluation_grids(data, en_words, fr_words):
    errors = validate_evaluation(data)
    assert any(en_words in e.render("en") for e in errors), [e.render("en") for e in errors]
    assert any(fr_words in e.render("fr") for e in errors), [e.render("fr") for e in errors]
