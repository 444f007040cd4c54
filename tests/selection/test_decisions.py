"""Co-financing decisions: computed per funder and partner from the call's rate table, adjusted and
decided by their funder, reconciling exactly with the selection; two officers updating the same
decision (the second gets 412 in the API and a clear message in the UI, nothing lost); letters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pypdfium2
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poles.accounts.models import RoleAssignment
from poles.calls.engine import rates
from poles.core.audit import history
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.roles import roles_of
from poles.grants.models import Decision
from poles.organisations.models import Organisation
from poles.projects.models import Project
from poles.reviews.selectors import proposal_facts, with_facts
from poles.reviews.services import refresh_call_scores
from poles.selection import decisions, services
from tests.reviews.factories import (
    funder,
    make_call,
    make_org,
    make_proposal,
    make_reviewer,
    partner,
    scored,
    uniform,
)

pytestmark = pytest.mark.django_db


def _member_org(users) -> Organisation:
    return Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))


@pytest.fixture
def decided_call(users):
    """Two selected projects co-financed by the State fund (FUI) and the Isère département; the demo
    member's organisation is a partner of the first. Decisions are proposed (computed on confirm)."""
    call = make_call(envelopes={"fui": 2_000_000, "isere": 300_000}, caps={"isere": {"per_partner": "60000"}})
    reviewer = make_reviewer()
    lab = make_org("Laboratoire d'essai", category="public_research")
    member = _member_org(users)
    first = make_proposal(
        call,
        [
            partner(
                make_org(size_class="small"), "lead", budget=900_000, aid={"fui": 405_000, "isere": 90_000}
            ),
            partner(member, budget=400_000, size_class="medium", aid={"fui": 180_000}),
            partner(lab, budget=500_000, aid={"fui": 200_000}),
        ],
        acronym="FIRST",
        status=Project.Status.UNDER_REVIEW,
    )
    second = make_proposal(
        call,
        [
            partner(
                make_org(size_class="large"), "lead", budget=1_200_000, aid={"fui": 250_000, "isere": 50_000}
            ),
            partner(make_org(size_class="micro"), budget=300_000, in_territory=False, aid={"fui": 100_000}),
            partner(
                make_org("Labo B", category="public_research"),
                budget=200_000,
                cost_basis="additional",
                aid={"fui": 200_000},
            ),  # fmt: skip
        ],
        acronym="SECOND",
        status=Project.Status.UNDER_REVIEW,
    )
    for project in (first, second):
        scored(project, reviewer, uniform(4))
    refresh_call_scores(call)
    run = services.run_selection(call, actor=users["officer"])
    services.confirm(run, actor=users["officer"])
    return call, first, second, run


def test_decisions_follow_the_rate_table_and_caps(decided_call):
    call, first, second, _run = decided_call
    queryset = Decision.objects.filter(project__call=call).select_related(
        "project", "participation__organisation", "funder"
    )
    rows = {(d.project.acronym, d.participation.organisation.name, d.funder.slug): d for d in queryset}
    assert len(rows) == 8  # every positive request of every partner, per funder
    lead = next(
        d for k, d in rows.items() if k[0] == "FIRST" and k[2] == "fui" and d.participation.role == "lead"
    )
    assert (lead.eligible_cost, lead.rate, lead.amount, lead.form) == (
        Decimal("900000.00"),
        Decimal("0.4500"),
        Decimal(405_000),
        "grant",
    )
    micro_outside = next(
        d for k, d in rows.items() if k[0] == "SECOND" and d.participation.size_class == "micro"
    )
    assert (
        micro_outside.rate == Decimal("0.3000") and micro_outside.amount == 90_000
    )  # SME outside the territory: 30 %
    additional = next(d for k, d in rows.items() if k[1] == "Labo B")
    assert (
        additional.rate == Decimal("1.0000") and additional.amount == 200_000
    )  # lab at 100 % of additional cost
    isere_lead = next(d for k, d in rows.items() if k[0] == "FIRST" and k[2] == "isere")
    assert isere_lead.amount == 60_000 and "per_partner" in isere_lead.capped_by
    for d in rows.values():
        requested = d.participation.aid_requests.get(funder=d.funder).amount
        assert 0 <= d.amount <= d.rate * d.eligible_cost and d.amount <= requested
        assert d.status == "proposed"


