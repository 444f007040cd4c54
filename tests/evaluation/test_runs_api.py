"""The evaluation runs API: officers and analysts start, read and re-run runs; nobody else sees any."""

from __future__ import annotations

import pytest

from poles.evaluation.models import EvaluationRun
from poles.instruments.models import Programme

pytestmark = pytest.mark.django_db

OPTIONS = {"control": "notyet", "first_year": 2003, "last_year": 2012, "aggregation": "dynamic"}


def test_analyst_starts_reads_and_reruns_a_run(users, api_for):
    api = api_for(users["analyst"])
    created = api.post("/api/evaluation-runs/", {**OPTIONS, "title": "API run"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "done" and body["title"] == "API run"
    assert body["parameters"]["options"]["aggregation"] == "dynamic"
    listed = api.get("/api/evaluation-runs/").json()
    assert listed["count"] == 1 and "results" not in listed["results"][0]
    detail = api.get(f"/api/evaluation-runs/{body['id']}/").json()
    assert detail["results"]["report"]["data_fingerprint"] == detail["data_fingerprint"]
    assert detail["summary_fr"] and detail["summary_en"]
    again = api.post(f"/api/evaluation-runs/{body['id']}/rerun/").json()
    assert again["status"] == "done" and again["rerun_of"] == body["id"]
    assert again["data_fingerprint"] == body["data_fingerprint"]
    assert api.get("/api/evaluation-runs/", {"status": "failed"}).json()["count"] == 0


def test_invalid_options_get_the_error_envelope(users, api_for):
    response = api_for(users["officer"]).post("/api/evaluation-runs/", {"outcome": "profit"}, format="json",
                                              HTTP_ACCEPT_LANGUAGE="fr")  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == ["outcome"]
    assert EvaluationRun.objects.count() == 0


@pytest.mark.parametrize("role", ["anonymous", "member", "cluster", "funder", "reviewer"])
def test_others_neither_start_nor_see_runs(role, users, api_for):
    run = EvaluationRun.objects.create(
        programme=Programme.objects.get(), title="Confidential run", parameters={"options": {}}, status="done",
        results={"secret": 1}, summary_en="secret summary",
    )  # fmt: skip
    api = api_for(users[role])
    refused = api.post("/api/evaluation-runs/", OPTIONS, format="json")
    assert refused.status_code in (401, 403)
    listed = api.get("/api/evaluation-runs/")
    assert (
        "Confidential run" not in listed.content.decode() and "secret summary" not in listed.content.decode()
    )
    assert api.get(f"/api/evaluation-runs/{run.pk}/").status_code == 404
    assert api.post(f"/api/evaluation-runs/{run.pk}/rerun/").status_code == 404
    assert EvaluationRun.objects.count() == 1
