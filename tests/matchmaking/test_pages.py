"""Every partner-search page answers for each role in both languages, within a query budget.

The table is the list of the app's pages: a page added to matchmaking/urls.py without a row here
fails `test_every_matchmaking_page_is_covered`.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from poles.clusters.models import Cluster
from poles.core.roles import roles_of
from poles.matchmaking import consortia, services
from poles.organisations.models import Organisation
from tests.matchmaking.support import partners_call

ROLES = ["anonymous", "officer", "funder", "cluster", "member", "reviewer", "analyst"]
OK, LOGIN, DENIED, HIDDEN = 200, 302, 403, 404
IDEA = "Capteurs MEMS communicants pour la maintenance prédictive"


def _member_org(users):
    return Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))


def _findable_partner(users):
    return (
        Organisation.objects.filter(findable=True, contacts__email__contains="@")
        .exclude(pk=_member_org(users).pk)
        .order_by("pk")
        .first()
    )


def _builder_query(users, with_members=True) -> str:
    lead = _member_org(users)
    call = partners_call()
    query = {"lead": lead.pk, "call": call.pk, "idea": IDEA, "lead_cluster": "minalogic", "extra_partners": 0}
    if with_members:
        request = consortia.ConsortiumRequest(call, lead, IDEA, Cluster.objects.get(slug="minalogic"))
        best = next(p for p in consortia.propose(request).proposals if p.check.eligible)
        query.update({f"m_{seat.slot}": seat.org_id for seat in best.seats if not seat.is_lead})
    return urlencode(query)


def _started_draft(users):
    lead = _member_org(users)
    request = consortia.ConsortiumRequest(partners_call(), lead, IDEA, Cluster.objects.get(slug="minalogic"))
    best = next(p for p in consortia.propose(request).proposals if p.check.eligible)
    members = {seat.slot: seat.org_id for seat in best.seats if not seat.is_lead}
    return services.start_proposal(request, members, actor=users["member"], acronym="PAGES", title="Pages")


def only(allowed: set[str], otherwise: int) -> dict[str, int]:
    return {role: OK if role in allowed else (LOGIN if role == "anonymous" else otherwise) for role in ROLES}


SIGNED_IN = only(set(ROLES) - {"anonymous"}, DENIED)

PAGES = {
    "matchmaking:search": (lambda u: reverse("matchmaking:search") + "?q=capteurs&size=small", SIGNED_IN),
    "matchmaking:partner": (
        lambda u: reverse("matchmaking:partner", args=[_findable_partner(u).pk]),
        SIGNED_IN,
    ),
    "matchmaking:contact": (
        lambda u: reverse("matchmaking:contact", args=[_findable_partner(u).pk]),
        SIGNED_IN,
    ),
    "matchmaking:profile_edit": (
        lambda u: reverse("matchmaking:profile_edit", args=[_member_org(u).pk]),
        only({"officer", "member"}, DENIED),
    ),
    "matchmaking:contact_requests": (lambda u: reverse("matchmaking:contact_requests"), SIGNED_IN),
    "matchmaking:builder": (
        lambda u: reverse("matchmaking:builder") + "?" + _builder_query(u, with_members=False),
        only({"member"}, DENIED),
    ),
    "matchmaking:consortium_check": (
        lambda u: reverse("matchmaking:consortium_check") + "?" + _builder_query(u),
        only({"member"}, DENIED),
    ),
    "matchmaking:start_proposal": (
        lambda u: reverse("matchmaking:start_proposal") + "?" + _builder_query(u),
        only({"member"}, DENIED),
    ),
    "matchmaking:proposal_started": (
        lambda u: reverse("matchmaking:proposal_started", args=[_started_draft(u).pk]),
        only({"member", "officer"}, HIDDEN),
    ),
}


def _names(pattern, prefix=""):
    if isinstance(pattern, URLPattern):
        if pattern.name:
            yield prefix + pattern.name
    elif isinstance(pattern, URLResolver):
        namespace = f"{pattern.namespace}:" if pattern.namespace else ""
        for sub in pattern.url_patterns:
            yield from _names(sub, prefix + namespace)


def test_every_matchmaking_page_is_covered():
    names = {n for p in get_resolver().url_patterns for n in _names(p) if n.startswith("matchmaking:")}
    assert names == set(PAGES)


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


def test_builder_page_shows_eligible_consortia_with_the_check_in_french(users, client_for):
    with translation.override("fr"):
        url = reverse("matchmaking:builder") + "?" + _builder_query(users, with_members=False)
    page = client_for(users["member"]).get(url).content.decode()
    assert 'data-eligible="yes"' in page
    assert "Entreprises du consortium" in page  # the min_companies rule's message, in French
    assert "Vérifié au dépôt du projet" in page
    assert "swap-select" in page and "start-proposal" in page


def test_swap_fragment_for_htmx(users, client_for):
    url = reverse("matchmaking:consortium_check") + "?" + _builder_query(users)
    response = client_for(users["member"]).get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<form") and "<html" not in body


def test_start_proposal_page_creates_the_draft(users, client_for):
    url = reverse("matchmaking:start_proposal") + "?" + _builder_query(users)
    client = client_for(users["member"])
    response = client.post(url, {"acronym": "WEBDRAFT", "title": "Brouillon depuis la page", "summary": IDEA})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "WEBDRAFT" in page and "Brouillon" in page


@pytest.mark.parametrize(
    "name, ceiling",
    [
        ("matchmaking:search", 16),
        ("matchmaking:contact_requests", 8),
        ("matchmaking:builder", 24),
    ],
)
def test_query_ceilings(name, ceiling, users, client_for, settings):
    settings.POLES_PARTNER_INDEX_CHECK_SECONDS = 0  # count the data-change check too
    client = client_for(users["member"])
    url_of, _expected = PAGES[name]
    url = url_of(users)
    client.get(url)  # warm: builds the index
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) <= ceiling, f"{url}: {len(queries)} queries"


def test_search_query_count_does_not_grow_with_results(users, client_for):
    client = client_for(users["member"])
    client.get("/partners/?q=capteurs&k=1")
    with CaptureQueriesContext(connection) as small:
        client.get("/partners/?q=capteurs&k=1")
    with CaptureQueriesContext(connection) as large:
        client.get("/partners/?q=capteurs+maintenance+logiciel&k=50")
    assert len(large) == len(small)


def test_htmx_fragments_show_errors_with_a_2xx_answer(users, client_for):
    client = client_for(users["member"])
    search = client.get("/partners/?q=x&category=astronaut", HTTP_HX_REQUEST="true")
    assert search.status_code == 200 and "fr-alert--error" in search.content.decode()
    assert client.get("/partners/?q=x&category=astronaut").status_code == 400
    query = _builder_query(users).replace("m_research=", "m_research=999999")
    check = client.get("/partners/consortium/check/?" + query, HTTP_HX_REQUEST="true")
    assert check.status_code == 200
    assert "fr-alert--error" in check.content.decode() and "<html" not in check.content.decode()
    assert client.get("/partners/consortium/check/?" + query).status_code == 400