def test_per_funder_totals_reconcile_exactly_with_the_selection(decided_call, users):
    call, first, second, run = decided_call
    decisions.decide(
        Decision.objects.filter(project=first, funder__slug="fui").first(), actor=users["funder"]
    )
    check = decisions.reconciliation(call)
    assert check.agrees, (check.problems, [(line.funder.slug, line.agrees) for line in check.lines])
    assert check.selected_projects == check.decided_projects == {first.pk, second.pk}
    engine_totals = rates.decide(
        [
            proposal_facts(p)
            for p in with_facts(Project.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"))
        ],
        call.rates,
        call.caps,
    ).totals
    stored = {}
    for d in Decision.objects.filter(project__call=call):
        stored[d.funder.slug] = stored.get(d.funder.slug, 0) + int(d.amount)
    assert stored == engine_totals
    for line in check.lines:
        assert line.computed == stored[line.funder.slug] == line.recomputed
        reserved = sum(
            p["aid"].get(line.funder.slug, 0)
            for p in run.parameters["proposals"]
            if p["id"] in run.parameters["selected"]
        )
        assert float(line.reserved) == pytest.approx(reserved)
        assert line.computed + line.returned == line.requested == line.reserved <= line.envelope


def test_adjusting_the_eligible_cost_recomputes_the_aid(decided_call, users):
    _call, first, _second, _run = decided_call
    decision = Decision.objects.get(project=first, funder__slug="fui", participation__role="lead")
    saved = decisions.adjust(
        decision, actor=users["funder"], eligible_cost="800000", reason="Equipment not eligible"
    )
    assert (
        saved.eligible_cost == Decimal("800000.00")
        and saved.amount == 360_000
        and saved.version == decision.version + 1
    )
    assert history(saved).filter(action="grants.decision.adjust", reason="Equipment not eligible").exists()
    with pytest.raises(StaleObject):
        decisions.adjust(
            decision, actor=users["funder"], eligible_cost="1", reason="x", expected_version=decision.version
        )
    other_funder = Decision.objects.get(project=first, funder__slug="isere")
    with pytest.raises(TransitionNotAllowed):  # the FUI officer cannot touch the département's decision
        decisions.adjust(other_funder, actor=users["funder"], eligible_cost="1", reason="x")


def _second_fui_officer():
    user = get_user_model().objects.create(username="funder2", email="funder2@poles.example")
    RoleAssignment.objects.create(user=user, role="funder", funder=funder("fui"), start=dt.date(2005, 1, 1))
    return user


def test_two_officers_updating_the_same_decision_api_412_nothing_lost(decided_call, users, api_for):
    _call, first, _second, _run = decided_call
    decision = Decision.objects.get(project=first, funder__slug="fui", participation__role="lead")
    one, two = api_for(users["funder"]), api_for(_second_fui_officer())
    etag = one.get(f"/api/decisions/{decision.pk}/")["ETag"]
    assert two.get(f"/api/decisions/{decision.pk}/")["ETag"] == etag
    first_write = one.patch(
        f"/api/decisions/{decision.pk}/", {"eligible_cost": "850000", "reason": "Overheads capped"}, format="json",
        HTTP_IF_MATCH=etag,
    )  # fmt: skip
    assert first_write.status_code == 200, first_write.json()
    second_write = two.patch(
        f"/api/decisions/{decision.pk}/",
        {"eligible_cost": "700000", "reason": "Mine"},
        format="json",
        HTTP_IF_MATCH=etag,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert second_write.status_code == 412
    assert (
        second_write.json()["code"] == "stale"
        and "Someone else changed this record" in second_write.json()["message"]
    )
    decision.refresh_from_db()
    assert decision.eligible_cost == Decimal("850000.00") and decision.amount == 382_500
    stale_decide = two.post(f"/api/decisions/{decision.pk}/decide/", HTTP_IF_MATCH=etag)
    assert stale_decide.status_code == 412
    decision.refresh_from_db()
    assert decision.status == "proposed"
    fresh = two.get(f"/api/decisions/{decision.pk}/")["ETag"]
    assert two.post(f"/api/decisions/{decision.pk}/decide/", HTTP_IF_MATCH=fresh).status_code == 200


def test_two_officers_updating_the_same_decision_ui_message_input_kept(decided_call, users, client_for):
    _call, first, _second, _run = decided_call
    decision = Decision.objects.get(project=first, funder__slug="fui", participation__role="lead")
    url = reverse("selection:decision", args=[decision.pk])
    one, two = client_for(users["funder"]), client_for(_second_fui_officer())
    assert 'name="version"' in two.get(url).content.decode()
    form = {
        "eligible_cost": "850000",
        "reason": "Overheads capped",
        "version": str(decision.version),
        "adjust": "1",
    }
    assert one.post(url, form).status_code == 302
    response = two.post(url, {**form, "eligible_cost": "712345", "reason": "My own figure"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else changed this record" in page
    assert "712345" in page and "My own figure" in page  # what the second officer typed is still there
    decision.refresh_from_db()
    assert decision.eligible_cost == Decimal("850000.00")
    with translation.override("fr"):
        french_url = reverse("selection:decision", args=[decision.pk])
    french = two.post(french_url, {**form, "eligible_cost": "1"}).content.decode()
    assert "Quelqu’un d’autre" in french or "Quelqu'un d'autre" in french


def test_deciding_funds_the_project_mails_and_letters(
    decided_call, users, client_for, django_capture_on_commit_callbacks
):
    _call, first, second, _run = decided_call
    member = _member_org(users)
    users["member"].email = "member@poles.example"
    users["member"].save()
    deciders = {"fui": users["funder"], "isere": users["admin"]}
    rows = list(Decision.objects.filter(project=first).select_related("funder"))
    with django_capture_on_commit_callbacks(execute=True):
        for row in rows[:-1]:
            decisions.decide(row, actor=deciders[row.funder.slug])
    first.refresh_from_db()
    assert first.status == "selected"  # one decision still open
    with django_capture_on_commit_callbacks(execute=True):
        decisions.decide(rows[-1], actor=deciders[rows[-1].funder.slug])
    first.refresh_from_db()
    assert first.status == "funded"
    assert history(first).filter(action="projects.project.fund").exists()
    assert any("member@poles.example" in m.to and "FIRST" in m.body for m in mail.outbox)
    participation = first.participations.get(organisation=member)
    url = reverse("selection:letter", args=[participation.pk])
    page = client_for(users["member"]).get(url)
    assert page.status_code == 200 and member.name in page.content.decode()
    assert client_for(users["cluster"]).get(url).status_code == 404
    other = second.participations.first()
    assert client_for(users["member"]).get(reverse("selection:letter", args=[other.pk])).status_code == 404
    pdf = client_for(users["member"]).get(reverse("selection:letter_pdf", args=[participation.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(pdf.content)
    assert len(document) >= 1
    image = document[0].render(scale=1).to_pil().convert("L")
    extrema = image.getextrema()
    assert extrema[0] < 128 < extrema[1], "the first page has dark text on a light page"
    dark = sum(image.histogram()[:128])
    assert dark > 500
    with pytest.raises(TransitionNotAllowed):
        decisions.decide(rows[0], actor=deciders[rows[0].funder.slug])


def test_funders_see_their_calls_decisions_and_change_only_their_own(decided_call, users, api_for):
    call, first, _second, _run = decided_call
    listed = api_for(users["funder"]).get("/api/decisions/", {"call": call.pk}).json()["results"]
    assert {row["funder"] for row in listed} == {"fui", "isere"}
    isere = Decision.objects.filter(project=first, funder__slug="isere").first()
    refused = api_for(users["funder"]).post(f"/api/decisions/{isere.pk}/decide/")
    assert refused.status_code == 403
    assert api_for(users["member"]).get(f"/api/decisions/{isere.pk}/").status_code == 404  # not decided yet
    assert api_for(None).get("/api/decisions/", {"call": call.pk}).json()["results"] == []


# Property on the service layer: whatever the budgets, requests, sizes and caps, the stored decisions
# never exceed rate x eligible cost or the request, are never negative, add up to the per-funder
# totals, and the reconciliation agrees.
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parts=st.lists(
        st.tuples(
            st.integers(50_000, 2_000_000),
            st.sampled_from(["micro", "small", "medium", "mid", "large", "lab"]),
            st.integers(0, 900_000),
            st.booleans(),
        ),
        min_size=2,
        max_size=4,
    ),
    per_partner=st.one_of(st.none(), st.integers(10_000, 400_000)),
    per_project=st.one_of(st.none(), st.integers(50_000, 900_000)),
)
def test_property_stored_decisions(users, parts, per_partner, per_project):
    from django.db import transaction

    sid = transaction.savepoint()
    try:
        caps = {
            "fui": {
                k: str(v) for k, v in {"per_partner": per_partner, "per_project": per_project}.items() if v
            }
        }
        call = make_call(envelopes={"fui": 50_000_000}, caps=caps)
        specs = []
        for i, (budget, size, asked, inside) in enumerate(parts):
            org = make_org(category="public_research") if size == "lab" else make_org(size_class=size)
            specs.append(partner(org, "lead" if i == 0 else "partner", budget=budget, aid={"fui": asked} if asked else {},
                                 in_territory=inside, size_class=None if size == "lab" else size))  # fmt: skip
        project = make_proposal(call, specs, status=Project.Status.UNDER_REVIEW)
        scored(project, make_reviewer(), uniform(4))
        refresh_call_scores(call)
        run = services.run_selection(call, actor=users["officer"])
        outcome = services.confirm(run, actor=users["officer"])
        assert not outcome.errors
        rows = list(Decision.objects.filter(project=project).select_related("participation"))
        assert len(rows) == sum(1 for p in parts if p[2] > 0)
        for row in rows:
            requested = row.participation.aid_requests.get().amount
            assert 0 <= row.amount <= row.rate * row.eligible_cost
            assert row.amount <= requested
        if per_project:
            assert sum(r.amount for r in rows) <= per_project
        check = decisions.reconciliation(call)
        assert check.agrees, check.problems
        assert check.lines[0].computed == sum(int(r.amount) for r in rows)
    finally:
        transaction.savepoint_rollback(sid)
