"""Partner search through the Django layer: filters, blended ranking, reasons in both languages,
and the per-process index that follows the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from poles.clusters.models import Cluster, Membership
from poles.matchmaking import indexing, selectors
from poles.organisations.models import Organisation
from poles.projects.models import Participation, Project
from poles.territories.models import Departement

NEED = "spintronique magnéto-optique"


def _org(name, *, category="company", size="small", dept="38", text="spintronique magneto-optique", **extra):
    return Organisation.objects.create(
        name=name, category=category, size_class=size, findable=True, competences_text=text,
        departement=Departement.objects.get(code=dept), **extra,
    )  # fmt: skip


def _project(number, *members, year=2020, status=Project.Status.EXTERNAL, source=Project.Source.CORDIS):
    project = Project.objects.create(
        source=source, status=status, external_id=f"S-{number}" if source == Project.Source.CORDIS else "",
        acronym=f"S{number}", title="Projet commun", start_date=dt.date(year, 3, 1),
    )  # fmt: skip
    for i, org in enumerate(members):
        Participation.objects.create(
            project=project, organisation=org, category=org.category, role="lead" if i == 0 else "partner"
        )
    return project


def _ids(outcome):
    return [r.card.id for r in outcome.results]


def test_text_ranks_the_closest_profile_first_with_the_shared_keywords(users):
    close = _org("Spin Close", text="spintronique magnéto-optique, couches minces")
    far = _org("Spin Far", text="spintronique, logistique urbaine, emballage, nutrition, textile, bois")
    outcome = selectors.search_partners(users["member"], need=NEED)
    ids = _ids(outcome)
    assert ids.index(close.pk) < ids.index(far.pk)
    first = outcome.results[0]
    assert first.card.id == close.pk
    assert first.raw_reasons[0]["code"] == "shares_keywords"
    assert "spintronique" in first.reasons[0]


@pytest.mark.parametrize(
    "kwargs, keeps, drops",
    [
        ({"categories": ["public_research"]}, "lab", "sme"),
        ({"sizes": ["large"]}, "big", "sme"),
        ({"regions": ["84"]}, "sme", "breton"),
    ],
)
def test_hard_filters_keep_only_matching_organisations(kwargs, keeps, drops, users):
    orgs = {
        "sme": _org("Spin SME"),
        "big": _org("Spin Big", size="large"),
        "lab": _org("Spin Lab", category="public_research", size=""),
        "breton": _org("Spin Breizh", dept="29"),
    }
    ids = _ids(selectors.search_partners(users["member"], need=NEED, **kwargs))
    assert orgs[keeps].pk in ids
    assert orgs[drops].pk not in ids
    assert ids, "the filter kept something"


def test_cluster_filter_uses_current_memberships_only(users):
    current = _org("Spin Current")
    former = _org("Spin Former")
    minalogic = Cluster.objects.get(slug="minalogic")
    Membership.objects.create(cluster=minalogic, organisation=current, start=dt.date(2015, 1, 1))
    Membership.objects.create(
        cluster=minalogic, organisation=former, start=dt.date(2010, 1, 1), end=dt.date(2014, 1, 1)
    )
    ids = _ids(selectors.search_partners(users["member"], need=NEED, clusters=["minalogic"]))
    assert current.pk in ids and former.pk not in ids


def test_network_proximity_and_complementarity_reasons(users, member_org):
    partner = _org("Spin Past Partner")
    _org("Spin Stranger")
    lab = _org("Spin Lab", category="public_research", size="")
    _project(1, member_org, partner, year=2021)
    outcome = selectors.search_partners(users["member"], need=NEED, consortium=[member_org.pk])
    by_id = {r.card.id: r for r in outcome.results}
    codes = [r["code"] for r in by_id[partner.pk].raw_reasons]
    assert "past_partner_of" in codes
    assert any(member_org.name in text and "2021" in text for text in by_id[partner.pk].reasons)
    assert by_id[partner.pk].components["network"] > 0
    # The lead is a company: a lab fills a category the consortium lacks.
    assert "fills_missing_category" in [r["code"] for r in by_id[lab.pk].raw_reasons]
    # Without the consortium there is nothing to be close to.
    alone = {r.card.id: r for r in selectors.search_partners(users["member"], need=NEED).results}
    assert alone[partner.pk].components["network"] == 0


def test_confidential_proposals_are_not_past_collaborations(users, member_org):
    partner = _org("Spin Draft Partner")
    _project(2, member_org, partner, status=Project.Status.REJECTED, source=Project.Source.PROGRAMME)
    outcome = selectors.search_partners(users["member"], need=NEED, consortium=[member_org.pk])
    result = next(r for r in outcome.results if r.card.id == partner.pk)
    assert "past_partner_of" not in [r["code"] for r in result.raw_reasons]


def test_reasons_are_worded_in_french_and_english(users, member_org):
    partner = _org("Spin Bilingue")
    _project(3, member_org, partner, year=2019)
    with translation.override("fr"):
        fr = next(
            r
            for r in selectors.search_partners(users["member"], need=NEED, consortium=[member_org.pk]).results
            if r.card.id == partner.pk
        )
    with translation.override("en"):
        en = next(
            r
            for r in selectors.search_partners(users["member"], need=NEED, consortium=[member_org.pk]).results
            if r.card.id == partner.pk
        )
    assert any(text.startswith("A travaillé avec") for text in fr.reasons), fr.reasons
    assert any(text.startswith("Worked with") for text in en.reasons), en.reasons


def test_own_organisations_are_never_suggested_to_oneself(users, member_org):
    Organisation.objects.filter(pk=member_org.pk).update(competences_text=NEED)
    ids = _ids(selectors.search_partners(users["member"], need=NEED, k=50))
    assert member_org.pk not in ids
    assert member_org.pk in _ids(selectors.search_partners(users["officer"], need=NEED, k=50))


def test_index_is_rebuilt_when_the_data_changes_and_reused_otherwise(users, settings):
    settings.POLES_PARTNER_INDEX_CHECK_SECONDS = 3600
    first = indexing.partner_data()
    assert indexing.partner_data() is first  # within the check delay: reused, no query
    newcomer = _org("Spin Newcomer")
    assert indexing.partner_data() is first  # another process' change is not seen before the check...
    settings.POLES_PARTNER_INDEX_CHECK_SECONDS = 0
    second = indexing.partner_data()  # ...and is seen at the next check
    assert second is not first and second.card(newcomer.pk) is not None
    assert indexing.partner_data() is second  # same fingerprint: reused
    indexing.invalidate()  # a write of this process
    assert indexing.partner_data() is not second


def test_index_is_rebuilt_when_too_old(users, settings):
    settings.POLES_PARTNER_INDEX_CHECK_SECONDS = 3600
    first = indexing.partner_data()
    settings.POLES_PARTNER_INDEX_MAX_AGE_SECONDS = 0
    assert indexing.partner_data() is not first


def test_cards_mark_who_can_be_reached(users):
    reachable = _org("Spin Reachable")
    reachable.contacts.create(first_name="A", last_name="B", email="a.b@example.org", is_main=True)
    silent = _org("Spin Silent")
    data = indexing.partner_data()
    assert data.card(reachable.pk).reachable and not data.card(silent.pk).reachable
    assert "a.b@example.org" not in repr(data.card(reachable.pk))


def test_a_stale_index_never_shows_an_organisation_that_opted_out(users, member_org, settings):
    settings.POLES_PARTNER_INDEX_CHECK_SECONDS = 3600
    gone = _org("Spin Gone")
    partner = _org("Spin Stays")
    _project(4, member_org, gone)
    _project(5, gone, partner)
    before = selectors.search_partners(users["member"], need=NEED, consortium=[member_org.pk])
    assert gone.pk in _ids(before)
    assert any(gone.name in text for r in before.results for text in r.reasons)
    index = indexing.partner_data()
    Organisation.objects.filter(pk=gone.pk).update(findable=False)  # as another process would
    after = selectors.search_partners(users["member"], need=NEED, consortium=[member_org.pk])
    assert indexing.partner_data() is index  # the index is still the old one...
    assert gone.pk not in _ids(after)  # ...yet the organisation is gone,
    assert not any(gone.name in text for r in after.results for text in r.reasons)  # named nowhere
    assert partner.pk in _ids(after)


def test_background_refresh_keeps_answering_with_the_previous_index(users, settings):
    settings.POLES_PARTNER_INDEX_BACKGROUND = True
    first = indexing.partner_data()  # no index yet: built in the request
    builds = indexing.build_count()
    indexing.invalidate()
    assert indexing.partner_data() is first  # answered at once with the previous index
    indexing.wait_for_refresh()
    assert indexing.build_count() == builds + 1
    assert indexing.partner_data() is not first
