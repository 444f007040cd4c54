"""Every impact-evaluation page answers for each role in both languages (the app's page table)."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse
from django.utils import translation

from poles.evaluation.models import EvaluationRun
from poles.instruments.models import Programme

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404


def only(allowed: set[str], otherwise: int) -> dict[str, int]:
    return {role: OK if role in allowed else (LOGIN if role == "anonymous" else otherwise) for role in ROLES}


def _run(users) -> int:
    run, _ = EvaluationRun.objects.get_or_create(
        title="Pages run", defaults={"programme": Programme.objects.get(), "parameters": {"options": {
            "outcome": "rd_spending", "treatment": "membership", "control": "never", "aggregation": "simple",
            "covariates": [], "transform": "log", "se": "analytic", "matching": "none"}}},
    )  # fmt: skip
    return run.pk


PAGES = {
    "evaluation:list": (lambda u: reverse("evaluation:list"), only({"officer", "analyst"}, DENIED)),
    "evaluation:new": (lambda u: reverse("evaluation:new"), only({"officer", "analyst"}, DENIED)),
    "evaluation:detail": (
        lambda u: reverse("evaluation:detail", args=[_run(u)]),
        only({"officer", "analyst"}, HIDDEN),
    ),
}
# POST-only actions (the lead's project-wide table lists them as NOT_PAGES).
NOT_PAGES = {"evaluation:rerun", "evaluation:repeat"}


def test_every_page_of_the_app_is_in_the_table():
    names = {
        f"evaluation:{n}"
        for n in get_resolver().namespace_dict["evaluation"][1].reverse_dict
        if isinstance(n, str)
    }
    assert names == set(PAGES) | NOT_PAGES


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, role, language, users, client_for):
    url_of, expected = PAGES[name]
    with translation.override("fr"):
        url = url_of(users)
    if language == "en":
        url = "/en" + url
    response = client_for(users[role]).get(url)
    assert response.status_code == expected[role], f"{url} as {role}"
    if response.status_code == OK:
        assert f'lang="{language}"' in response.content.decode()


def test_a_queued_run_polls_its_status_and_reloads_when_done(users, client_for):
    client = client_for(users["officer"])
    pk = _run(users)
    page = client.get(reverse("evaluation:detail", args=[pk])).content.decode()
    assert 'hx-trigger="every 3s"' in page
    partial = client.get(reverse("evaluation:detail", args=[pk]) + "?status=1", HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and 'id="run-status"' in partial.content.decode()
    EvaluationRun.objects.filter(pk=pk).update(
        status="failed", error={"code": "x", "fr": "Échec.", "en": "Failed."}
    )
    done = client.get(reverse("evaluation:detail", args=[pk]) + "?status=1", HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_post_only_actions_refuse_get(users, client_for):
    pk = _run(users)
    assert client_for(users["officer"]).get(reverse("evaluation:rerun", args=[pk])).status_code == 405
