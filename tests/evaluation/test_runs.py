"""Stored evaluation runs on the tiny demo: planted truth recovered, selection shown, re-runs identical.

The demo generator plants +3.65 % of R&D spending in a firm's joining year and +7.3 % afterwards, on firms
selected for spending 25 % more to begin with (poles/demo/reference.py). The stored run must recover the
effect within its confidence interval and show the head start in the naive comparison.
"""

from __future__ import annotations

import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from poles.core.audit import history
from poles.evaluation import services
from poles.evaluation.models import EvaluationRun
from poles.instruments.models import Programme
from poles.organisations.models import YearlyFigures
from poles.projects.models import Project

pytestmark = pytest.mark.django_db

WINDOW = {"first_year": 2003, "last_year": 2012}


def start(user, **options) -> EvaluationRun:
    return services.start_run(user, Programme.objects.get(), services.RunOptions(**options), title="test run")


def test_membership_effect_on_rd_spending_is_recovered_and_selection_shown(users, client_for):
    run = start(users["officer"], **WINDOW)
    assert run.status == EvaluationRun.Status.DONE, run.error
    results = run.results
    simple = results["report"]["results"]["staggered"]["simple"]
    truth = results["truth"]
    assert truth["relative_effect"] == {"joining_year": 0.0365, "later_years": 0.073}
    assert simple["ci_low"] <= truth["simple"] <= simple["ci_high"]
    dynamic = {e["event_time"]: e for e in results["report"]["results"]["staggered"]["dynamic"]["estimates"]}
    for event, effect in ((0, 0.0365), (1, 0.073)):
        assert dynamic[event]["ci_low"] <= math.log1p(effect) <= dynamic[event]["ci_high"]
    naive = results["naive"]
    # Joiners already spent more before joining (selection on levels) ...
    assert naive["before"]["ci_low"] > 0
    # ... so the naive after-joining gap overstates the effect several times over.
    assert naive["after"]["gap"] > 3 * simple["ci_high"]
    assert "Demo data" in run.summary_en and "contains it" in run.summary_en
    assert "Données de démonstration" in run.summary_fr and "tendances parallèles" in run.summary_fr
    assert run.data_fingerprint.startswith("sha256:")
    assert run.code_version["moderndid"].startswith("0.2")
    assert run.duration and run.duration > 0
    assert [e.action for e in history(run)] == ["evaluation.evaluationrun.create"]
    page = client_for(users["analyst"]).get(reverse("evaluation:detail", args=[run.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'id="estimates-data"' in content and 'id="event-study-data"' in content
    assert "Planted truth (demo data)" in content or "Vérité plantée" in content
    comparison = page.context["comparison"]
    labels = [str(row[0]) for row in comparison.rows]
    assert len(labels) == 5  # naive before, naive after, Callaway & Sant'Anna, TWFE, truth


def test_rerun_is_identical_and_refused_once_the_data_changed(users):
    run = start(users["analyst"], control="notyet", **WINDOW)
    assert run.status == "done", run.error
    again = services.rerun_run(run, users["officer"])
    assert again.status == "done" and again.rerun_of == run
    assert again.data_fingerprint == run.data_fingerprint
    assert again.results["report"]["results"] == run.results["report"]["results"]
    assert again.summary_fr == run.summary_fr and again.summary_en == run.summary_en
    figures = YearlyFigures.objects.filter(
        year=2006, organisation__category="company", rd_spending__gt=0
    ).first()
    figures.rd_spending += 1000
    figures.save()
    refused = services.rerun_run(run, users["officer"])
    assert refused.status == "failed"
    assert refused.error["code"] == "fingerprint_mismatch"
    assert "differ from those of the stored run" in refused.error["en"]
    assert refused.error["fr"] != refused.error["en"] and refused.results is None
    today = services.repeat_run(run, users["officer"])
    assert today.status == "done" and today.rerun_of is None
    assert today.data_fingerprint != run.data_fingerprint


def test_a_panel_without_treated_firms_fails_with_a_message_in_both_languages(users, client_for):
    # With no funded project left, nobody is treated by "first funded project".
    Project.objects.filter(status=Project.Status.FUNDED).update(status=Project.Status.REJECTED)
    run = start(users["officer"], treatment="funding", **WINDOW)
    assert run.status == "failed"
    assert run.error["code"] != "internal"
    assert run.error["en"] and run.error["fr"] and run.error["en"] != run.error["fr"]
    for language in ("fr", "en"):
        with translation.override(language):
            page = client_for(users["officer"]).get(reverse("evaluation:detail", args=[run.pk]))
        assert (
            escape(run.error[language]) in page.content.decode() and "Traceback" not in page.content.decode()
        )


def test_only_the_programme_officers_and_analysts_run_and_read_evaluations(users, client_for):
    for role in ("member", "cluster", "funder", "reviewer"):
        with pytest.raises(PermissionDenied):
            start(users[role], **WINDOW)
    run = EvaluationRun.objects.create(
        programme=Programme.objects.get(), parameters={"options": {}}, status="failed"
    )
    for role in ("member", "cluster", "funder", "reviewer"):
        assert client_for(users[role]).get(reverse("evaluation:detail", args=[run.pk])).status_code == 404
        assert client_for(users[role]).post(reverse("evaluation:rerun", args=[run.pk])).status_code == 404
    assert EvaluationRun.objects.count() == 1


def test_unknown_choices_are_refused_by_name():
    with pytest.raises(ValidationError) as caught:
        services.RunOptions(outcome="profit", covariates=("age",), first_year=2010, last_year=2005).validate()
    assert set(caught.value.message_dict) == {"outcome", "covariates", "last_year"}


def test_the_task_runs_a_run_once(users):
    run = start(users["officer"], control="notyet", **WINDOW)
    finished = run.finished_at
    assert services.execute(run.pk) == "done"
    run.refresh_from_db()
    assert run.finished_at == finished


def test_the_form_starts_a_run_and_shows_its_errors(users, client_for):
    client = client_for(users["analyst"])
    bad = client.post(reverse("evaluation:new"), {"outcome": "rd_spending", "transform": "log", "treatment": "membership",
                                                  "control": "never", "aggregation": "simple", "se": "analytic",
                                                  "matching": "none", "first_year": 2012, "last_year": 2005})  # fmt: skip
    assert bad.status_code == 400 and EvaluationRun.objects.count() == 0
    good = client.post(reverse("evaluation:new"), {"outcome": "rd_spending", "transform": "log", "treatment": "membership",
                                                   "control": "notyet", "aggregation": "dynamic", "se": "analytic",
                                                   "matching": "none", "first_year": 2003, "last_year": 2012})  # fmt: skip
    run = EvaluationRun.objects.get()
    assert good.status_code == 302 and good["Location"].endswith(reverse("evaluation:detail", args=[run.pk]))
    assert run.status == "done" and run.parameters["options"]["aggregation"] == "dynamic"
