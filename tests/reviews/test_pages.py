"""Every review page answers for each role in both languages; list pages stay within a query budget.

PAGES is the list of the review app's pages (the project-wide table lives in tests/test_pages.py);
`test_every_review_page_is_covered` fails when a named page has no row here.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import translation

from poles.reviews import services

from .factories import make_call, make_proposal, make_reviewer, scored, uniform

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404


def only(allowed: set[str], otherwise: int, hidden: set[str] = frozenset()) -> dict[str, int]:
    """Expected status per role: OK for `allowed`, 404 for `hidden`, `otherwise` for the rest."""
    out = {}
    for role in ROLES:
        if role == "anonymous":
            out[role] = LOGIN
        elif role in allowed:
            out[role] = OK
        elif role in hidden:
            out[role] = HIDDEN
        else:
            out[role] = otherwise
    return out


@pytest.fixture
def ctx(users):
    """A call in review: a proposal labelled by Minalogic, assigned to the demo reviewer (pending) and
    to an expert who submitted a review, so the proposal has a score."""
    call = make_call()
    project = make_proposal(call, acronym="PAGES")
    me = make_reviewer(user=users["reviewer"])
    other = make_reviewer("pages-expert")
    mine, _w = services.assign_manually(project, me, actor=users["officer"], reason="expert")
    scored(project, other, uniform(4))
    services.refresh_call_scores(call)
    return {"call": call, "project": project, "assignment": mine, "reviewer": me}


# project pages: the cluster (asked to label) and the funder (of the call) see the proposal but may
# not manage its review (403); the member, the analyst and the assigned reviewer, who has not signed
# the declaration of no conflict yet, do not see it (404).
PROJECT = only({"officer"}, DENIED, hidden={"member", "analyst", "reviewer"})
PAGES = {
    "reviews:calls": (lambda c: reverse("reviews:calls"), only({"officer"}, DENIED)),
    "reviews:call": (lambda c: reverse("reviews:call", args=[c["call"].pk]), only({"officer"}, DENIED)),
    "reviews:ranking": (
        lambda c: reverse("reviews:ranking", args=[c["call"].pk]),
        only({"officer", "funder", "analyst"}, DENIED),
    ),
    "reviews:project": (lambda c: reverse("reviews:project", args=[c["project"].pk]), PROJECT),
    "reviews:assign": (lambda c: reverse("reviews:assign", args=[c["project"].pk]), PROJECT),
    "reviews:consensus": (lambda c: reverse("reviews:consensus", args=[c["project"].pk]), PROJECT),
    "reviews:pool": (lambda c: reverse("reviews:pool") + "?q=e&active=true", only({"officer"}, DENIED)),
    "reviews:reviewer_add": (lambda c: reverse("reviews:reviewer_add"), only({"officer"}, DENIED)),
    "reviews:reviewer_edit": (
        lambda c: reverse("reviews:reviewer_edit", args=[c["reviewer"].pk]),
        only({"officer"}, HIDDEN) | {"reviewer": DENIED},
    ),
    "reviews:mine": (lambda c: reverse("reviews:mine"), only(set(ROLES), DENIED)),
    "reviews:assignment": (
        lambda c: reverse("reviews:assignment", args=[c["assignment"].pk]),
        only({"reviewer"}, HIDDEN),
    ),
}
NOT_PAGES = {"reviews:auto_assign", "reviews:declare"}  # POST-only actions


def test_every_review_page_is_covered():
    names = {n for n in _names(get_resolver()) if n.startswith("reviews:")}
    assert names - set(PAGES) - NOT_PAGES == set()
    assert set(PAGES) <= names


def _names(resolver, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name
        elif isinstance(pattern, URLResolver):
            yield from _names(pattern, prefix + (f"{pattern.namespace}:" if pattern.namespace else ""))


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_for_each_role(name, language, ctx, users, client_for):
    url_of, expected = PAGES[name]
    with translation.override("fr"):
        url = url_of(ctx)
    if language == "en":
        url = "/en" + url
    for role in ROLES:
        response = client_for(users[role]).get(url)
        assert response.status_code == expected[role], f"{url} as {role}"
        if response.status_code == OK:
            assert f'lang="{language}"' in response.content.decode()


@pytest.mark.parametrize(
    "name, ceiling",
    [
        ("reviews:calls", 12),
        ("reviews:pool", 12),
        ("reviews:mine", 12),
        ("reviews:call", 18),
        ("reviews:ranking", 14),
    ],
)
def test_list_pages_query_ceiling_does_not_grow_with_rows(name, ceiling, ctx, users, client_for):
    role = "reviewer" if name == "reviews:mine" else "officer"
    client = client_for(users[role])
    url = PAGES[name][0](ctx)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    assert len(small) <= ceiling, f"{url}: {len(small)} queries"
    # Ten more proposals, reviewers and assignments: the same number of queries.
    for _ in range(10):
        project = make_proposal(ctx["call"])
        services.assign_manually(project, ctx["reviewer"], actor=users["officer"], reason="more")
        scored(project, make_reviewer(), uniform(3))
    services.refresh_call_scores(ctx["call"])
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), f"{url}: {len(small)} then {len(large)} queries"
