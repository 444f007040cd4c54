"""A proposal's journey in a real browser: the member drafts it in the open call, builds the
consortium and submits; Minalogic labels it; the officer checks eligibility and declares it eligible."""

from .calls_steps import (
    cluster_labels,
    member_builds_consortium,
    member_creates_proposal,
    member_submits,
    officer_declares_eligible,
    officer_prepares_and_publishes_call,
)
from .conftest import serious_violations, shot


def test_member_cluster_and_officer_take_a_proposal_to_eligibility(page):
    acronym = "SENTINEL"
    project_id = member_creates_proposal(page, acronym, "Capteurs autonomes pour la maintenance prédictive")
    member_builds_consortium(page, project_id)
    member_submits(page, project_id)
    cluster_labels(page, project_id, acronym)
    officer_declares_eligible(page, project_id)
    assert page.js_errors == []


def test_the_public_call_page_reads_well_and_is_accessible(page):
    page.goto("/calls/")
    page.click("#results table a >> nth=0")
    page.wait_for_selector("#rules-in-words")
    shot(page, "calls-00-public-call")
    assert serious_violations(page) == []


def test_an_officer_prepares_publishes_and_revises_a_call(page):
    officer_prepares_and_publishes_call(page, "fui-26-e2e")
    assert page.js_errors == []
